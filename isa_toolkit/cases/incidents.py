"""Data incidents and protocol breaches: recorded, tracked against deadlines, resolved.

A breach suspends sharing under every affected agreement in force, in the
same commit that records it (seed 002: members may stop sharing while a
breach is resolved); the incident remembers which agreements it holds
suspended. Resolving it records what the parties agreed and returns each of
those agreements to the status it had, unless another open breach still
holds it. Both moves go through the lifecycle (``suspended`` and
``@previous`` in workflows/lifecycle.yaml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IsaError
from ..model import Localized, Status
from ..model.incident import Incident, Meeting, RegulatorNotice, Resolution
from ..register.ids import check_id
from ..register.kinds import AGREEMENT, INCIDENT
from ..register.load import load_all, load_chain, load_record, load_register
from ..register.store import modify_record, transaction
from ..workflows.intake import check_text
from ..workflows.lifecycle import check_move, load_lifecycle, moved
from ..workflows.questionnaire import load_questionnaire
from . import intake as case_intake


@dataclass
class Outcome:
    """What recording or resolving an incident did to the agreements it names."""

    incident: Incident
    suspended: list[str] = field(default_factory=list)  # moved to suspended now
    restored: dict[str, str] = field(default_factory=dict)  # id -> status it returned to
    held: dict[str, list[str]] = field(default_factory=dict)  # id -> other open breaches keeping it suspended
    untouched: dict[str, str] = field(default_factory=dict)  # id -> why nothing was done


def _reason(incident_id: str) -> str:
    return f"breach {incident_id} under investigation"


def record(register, answers: case_intake.Answers, *, by: str, today: dt.date | None = None) -> Outcome:
    """Write the incident; for a breach, suspend the affected agreements in force in the same commit."""
    today = today or dt.date.today()
    questionnaire = load_questionnaire("incident", register.root)
    for day in ("occurred", "reported"):
        value = answers.values.get(day)
        if isinstance(value, dt.date) and value > today:
            raise IsaError(f"{day} {value} is in the future")
    for number, agreement_id in enumerate(answers.values.get("agreements", [])):
        try:
            check_id(agreement_id)
        except IsaError as exc:
            raise IsaError(f"{answers.rel}: agreements[{number}]: {exc}") from None
    lifecycle = load_lifecycle(register.root)
    chain, _ = load_chain(register.root, register.settings)
    outcome = Outcome(None)
    found_suspended: list[str] = []  # suspended by hand before the breach: held by it, never lifted by it
    also_suspended: list[str] = []  # suspended by another open breach: held by this one too, restored with the last

    def also(incident: Incident):
        changed = []
        open_breaches = [i for i in load_all(register.root, INCIDENT) if i.open]
        for agreement_id in incident.agreements:
            agreement = load_record(register.root, AGREEMENT, agreement_id)  # refuses an unknown id
            if incident.type != "breach":
                continue
            by_breach = [i.id for i in open_breaches if agreement_id in i.suspended]
            by_hand = [i.id for i in open_breaches if agreement_id in i.held]
            if agreement.status is Status.SUSPENDED and by_breach:
                outcome.untouched[agreement_id] = f"already suspended by {', '.join(by_breach)}; this breach holds it too"
                also_suspended.append(agreement_id)
            elif agreement.status is Status.SUSPENDED and by_hand:
                outcome.untouched[agreement_id] = (f"suspended before {', '.join(by_hand)}, not by a breach: this breach "
                                                   "holds it too, and resolving it will not lift the earlier suspension")
                found_suspended.append(agreement_id)
                continue
            elif agreement.status is Status.SUSPENDED:
                outcome.untouched[agreement_id] = ("suspended already, not by a breach: this breach keeps it suspended "
                                                   "while it is open, and resolving it will not lift the earlier "
                                                   "suspension")
                found_suspended.append(agreement_id)
                continue
            elif not agreement.status.in_force:
                outcome.untouched[agreement_id] = f"{agreement.status.value}: not in force, nothing to suspend"
                continue
            else:
                check_move(lifecycle, agreement, Status.SUSPENDED, chain=chain, reason=_reason(incident.id))
                changed.append(moved(agreement, Status.SUSPENDED, by=by, date=today, reason=_reason(incident.id)))
                outcome.suspended.append(agreement_id)
        suspended = outcome.suspended + also_suspended
        incident = incident.model_copy(update={"suspended": [i for i in incident.agreements if i in suspended],
                                               "held": [i for i in incident.agreements if i in found_suspended]})
        return incident, changed

    def change(incident: Incident) -> str:
        if incident.type != "breach":
            return f"data incident recorded ({incident.severity})"
        suspended = f"; sharing suspended under {', '.join(outcome.suspended)}" if outcome.suspended else ""
        return f"breach recorded ({incident.severity}){suspended}"

    outcome.incident = case_intake.create(register, INCIDENT, questionnaire, answers.values, answers.lang, by=by,
                                    today=today, also=also, change=change, rel=answers.rel)
    return outcome


def resolve(root: Path, record_id: str, *, agreed: str, agreed_by: list[str], by: str, date: dt.date,
            lang: str) -> Outcome:
    """Record the agreed resolution and lift the suspensions this breach alone was holding; one commit."""
    check_id(record_id)
    if date > dt.date.today():
        raise IsaError(f"the resolution date {date} is in the future")
    if not agreed or not agreed.strip():
        raise IsaError("say what was agreed: --resolution TEXT")
    if not agreed_by:
        raise IsaError("say who agreed it: --agreed-by NAME (once per party or member)")
    register = load_register(root, checks=False)
    lifecycle = load_lifecycle(register.root)
    chain, _ = load_chain(register.root, register.settings)
    with transaction(register.root) as write:
        incident = load_record(register.root, INCIDENT, record_id)
        if not incident.open:
            raise IsaError(f"{record_id} was resolved on {incident.resolution.date}")
        if date < incident.recorded:
            raise IsaError(f"{record_id} was recorded on {incident.recorded}; it cannot be resolved before that ({date})")
        if incident.regulator and incident.regulator.required and incident.regulator.notified is None:
            raise IsaError(f"{record_id} must be reported to the regulator before it is closed: record the report with "
                           f"`isa incident notified {record_id} --date DATE --reference REF`")
        resolution = Resolution(date=date, agreed=Localized({lang: check_text(agreed)}),
                                agreed_by=[check_text(a) for a in agreed_by], by=by)
        resolved = incident.model_copy(update={"resolution": resolution})
        outcome = Outcome(resolved)
        # Strict: a breach file that cannot be read may hold one of these agreements too.
        others = [i for i in load_all(register.root, INCIDENT, strict=True) if i.open and i.id != record_id]
        changed = []
        for agreement_id in incident.held:
            outcome.untouched[agreement_id] = ("was suspended before this breach, not by it: left suspended; lift that "
                                               f"suspension when it is right to: isa transition {agreement_id} active")
        for agreement_id in incident.suspended:
            agreement = load_record(register.root, AGREEMENT, agreement_id)
            holding = [i.id for i in others if i.holds(agreement_id)]
            if agreement.status is not Status.SUSPENDED:
                outcome.untouched[agreement_id] = f"now {agreement.status.value}, not suspended: left as it is"
            elif holding:
                outcome.held[agreement_id] = holding
            else:
                previous = agreement.status_before_suspension()
                if previous is None:
                    outcome.untouched[agreement_id] = "its history does not say what it was before: left suspended"
                    continue
                check_move(lifecycle, agreement, previous, chain=chain)
                changed.append(moved(agreement, previous, by=by, date=date,
                                     reason=f"breach {record_id} resolved"))
                outcome.restored[agreement_id] = previous.value
        write([resolved, *changed], subject=record_id, change="resolved" + (
            f"; sharing restored under {', '.join(outcome.restored)}" if outcome.restored else ""), by=by)
    return outcome


def _still_open(incident: Incident) -> None:
    if not incident.open:
        raise IsaError(f"{incident.id} was resolved on {incident.resolution.date}; it is closed")


def record_meeting(root: Path, record_id: str, *, date: dt.date, attendees: list[str], notes: str | None,
                   by: str, lang: str) -> Incident:
    """Record the meeting of the parties about a breach (which meets the meeting deadline)."""
    if date > dt.date.today():
        raise IsaError(f"the meeting date {date} is in the future; record it once it has been held")

    def edit(incident: Incident):
        _still_open(incident)
        if incident.meeting is not None:
            raise IsaError(f"{incident.id}: a meeting on {incident.meeting.date} is already recorded; a record of what "
                           "happened is not rewritten (correct a mistake in the file, with a commit saying why)")
        fields = {"date": date, "attendees": [check_text(a) for a in attendees]}
        if notes and notes.strip():
            fields["notes"] = Localized({lang: check_text(notes)})
        return incident.model_copy(update={"meeting": Meeting(**fields)}), f"meeting held on {date}"

    updated, _ = modify_record(root, INCIDENT, record_id, edit, by=by)
    return updated


def record_notice(root: Path, record_id: str, *, date: dt.date, reference: str | None, by: str) -> Incident:
    """Record that the breach was reported to the regulator."""
    if date > dt.date.today():
        raise IsaError(f"the date {date} is in the future")

    def edit(incident: Incident):
        _still_open(incident)
        if incident.regulator and incident.regulator.notified is not None:
            raise IsaError(f"{incident.id}: the report to the regulator on {incident.regulator.notified} is already "
                           "recorded; a record of what happened is not rewritten")
        if date < incident.reported:
            raise IsaError(f"{incident.id} was reported on {incident.reported}; the regulator cannot have been told "
                           f"before that ({date})")
        fields = {"required": True, "notified": date}
        if reference and reference.strip():
            fields["reference"] = reference.strip()
        notice = RegulatorNotice(**fields)
        return incident.model_copy(update={"regulator": notice}), f"reported to the regulator on {date}"

    updated, _ = modify_record(root, INCIDENT, record_id, edit, by=by)
    return updated
