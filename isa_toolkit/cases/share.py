"""Recording a decision to share under an agreement (the decision log, seed 004 §3.12).

Only an agreement in force can be shared under: not a draft, not one under
signature, and not one suspended while a breach is investigated; and only
when it was in force on the day of the decision, as its lifecycle history
shows. It covers sharing with its parties only: anyone else is a one-off
disclosure. Sharing without consent needs its rationale written down.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pydantic import ValidationError

from ..errors import IsaError
from ..model import Agreement
from ..model.agreement import SharingDecision, closest_organisation, normalise_organisation
from ..register.store import modify_agreement


def is_party(agreement: Agreement, organisation: str) -> bool:
    """``organisation`` names one of the agreement's parties: its name as written (case, accents, punctuation and
    "&"/"and" aside), the part of it in brackets (``Children's Services`` for ``Northshire County Council
    (Children's Services)``), the name without that part, or a unit of the party whose name begins with the
    party's (``Testshire Council Housing Team``)."""
    wanted = normalise_organisation(organisation).split()
    if not wanted:
        return False
    for party in agreement.parties:
        name = party.organisation
        forms = {normalise_organisation(name)}
        bracket = re.search(r"\(([^()]*)\)\s*$", name)
        if bracket:
            forms |= {normalise_organisation(bracket.group(1)), normalise_organisation(name[:bracket.start()])}
        for form in filter(None, forms):
            words = form.split()
            if wanted == words or wanted[:len(words)] == words:
                return True
    return False


def not_shareable(agreement: Agreement, day: dt.date) -> str | None:
    """Why a decision dated ``day`` cannot be recorded under the agreement (None: it can).

    It must be in force now (not a draft, awaiting signature, suspended or terminated) and have been in force on
    ``day``: started by then, and not suspended that day as its lifecycle history shows.
    """
    if not agreement.status.in_force:
        return {"suspended": "it is suspended while a breach is investigated",
                "draft": "it is a draft, not yet agreed"}.get(agreement.status.value, f"it is {agreement.status.value}")
    if agreement.start_date and day < agreement.start_date:
        tense = "comes" if agreement.start_date > dt.date.today() else "came"
        return f"it {tense} into force on {agreement.start_date}, after {day}"
    then = agreement.status_on(day)
    if not then.in_force:
        return f"it was {then.value} on {day} (see isa show {agreement.id})"
    return None


def record_decision(root: Path, record_id: str, *, what: str, to: str, purpose: str, consent: str, by: str,
                    date: dt.date, rationale: str | None = None) -> tuple[Agreement, str | None]:
    """Append the decision to the agreement's log and commit it; refuse unless the agreement is in force."""
    if date > dt.date.today():
        raise IsaError(f"the decision date {date} is in the future")
    fields = {"date": date, "what": what, "to": to, "purpose": purpose, "consent": consent, "by": by}
    if rationale is not None:
        fields["rationale"] = rationale
    try:
        decision = SharingDecision(**fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        option = {"what": "--what", "to": "--to", "purpose": "--purpose", "by": "--by", "rationale": "--rationale"}
        raise IsaError(f"{option.get(field, field)}: {error['msg'].removeprefix('Value error, ')}") from None

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        why = not_shareable(agreement, date)
        if why:
            raise IsaError(f"no sharing under {agreement.id} on {date}: {why}. Share under an agreement in force, or "
                           "record a one-off disclosure")
        if not is_party(agreement, to):
            parties = "; ".join(p.organisation for p in agreement.parties)
            guess = closest_organisation(to, [p.organisation for p in agreement.parties])
            hint = f" Did you mean {guess!r}?" if guess else ""
            raise IsaError(f"{to!r} is not a party to {agreement.id} ({parties}); the agreement covers sharing with its "
                           f"parties only.{hint} Name the party, or record a one-off disclosure: isa disclose new")
        if consent == "no" and rationale is None:
            raise IsaError("sharing without consent needs its reason recorded: add --rationale TEXT (e.g. why asking "
                           "for consent would put someone at risk or prejudice the purpose)")
        updated = agreement.model_copy(update={"decisions": [*agreement.decisions, decision]})
        return updated, f"sharing decision: {what} to {to} ({purpose})"

    return modify_agreement(root, record_id, edit, by=by)
