"""Review dates across month ends and leap days."""

from __future__ import annotations

import datetime as dt

import pytest

from isa_toolkit.model import Agreement, Review, Status
from isa_toolkit.model.dates import add_months, review_due
from isa_toolkit.register import yamlio
from isa_toolkit.review.schedule import due_reviews

from .conftest import complete_isa


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2028-02-29", 12, "2029-02-28"),
        ("2028-02-29", 48, "2032-02-29"),
        ("2026-08-31", 6, "2027-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-03-31", -1, "2026-02-28"),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(dt.date.fromisoformat(start), months) == dt.date.fromisoformat(expected)


def _agreement(**changes) -> Agreement:
    return Agreement.model_validate(yamlio.parse(complete_isa())).model_copy(update=changes)


def test_due_from_last_review_then_start_date_then_explicit():
    assert review_due(_agreement()) == dt.date(2026, 1, 10)
    assert review_due(_agreement(review=Review(interval_months=6))) == dt.date(2025, 7, 10)
    assert review_due(_agreement(review=Review(due=dt.date(2026, 5, 1)))) == dt.date(2026, 5, 1)
    assert review_due(_agreement(status=Status.DRAFT)) is None
    assert review_due(_agreement(status=Status.TERMINATED)) is None


def test_due_reviews_sorted_by_urgency_with_past_as_of():
    late = _agreement(id="ISA-2026-0001")
    soon = _agreement(id="ISA-2026-0002", review=Review(last=dt.date(2025, 3, 1)))
    later = _agreement(id="ISA-2026-0003", review=Review(last=dt.date(2025, 12, 1)))
    due = due_reviews([later, soon, late], as_of=dt.date(2026, 2, 1), within_days=60)
    assert [(d.agreement.id, d.days_left, d.overdue) for d in due] == [
        ("ISA-2026-0001", -22, True),
        ("ISA-2026-0002", 28, False),
    ]
    assert due_reviews([late], as_of=dt.date(2025, 6, 1), within_days=30) == []
