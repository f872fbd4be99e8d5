"""Recording a decision to share under an agreement (the decision log, seed 004 §3.12).

Only an agreement in force can be shared under: not a draft, not one under
signature, and not one suspended while a breach is investigated; and only
when it was in force on the day of the decision, as its lifecycle history
shows. It covers sharing with its parties only: anyone else is a one-off
disclosure. Sharing without consent needs its rationale written down.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from .errors import IsaError
from .model import Agreement
from .model.agreement import SharingDecision, normalise_organisation
from .store import modify_agreement


def is_party(agreement: Agreement, organisation: str) -> bool:
    """``organisation`` is one of the agreement's parties, or a part of one named more or less fully
    (``Children's Services`` for ``Northshire County Council (Children's Services)``)."""
    name = normalise_organisation(organisation)
    wanted = set(name.split())
    for party in agreement.parties:
        words = set(normalise_organisation(party.organisation).split())
        if name and (words <= wanted or (len(wanted) >= 2 and wanted <= words)):
            return True
    return False


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
        if not agreement.status.in_force:
            why = {"suspended": "it is suspended while a breach is investigated",
                   "draft": "it is a draft, not yet agreed"}.get(agreement.status.value, f"it is {agreement.status.value}")
            raise IsaError(f"no sharing under {agreement.id}: {why}. Share under an agreement in force, or record a "
                           "one-off disclosure")
        if agreement.start_date and date < agreement.start_date:
            tense = "comes" if agreement.start_date > dt.date.today() else "came"
            raise IsaError(f"{agreement.id} {tense} into force on {agreement.start_date}; it does not cover sharing "
                           f"on {date}")
        then = agreement.status_on(date)
        if not then.in_force:
            raise IsaError(f"{agreement.id} was {then.value} on {date} (see isa show {agreement.id}), so it did not "
                           "cover sharing that day; a disclosure made then is a one-off disclosure")
        if not is_party(agreement, to):
            parties = "; ".join(p.organisation for p in agreement.parties)
            raise IsaError(f"{to!r} is not a party to {agreement.id} ({parties}); the agreement covers sharing with its "
                           "parties only. Name the party, or record a one-off disclosure: isa disclose new")
        if consent == "no" and rationale is None:
            raise IsaError("sharing without consent needs its reason recorded: add --rationale TEXT (e.g. why asking "
                           "for consent would put someone at risk or prejudice the purpose)")
        updated = agreement.model_copy(update={"decisions": [*agreement.decisions, decision]})
        return updated, f"sharing decision: {what} to {to} ({purpose})"

    return modify_agreement(root, record_id, edit, by=by)
