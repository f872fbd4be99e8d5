"""What is owed on the register's case records, and by when (``register.yaml``'s ``deadlines:``).

- an urgent disclosure's criteria and rationale: within ``urgent_rationale_days`` of the disclosure;
- the parties' meeting about a breach: within ``breach_meeting_days`` of its report (seed 002: ten days);
- the report to the regulator, where one is required: within ``regulator_hours`` of the report (72 hours).

Each is listed from the day it is owed until it is done; past its date it is overdue.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass

from ..model.settings import Deadlines
from ..register.kinds import DISCLOSURE, INCIDENT


@dataclass(frozen=True)
class Owed:
    record_id: str
    kind: str  # disclosure | incident
    what: str
    since: dt.date
    due: dt.date

    def overdue(self, as_of: dt.date) -> bool:
        return as_of > self.due

    def days(self, as_of: dt.date) -> int:
        """Days overdue (positive) or left (negative or zero)."""
        return (as_of - self.due).days

    def as_dict(self, as_of: dt.date) -> dict:
        data = asdict(self)
        data |= {"since": self.since.isoformat(), "due": self.due.isoformat(), "overdue": self.overdue(as_of)}
        return data


def _after(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, the last representable day if that is beyond it (a record dated 9999-12-31)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max


def owed(register, as_of: dt.date | None = None) -> list[Owed]:
    """Everything still owed on disclosures and incidents, most overdue first."""
    as_of = as_of or dt.date.today()
    limits = register.settings.deadlines if register.settings else Deadlines()
    out: list[Owed] = []
    disclosures = register.section(DISCLOSURE)
    wanted = [i for i, e in disclosures.index.items() if e["status"] == "outstanding"]
    for disclosure in disclosures.records.many(wanted):
        out.append(Owed(disclosure.id, "disclosure",
                        f"criteria and rationale of an urgent disclosure to {disclosure.requester.organisation} "
                        f"(missing: {', '.join(disclosure.outstanding_items)})",
                        disclosure.date, _after(disclosure.date, limits.urgent_rationale_days)))
    incidents = register.section(INCIDENT)
    wanted = [i for i, e in incidents.index.items() if e["status"] == "open" or e.get("regulator_owed")]
    for incident in incidents.records.many(wanted):
        if incident.type == "breach" and incident.meeting is None and incident.open:
            out.append(Owed(incident.id, "incident", "meeting of the parties about the breach", incident.reported,
                            _after(incident.reported, limits.breach_meeting_days)))
        if incident.regulator is not None and incident.regulator.required and incident.regulator.notified is None:
            out.append(Owed(incident.id, "incident", "report to the data protection regulator", incident.reported,
                            _after(incident.reported, math.ceil(limits.regulator_hours / 24))))
    return sorted((o for o in out if o.since <= as_of), key=lambda o: (o.due, o.record_id))
