"""Review dates: when an agreement in force is next due for review (DESIGN §7).

``due = review.due`` when the record sets it, else the last review (or, failing
that, the start date) plus the review interval. Month arithmetic keeps the day
of the month and falls back to the month's last day (31 Jan + 1 month = 28 or
29 Feb; 29 Feb + 12 months = 28 Feb).
"""

from __future__ import annotations

import calendar
import datetime as dt

from .agreement import Agreement


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def review_due(agreement: Agreement) -> dt.date | None:
    """The next review date of an agreement in force (None when it is not in force or has no dates)."""
    if not agreement.status.in_force:
        return None
    review = agreement.review
    if review.due is not None:
        return review.due
    base = review.last or agreement.start_date
    if base is None:
        return None
    try:
        return add_months(base, review.interval_months)
    except ValueError:  # past the year 9999: no review date to speak of
        return None
