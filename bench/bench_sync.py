"""Figures for a register shared through a git remote (printed, never asserted).

    python bench/bench_sync.py [--count 10000]

On a synthetic register of COUNT agreements pushed to a bare remote on this
disk (the file transport, so the figures are the toolkit's and git's work, not
the network's), with two clones:
- `isa sync` with nothing to do;
- one change made in one clone and synced (fetch, replay, push);
- the other clone syncing it in (fetch, move);
- one change in each clone to the same record, different fields (the second sync replays and merges it);
- the record merge alone (three versions of a 3.5 KiB record, the merge driver's work).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench_register import build_register, timed  # noqa: E402

from isa_toolkit.register import merge, sync, vcs  # noqa: E402
from isa_toolkit.register.kinds import AGREEMENT  # noqa: E402
from isa_toolkit.register.store import modify_agreement  # noqa: E402


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def change(root: Path, record_id: str, field: str, value: str) -> None:
    modify_agreement(root, record_id, lambda a: (a.model_copy(update={field: value}), f"{field} changed"),
                     by="bench")


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        first = tmp_path / "first"
        t0 = time.perf_counter()
        ids = build_register(first, count)
        print(f"{count} agreements generated and committed in {time.perf_counter() - t0:.1f} s")
        remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
        vcs.add_remote(first, "origin", str(remote))
        timed("first sync (push the whole register)", lambda: sync.sync(first))
        a, b = tmp_path / "a", tmp_path / "b"
        for clone in (a, b):
            vcs.clone(str(remote), clone)
            sync.set_up_merging(clone)
        timed("isa sync with nothing to do", lambda: sync.sync(a), repeat=3)
        change(a, ids[0], "contact", "bench-a@example.org")
        timed("one change synced (fetch, replay, push)", lambda: sync.sync(a))
        timed("the other clone syncs it in (fetch, move)", lambda: sync.sync(b))
        change(a, ids[1], "contact", "bench-a@example.org")
        change(b, ids[1], "version", "7.1")
        sync.sync(a)
        t0 = time.perf_counter()
        result = sync.sync(b)
        print(f"  {'same record, fields apart: replay + merge + push':<52} {time.perf_counter() - t0:8.3f} s"
              f"  ({len(result.conflicts)} conflict(s): signed content on both sides goes to a person)")
        path = f"agreements/{ids[2]}.yaml"
        base = (a / path).read_text()
        ours = base.replace("status: active", "status: suspended")
        theirs = base.replace("version: '", "version: '9", 1)
        size = len(base.encode()) / 1024
        timed(f"merge driver's work on one {size:.1f} KiB record", lambda: merge.merge_text(
            ids[2], path, base, ours, theirs, AGREEMENT), repeat=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    run(parser.parse_args().count)


if __name__ == "__main__":
    main()
