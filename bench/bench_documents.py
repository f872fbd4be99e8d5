"""Figures for document rendering (printed, never asserted).

    python bench/bench_documents.py [--count 200]

On a copy of the example register with COUNT copies of its safeguarding ISA:
one DOCX (beside a bare docxtpl render of the same template and context), one
PDF (beside LibreOffice converting our DOCX, when soffice is installed), how a
single long process's memory grows per PDF, and a batch of COUNT agreements in
both formats on all cores (documents a second, peak worker memory).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from isa_toolkit.documents.batch import render_all  # noqa: E402
from isa_toolkit.documents.render import render  # noqa: E402
from isa_toolkit.register import vcs  # noqa: E402
from isa_toolkit.register.load import load_register  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200)
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
        register = load_register(root)
        agreement = register.agreements[ids[0]]
        print(f"Documents: the example safeguarding ISA, {args.count} copies")
        for fmt in ("docx", "pdf"):
            render(register, agreement, formats=(fmt,), outdir=base / "warm")  # imports and caches warmed
            t0 = time.perf_counter()
            item = render(register, agreement, formats=(fmt,), outdir=base / "one")[0]
            print(f"  one {fmt.upper():<4} ({item.path.stat().st_size // 1024} KiB)                       "
                  f"{time.perf_counter() - t0:8.3f} s")
        # Side by side: a bare docxtpl render of the same template and context; LibreOffice converting our DOCX.
        from docxtpl import DocxTemplate

        from isa_toolkit.documents.context import document_context
        from isa_toolkit.documents.render import template_folders
        from isa_toolkit.register.load import load_chain

        chain, _ = load_chain(register.root, register.settings)
        context = document_context(agreement, ["en"], classification=register.classification, chain=chain,
                                   settings=register.settings, checklists_root=register.root)
        template = template_folders(register.root, "docx")[0] / "agreement.docx"
        t0 = time.perf_counter()
        for _ in range(5):
            bare = DocxTemplate(str(template))
            bare.render(context, autoescape=True)
            bare.save(base / "bare.docx")
        print(f"  bare docxtpl render of the same template, for comparison {(time.perf_counter() - t0) / 5:8.3f} s")
        docx_file = next((base / "one").glob("*.docx"))
        if shutil.which("soffice"):
            profile = f"-env:UserInstallation=file://{base}/lo-profile"
            subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(base / "lo"),
                            str(docx_file)], capture_output=True)  # first start: LibreOffice sets up its profile
            t0 = time.perf_counter()
            subprocess.run(["soffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(base / "lo"),
                            str(docx_file)], capture_output=True)
            print(f"  LibreOffice headless: our DOCX to PDF, for comparison   {time.perf_counter() - t0:8.3f} s")
        before = rss_mib()
        for n in range(20):
            render(register, register.agreements[ids[n % len(ids)]], formats=("pdf",), outdir=base / "memory")
        print(f"  memory growth in one process, per PDF (20 PDFs)   {(rss_mib() - before) / 20:8.2f} MiB")
        t0 = time.perf_counter()
        failures = render_all(root, ids, doc="agreement", lang="en", formats=("docx", "pdf"), outdir=base / "batch",
                              fallback=False, progress=lambda n: None)
        took = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        documents = 2 * (args.count - len(failures))
        print(f"  batch of {args.count} agreements, DOCX + PDF, all cores   {took:8.3f} s "
              f"({documents / took:.1f} documents a second; {len(failures)} refused)")
        print(f"  peak memory of a batch worker                             {peak:8.1f} MiB")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
