"""Asking the loaded register: which records match a listing's filters, and one record's history from git."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RecordNotFound
from . import vcs
from .kinds import KINDS, RECORD_SUFFIX, record_path

if TYPE_CHECKING:
    from .load import Register

# The statuses a listing of each kind of case record can filter on (agreements use the lifecycle's).
CASE_STATUSES = {
    "disclosure": ("outstanding", "disclosed", "refused"),
    "request": ("open", "granted", "refused"),
    "incident": ("open", "resolved"),
}


def select(register: Register, *, statuses=(), kind: str | None = None, partner: str | None = None,
           section: str = "agreement") -> list[dict]:
    """Index entries (see :mod:`isa_toolkit.register.index`) of the records of ``section`` matching every filter, by id.

    ``kind`` filters agreements by isa / protocol.
    """
    if partner:
        from ..model.agreement import normalise_organisation
    needle = normalise_organisation(partner) if partner else None
    chosen = []
    index = register.section(section).index
    for record_id in sorted(index):
        entry = index[record_id]
        if statuses and entry["status"] not in statuses:
            continue
        if kind and entry["kind"] != kind:
            continue
        if needle and not any(needle in normalise_organisation(organisation) for organisation in entry["partners"]):
            continue
        chosen.append(entry)
    return chosen


def partner_suggestion(register: Register, partner: str, section: str = "agreement") -> str | None:
    """A partner of the register's records whose name ``partner`` seems to misspell, for a "did you mean"."""
    from ..model.agreement import closest_organisation

    names = {name for entry in register.section(section).index.values() for name in entry["partners"]}
    return closest_organisation(partner, names)


def history(root: Path, record_id: str) -> list[vcs.LogEntry]:
    """The commits that changed one record (of any kind), newest first."""
    for kind in KINDS:
        path = record_path(root, record_id, kind)
        entries = vcs.log(root, f"{kind.folder}/{path.name}")
        if entries or path.exists():
            return entries
    raise RecordNotFound(f"no record {record_id!r} in {root}, now or in its history")


def histories(root: Path) -> dict[str, list[vcs.LogEntry]]:
    """The history of every record (of every kind) by id, newest first, from one pass over git's log: for each id,
    what :func:`history` gives (the first kind, in :data:`KINDS` order, whose file has a history or exists)."""
    by_file = vcs.log_by_file(root, [kind.folder for kind in KINDS])
    found: dict[str, list[vcs.LogEntry]] = {}
    for kind in KINDS:
        prefix = f"{kind.folder}/"
        here = {path[len(prefix):-len(RECORD_SUFFIX)]: entries for path, entries in by_file.items()
                if path.startswith(prefix) and path.endswith(RECORD_SUFFIX) and "/" not in path[len(prefix):]}
        folder = root / kind.folder
        if folder.is_dir():  # a record with no commit yet has no history, even if another folder has its name
            here |= {path.name[:-len(RECORD_SUFFIX)]: [] for path in folder.glob(f"*{RECORD_SUFFIX}")
                     if path.name[:-len(RECORD_SUFFIX)] not in here}
        for record_id, entries in here.items():
            found.setdefault(record_id, entries)
    return found
