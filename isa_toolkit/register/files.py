"""Files written whole or not at all: a reader (or a crash) sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import errno
import os
import stat as stat_module
import tempfile
from pathlib import Path

from . import vcs


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def disk_full(exc: OSError, path: Path) -> OSError:
    """A full disk said as such, with where; any other error as it was."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return vcs.DiskFull(f"the disk holding {path.parent} is full: {path.name} could not be written. Free some "
                            "space there and try again; nothing was changed")
    return exc


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (temporary file, fsync, rename, fsync of the folder).

    The file keeps its permissions (a new one gets the usual ones for the
    user's umask), so colleagues sharing the folder can still read it. On
    Windows a file's access is its folder's (inherited access lists, which the
    new file gets too), and a folder cannot be opened to be fsynced: both
    steps are POSIX only there.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat_module.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise disk_full(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if os.name == "posix":
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise disk_full(exc, path) from None
        raise
    if os.name == "posix":
        _sync_folder(path)


def _sync_folder(path: Path) -> None:
    """Make the rename of ``path`` durable (POSIX: Windows cannot open a folder as a file)."""
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself made durable
    except OSError as exc:
        raise disk_full(exc, path) from None
    finally:
        os.close(dir_fd)
