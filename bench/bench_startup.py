"""Start-up figures: whole `isa` processes, as a person or a script runs them (printed, never asserted).

    python bench/bench_startup.py [--count 10000]

Beside `python -c pass` (the interpreter alone), best of five:
- `isa --help`;
- `isa list` and `isa show ID` on the example register, warm (the cache filled by a first run);
- `isa list --json` on a synthetic register of COUNT agreements, warm;
- a Tab completing an id (`isa show ISA-20<Tab>`) on that register.
Targets (issue "A command line that starts at once"): --help under 0.15 s, warm list and show on the example
register under 0.25 s, warm list --json on 10,000 agreements under 0.35 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

ISA = str(Path(sys.executable).parent / "isa")


def best(label: str, args: list[str], env: dict | None = None, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(args, capture_output=True, env={**os.environ, **(env or {})}, check=False)
        times.append(time.perf_counter() - started)
    print(f"  {label:<58} {min(times):7.3f} s", flush=True)
    return min(times)


def run(count: int) -> None:
    env = {"ISA_USER": "bench"}
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        subprocess.run([ISA, "init", str(example), "--example"], capture_output=True, env={**os.environ, **env},
                       check=True)
        subprocess.run([ISA, "-R", str(example), "list"], capture_output=True, check=True)  # fills the cache
        print("Whole processes, best of five:")
        best("python -c pass", [sys.executable, "-c", "pass"])
        best("isa --help", [ISA, "--help"])
        best("isa list, example register, warm", [ISA, "-R", str(example), "list"])
        best("isa show ISA-2024-0001, example register", [ISA, "-R", str(example), "show", "ISA-2024-0001"])
        if count:
            from bench_register import build_register

            big = Path(tmp) / "big"
            started = time.perf_counter()
            build_register(big, count)
            print(f"  ({count} agreements generated in {time.perf_counter() - started:.0f} s)")
            subprocess.run([ISA, "-R", str(big), "list", "--json"], capture_output=True, check=True)
            best(f"isa list --json, {count} agreements, warm", [ISA, "-R", str(big), "list", "--json"])
            best("Tab completing an id, same register",
                 [ISA], env={"COMP_WORDS": "isa show ISA-2020-0", "COMP_CWORD": "2", "_ISA_COMPLETE": "bash_complete",
                             "ISA_REGISTER": str(big)})
            shutil.rmtree(big, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    run(parser.parse_args().count)


if __name__ == "__main__":
    main()
