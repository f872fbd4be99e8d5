"""The register's write lock: one writer at a time, and a waiting writer told who holds it.

The lock is taken on a file in the git folder (so it is never committed)
with the operating system's own primitive: ``flock`` on Linux and macOS, a
lock on the file's first byte (``msvcrt.locking``) on Windows. Either way the
system releases it when its holder ends, however it ends. While holding it,
the holder writes who it is (process, command, user, since when) into a file
beside it, ``isa-register.lock.holder`` (not into the locked file: a Windows
lock also stops others reading the bytes it covers), so a writer that has to
wait can say what it is waiting for. How long to wait is
``ISA_LOCK_TIMEOUT`` (seconds), else two minutes.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..errors import LockTimeout, StoreError
from . import vcs

LOCK_FILE = "isa-register.lock"
HOLDER_FILE = LOCK_FILE + ".holder"  # who holds the lock, beside it
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
DEFAULT_TIMEOUT_S = 120.0
TIMEOUT_ENV = "ISA_LOCK_TIMEOUT"
NOTICE_AFTER_S = 1.0  # a wait shorter than this is not worth a word


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the holder wrote it down."""

    pid: int | None = None
    command: str = ""
    user: str = ""
    host: str = ""
    since: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "another isa process (it has not said which)"
        what = f"`{self.command}`" if self.command else "an isa command"
        who = f" by {self.user}" if self.user else ""
        where = f" on {self.host}" if self.host and self.host != socket.gethostname() else ""
        since = ""
        if self.since:
            with contextlib.suppress(ValueError):
                since = f", since {datetime.fromisoformat(self.since).astimezone():%H:%M:%S}"
        return f"{what}{who} (process {self.pid}{where}{since})"


def read_holder(path: Path) -> Holder:
    """What the holder file (``HOLDER_FILE`` in the git folder) says about the lock's holder (an empty Holder when
    it says nothing readable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")[:4096] or "{}")
    except (OSError, ValueError):
        return Holder()
    if not isinstance(data, dict) or not isinstance(data.get("pid"), int):
        return Holder()
    return Holder(pid=data["pid"], **{key: str(data.get(key) or "")[:200] for key in ("command", "user", "host", "since")})


def _this_holder() -> dict:
    words = [os.path.basename(sys.argv[0] or "isa"), *sys.argv[1:3]] if sys.argv else ["isa"]
    try:
        user = os.environ.get("ISA_USER") or getpass.getuser()
    except (KeyError, OSError, ImportError):  # Python before 3.13 looks for the pwd module, which Windows lacks
        user = ""
    return {"pid": os.getpid(), "command": " ".join(words)[:120], "user": user, "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds")}


# -- the operating system's lock: each takes the lock without waiting (True if it did) or releases it -----------


def _try_lock_posix(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock_posix(fd: int) -> None:
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _msvcrt():  # Windows only (the tests stand in for it on Linux)
    import msvcrt

    return msvcrt


def _try_lock_windows(fd: int) -> bool:
    """A lock on the file's first byte (the file may be empty: Windows locks a range past its end as well)."""
    msvcrt = _msvcrt()
    os.lseek(fd, 0, os.SEEK_SET)  # msvcrt locks from the current position
    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EDEADLK):  # held by another process
            return False
        raise
    return True


def _unlock_windows(fd: int) -> None:
    """Released before the file is closed: Windows frees the lock of a closed file only when it gets round to it."""
    msvcrt = _msvcrt()
    os.lseek(fd, 0, os.SEEK_SET)
    msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


if os.name == "nt":
    _try_lock, _unlock = _try_lock_windows, _unlock_windows
else:
    _try_lock, _unlock = _try_lock_posix, _unlock_posix


def _write_holder(path: Path) -> None:
    """Say who holds the lock; a courtesy to waiters, so a full disk (or any failure) must not stop the write."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _BINARY, 0o666)
        try:
            os.write(fd, json.dumps(_this_holder()).encode("utf-8"))
        finally:
            os.close(fd)


def _clear_holder(path: Path) -> None:
    with contextlib.suppress(OSError):  # emptied, not removed: a waiter on Windows may have it open
        os.close(os.open(path, os.O_WRONLY | os.O_TRUNC | _BINARY))


def timeout_seconds(root: Path | None = None) -> float:
    """How long a writer waits for the lock: ``ISA_LOCK_TIMEOUT`` seconds if set, else ``lock_timeout_seconds`` in
    the register's settings, else two minutes."""
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    if value:
        try:
            seconds = float(value)
        except ValueError:
            raise StoreError(f"{TIMEOUT_ENV}={value!r} is not a number of seconds; set it to e.g. 300, or unset it") from None
        if seconds >= 0:
            return seconds
        raise StoreError(f"{TIMEOUT_ENV}={value!r} is negative; set it to a number of seconds, or unset it")
    if root is not None:
        setting = _setting(root)
        if setting is not None:
            return setting
    return DEFAULT_TIMEOUT_S


def _setting(root: Path) -> float | None:
    """``lock_timeout_seconds`` from register.yaml, read only when a writer has to wait (None when unset or
    unreadable: the settings' own check reports a bad value)."""
    from . import yamlio

    try:
        data = yamlio.parse(yamlio.read_bounded(root / "register.yaml", "settings file"))
    except Exception:  # noqa: BLE001 - a courtesy to a waiting writer: never fail a write over it
        return None
    value = data.get("lock_timeout_seconds") if isinstance(data, dict) else None
    return float(value) if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


class Reporter:
    """Told while a writer waits for the lock, and when it put back a stopped write (the command line shows
    both); silent by default."""

    def waiting(self, holder: Holder, waited_s: float) -> None:  # called about ten times a second
        """The writer has waited ``waited_s`` seconds (at least NOTICE_AFTER_S) for ``holder``."""

    def done(self, acquired: bool) -> None:
        """The wait is over: the lock was taken, or the writer gave up."""

    def recovered(self, what: str) -> None:
        """A write stopped part-way was found and put back; ``what`` says which."""


_reporter: Reporter = Reporter()


def set_reporter(new: Reporter) -> Reporter:
    """Who hears about waits for the lock (the command line sets one that writes to the terminal); returns the
    previous one."""
    global _reporter
    previous, _reporter = _reporter, new
    return previous


def reporter() -> Reporter:
    return _reporter


@contextlib.contextmanager
def register_lock(root: Path, timeout: float | None = None, *,
                  on_acquire: Callable[[Path], None] | None = None) -> Iterator[None]:
    """Hold the register's write lock; ``on_acquire(root)`` runs first thing once it is held."""
    gd = vcs.git_dir(root)
    if gd is None:
        raise StoreError(f"{root} is not a git repository; a register must be one (`isa init` makes it so)")
    explicit = timeout
    timeout = timeout_seconds() if timeout is None else timeout  # the setting is read only if we must wait
    holder_path = gd / HOLDER_FILE
    fd = os.open(gd / LOCK_FILE, os.O_RDWR | os.O_CREAT | _BINARY, 0o666)
    try:
        started = time.monotonic()
        reported = False
        while not _try_lock(fd):
            waited = time.monotonic() - started
            if not reported and explicit is None and waited >= NOTICE_AFTER_S:
                timeout = timeout_seconds(root)
            if waited > timeout:
                holder = read_holder(holder_path)
                if reported:
                    _reporter.done(False)
                raise LockTimeout(
                    f"the register is being changed by {holder.describe()}, and it still held the register "
                    f"lock after {timeout:g} s. Try again when it has finished (to wait longer, set "
                    f"{TIMEOUT_ENV} to a number of seconds)") from None
            if waited >= NOTICE_AFTER_S:
                _reporter.waiting(read_holder(holder_path), waited)
                reported = True
            time.sleep(0.01 if waited < NOTICE_AFTER_S else 0.1)
        try:
            if reported:
                _reporter.done(True)
            _write_holder(holder_path)
            try:
                if on_acquire is not None:
                    on_acquire(root)
                yield
            finally:
                _clear_holder(holder_path)
        finally:
            with contextlib.suppress(OSError):  # closing the file releases it too
                _unlock(fd)
    finally:
        os.close(fd)
