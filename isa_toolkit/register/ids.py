"""Record ids: what a safe id looks like, checked before any file or git call.

An id becomes a file name (``agreements/<ID>.yaml``) and appears in git
commands, so it must not be able to leave its folder (``../x``, ``a/b``),
name git's own folder (``.git``), read as a command-line option (``-x``), or
be a name Windows keeps for a device (``CON``, ``NUL``, ``COM1`` ...).
"""

from __future__ import annotations

import re

from ..errors import InvalidId

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$")
MAX_LENGTH = 64
# Names Windows keeps for devices, with any extension (CON.yaml is CON there): a checkout could not hold the file.
WINDOWS_DEVICE = re.compile(r"(?i)(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])")


def check_id(record_id: object) -> str:
    """Return ``record_id`` if it is safe, else raise :class:`InvalidId` saying why."""
    if not isinstance(record_id, str) or not record_id:
        raise InvalidId("a record id must be a non-empty text such as ISA-2026-0003")
    shown = record_id if len(record_id) <= MAX_LENGTH else record_id[:MAX_LENGTH] + "..."
    if len(record_id) > MAX_LENGTH:
        raise InvalidId(f"record id {shown!r} is longer than {MAX_LENGTH} characters")
    if record_id.startswith("-"):
        raise InvalidId(f"record id {shown!r} starts with '-', which would read as an option")
    if not ID_RE.fullmatch(record_id):
        raise InvalidId(
            f"record id {shown!r} may hold only letters, digits, '-', '_' and single inner dots "
            "(no '/', '..' or leading dot), e.g. ISA-2026-0003"
        )
    if WINDOWS_DEVICE.fullmatch(record_id.split(".", 1)[0]):
        raise InvalidId(f"record id {shown!r} is a name Windows keeps for a device, so a colleague's checkout on "
                        "Windows could not hold its file; choose another, e.g. ISA-2026-0003")
    return record_id


def is_safe_id(record_id: object) -> bool:
    try:
        check_id(record_id)
    except InvalidId:
        return False
    return True


def make_id(prefix: str, year: int, number: int) -> str:
    """The canonical id, e.g. ``make_id("ISA", 2026, 3) == "ISA-2026-0003"``."""
    return f"{prefix}-{year:04d}-{number:04d}"
