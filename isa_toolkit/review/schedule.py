"""Which agreements are due for review by a date, most urgent first (DESIGN §7).

When one agreement is due is a fact of its record (:func:`isa_toolkit.model.dates.review_due`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Agreement
from ..model.dates import review_due


@dataclass(frozen=True)
class DueReview:
    agreement: Agreement
    due: dt.date
    days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def due_reviews(agreements, as_of: dt.date, within_days: int = 60) -> list[DueReview]:
    """Agreements due for review within ``within_days`` of ``as_of`` (or overdue), most urgent first."""
    out = []
    for agreement in agreements:
        due = review_due(agreement)
        if due is None:
            continue
        days_left = (due - as_of).days
        if days_left <= within_days:
            out.append(DueReview(agreement, due, days_left))
    return sorted(out, key=lambda item: (item.days_left, item.agreement.id))
