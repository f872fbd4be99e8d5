"""Concurrent writers queue on the register lock; a killed writer never leaves half a record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from isa_toolkit import store

from .conftest import complete_isa, git

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from isa_toolkit import store

    root, record_id, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # start together
    for n in range(1, count + 1):
        def bump(agreement, n=n):
            return agreement.model_copy(update={"version": f"1.{n}"}), f"version 1.{n}"
        store.modify_agreement(root, record_id, bump, by=f"writer {record_id}")
    """
)


def test_two_processes_each_committing_100_changes(make_register):
    root = make_register({
        "agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001"),
        "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002"),
    })
    before = int(git(root, "rev-list", "--count", "HEAD"))
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(root), record_id, "100"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for record_id in ("ISA-2026-0001", "ISA-2026-0002")
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, stderr = writer.communicate(timeout=300)
        assert writer.returncode == 0, stderr
        assert "index.lock" not in stderr

    assert int(git(root, "rev-list", "--count", "HEAD")) == before + 200
    subjects = git(root, "log", "--format=%s").splitlines()
    for record_id in ("ISA-2026-0001", "ISA-2026-0002"):
        mine = [s for s in subjects if s.startswith(f"{record_id}: ")]
        assert len(mine) == 100
    subprocess.run(["git", "fsck", "--strict"], cwd=root, check=True, capture_output=True)
    assert git(root, "status", "--porcelain") == ""
    register = store.load_register(root)
    assert not register.errors
    assert {a.version for a in register.agreements.values()} == {"1.100"}


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from isa_toolkit import store
    from isa_toolkit.model import Localized

    root = Path(sys.argv[1])
    n = 0
    while True:
        n += 1
        def grow(agreement, n=n):
            text = f"revision {n} " + "x" * 200_000  # a large write, so a kill lands mid-write
            return agreement.model_copy(update={"purpose": Localized(texts={"en": text, "fr": text})}), f"revision {n}"
        store.modify_agreement(root, "ISA-2026-0001", grow, by="writer")
        sys.stdout.write(f"{n}\\n"); sys.stdout.flush()
    """
)


def test_a_writer_killed_mid_write_leaves_old_or_new_record(make_register):
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001")})
    for delay in (0.35, 0.6, 0.9, 1.3):
        writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(root)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        writer.communicate(timeout=30)  # also closes the pipes

        record = store.load_agreement(root, "ISA-2026-0001")  # parses: never truncated
        purpose = record.purpose.get("en") or ""
        assert purpose.startswith("revision ") or purpose.startswith("Share addresses")
        if purpose.startswith("revision "):
            assert purpose.endswith("x" * 1000) and len(purpose) > 200_000
        register = store.load_register(root, use_cache=False)
        assert not register.errors, register.errors
        subprocess.run(["git", "fsck", "--strict"], cwd=root, check=True, capture_output=True)
    store.modify_agreement(root, "ISA-2026-0001", lambda a: (a.model_copy(update={"version": "9.0"}), "after kills"), by="T")
    assert git(root, "log", "-1", "--format=%s").startswith("ISA-2026-0001: after kills")
    # The next writer swept away any temporary file a killed writer left behind.
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
