"""Third-party requests for information: logged, checked against the criteria, then granted or refused.

Seed 001 annex C: a request from outside the agreement must be written and
specific, have a defined purpose, be proportionate and limited in scope and
time. A granted request is answered under safeguards: a channel the
sensitivity classification allows for its level, the anonymisation applied,
and limits on onward sharing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InvalidRecord, IsaError
from ..model import Level, Localized
from ..model.request import SAFEGUARD_ITEMS, Request, RequestDecision, Safeguards
from ..register.definitions import load_checklist
from ..register.kinds import REQUEST
from ..register.load import load_classification
from ..register.store import modify_record
from ..workflows.intake import check_text
from ..workflows.questionnaire import load_questionnaire
from . import intake as case_intake

CHECKLIST = "third_party_request"
EXTRA_KEYS = ("criteria",)


def log_request(register, answers: case_intake.Answers, *, by: str, today: dt.date | None = None) -> Request:
    """Write the request with its criteria worked through, and commit it."""
    today = today or dt.date.today()
    checklist = load_checklist(CHECKLIST, register.root)
    questionnaire = load_questionnaire("request", register.root)
    received = answers.values.get("received")
    if isinstance(received, dt.date) and received > today:
        raise IsaError(f"the date received, {received}, is in the future")

    def extra(data: dict) -> dict:
        raw = answers.raw.get("criteria")
        if raw is None:
            raise IsaError(f"{answers.rel}: the criteria are missing: add `criteria:` with an answer (yes / no / n/a) "
                           f"for each item of the {CHECKLIST} checklist (workflows/checklists/{CHECKLIST}.yaml lists them)")
        criteria, problems = case_intake.criteria_from(checklist, REQUEST, data, raw, by=by, date=today,
                                                 rel=answers.rel, text=answers.text)
        if problems:
            raise InvalidRecord(f"{len(problems)} problem(s) in {answers.rel}; nothing was written", problems)
        return {"criteria": criteria.model_dump(mode="json", exclude_unset=True)}

    return case_intake.create(register, REQUEST, questionnaire, answers.values, answers.lang, by=by, today=today,
                        extra=extra, change=f"request logged ({answers.values['organisation']})", rel=answers.rel)


def channels(root: Path, level: Level) -> list[Localized]:
    """The dissemination methods ``classification.yaml`` allows for ``level``."""
    classification = load_classification(root)
    if classification is None:
        raise IsaError("the register has no readable classification.yaml, so no transfer channel can be chosen; "
                       "add one (`isa init` writes an example) and run `isa validate`")
    return classification.definition(level).dissemination


def pick_channel(allowed: list[Localized], choice: str | None, level: Level, lang: str) -> Localized:
    """The channel chosen by its number in the list or its text (in any language)."""
    listing = "; ".join(f"{n}. {c.get(lang) or c}" for n, c in enumerate(allowed, 1))
    if not choice:
        raise IsaError(f"choose the transfer channel (--channel N): for {level.value} information the classification "
                       f"allows {listing}")
    text = choice.strip()
    if text.isdigit() and 1 <= int(text) <= len(allowed):
        return allowed[int(text) - 1]
    for channel in allowed:
        if any(text.casefold() == t.strip().casefold() for t in channel.texts.values()):
            return channel
    raise IsaError(f"{choice!r} is not a channel the classification allows for {level.value} information; "
                   f"choose one of: {listing}")


def decide(root: Path, record_id: str, *, grant: bool, by: str, date: dt.date, lang: str,
           reason: str | None = None, level: Level | None = None, channel: str | None = None,
           anonymisation: str | None = None, onward: str | None = None, conditions_met: bool = False,
           destruction_date: dt.date | None = None) -> Request:
    """Grant the request under its safeguards, or refuse it with the reason; commit the decision.

    When the criteria ask for a destruction date the request lacked, a grant records the one the requester gave.
    """
    if date > dt.date.today():
        raise IsaError(f"the decision date {date} is in the future")
    def text(value: str) -> Localized:
        return Localized({lang: check_text(value.strip())})

    def edit(request: Request):
        if request.decision is not None:
            raise IsaError(f"{request.id} was already {request.state} on {request.decision.date}")
        if grant:
            if request.criteria is None:
                raise IsaError(f"{request.id} has no criteria recorded; it cannot be granted")
            if request.criteria.outcome == "do_not_proceed":
                raise IsaError(f"{request.id} cannot be granted: the criteria say do not proceed (not met: "
                               f"{', '.join(request.criteria.reasons)}); refuse it (--refuse --reason ...)")
            missing = [name for name, value in (("--level", level), ("--anonymisation", anonymisation),
                                                 ("--onward", onward)) if not (value and str(value).strip())]
            if missing:
                raise IsaError(f"a grant records its safeguards: give {', '.join(missing)}")
            chosen = pick_channel(channels(root, level), channel, level, lang)
            unmet = [item for item in request.criteria.reasons if item not in SAFEGUARD_ITEMS]
            update: dict = {}
            needed = "destruction_date" in unmet and request.destruction_date is None
            if destruction_date is not None and not needed:
                raise IsaError(f"{request.id} has its destruction date ({request.destruction_date}) or its criteria do "
                               "not ask for one: leave out --destruction-date")
            if needed:
                if destruction_date is None:
                    raise IsaError(f"{request.id}: the criteria ask for the date by which the requester will destroy "
                                   "what it receives; obtain it and give it: --destruction-date DATE")
                if destruction_date < date:
                    raise IsaError(f"the destruction date {destruction_date} is before the decision ({date}): the "
                                   "requester cannot destroy what it has not yet received")
                update["destruction_date"] = destruction_date
            if "anonymised_prepared" in request.criteria.reasons and anonymisation == "none":
                raise IsaError(f"{request.id}: the criteria ask for names and unique identifiers to be removed before "
                               "release; give --anonymisation pseudonymised, anonymised or aggregated")
            remaining = [item for item in unmet if not (item == "destruction_date" and "destruction_date" in update)]
            if remaining and not conditions_met:
                raise IsaError(f"{request.id}: the criteria set conditions on the request itself ({', '.join(remaining)}); "
                               "put them right with the requester first, then grant with --conditions-met")
            safeguards = Safeguards(sensitivity=level, channel=chosen, anonymisation=anonymisation,
                                    onward_sharing=text(onward))
            fields = {"decision": "grant", "date": date, "by": by, "safeguards": safeguards}
            if reason and reason.strip():
                fields["reason"] = text(reason)
            if unmet:
                fields["conditions_met"] = unmet
            decision = RequestDecision(**fields)
            what = f"granted, {level.value} information by {chosen.get(lang) or chosen}"
            return request.model_copy(update={**update, "decision": decision}), f"request {what}"
        else:
            if not reason or not reason.strip():
                raise IsaError("say why it is refused: --reason TEXT")
            decision = RequestDecision(decision="refuse", date=date, by=by, reason=text(reason))
            what = "refused"
        return request.model_copy(update={"decision": decision}), f"request {what}"

    updated, _ = modify_record(root, REQUEST, record_id, edit, by=by)
    return updated
