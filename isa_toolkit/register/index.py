"""The index entry of a record: the few fields listings and filters need.

Kept in the cache beside each record, so ``isa list`` on a large register reads
index entries and never builds the full records.
"""

from __future__ import annotations

from ..model import Agreement
from ..model.dates import review_due


def index_entry(agreement: Agreement) -> dict:
    """The fields a listing shows and filters on, as JSON-able data."""
    level = agreement.classification_level
    due = review_due(agreement)
    related = {"related": list(agreement.related)} if agreement.related else {}  # checked across the register
    if any(s.version == agreement.version for s in agreement.sent):  # packs out for signature: chased daily
        related["awaiting"] = True
    return {
        "id": agreement.id,
        "kind": agreement.kind,
        "title": dict(agreement.title.texts),
        "status": agreement.status.value,
        "version": agreement.version,
        "partners": agreement.partners,
        "classification": level.value if level else None,
        "start_date": agreement.start_date.isoformat() if agreement.start_date else None,
        "review_due": due.isoformat() if due else None,
    } | related


def disclosure_entry(record) -> dict:
    return {
        "id": record.id,
        "kind": "disclosure",
        "title": dict(record.purpose.texts),
        "status": record.state,
        "date": record.date.isoformat(),
        "partners": [record.requester.organisation],
        "urgent": record.urgent,
        "decision": record.decision,
        "agreements": list(record.agreements_considered),
    }


def request_entry(record) -> dict:
    return {
        "id": record.id,
        "kind": "request",
        "title": dict(record.data_requested.texts),
        "status": record.state,
        "date": record.received.isoformat(),
        "partners": [record.requester.organisation],
        "granted": {"level": record.decision.safeguards.sensitivity.value,
                    "channel": dict(record.decision.safeguards.channel.texts)}
        if record.decision is not None and record.decision.safeguards is not None else None,
    }


def incident_entry(record) -> dict:
    return {
        "id": record.id,
        "kind": "incident",
        "title": dict(record.summary.texts),
        "status": record.state,
        "date": record.reported.isoformat(),
        "type": record.type,
        "severity": record.severity,
        "partners": list(record.organisations),
        "agreements": list(record.agreements),
        "suspended": list(record.suspended),
        "held": list(record.held),
        "regulator_owed": bool(record.regulator and record.regulator.required and record.regulator.notified is None),
    }
