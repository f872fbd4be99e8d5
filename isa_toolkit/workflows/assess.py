"""Assessing an agreement against a checklist, and keeping the result in the record.

A risk checklist (the information sharing officer's risk assessment) sets
``risk_assessment``; the DPIA screening sets ``dpia.required`` and keeps the
screening's answers, the items that triggered it and the officer's rationale
in ``dpia.screening``. ``dpia.reason`` is the officer's own: a screening fills
it with its rationale only when it is empty, and never rewrites it. The
latest result is in the record; earlier ones are in its git history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IsaError
from ..model import Agreement, Localized, Status
from ..model.agreement import Dpia, RiskAssessment, Screening
from ..model.checklist import Checklist, Result, evaluate
from ..register.store import modify_agreement
from .checklist import record_facts

OUTCOME_WORDS = {
    "proceed": "proceed",
    "proceed_with_conditions": "proceed with conditions",
    "do_not_proceed": "do not proceed",
    "dpia_required": "DPIA required",
    "dpia_not_required": "DPIA not required",
    "anonymise": "anonymise before sharing",
    "share_as_is": "share as is",
}


@dataclass(frozen=True)
class Assessment:
    agreement: Agreement
    result: Result
    commit: str | None


ASSESSABLE = {Status.DRAFT, Status.ASSESSED, Status.UNDER_REVIEW}


def applies(checklist: Checklist, agreement: Agreement) -> None:
    if agreement.status not in ASSESSABLE:
        raise IsaError(
            f"{agreement.id} is {agreement.status.value}: assessments are made on a draft, before the sign-off chain, "
            "or during a review; amend it or start its review to assess it again"
        )
    if agreement.kind not in checklist.applies_to:
        raise IsaError(
            f"the {checklist.id} checklist is for {', '.join(checklist.applies_to)}, not for a {agreement.kind}; "
            "choose another with --checklist"
        )
    if checklist.scoring == "anonymisation":
        raise IsaError(f"the {checklist.id} checklist is used when recording a disclosure or request, not on an agreement")




def apply_result(agreement: Agreement, checklist: Checklist, answers: dict[str, Any], result: Result, *,
                 rationale: Localized | None, by: str, date: dt.date) -> Agreement:
    """The record with the checklist's result stored where it belongs."""
    if checklist.scoring == "risk":
        assessment = RiskAssessment(
            checklist=checklist.id, answers=answers, rationale=rationale, outcome=result.outcome,
            reasons=result.reasons, conditions=result.conditions, by=by, date=date,
        )
        conditions = list(result.conditions) if result.outcome == "proceed_with_conditions" else []
        if conditions != list(agreement.conditions) and agreement.status not in (Status.DRAFT, Status.ASSESSED) and any(
                s.version == agreement.version and s.decision == "approve" for s in agreement.signoffs):
            raise IsaError(f"{agreement.id} version {agreement.version} has been signed off with its conditions as "
                           "they stand; this assessment would change them. Amend the agreement to a new version "
                           f"first (isa amend {agreement.id} ...), then assess it")
        return agreement.model_copy(update={"risk_assessment": assessment, "conditions": conditions})
    screening = Screening(checklist=checklist.id, answers=answers, triggers=result.reasons, rationale=rationale,
                          by=by, date=date)
    current = agreement.dpia or Dpia()
    update: dict[str, Any] = {"required": result.outcome == "dpia_required", "screening": screening}
    if current.reason is None and rationale is not None:
        update["reason"] = rationale  # the officer's own words, never replaced by a later screening
    dpia = current.model_copy(update=update)
    return agreement.model_copy(update={"dpia": dpia})


def assess(root: Path, record_id: str, checklist: Checklist, answers: dict[str, Any], *, rationale: Localized | None,
           by: str, date: dt.date) -> Assessment:
    """Evaluate ``answers`` on the current record (under the lock), store the result, commit."""
    if date > dt.date.today():
        raise IsaError(f"the assessment date {date} is in the future")
    outcome: dict[str, Result] = {}

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        applies(checklist, agreement)
        facts = record_facts(agreement)
        final = {**answers, **{i.id: facts[i.prefill] for i in checklist.items if i.prefill in facts}}
        result = evaluate(checklist, final)
        outcome["result"] = result
        updated = apply_result(agreement, checklist, final, result, rationale=rationale, by=by, date=date)
        return updated, f"{checklist.title.get('en') or checklist.id}: {OUTCOME_WORDS[result.outcome]}"

    agreement, commit = modify_agreement(root, record_id, edit, by=by)
    return Assessment(agreement, outcome["result"], commit)

def to_renew(agreement: Agreement) -> list[str]:
    """What must be assessed again before the agreement goes on, each with the command that does it."""
    out = []
    if agreement.risk_assessment is not None and agreement.risk_assessment.needs_renewal:
        out.append(f"the risk assessment ({agreement.risk_assessment.needs_renewal}): isa assess {agreement.id}")
    screening = agreement.dpia.screening if agreement.dpia is not None else None
    if screening is not None and screening.needs_renewal:
        out.append(f"the DPIA screening ({screening.needs_renewal}): "
                   f"isa assess {agreement.id} --checklist {screening.checklist}")
    return out
