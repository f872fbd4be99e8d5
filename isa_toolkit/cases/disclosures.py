"""One-off disclosures: recording the decision, checking first for an agreement that covers it.

Seed 004 §3.5-3.11: before disclosing once, look for an agreement in force
with the same recipient and purpose (a request it covers is handled under
it); otherwise work through the one-off disclosure criteria and record the
decision and its rationale. An urgent disclosure, made at once to preserve
life, is recorded now and completed afterwards (:func:`complete`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidRecord, IsaError
from ..model import Status
from ..model.disclosure import Approval, Disclosure
from ..register.definitions import load_checklist
from ..register.kinds import DISCLOSURE, INCIDENT
from ..register.store import modify_record
from ..workflows.intake import check_text, rationale_from
from ..workflows.overlap import Overlap, find_overlaps
from ..workflows.questionnaire import load_questionnaire
from . import intake as case_intake
from .share import not_shareable

CHECKLIST = "one_off_disclosure"
EXTRA_KEYS = ("criteria", "rationale")


@dataclass
class Intake:
    """A disclosure ready to record: the answers, the agreements in force that may already cover it, and those
    that would cover it but cannot be used on its date (suspended, or not yet in force), each with why."""

    answers: case_intake.Answers
    urgent: bool
    covering: list[Overlap]
    blocked: list[tuple[Overlap, str]] = field(default_factory=list)


def covering_agreements(register, organisation: str, purpose: dict[str, str],
                        on: dt.date | None = None) -> list[Overlap]:
    """Agreements in force on ``on`` (default today) sharing with ``organisation`` for an overlapping purpose."""
    return _coverage(register, organisation, purpose, on or dt.date.today())[0]


def _coverage(register, organisation: str, purpose: dict[str, str], on: dt.date):
    """The agreements with this recipient and a similar purpose that a decision dated ``on`` could be recorded
    under (``isa share``: the same rule), and those that would cover it but cannot be used, with why."""
    covering, blocked = [], []
    for overlap in find_overlaps(register, [organisation], purpose):
        agreement = register.agreements[overlap.agreement_id]
        why = not_shareable(agreement, on)
        if why is None:
            covering.append(overlap)
        elif agreement.status.in_force or agreement.status is Status.SUSPENDED:  # drafts and the like cover nothing
            holders = [i for i, e in register.section(INCIDENT).index.items()
                       if e["status"] == "open" and agreement.id in (*e.get("suspended", []), *e.get("held", []))]
            if holders and agreement.status is Status.SUSPENDED:
                why += f" ({', '.join(holders)})"
            blocked.append((overlap, why))
    return covering, blocked


def start(register, answers: case_intake.Answers, *, urgent: bool) -> Intake:
    """Check the answers make a disclosure and find the agreements that may cover it; nothing is written."""
    values = dict(answers.values)
    if urgent:
        values["urgent"] = True
    purpose = values.get("purpose")
    purpose = purpose if isinstance(purpose, dict) else {answers.lang: purpose}
    on = values.get("date") if isinstance(values.get("date"), dt.date) else dt.date.today()
    covering, blocked = _coverage(register, values["organisation"], purpose, on)
    answers = case_intake.Answers(values, answers.lang, answers.raw, answers.text, answers.rel)
    return Intake(answers, bool(values.get("urgent")), covering, blocked)


def record(register, intake: Intake, *, by: str, today: dt.date | None = None) -> Disclosure:
    """Write the disclosure (criteria and rationale from the answers, or left for later if urgent) and commit it."""
    today = today or dt.date.today()
    answers = intake.answers
    checklist = load_checklist(CHECKLIST, register.root)
    questionnaire = load_questionnaire("disclosure", register.root)
    date = answers.values.get("date")
    if isinstance(date, dt.date) and date > today:
        raise IsaError(f"the disclosure date {date} is in the future")

    def extra(data: dict) -> dict:
        considered = [o.agreement_id for o in intake.covering] + [o.agreement_id for o, _ in intake.blocked]
        out: dict = {"agreements_considered": considered}
        problems = []
        raw_criteria = answers.raw.get("criteria")
        if raw_criteria is not None:
            criteria, problems = case_intake.criteria_from(checklist, DISCLOSURE, data, raw_criteria, by=by, date=today,
                                                     rel=answers.rel, text=answers.text)
            if criteria is not None:
                out["criteria"] = criteria.model_dump(mode="json", exclude_unset=True)
        rationale = rationale_from(answers.raw.get("rationale"), answers.lang)
        if rationale is not None:
            out["rationale"] = rationale.texts
        if problems:
            raise InvalidRecord(f"{len(problems)} problem(s) in {answers.rel}; nothing was written", problems)
        if not intake.urgent:
            missing = [k for k in ("criteria", "rationale") if k not in out]
            if missing:
                raise IsaError(f"a disclosure that was not urgent records its {' and '.join(missing)} now: add "
                               f"{' and '.join(f'`{k}:`' for k in missing)} to the answers (or answer them at the "
                               "terminal); only an urgent disclosure (--urgent) may complete them later")
        return out

    organisation = answers.values["organisation"]
    to_follow = [key for key in ("criteria", "rationale") if answers.raw.get(key) is None]
    if intake.urgent and to_follow:
        what = f"urgent disclosure to {organisation} recorded, {' and '.join(to_follow)} to follow"
    elif intake.urgent:
        what = f"urgent disclosure to {organisation}"
    elif answers.values.get("decision") == "refuse":
        what = f"one-off disclosure to {organisation} refused"
    else:
        what = f"one-off disclosure to {organisation}"
    return case_intake.create(register, DISCLOSURE, questionnaire, answers.values, answers.lang, by=by, today=today,
                        extra=extra, change=what, rel=answers.rel)


def complete(root: Path, record_id: str, *, criteria_answers: dict, rationale, lang: str, by: str,
             date: dt.date, rel: str = "answers", text: str | None = None,
             approver: str | None = None, approver_rank: str | None = None) -> Disclosure:
    """Record an urgent disclosure's criteria and rationale afterwards; it is then no longer outstanding.

    The manager who approved it (``approver``, ``approver_rank``) can be recorded then too, when the record has none.
    """
    checklist = load_checklist(CHECKLIST, root)
    if date > dt.date.today():
        raise IsaError(f"the completion date {date} is in the future")

    def edit(disclosure: Disclosure):
        if not disclosure.urgent:
            raise IsaError(f"{disclosure.id} was not urgent: its criteria and rationale were recorded when it was made")
        if not disclosure.outstanding:
            raise IsaError(f"{disclosure.id} is already complete (on {disclosure.completed})")
        if date < disclosure.date:
            raise IsaError(f"{disclosure.id} was made on {disclosure.date}; it cannot be completed before that ({date})")
        update: dict = {}
        for name, given in (("criteria", criteria_answers), ("rationale", rationale)):
            if getattr(disclosure, name) is not None and given is not None:
                raise IsaError(f"{disclosure.id}: the {name} was recorded when the disclosure was made and is not "
                               f"rewritten; give only what is still missing ({', '.join(disclosure.outstanding_items)})")
        if approver or approver_rank:
            if disclosure.approval is not None:
                raise IsaError(f"{disclosure.id}: its approval by {disclosure.approval.name} is recorded already and is "
                               "not rewritten")
            if not (approver and approver.strip() and approver_rank and approver_rank.strip()):
                raise IsaError("an approval names both the approver and their rank (approver and approver_rank)")
            update["approval"] = Approval(name=check_text(approver.strip()), rank=check_text(approver_rank.strip()))
        if disclosure.criteria is None:
            if criteria_answers is None:
                raise IsaError("give the criteria: a `criteria:` mapping in the answers file (item id: yes / no / n/a)")
            data = {"urgent": True}
            criteria, problems = case_intake.criteria_from(checklist, DISCLOSURE, data, criteria_answers, by=by, date=date,
                                                     rel=rel, text=text)
            if problems:
                raise InvalidRecord(f"{len(problems)} problem(s) in {rel}; nothing was written", problems)
            update["criteria"] = criteria
        if disclosure.rationale is None:
            if rationale is None:
                raise IsaError("give the rationale: --rationale TEXT, or `rationale:` in the answers file")
            update["rationale"] = rationale
        update["completed"] = date
        updated = disclosure.model_copy(update=update)
        recorded = " and ".join(name for name in ("criteria", "rationale", "approval") if name in update)
        return updated, f"urgent disclosure completed: {recorded} recorded"

    updated, _ = modify_record(root, DISCLOSURE, record_id, edit, by=by)
    return updated
