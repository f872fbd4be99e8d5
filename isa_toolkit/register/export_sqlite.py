"""Exporting the register as an SQLite database (``isa export --format sqlite``), made with sqlite-utils.

One table per kind of record (``agreements``, ``disclosures``, ``requests``, ``incidents``) with the fields a person
would query, texts held per language as one column each (``title_en``, ``title_fr``; NULL where a record has no
translation), and the parts of an agreement in tables of their own: ``signoffs``, ``parties`` and ``data_items``,
each row pointing at its agreement by a foreign key (``agreement_id``). The agreements' titles and purposes (and the
cases' main texts) are indexed for full-text search. Dates are ISO text (``2026-03-31``), which sorts and compares
as dates do; yes/no fields are 1, 0 or NULL (not recorded).

With ``public=True`` the database holds the public register only: agreements in force, with the public-register
fields (:data:`~isa_toolkit.register.export.PUBLIC_FIELDS`), their parties without any officer, and their data
items; no sign-offs, no disclosures, requests or incidents.

The file is written whole or not at all (built under a temporary name in the same folder, then renamed into place),
and marks itself as an export (``PRAGMA application_id`` and the ``export_info`` table), so a later export may
replace it and nothing else is ever overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import Agreement, Localized
from ..model.dates import review_due
from . import collector
from .export import CASE_FIELDS, case_row
from .files import _new_file_mode, _sync_folder, disk_full

APPLICATION_ID = 0x49534152  # "ISAR": an isa-toolkit register export (PRAGMA application_id)
INFO_TABLE = "export_info"
KIND_TABLES = {"agreement": "agreements", "disclosure": "disclosures", "request": "requests", "incident": "incidents"}

# Per kind of case, the fields held per language, and where each is in the record.
CASE_TEXTS = {
    "disclosure": {
        "data": lambda d: d.data, "purpose": lambda d: d.purpose, "rationale": lambda d: d.rationale,
        "retention": lambda d: d.retention,
    },
    "request": {
        "data_requested": lambda r: r.data_requested, "purpose": lambda r: r.purpose,
        "reason": lambda r: r.decision.reason if r.decision else None,
        "channel": lambda r: r.decision.safeguards.channel if r.decision and r.decision.safeguards else None,
        "onward_sharing": lambda r: (r.decision.safeguards.onward_sharing
                                     if r.decision and r.decision.safeguards else None),
    },
    "incident": {
        "summary": lambda i: i.summary, "data_involved": lambda i: i.data_involved,
        "resolution": lambda i: i.resolution.agreed if i.resolution else None,
    },
}
CASE_FLAGS = {"urgent", "in_writing", "self_reported", "regulator_required"}  # "yes"/"no" in CSV; 1/0 here
CASE_SEARCH = {"disclosure": ("purpose", "data"), "request": ("purpose", "data_requested"), "incident": ("summary",)}
CASE_LINKS = {"disclosure": "agreements_considered", "incident": "agreements"}  # lists of agreement ids


def is_export(path: Path) -> bool:
    """Whether ``path`` is a database an earlier ``isa export --format sqlite`` wrote (and so may be replaced)."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        (app_id,) = conn.execute("PRAGMA application_id").fetchone()
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return app_id == APPLICATION_ID and INFO_TABLE in tables
    except sqlite3.Error:  # not a database at all
        return False
    finally:
        conn.close()


def column(lang: str) -> str:
    """A language code as part of a column name: ``en`` -> ``en``, ``pt-BR`` -> ``pt_br``."""
    return re.sub(r"[^a-z0-9]", "_", lang.lower())


# -- what each table holds --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Col:
    """A column (or, ``per_language``, one column per language: ``<name>_<lang>``) and how to read it from a row's
    source. ``get`` returns the value; for a per-language column a Localized, None, or a list of them (joined)."""

    name: str
    get: Callable[[Any], Any]
    type: type = str
    per_language: bool = False


def L(name: str, get: Callable[[Any], Any]) -> Col:  # noqa: N802 - reads as a column kind in the tables below
    return Col(name, get, str, True)


AGREEMENT = (
    Col("id", lambda a: a.id), Col("kind", lambda a: a.kind), Col("status", lambda a: a.status.value),
    Col("in_force", lambda a: a.status.in_force, int), Col("version", lambda a: a.version),
    Col("sharing_type", lambda a: a.sharing_type), Col("languages", lambda a: _join(a.languages)),
    L("title", lambda a: a.title), L("purpose", lambda a: a.purpose), L("benefits", lambda a: a.benefits),
    L("retention", lambda a: a.retention.period if a.retention else None),
    Col("business_area", lambda a: a.business_area),
    Col("owner_name", lambda a: a.owner.name if a.owner else None),
    Col("owner_email", lambda a: a.owner.email if a.owner else None),
    Col("legal_basis", lambda a: _join(b.reference for b in a.legal_basis)),
    Col("classification", lambda a: a.classification_level.value if a.classification_level else None),
    Col("dpia_required", lambda a: a.dpia.required if a.dpia else None, int),
    Col("risk_outcome", lambda a: a.risk_assessment.outcome if a.risk_assessment else None),
    Col("contact", lambda a: a.contact), Col("areas", lambda a: _join(a.areas)),
    Col("related", lambda a: _join(a.related)),
    Col("start_date", lambda a: _iso(a.start_date)), Col("end_date", lambda a: _iso(a.end_date)),
    Col("review_last", lambda a: _iso(a.review.last)), Col("review_due", lambda a: _iso(review_due(a))),
)

# The public register's fields (export.PUBLIC_FIELDS), texts per language.
PUBLIC_AGREEMENT = (
    Col("id", lambda a: a.id), L("name", lambda a: a.title), L("purpose", lambda a: a.purpose),
    L("benefits", lambda a: a.benefits),
    Col("legal_power", lambda a: _join(b.reference for b in a.legal_basis if b.type == "legal_power")),
    L("information_disclosed", lambda a: [i.name for i in a.data_items]),
    Col("controllers", lambda a: _join(p.organisation for p in a.parties if p.controller != "processor")),
    Col("processors", lambda a: _join(p.organisation for p in a.parties if p.controller == "processor")),
    L("sharing_method", lambda a: _distinct(i.transfer_method for i in a.data_items)),
    L("retention", lambda a: a.retention.period if a.retention else None),
    Col("start_date", lambda a: _iso(a.start_date)), Col("end_date", lambda a: _iso(a.end_date)),
    Col("review_date", lambda a: _iso(review_due(a))), Col("contact", lambda a: a.contact),
    Col("areas", lambda a: _join(a.areas)),
)


def _contact(prefix: str, get: Callable[[Any], Any]) -> tuple[Col, ...]:
    return tuple(Col(f"{prefix}_{field}", lambda p, field=field: getattr(get(p), field) if get(p) else None)
                 for field in ("name", "title", "email"))


# Rows of parts are (agreement, position from 1, part).
PART_KEY = (Col("agreement_id", lambda x: x[0].id), Col("position", lambda x: x[1], int))
PARTY = (
    *PART_KEY, Col("organisation", lambda x: x[2].organisation), Col("role", lambda x: x[2].role),
    Col("controller", lambda x: x[2].controller),
)
PARTY_OFFICERS = (
    *_contact("designated_officer", lambda x: x[2].designated_officer),
    *_contact("data_protection_officer", lambda x: x[2].data_protection_officer),
    *_contact("signatory", lambda x: x[2].signatory),
)
DATA_ITEM = (
    *PART_KEY, L("name", lambda x: x[2].name), L("description", lambda x: x[2].description),
    Col("personal", lambda x: x[2].personal, int), Col("special_category", lambda x: x[2].special_category, int),
    Col("criminal_offence", lambda x: x[2].criminal_offence, int),
    Col("sensitivity", lambda x: x[2].sensitivity.value), Col("anonymisation", lambda x: x[2].anonymisation),
    L("frequency", lambda x: x[2].frequency), L("transfer_method", lambda x: x[2].transfer_method),
)
PUBLIC_DATA_ITEM = (*PART_KEY, L("name", lambda x: x[2].name), L("transfer_method", lambda x: x[2].transfer_method))
SIGNOFF = (
    *PART_KEY, Col("stage", lambda x: x[2].stage, int), Col("role", lambda x: x[2].role),
    Col("name", lambda x: x[2].name), Col("organisation", lambda x: x[2].organisation),
    Col("on_behalf_of", lambda x: x[2].on_behalf_of), Col("decision", lambda x: x[2].decision),
    Col("date", lambda x: _iso(x[2].date)), Col("version", lambda x: x[2].version),
    Col("fingerprint", lambda x: x[2].document_fingerprint), Col("comment", lambda x: x[2].comment),
    Col("evidence", lambda x: x[2].evidence.kind if x[2].evidence else None),
    Col("evidence_trusted", lambda x: x[2].evidence.trusted if x[2].evidence else None, int),
)


def case_columns(kind: str) -> tuple[Col, ...]:
    """A disclosure, request or incident: the CSV export's fields, texts per language, yes/no as 1/0.
    Rows of cases are (record, its CSV cells)."""
    texts = CASE_TEXTS[kind]
    cols: list[Col] = []
    for field in CASE_FIELDS[kind]:
        if field in texts:
            cols.append(L(field, lambda x, get=texts[field]: get(x[0])))
        elif field in CASE_FLAGS:
            cols.append(Col(field, lambda x, f=field: {"yes": True, "no": False}.get(x[1][f]), int))
        elif field == "people_affected":
            cols.append(Col(field, lambda x: x[0].people_affected, int))
        else:
            cols.append(Col(field, lambda x, f=field: x[1][f] or None))
    return tuple(cols)


def columns(spec: Iterable[Col], langs: list[str]) -> dict[str, type]:
    out: dict[str, type] = {}
    for col in spec:
        if col.per_language:
            out |= {f"{col.name}_{column(lang)}": str for lang in langs}
        else:
            out[col.name] = col.type
    return out


def row(spec: Iterable[Col], source: Any, langs: list[str]) -> dict:
    out: dict = {}
    for col in spec:
        value = col.get(source)
        if not col.per_language:
            out[col.name] = value
        elif isinstance(value, list):
            out |= {f"{col.name}_{column(lang)}": "; ".join(t for v in value if (t := v.texts.get(lang))) or None
                    for lang in langs}
        else:
            out |= {f"{col.name}_{column(lang)}": (value.texts.get(lang) or None) if value is not None else None
                    for lang in langs}
    return out


def _distinct(values: Iterable[Localized | None]) -> list[Localized]:
    seen: list[Localized] = []
    for value in values:
        if value is not None and value not in seen:
            seen.append(value)
    return seen


def _join(values: Iterable[str | None]) -> str | None:
    return "; ".join(v for v in values if v) or None


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _languages(register) -> list[str]:
    """The register's languages first, then any other a record is written in."""
    langs = list(register.languages)
    for section in register.sections.values():
        for record in section.records.values():
            langs += [lang for lang in getattr(record, "languages", ()) if lang not in langs]
    return langs


# -- the database -----------------------------------------------------------------------------------------------------

def _table(db, name: str, spec: Iterable[Col], sources: Iterable[Any], langs: list[str], *, pk,
           foreign_keys=(), search: Iterable[str] = ()) -> int:
    spec = tuple(spec)
    cols = columns(spec, langs)
    db[name].create(cols, pk=pk, foreign_keys=list(foreign_keys))
    rows = [row(spec, source, langs) for source in sources]
    db[name].insert_all(rows, batch_size=1000)
    searched = [f"{col.name}_{column(lang)}" for col in spec if col.per_language and col.name in search
                for lang in langs]
    if searched:
        db[name].enable_fts(searched, create_triggers=False)
    return len(rows)


def _parts(agreements: list[Agreement], field: str) -> list[tuple]:
    return [(a, n, part) for a in agreements for n, part in enumerate(getattr(a, field), 1)]


def build(db, register, *, public: bool) -> dict[str, int]:
    """Fill the empty sqlite-utils Database ``db`` with ``register``: the number of rows of each table."""
    langs = _languages(register)
    agreements = sorted(register.agreements.values(), key=lambda a: a.id)
    if public:
        agreements = [a for a in agreements if a.status.in_force]
    fk = [("agreement_id", "agreements", "id")]
    part_pk = ("agreement_id", "position")
    counts = {
        "agreements": _table(db, "agreements", PUBLIC_AGREEMENT if public else AGREEMENT, agreements, langs, pk="id",
                             search=("title", "name", "purpose")),
        "parties": _table(db, "parties", PARTY if public else PARTY + PARTY_OFFICERS, _parts(agreements, "parties"),
                          langs, pk=part_pk, foreign_keys=fk),
        "data_items": _table(db, "data_items", PUBLIC_DATA_ITEM if public else DATA_ITEM,
                             _parts(agreements, "data_items"), langs, pk=part_pk, foreign_keys=fk),
    }
    if not public:
        counts["signoffs"] = _table(db, "signoffs", SIGNOFF, _parts(agreements, "signoffs"), langs, pk=part_pk,
                                    foreign_keys=fk)
        for kind in ("disclosure", "request", "incident"):
            table = KIND_TABLES[kind]
            records = sorted(register.section(kind).records.values(), key=lambda r: r.id)
            counts[table] = _table(db, table, case_columns(kind), [(r, case_row(r, langs[0])) for r in records],
                                   langs, pk="id", search=CASE_SEARCH[kind])
            if kind in CASE_LINKS:
                link = (Col(f"{kind}_id", lambda x: x[0]), Col("agreement_id", lambda x: x[1]))
                pairs = [(r.id, ref) for r in records for ref in dict.fromkeys(getattr(r, CASE_LINKS[kind]))]
                counts[f"{kind}_agreements"] = _table(db, f"{kind}_agreements", link, pairs, langs,
                                                      pk=(f"{kind}_id", "agreement_id"),
                                                      foreign_keys=[(f"{kind}_id", table, "id"), *fk])
    db.index_foreign_keys()
    db[INFO_TABLE].insert_all([
        {"key": "made_by", "value": f"isa-toolkit {__version__} (isa export --format sqlite)"},
        {"key": "exported", "value": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        {"key": "organisation", "value": register.settings.organisation if register.settings else None},
        {"key": "public", "value": "yes" if public else "no"},
        {"key": "languages", "value": " ".join(langs)},
    ], pk="key")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return counts


def write_database(path: Path, register, *, public: bool) -> dict[str, int]:
    """Write ``register`` to the SQLite file ``path``, whole or not at all: built under a temporary name in the same
    folder, made durable, then renamed into place. The caller has checked ``path`` may be replaced
    (:func:`is_export`)."""
    import sqlite_utils

    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise disk_full(exc, path) from None
    os.close(fd)
    try:
        db = sqlite_utils.Database(tmp, execute_plugins=False)
        try:
            # The file is not in place until it is whole: no journal is needed, and one fsync at the end will do.
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            with db.conn, collector.paused():
                counts = build(db, register, public=public)
        finally:
            db.close()
        with open(tmp, "rb+") as handle:
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
    return counts
