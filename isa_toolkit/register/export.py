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

from ..model import Agreement, Localized
from ..model.dates import review_due

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


def to_csv(table: list[dict[str, str]], *, public: bool = False, header: tuple[str, ...] | None = None) -> str:
    header = header or (PUBLIC_FIELDS if public else FULL_FIELDS)
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


# -- disclosures, requests and incidents ----------------------------------------------

CASE_FIELDS = {
    "disclosure": (
        "id", "status", "urgent", "date", "requester_organisation", "requester", "identity_check", "subject", "data",
        "purpose", "legal_gateway", "approved_by", "decision", "sensitivity", "transfer_method", "retention",
        "criteria_outcome", "rationale", "agreements_considered", "recorded_by", "recorded", "completed",
    ),
    "request": (
        "id", "status", "received", "requester_organisation", "requester", "in_writing", "data_requested", "format",
        "purpose", "destruction_date", "criteria_outcome", "decision", "decision_date", "decided_by", "reason",
        "sensitivity", "channel", "anonymisation", "onward_sharing", "recorded_by", "recorded",
    ),
    "incident": (
        "id", "type", "severity", "status", "occurred", "reported", "reported_by", "self_reported", "organisations",
        "agreements", "suspended", "held", "summary", "data_involved", "people_affected", "regulator_required",
        "regulator_notified", "meeting", "resolved", "resolution", "agreed_by", "recorded_by", "recorded",
    ),
}


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _person(requester) -> str:
    return ", ".join(x for x in (requester.name, requester.title) if x)


def case_row(record, lang: str) -> dict[str, str]:
    """One disclosure, request or incident as a row of text cells."""
    if record.kind == "disclosure":
        d = record
        return {
            "id": d.id, "status": d.state, "urgent": _yes(d.urgent), "date": _iso(d.date),
            "requester_organisation": d.requester.organisation, "requester": _person(d.requester),
            "identity_check": d.identity_check or "", "subject": d.subject or "", "data": _text(d.data, lang),
            "purpose": _text(d.purpose, lang), "legal_gateway": d.legal_gateway or "",
            "approved_by": f"{d.approval.name} ({d.approval.rank})" if d.approval else "", "decision": d.decision,
            "sensitivity": d.sensitivity.value if d.sensitivity else "", "transfer_method": d.transfer_method or "",
            "retention": _text(d.retention, lang), "criteria_outcome": d.criteria.outcome if d.criteria else "",
            "rationale": _text(d.rationale, lang), "agreements_considered": _join(d.agreements_considered),
            "recorded_by": d.recorded_by, "recorded": _iso(d.recorded), "completed": _iso(d.completed),
        }
    if record.kind == "request":
        r = record
        decision = r.decision
        safeguards = decision.safeguards if decision else None
        return {
            "id": r.id, "status": r.state, "received": _iso(r.received),
            "requester_organisation": r.requester.organisation, "requester": _person(r.requester),
            "in_writing": _yes(r.in_writing), "data_requested": _text(r.data_requested, lang), "format": r.format or "",
            "purpose": _text(r.purpose, lang), "destruction_date": _iso(r.destruction_date),
            "criteria_outcome": r.criteria.outcome if r.criteria else "",
            "decision": decision.decision if decision else "", "decision_date": _iso(decision.date if decision else None),
            "decided_by": decision.by if decision else "", "reason": _text(decision.reason if decision else None, lang),
            "sensitivity": safeguards.sensitivity.value if safeguards else "",
            "channel": _text(safeguards.channel if safeguards else None, lang),
            "anonymisation": safeguards.anonymisation if safeguards else "",
            "onward_sharing": _text(safeguards.onward_sharing if safeguards else None, lang),
            "recorded_by": r.recorded_by, "recorded": _iso(r.recorded),
        }
    i = record
    return {
        "id": i.id, "type": i.type, "severity": i.severity, "status": i.state, "occurred": _iso(i.occurred),
        "reported": _iso(i.reported), "reported_by": i.reported_by, "self_reported": _yes(i.self_reported),
        "organisations": _join(i.organisations), "agreements": _join(i.agreements), "suspended": _join(i.suspended),
        "held": _join(i.held),
        "summary": _text(i.summary, lang), "data_involved": _text(i.data_involved, lang),
        "people_affected": "" if i.people_affected is None else str(i.people_affected),
        "regulator_required": _yes(i.regulator.required if i.regulator else None),
        "regulator_notified": _iso(i.regulator.notified if i.regulator else None),
        "meeting": _iso(i.meeting.date if i.meeting else None),
        "resolved": _iso(i.resolution.date if i.resolution else None),
        "resolution": _text(i.resolution.agreed if i.resolution else None, lang),
        "agreed_by": _join(i.resolution.agreed_by if i.resolution else []),
        "recorded_by": i.recorded_by, "recorded": _iso(i.recorded),
    }


def case_rows(records: Iterable, lang: str) -> list[dict[str, str]]:
    return [case_row(r, lang) for r in sorted(records, key=lambda r: r.id)]


def cases_json(records: Iterable) -> str:
    data = [r.model_dump(mode="json", exclude_none=True) for r in sorted(records, key=lambda r: r.id)]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
