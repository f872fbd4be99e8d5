"""Recording a decision to share under an agreement (the decision log, seed 004).

Only an agreement in force can be shared under: not a draft, not one under
signature, and not one suspended while a breach is investigated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .errors import IsaError
from .model import Agreement
from .model.agreement import SharingDecision
from .store import modify_agreement


def record_decision(root: Path, record_id: str, *, what: str, to: str, purpose: str, consent: str, by: str,
                    date: dt.date, rationale: str | None = None) -> tuple[Agreement, str | None]:
    """Append the decision to the agreement's log and commit it; refuse unless the agreement is in force."""
    if date > dt.date.today():
        raise IsaError(f"the decision date {date} is in the future")
    decision = SharingDecision(date=date, what=what, to=to, purpose=purpose, consent=consent, by=by, rationale=rationale)

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        if not agreement.status.in_force:
            why = {"suspended": "it is suspended while a breach is investigated",
                   "draft": "it is a draft, not yet agreed"}.get(agreement.status.value, f"it is {agreement.status.value}")
            raise IsaError(f"no sharing under {agreement.id}: {why}. Share under an agreement in force, or record a "
                           "one-off disclosure")
        if agreement.start_date and date < agreement.start_date:
            raise IsaError(f"{agreement.id} came into force on {agreement.start_date}, after {date}")
        updated = agreement.model_copy(update={"decisions": [*agreement.decisions, decision]})
        return updated, f"sharing decision: {what} to {to} ({purpose})"

    return modify_agreement(root, record_id, edit, by=by)
