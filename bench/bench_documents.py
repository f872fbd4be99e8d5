"""Figures for document rendering (printed, never asserted).

    python bench/bench_documents.py [--count 40]

On a copy of the example register with COUNT copies of its safeguarding ISA:
one DOCX, one PDF, a batch of COUNT agreements in both formats (all cores,
workers recycled), and how a single long process's memory grows per PDF.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from isa_toolkit import store, vcs  # noqa: E402
from isa_toolkit.render import render  # noqa: E402
from isa_toolkit.render.batch import render_all  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=40)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="isa-bench-docs-"))
    try:
        root = base / "register"
        shutil.copytree(HERE.parent / "register", root)
        source = (root / "agreements" / "ISA-2024-0001.yaml").read_text()
        ids = []
        for n in range(1, args.count + 1):
            record_id = f"ISA-2030-{n:04d}"
            (root / "agreements" / f"{record_id}.yaml").write_text(source.replace("ISA-2024-0001", record_id))
            ids.append(record_id)
        vcs.init(root)
        vcs.commit_all(root, "bench")
        register = store.load_register(root)
        agreement = register.agreements[ids[0]]
        print(f"Documents: the example safeguarding ISA, {args.count} copies")
        for fmt in ("docx", "pdf"):
            render(register, agreement, formats=(fmt,), outdir=base / "warm")  # imports and caches warmed
            t0 = time.perf_counter()
            item = render(register, agreement, formats=(fmt,), outdir=base / "one")[0]
            print(f"  one {fmt.upper():<4} ({item.path.stat().st_size // 1024} KiB)                       "
                  f"{time.perf_counter() - t0:8.3f} s")
        before = rss_mib()
        for n in range(20):
            render(register, register.agreements[ids[n % len(ids)]], formats=("pdf",), outdir=base / "memory")
        print(f"  memory growth in one process, per PDF (20 PDFs)   {(rss_mib() - before) / 20:8.2f} MiB")
        t0 = time.perf_counter()
        failures = render_all(root, ids, doc="agreement", lang="en", formats=("docx", "pdf"), outdir=base / "batch",
                              fallback=False, progress=lambda n: None)
        took = time.perf_counter() - t0
        print(f"  batch of {args.count} agreements, DOCX + PDF, all cores   {took:8.3f} s "
              f"({took / args.count:.3f} s an agreement; {len(failures)} refused)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
