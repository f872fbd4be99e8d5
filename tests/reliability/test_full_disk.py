"""A full disk is said as such, never taken for a locked index, and leaves the register exactly as it was:
HEAD, the index and the working tree equal before and after, whichever write step it strikes."""

from __future__ import annotations

import errno
import os

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main

from ..conftest import complete_isa, git

ID = "ISA-2026-0001"


def state(root) -> tuple[str, str, str, bytes]:
    """HEAD, the index (staged files), the working tree's status, and the record's bytes."""
    return (git(root, "rev-parse", "HEAD"), git(root, "diff", "--cached", "--name-only"),
            git(root, "status", "--porcelain"), (root / "agreements" / f"{ID}.yaml").read_bytes())


def at_call(n: int, real, error: OSError):
    """``real``, except that its ``n``-th call raises ``error``."""
    calls = {"n": 0}

    def wrapped(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise error
        return real(*args, **kwargs)

    return wrapped


# Each file write happens twice in a change: the intent journal first, then the record.
@pytest.mark.parametrize(("step", "nth"), [("temporary file", 1), ("temporary file", 2), ("write", 1), ("write", 2),
                                           ("fsync", 1), ("fsync", 2), ("fsync", 3), ("git commit", 1)])
def test_a_full_disk_at_any_write_step_changes_nothing_and_says_so(make_register, monkeypatch, step, nth):
    import git as gitpython

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    before = state(root)
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if step == "temporary file":
        import tempfile

        monkeypatch.setattr(tempfile, "mkstemp", at_call(nth, tempfile.mkstemp, full))
    elif step == "write":
        real = os.fdopen
        opened = {"n": 0}

        def fdopen(fd, *args, **kwargs):
            handle = real(fd, *args, **kwargs)
            opened["n"] += 1
            if opened["n"] != nth:
                return handle

            class Full:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    handle.close()

                def write(self, data):
                    raise full

                def __getattr__(self, name):
                    return getattr(handle, name)

            return Full()

        monkeypatch.setattr(os, "fdopen", fdopen)
    elif step == "fsync":  # the journal's file and folder, then the record's file
        monkeypatch.setattr(os, "fsync", at_call(nth, os.fsync, full))
    else:
        real = gitpython.Git.execute
        calls = []

        def execute(self, command, *args, **kwargs):
            if "commit" in command:
                calls.append(command)
                raise gitpython.GitCommandError(command, 128, stderr="error: unable to write new index file: "
                                                                    "No space left on device")
            return real(self, command, *args, **kwargs)

        monkeypatch.setattr(gitpython.Git, "execute", execute)
    result = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org", "--detail", "New contact"])
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert "disk" in result.output and "is full" in result.output and str(root) in result.output
    assert "lock" not in result.output and "Traceback" not in result.output
    assert state(root) == before
    if step == "git commit":
        assert len(calls) == 1  # never retried as if the index were locked
    assert not list((root / "agreements").glob(".*.tmp"))
    assert not (root / ".git" / "isa-intent.json").exists() and not list((root / ".git").glob(".isa-intent*"))


def test_the_recovery_command_for_a_staged_change_works(make_register):
    """A record left staged (an interrupted write, or a hand edit added to the index) blocks writes to it; the
    command the refusal prints clears it."""
    import shlex
    import subprocess

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    path = root / "agreements" / f"{ID}.yaml"
    path.write_text(path.read_text().replace("Two years.", "Three years."))
    git(root, "add", str(path))
    refused = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org", "--detail", "New contact"])
    assert refused.exit_code == 1
    command = refused.output.split("discard them (", 1)[1].split(",", 1)[0]
    assert command.startswith("git checkout HEAD -- ")
    subprocess.run(shlex.split(command), cwd=root, check=True, capture_output=True)
    done = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org", "--detail", "New contact"])
    assert done.exit_code == 0, done.output


@pytest.fixture
def small_disk(tmp_path):
    """A 8 MiB tmpfs (as root, which CI is; skipped where mounting is not allowed)."""
    import subprocess

    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small disk needs root")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_really_full_disk_changes_nothing_and_says_so(small_disk):
    from isa_toolkit.register import vcs

    root = small_disk / "register"
    (root / "agreements").mkdir(parents=True)
    from ..conftest import SETTINGS

    (root / "register.yaml").write_text(SETTINGS)
    (root / "agreements" / f"{ID}.yaml").write_text(complete_isa(ID))
    vcs.init(root)
    vcs.commit_all(root, "register")
    before = state(root)
    filler = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk to the last block
    try:
        for size in (1 << 16, 1 << 10, 1):
            try:
                while True:
                    os.write(filler, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(filler)
    result = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org", "--detail",
                                       "New contact"])
    assert result.exit_code == 1, result.output
    assert "is full" in result.output and "lock" not in result.output and "Traceback" not in result.output
    (small_disk / "filler").unlink()  # git itself needs room to read its status
    assert state(root) == before
