"""The intent journal: a write the toolkit was stopped in the middle of is put back at the next lock.

Before a write changes any file, it records under the register lock what it
is about to do: each file's path and a digest of what it holds now and of what
it will hold. When the commit is made, the journal is removed. A writer that
is killed, loses power or fills the disk part-way leaves the journal behind;
the next writer to take the lock finds it and puts each of those files back as
the last commit has it, in the working tree and the index, so the register
equals a commit (the old one, or the new one if the commit was made) and
nothing stays blocked.

A file whose content is neither the old nor the new one (someone edited it by
hand since) is not the journal's to touch: it is left as it is, and the usual
refusal for uncommitted changes tells the person what to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import StoreError
from . import vcs
from .files import write_atomic

JOURNAL_FILE = "isa-intent.json"  # in the git folder, beside the lock: never committed
GIT_FINISH_WAIT_S = 10.0  # how long a git command the stopped writer started may take to finish on its own


def digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Intent:
    """One file a write is about to change: its path in the register, what it holds now and what it will hold."""

    path: str
    old: str | None  # digest of the current content (None: a new file)
    new: str

    def as_dict(self) -> dict:
        return {"path": self.path, "old": self.old, "new": self.new}


def journal_path(root: Path) -> Path:
    gd = vcs.git_dir(root)
    if gd is None:
        raise StoreError(f"{root} is not a git repository")
    return gd / JOURNAL_FILE


def begin(root: Path, intents: list[Intent], message: str) -> None:
    """Record what is about to change (call holding the lock, before any file is written)."""
    record = {"version": 1, "pid": os.getpid(), "started": datetime.now(UTC).isoformat(timespec="seconds"),
              "message": message, "files": [intent.as_dict() for intent in intents]}
    try:
        write_atomic(journal_path(root), json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    except BaseException:
        end(root)  # nothing is written yet, so there is nothing to put back
        raise


def end(root: Path) -> None:
    """The write is committed, or put back by its own writer: forget it."""
    with contextlib.suppress(FileNotFoundError):
        journal_path(root).unlink()


@dataclass(frozen=True)
class Recovery:
    """What recovering an interrupted write did."""

    message: str
    restored: list[str]
    left: list[str]  # files changed since (by hand): not touched

    def describe(self) -> str:
        text = f"an earlier change was stopped part-way ({self.message!r}); "
        if self.restored:
            text += "put back as the last commit has it: " + ", ".join(self.restored)
        if self.left:
            text += ("; " if self.restored else "") + "left alone (changed since): " + ", ".join(self.left)
        return text


def _file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def _git_still_running(root: Path) -> bool | None:
    """Whether a git process is still at work in ``root`` (None where the system cannot say: no /proc)."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    target = os.path.realpath(root)
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip().startswith("git") and os.readlink(entry / "cwd") == target:
                return True
        except OSError:
            continue  # gone, or not ours to look at
    return False


def _clear_git_locks(root: Path, started: float) -> None:
    """A git command the stopped writer began may still be finishing: let it, then clear the lock files it left.

    Only lock files at least as new as the journal are cleared: an older one is not the stopped writer's, and the
    next git call reports it with what to do.
    """
    gd = vcs.git_dir(root) or root / ".git"
    deadline = time.monotonic() + GIT_FINISH_WAIT_S
    while time.monotonic() < deadline:
        running = _git_still_running(root)
        if running is False:
            break
        if running is None and not (gd / "index.lock").exists():
            break
        time.sleep(0.05)
    for lock in [gd / "index.lock", gd / "HEAD.lock", *(gd / "refs").rglob("*.lock")]:
        with contextlib.suppress(FileNotFoundError):
            if lock.stat().st_mtime >= started - 1:
                lock.unlink()


def recover(root: Path) -> Recovery | None:
    """Put back a write that was stopped part-way, if the journal shows one (call holding the lock)."""
    path = journal_path(root)
    try:
        raw = path.read_text(encoding="utf-8")
        started = path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        record = json.loads(raw)
        intents = [Intent(str(item["path"]), item["old"], str(item["new"])) for item in record["files"]]
        message = str(record.get("message", ""))
    except (ValueError, KeyError, TypeError):
        path.unlink()  # written atomically, so never half a journal: unreadable means not ours
        return None
    _clear_git_locks(root, started)
    ours, left = [], []
    for intent in intents:
        if ".." in Path(intent.path).parts or Path(intent.path).is_absolute():
            continue
        now = _file_digest(root / intent.path)
        (ours if now in (intent.old, intent.new) else left).append(intent)
    if ours:
        vcs.restore_from_head(root, [intent.path for intent in ours])
    path.unlink()
    return Recovery(message, [intent.path for intent in ours], [intent.path for intent in left])
