"""The index entry of a record: the few fields listings and filters need.

Kept in the cache beside each record, so ``isa list`` on a large register reads
index entries and never builds the full records.
"""

from __future__ import annotations

from .model import Agreement
from .schedule import review_due


def index_entry(agreement: Agreement) -> dict:
    """The fields a listing shows and filters on, as JSON-able data."""
    level = agreement.classification_level
    due = review_due(agreement)
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
    }
