"""Exporting the register as CSV or JSON, in full or as the public register.

The public register keeps only the fields a UK Digital Economy Act style
public register publishes (DESIGN §4) and only agreements in force: no draft,
no officer's name or email. CSV cells that a spreadsheet would read as a
formula (starting with ``= + - @``, a tab or a carriage return) are prefixed
with an apostrophe so they open as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from .model import Agreement, Localized
from .schedule import review_due

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PUBLIC_FIELDS = (
    "id", "name", "purpose", "benefits", "legal_power", "information_disclosed", "controllers",
    "processors", "sharing_method", "retention", "start_date", "end_date", "review_date", "contact", "areas",
)


FULL_FIELDS = (
    "id", "kind", "title", "status", "version", "sharing_type", "languages", "parties", "purpose",
    "legal_basis", "data_items", "classification", "dpia_required", "owner", "start_date", "end_date", "review_due",
)


def _text(value: Localized | None, lang: str) -> str:
    """The text in ``lang``; a missing translation is marked with the language it falls back to."""
    if value is None:
        return ""
    text = value.get(lang)
    if text is not None:
        return text
    fallback = next(iter(value.texts), "")
    return f"[{fallback}] {value.texts.get(fallback, '')}" if fallback else ""


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def _iso(value) -> str:
    return value.isoformat() if value else ""


def full_row(agreement: Agreement, lang: str) -> dict[str, str]:
    level = agreement.classification_level
    due = review_due(agreement)
    return {
        "id": agreement.id,
        "kind": agreement.kind,
        "title": _text(agreement.title, lang),
        "status": agreement.status.value,
        "version": agreement.version,
        "sharing_type": agreement.sharing_type,
        "languages": _join(agreement.languages),
        "parties": _join(f"{p.organisation} ({p.role})" for p in agreement.parties),
        "purpose": _text(agreement.purpose, lang),
        "legal_basis": _join(b.reference for b in agreement.legal_basis),
        "data_items": _join(_text(i.name, lang) for i in agreement.data_items),
        "classification": level.value if level else "",
        "dpia_required": "" if agreement.dpia is None or agreement.dpia.required is None else ("yes" if agreement.dpia.required else "no"),
        "owner": agreement.owner.name if agreement.owner else "",
        "start_date": _iso(agreement.start_date),
        "end_date": _iso(agreement.end_date),
        "review_due": _iso(due),
    }


def public_row(agreement: Agreement, lang: str) -> dict[str, str]:
    due = review_due(agreement)
    return {
        "id": agreement.id,
        "name": _text(agreement.title, lang),
        "purpose": _text(agreement.purpose, lang),
        "benefits": _text(agreement.benefits, lang),
        "legal_power": _join(b.reference for b in agreement.legal_basis if b.type == "legal_power"),
        "information_disclosed": _join(_text(i.name, lang) for i in agreement.data_items),
        "controllers": _join(p.organisation for p in agreement.parties if p.controller != "processor"),
        "processors": _join(p.organisation for p in agreement.parties if p.controller == "processor"),
        "sharing_method": _join(sorted({_text(i.transfer_method, lang) for i in agreement.data_items if i.transfer_method})),
        "retention": _text(agreement.retention.period, lang) if agreement.retention else "",
        "start_date": _iso(agreement.start_date),
        "end_date": _iso(agreement.end_date),
        "review_date": _iso(due),
        "contact": agreement.contact or "",
        "areas": _join(agreement.areas),
    }


def rows(agreements: Iterable[Agreement], *, public: bool, lang: str) -> list[dict[str, str]]:
    ordered = sorted(agreements, key=lambda a: a.id)
    if public:
        return [public_row(a, lang) for a in ordered if a.status.in_force]
    return [full_row(a, lang) for a in ordered]


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(table: list[dict[str, str]], *, public: bool) -> str:
    header = PUBLIC_FIELDS if public else FULL_FIELDS
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for row in table:
        writer.writerow([safe_cell(row.get(column, "")) for column in header])
    return stream.getvalue()


def to_json(agreements: Iterable[Agreement], table: list[dict[str, str]], *, public: bool) -> str:
    if public:
        data = table
    else:
        data = [a.model_dump(mode="json", exclude_none=True) for a in sorted(agreements, key=lambda a: a.id)]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
