"""Merging one record changed in two clones: field by field, logs as unions, signed content only by a person.

Given the common ancestor (base), our version and theirs, a field changed on
one side only takes that side's value; the same change on both sides is
taken once; a log (sign-offs, history, decisions, amendments, copies sent,
review findings) is the union of both sides in date order. A field changed
differently on both sides is a :class:`Conflict`. For an agreement with
sign-offs, the content they approve (everything its fingerprint covers) never
merges automatically: if both sides changed it, each field either side
changed is a conflict, because the merged text would be one nobody approved.

``isa resolve`` records how a person settled a conflict; the next merge of the
same record takes that value (see :mod:`.sync`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from ..model import Agreement
from . import yamlio
from .kinds import Kind

LOG_FIELDS = frozenset({"signoffs", "amendments", "history", "decisions", "sent", "findings"})
# What an agreement's content fingerprint leaves out (Agreement.content_fingerprint): everything else is signed,
# dpia too except its screening answers.
NOT_SIGNED_CONTENT = frozenset({"id", "status", "signoffs", "review", "amendments", "risk_assessment", "history",
                                "decisions", "overlap", "sent", "start_date", "end_date", "waivers"})
NOT_SIGNED_PARTS = {"dpia": frozenset({"screening"})}
_MISSING = object()


def plain(value: Any) -> Any:
    """``value`` as JSON would have it (``_MISSING`` as None), for showing and comparing."""
    return None if value is _MISSING else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def value_key(value: Any) -> str:
    """A short digest of a value, so a resolution applies only to the conflict it was made for."""
    canonical = json.dumps(plain(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# How a conflict can be settled: a field by a value (ours, theirs or one given), a whole file by taking one side;
# an id or a merge that makes an invalid record only by a person editing their copy (see docs/team.md).
FIELD, FILE, BY_HAND = "field", "file", "by-hand"


@dataclass(frozen=True)
class Conflict:
    """One field two clones changed differently: where it is and the three values."""

    record: str
    path: str  # the file, relative to the register
    field: str  # dotted, e.g. review.due or purpose ("" for the whole file)
    base: Any
    ours: Any
    theirs: Any
    why: str = "changed differently on both sides"
    settle: str = FIELD

    def as_dict(self) -> dict:
        return {"record": self.record, "path": self.path, "field": self.field, "why": self.why,
                "base": plain(self.base), "ours": plain(self.ours), "theirs": plain(self.theirs),
                "settle": self.settle, "key": self.key}

    @property
    def key(self) -> str:
        """Which conflict this is: the same record, field and values give the same key."""
        return value_key([self.record, self.field, plain(self.base), plain(self.ours), plain(self.theirs)])

    @classmethod
    def from_dict(cls, data: dict) -> Conflict:
        return cls(data["record"], data["path"], data["field"], data["base"], data["ours"], data["theirs"],
                   data.get("why", "changed differently on both sides"), data.get("settle", FIELD))


@dataclass
class Merged:
    """The merged data (None when a conflict is left) and the conflicts found."""

    data: Any
    conflicts: list[Conflict] = field(default_factory=list)


def _date_of(item: Any) -> str:
    if isinstance(item, dict):
        for key in ("date", "at", "on", "sent", "recorded"):
            if item.get(key) is not None:
                return str(item[key])
    return ""


def _union(base: list, ours: list, theirs: list) -> list:
    """Ours, plus the entries theirs added, minus those theirs removed, counted as a multiset (two equal entries
    on one day are two entries), in date order (ours first on the same date)."""
    out = list(ours)
    remaining_base = list(base)
    added = []
    for item in theirs:
        if item in remaining_base:
            remaining_base.remove(item)  # theirs kept it
        else:
            added.append(item)  # theirs added it
    for item in remaining_base:  # theirs removed it: so do we, once
        if item in out:
            out.remove(item)
    return sorted([*out, *added], key=_date_of)


def _merge(base: Any, ours: Any, theirs: Any, path: tuple, conflicts: list[tuple]) -> Any:
    if ours == theirs:
        return ours
    if base == ours:
        return theirs
    if base == theirs:
        return ours
    if all(isinstance(v, dict) or v is _MISSING for v in (base, ours, theirs)) \
            and isinstance(ours, dict) and isinstance(theirs, dict):
        base = base if isinstance(base, dict) else {}
        out = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            value = _merge(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING),
                           (*path, key), conflicts)
            if value is not _MISSING:
                out[key] = value
        return out
    if path and path[-1] in LOG_FIELDS and all(isinstance(v, list) or v is _MISSING for v in (base, ours, theirs)):
        return _union(base if isinstance(base, list) else [], ours if isinstance(ours, list) else [],
                      theirs if isinstance(theirs, list) else [])
    conflicts.append((path, base, ours, theirs))
    return ours


def _dotted(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def merge_data(record_id: str, rel: str, base: dict | None, ours: dict, theirs: dict, kind: Kind,
               resolutions: dict[str, Any] | None = None) -> Merged:
    """Merge three versions of one record's data; ``resolutions`` maps a conflict's key to the value chosen."""
    resolutions = resolutions or {}
    found: list[tuple] = []
    data = _merge(base if base is not None else _MISSING, ours, theirs, (), found)
    if not isinstance(data, dict):  # one side is not a mapping at all
        return Merged(None, [Conflict(record_id, rel, "", base, ours, theirs, "the file is not a record on one side",
                                      FILE)])
    conflicts = [Conflict(record_id, rel, _dotted(path), b, o, t) for path, b, o, t in found]
    if kind.model is Agreement:
        conflicts += _signed_content(record_id, rel, base or {}, ours, theirs, {c.field for c in conflicts})
    left = []
    for conflict in conflicts:
        if conflict.key in resolutions:
            data = _set(data, conflict.field, resolutions[conflict.key])
        else:
            left.append(conflict)
    if left:
        return Merged(None, left)
    try:
        kind.model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = _dotted(tuple(first["loc"]))
        return Merged(None, [Conflict(record_id, rel, where, None, None, None,
                                      f"the two versions merged make an invalid record ({first['msg']})", BY_HAND)])
    return Merged(data)


def _signed_content(record_id: str, rel: str, base: dict, ours: dict, theirs: dict, already: set[str]) -> list[Conflict]:
    """Signed content changed on both sides: each field either side changed goes to a person."""
    if not (base.get("signoffs") or ours.get("signoffs") or theirs.get("signoffs")):
        return []
    keys = [k for k in dict.fromkeys([*base, *ours, *theirs]) if k not in NOT_SIGNED_CONTENT]

    def signed(data: dict, key: str) -> Any:
        value = data.get(key, _MISSING)
        if key in NOT_SIGNED_PARTS and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in NOT_SIGNED_PARTS[key]}
        return value

    changed_ours = {k for k in keys if signed(ours, k) != signed(base, k)}
    changed_theirs = {k for k in keys if signed(theirs, k) != signed(base, k)}
    if not changed_ours or not changed_theirs or all(signed(ours, k) == signed(theirs, k)
                                                     for k in changed_ours | changed_theirs):
        return []
    return [Conflict(record_id, rel, key, base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING),
                     "signed content changed on both sides: merging would make a text no one approved")
            for key in sorted(changed_ours | changed_theirs) if key not in already
            and signed(ours, key) != signed(theirs, key)]


def _set(data: dict, dotted: str, value: Any) -> dict:
    """``data`` with the field at ``dotted`` set to ``value`` (removed when ``value`` is None)."""
    parts = dotted.split(".")
    out = dict(data)
    node = out
    for part in parts[:-1]:
        child = dict(node.get(part) or {})
        node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    return out


def merge_text(record_id: str, rel: str, base: str | None, ours: str, theirs: str, kind: Kind,
               resolutions: dict[str, Any] | None = None) -> tuple[str | None, list[Conflict]]:
    """Merge three versions of a record file; the merged text keeps our file's comments and layout."""
    try:
        base_data = yamlio.parse(base) if base else None
        ours_data, theirs_data = yamlio.parse(ours), yamlio.parse(theirs)
    except yamlio.YamlError as exc:
        return None, [Conflict(record_id, rel, "", None, None, None, f"one version cannot be read ({exc})", FILE)]
    if not isinstance(ours_data, dict) or not isinstance(theirs_data, dict):
        return None, [Conflict(record_id, rel, "", None, None, None, "one version is not a record", FILE)]
    merged = merge_data(record_id, rel, base_data if isinstance(base_data, dict) else None, ours_data, theirs_data,
                        kind, resolutions)
    if merged.data is None:
        return None, merged.conflicts
    if merged.data == ours_data:
        return ours, []
    if merged.data == theirs_data:
        return theirs, []
    return yamlio.update(ours, merged.data), []


def merge_log_lines(base: str, ours: str, theirs: str) -> str:
    """``reminders.log``: every line of both sides once, in date order (each line is a JSON entry with a date)."""
    lines: list[str] = []
    for line in [*ours.splitlines(), *theirs.splitlines()]:
        if line.strip() and line not in lines:
            lines.append(line)

    def date(line: str) -> str:
        try:
            return str(json.loads(line).get("date", ""))
        except (ValueError, AttributeError):
            return ""

    return "".join(f"{line}\n" for line in sorted(lines, key=date))
