"""Figures for the register site and the SQLite export of a synthetic 10,000-agreement register (printed, never
asserted).

    python bench/bench_site.py [--count 10000] [--register DIR] [--repeat 3]

Measures, as a user runs them (a new ``isa`` process each time, the cache warm):
- ``isa site`` in one language: every page, the overview's size;
- ``isa site --lang both`` and ``isa site --public``;
- ``isa export --format sqlite``.

``--register DIR`` reuses a register made before (``bench_register.py --keep DIR``, or an earlier run of this script
with ``--keep``) instead of generating one, which takes a couple of minutes.
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
sys.path.insert(0, str(HERE))

from bench_register import AS_OF, build_register, isa  # noqa: E402


def best(label: str, fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    shown = f"{min(times):8.2f} s" + (f"  (runs: {', '.join(f'{t:.2f}' for t in times)})" if repeat > 1 else "")
    print(f"  {label:<52} {shown}", flush=True)
    return min(times)


def run(root: Path, out: Path, repeat: int) -> None:
    count = len(list((root / "agreements").glob("*.yaml")))
    print(f"Register: {count} agreements in {root}")
    isa("-R", str(root), "validate")  # the cache filled (a first run after a change of code reads every file)
    site = out / "site"
    best("isa site (one language)", lambda: isa("-R", str(root), "site", "-o", str(site), "--as-of", str(AS_OF)),
         repeat)
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"  {'  pages':<52} {pages:8d}")
    print(f"  {'  overview page':<52} {(site / 'index.html').stat().st_size / 1024:8.0f} KiB")
    print(f"  {'  register page':<52} {(site / 'register.html').stat().st_size / 1024:8.0f} KiB")
    best("isa site --lang both", lambda: isa("-R", str(root), "site", "-o", str(out / "both"), "--lang", "both",
                                             "--as-of", str(AS_OF)), 1)
    best("isa site --public", lambda: isa("-R", str(root), "site", "-o", str(out / "public"), "--public",
                                          "--as-of", str(AS_OF)), 1)
    database = out / "register.db"
    best("isa export --format sqlite", lambda: isa("-R", str(root), "export", "--format", "sqlite", "-o",
                                                   str(database)), repeat)
    print(f"  {'  database':<52} {database.stat().st_size / 1024 / 1024:8.1f} MiB")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  {'largest process (peak resident memory)':<52} {peak:8.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--register", type=Path, help="use this register instead of generating one")
    parser.add_argument("--keep", type=Path, help="generate the register here and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each quick measure, the best shown")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="isa-bench-site-"))
    try:
        root = args.register
        if root is None:
            root = args.keep or base / "register"
            started = time.perf_counter()
            build_register(root, args.count)
            print(f"Generated {args.count} agreements in {time.perf_counter() - started:.0f} s")
            time.sleep(1.1)  # past the cache's racy-timestamp window
        run(root.resolve(), base, args.repeat)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
