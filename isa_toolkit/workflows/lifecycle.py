"""The lifecycle of an agreement, as data (``workflows/lifecycle.yaml``), and moving along it.

A move is allowed when a transition lists the current status in ``from``, and
every guard it names holds. Guards are small checks (below) that say what is
missing; a refused move lists them. ``automatic`` transitions are made by the
toolkit itself (a completed sign-off stage); asking for one by hand is refused
with a word on what makes it happen. Becoming active (``activated``) sets the
start date and the first review date, or, after a review, the next one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ..errors import IsaError
from ..model import Agreement, Localized, Settings, SignoffChain, Status, StatusChange
from ..model.agreement import Frozen
from ..model.dates import add_months
from ..register.definitions import load_definition
from ..register.kinds import INCIDENT
from ..register.load import load_all, load_chain, load_register
from ..register.store import modify_agreement
from ..resources import workflow_file
from .chain import progress

GuardName = Literal["risk_assessment_allows", "dpia_settled", "assessments_current", "chain_stage_complete",
                    "chain_complete", "reason_given"]
PREVIOUS = "@previous"


class StatusDefinition(Frozen):
    id: Status
    label: Localized


class Transition(Frozen):
    from_: list[Status] = Field(alias="from", min_length=1)
    to: Status | Literal["@previous"]
    guards: list[GuardName] = []
    automatic: bool = False

    model_config = Frozen.model_config | {"populate_by_name": True}


class Lifecycle(Frozen):
    statuses: list[StatusDefinition]
    transitions: list[Transition] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_status_defined(self) -> Lifecycle:
        missing = [s.value for s in Status if s not in {d.id for d in self.statuses}]
        if missing:
            raise ValueError(f"statuses {', '.join(missing)} have no definition")
        return self

    def label(self, status: Status, lang: str = "en") -> str:
        definition = next(d for d in self.statuses if d.id is status)
        return definition.label.get(lang) or str(definition.label)


def load_lifecycle(register_root: Path | None = None) -> Lifecycle:
    path = workflow_file("lifecycle.yaml", register_root)
    rel = str(path.relative_to(register_root)) if register_root and path.is_relative_to(register_root) else "workflows/lifecycle.yaml"
    return load_definition(path, rel, Lifecycle)


class Refused(IsaError):
    """A move the lifecycle does not allow; the message says why and what is missing."""


# -- guards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    agreement: Agreement
    to: Status
    chain: SignoffChain | None
    reason: str | None
    settings: Settings | None = None  # for the people the register's own roles expect (its contacts)


def _risk_assessment_allows(move: Move) -> list[str]:
    assessment = move.agreement.risk_assessment
    if assessment is None:
        return [f"a risk assessment (isa assess {move.agreement.id})"]
    if assessment.needs_renewal:
        return [f"a new risk assessment ({assessment.needs_renewal}): isa assess {move.agreement.id}"]
    if assessment.outcome == "do_not_proceed":
        return ["a risk assessment that allows it: the latest says do not proceed; put the blocking items right and assess again"]
    return []


def _dpia_settled(move: Move) -> list[str]:
    """A DPIA screening has been run (an officer's own view is not one), and a required DPIA has a reference."""
    dpia = move.agreement.dpia
    if dpia is None or dpia.screening is None:
        return [f"a DPIA screening (isa assess {move.agreement.id} --checklist dpia_screening)"]
    if dpia.screening.needs_renewal:
        return [f"a new DPIA screening ({dpia.screening.needs_renewal}): "
                f"isa assess {move.agreement.id} --checklist {dpia.screening.checklist}"]
    if dpia.required and not dpia.reference:
        return [f"a DPIA reference: the screening said a DPIA is required; once it is done, set its reference with "
                f"isa amend {move.agreement.id} --set dpia.reference=REF"]
    return []


def _assessments_current(move: Move) -> list[str]:
    """No assessment the agreement has is waiting to be made again after an amendment changed what it looked at."""
    agreement = move.agreement
    missing = []
    if agreement.risk_assessment is not None and agreement.risk_assessment.needs_renewal:
        missing += _risk_assessment_allows(move)
    if agreement.dpia is not None and agreement.dpia.screening is not None and agreement.dpia.screening.needs_renewal:
        missing += _dpia_settled(move)
    return missing


def _chain_stage_complete(move: Move) -> list[str]:
    if move.chain is None:
        return ["a valid sign-off chain"]
    state = progress(move.chain, move.agreement, move.settings)
    for stage in state.stages:
        if stage.stage.status == move.to.value and not stage.complete:
            return [f"every sign-off of stage {stage.number} ({stage.stage.id}): waiting for {stage.waiting_text()}"]
    return []


def _chain_complete(move: Move) -> list[str]:
    if move.chain is None:
        return ["a valid sign-off chain"]
    state = progress(move.chain, move.agreement, move.settings)
    if state.complete:
        return []
    changed = [s for stage in state.stages for slot in stage.slots for s in slot.stale
               if s.version == move.agreement.version]
    why = (f" ({len(changed)} sign-off(s) of this version were given for text the record no longer holds: a change "
           "made without an amendment; amend it with isa amend, or restore the signed text)") if changed else ""
    return [f"every sign-off of the chain for version {move.agreement.version}: stage {state.open_stage.number} "
            f"({state.open_stage.stage.id}) is waiting for {state.open_stage.waiting_text()}{why}"]


def _reason_given(move: Move) -> list[str]:
    return [] if move.reason and move.reason.strip() else ["a reason (--reason TEXT)"]


GUARDS: dict[str, Callable[[Move], list[str]]] = {
    "risk_assessment_allows": _risk_assessment_allows,
    "dpia_settled": _dpia_settled,
    "assessments_current": _assessments_current,
    "chain_stage_complete": _chain_stage_complete,
    "chain_complete": _chain_complete,
    "reason_given": _reason_given,
}


# -- moving ---------------------------------------------------------------------------


def _target(transition: Transition, agreement: Agreement) -> Status | None:
    if transition.to == PREVIOUS:
        return agreement.status_before_suspension()
    return transition.to


def check_move(lifecycle: Lifecycle, agreement: Agreement, to: Status, *, chain: SignoffChain | None,
               reason: str | None = None, automatic: bool = False, settings: Settings | None = None) -> None:
    """Raise :class:`Refused` unless the lifecycle allows ``agreement`` to move to ``to`` now.

    A refusal says what is missing and from whom, not only which moves exist.
    """
    current = agreement.status
    move = Move(agreement, to, chain, reason, settings)
    candidates = [t for t in lifecycle.transitions if current in t.from_ and _target(t, agreement) is to]
    if not automatic:
        manual = [t for t in candidates if not t.automatic]
        if candidates and not manual:
            waiting = _ahead(move)
            raise Refused(f"{agreement.id} moves from {current.value} to {to.value} by itself, when "
                          f"{_automatic_cause(to)}; it cannot be asked for" + (f". {waiting[0].upper()}{waiting[1:]}" if waiting else ""))
        candidates = manual
    if not candidates:
        waiting = _ahead(move)
        if waiting:
            raise Refused(f"{agreement.id} cannot move from {current.value} to {to.value} yet: {waiting}")
        allowed = sorted({(_target(t, agreement) or Status.DRAFT).value for t in lifecycle.transitions
                          if current in t.from_ and (automatic or not t.automatic) and _target(t, agreement)})
        raise Refused(f"{agreement.id} cannot move from {current.value} to {to.value}; "
                      f"from {current.value} it can move to: {', '.join(allowed) or 'nothing'}")
    best: list[str] | None = None
    for transition in candidates:
        missing = [item for guard in transition.guards for item in GUARDS[guard](move)]
        if not missing:
            return
        best = missing if best is None or len(missing) < len(best) else best
    raise Refused(f"{agreement.id} cannot move from {current.value} to {to.value} yet; missing: {'; '.join(best or [])}")


ROAD = (Status.DRAFT, Status.ASSESSED, Status.IN_REVIEW, Status.APPROVED, Status.AUTHORISED, Status.SIGNED,
        Status.ACTIVE)  # the way an agreement comes into force


def _ahead(move: Move) -> str | None:
    """When ``move.to`` lies further along the way into force: what stands between, and who must act."""
    agreement, to = move.agreement, move.to
    current = agreement.status
    if current is Status.UNDER_REVIEW and to is Status.ACTIVE:
        current = Status.AUTHORISED  # a new version on its way through the chain
    if current not in ROAD or to not in ROAD or ROAD.index(to) <= ROAD.index(current):
        return None
    if current is Status.DRAFT:
        missing = _risk_assessment_allows(move) + _dpia_settled(move)
        first = f"first it must be assessed (isa transition {agreement.id} assessed)"
        return first + (f", which needs {'; '.join(missing)}" if missing else "")
    if move.chain is None:
        return None
    state = progress(move.chain, agreement, move.settings)
    stage = state.open_stage
    if stage is None:
        return f"the sign-off chain is complete; activate it: isa activate {agreement.id}" if to is Status.ACTIVE else None
    then = f"; then isa activate {agreement.id}" if to is Status.ACTIVE and agreement.status is not Status.UNDER_REVIEW \
        else ""
    return (f"the sign-off chain for version {agreement.version} is at stage {stage.number} ({stage.stage.id}), "
            f"waiting for {stage.waiting_text()}{then}")


def _automatic_cause(to: Status) -> str:
    return {
        Status.IN_REVIEW: "the first sign-off is recorded (or an amendment restarts the chain)",
        Status.APPROVED: "the final-version stage of the sign-off chain completes",
        Status.AUTHORISED: "the executive stage of the sign-off chain completes",
        Status.SIGNED: "the last signature is recorded",
        Status.DRAFT: "a sign-off rejects it",
        Status.ACTIVE: "the chain completes for an agreement under review",
    }.get(to, "the toolkit records the step that causes it")


def moved(agreement: Agreement, to: Status, *, by: str, date: dt.date, reason: str | None = None) -> Agreement:
    """The agreement at status ``to``, the move recorded in its history (which stays in date order)."""
    if to is agreement.status:
        return agreement
    if agreement.history and date < agreement.history[-1].date:
        last = agreement.history[-1]
        raise Refused(f"{agreement.id} moved to {last.to.value} on {last.date}; a later move cannot be dated before that "
                      f"({date})")
    change = StatusChange(date=date, from_status=agreement.status, to=to, by=by, reason=reason)
    return agreement.model_copy(update={"status": to, "history": [*agreement.history, change]})


def _not_held_by_a_breach(root: Path, agreement: Agreement, to: Status) -> None:
    """Sharing a breach stopped resumes only when the breach is resolved (``isa incident resolve``)."""
    if agreement.status is not Status.SUSPENDED or to is Status.TERMINATED:
        return

    holders = [i.id for i in load_all(root, INCIDENT, strict=True) if i.holds(agreement.id)]
    if holders:
        raise Refused(f"{agreement.id} is suspended by the open breach {', '.join(holders)}; sharing resumes when the "
                      f"parties agree its resolution: isa incident resolve {holders[0]} --resolution ... --agreed-by ...")


def transition(root: Path, record_id: str, to: Status, *, by: str, date: dt.date, reason: str | None = None):
    """Move an agreement by hand (``isa transition``), guards checked on the current record under the lock."""
    register = load_register(root, checks=False)
    lifecycle = load_lifecycle(register.root)
    chain, _ = load_chain(register.root, register.settings)
    if date > dt.date.today():
        raise Refused(f"the date {date} is in the future")

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        check_move(lifecycle, agreement, to, chain=chain, reason=reason, settings=register.settings)
        _not_held_by_a_breach(root, agreement, to)
        if to is Status.ACTIVE and agreement.status in (Status.SIGNED, Status.UNDER_REVIEW):
            return activated(agreement, date, by=by)  # the same as isa activate: dates set
        updated = moved(agreement, to, by=by, date=date, reason=reason)
        if to is Status.TERMINATED and updated.end_date is None:
            if updated.start_date and date < updated.start_date:
                raise Refused(f"{agreement.id} started on {updated.start_date}; it cannot end before that ({date})")
            updated = updated.model_copy(update={"end_date": date})
        note = f": {reason.strip()}" if reason and reason.strip() else ""
        return updated, f"{agreement.status.value} -> {to.value}{note}"

    return modify_agreement(register.root, record_id, edit, by=by)


def renewed(agreement: Agreement, date: dt.date) -> Agreement:
    """The agreement reviewed on ``date``: its next review one interval later."""
    review = agreement.review.model_copy(update={
        "last": date, "due": add_months(date, agreement.review.interval_months)})
    return agreement.model_copy(update={"review": review})


def activated(agreement: Agreement, day: dt.date, *, by: str) -> tuple[Agreement, str]:
    """The agreement in force from ``day``: from signed, with its first review date; from under review, renewed."""
    if agreement.status is Status.UNDER_REVIEW:
        updated = renewed(moved(agreement, Status.ACTIVE, by=by, date=day, reason="review completed"), day)
        return updated, f"review completed: active again, next review due {updated.review.due}"
    # It cannot be in force before it is registered; a planned later start stands.
    start = max(agreement.start_date or day, day)
    review = agreement.review.model_copy(update={"due": add_months(start, agreement.review.interval_months)})
    updated = moved(agreement, Status.ACTIVE, by=by, date=day).model_copy(update={"start_date": start, "review": review})
    return updated, f"active from {start}; first review due {review.due}"
