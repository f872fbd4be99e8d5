"""Data incidents and protocol breaches (``incidents/<ID>.yaml``; seeds 000, 001, 002).

A *data incident* is an event in handling data that caused, or could cause,
harm (loss, wrong recipient, unauthorised access). A *breach* is a breach of
an agreement or protocol by a party: sharing under the agreements it affects
is suspended until the parties agree a resolution. Both are tracked against
deadlines set in ``register.yaml`` (``deadlines:``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .agreement import Count, Day, Flag, Frozen, Line, Text, Waiver
from .common import CaseRecord
from .localized import Localized

Severity = Literal["low", "medium", "high", "critical"]


class RegulatorNotice(Frozen):
    """Whether the breach must be reported to the data protection regulator, and when it was."""

    required: Flag
    notified: Day | None = None
    reference: Text | None = None


class Meeting(Frozen):
    """The meeting of the parties called to discuss a breach and agree its resolution."""

    date: Day
    attendees: list[Line] = []
    notes: Localized | None = None


class Resolution(Frozen):
    date: Day
    agreed: Localized  # what the parties agreed
    agreed_by: list[Line] = Field(min_length=1)  # the parties (or members) who agreed it
    by: Line  # who recorded it


class Incident(CaseRecord):
    id: str
    kind: Literal["incident"] = "incident"
    languages: list[str] = Field(default=["en"], min_length=1)
    type: Literal["breach", "incident"]
    summary: Localized  # the nature of what happened
    severity: Severity
    occurred: Day | None = None
    reported: Day
    reported_by: Line
    self_reported: Flag  # reported by those responsible, or identified by someone else
    organisations: list[Line] = []  # the organisations involved
    agreements: list[str] = []  # the agreements affected
    data_involved: Localized | None = None  # what was disclosed, lost or exposed
    people_affected: Count | None = Field(default=None, ge=0)
    regulator: RegulatorNotice | None = None
    meeting: Meeting | None = None
    actions: list[Localized] = []
    suspended: list[str] = []  # agreements this breach suspended (or another breach had); restored when it is resolved
    held: list[str] = []  # agreements already suspended by hand when it was recorded: kept so while it is open, not lifted

    resolution: Resolution | None = None

    recorded_by: Line
    recorded: Day
    waivers: list[Waiver] = []  # warnings of isa validate set aside on purpose, each with its reason

    @model_validator(mode="after")
    def _consistent(self) -> Incident:
        if self.occurred and self.occurred > self.reported:
            raise ValueError(f"occurred {self.occurred} is after reported {self.reported}")
        if self.reported > self.recorded:
            raise ValueError(f"reported {self.reported} is after recorded {self.recorded}")
        for name, listed in (("suspended", self.suspended), ("held", self.held)):
            outside = [i for i in listed if i not in self.agreements]
            if outside:
                raise ValueError(f"{name} lists {', '.join(outside)}, which agreements (those affected) does not")
            if listed and self.type != "breach":
                raise ValueError("only a breach suspends agreements")
            if len(set(listed)) != len(listed):
                raise ValueError(f"an agreement is listed twice in {name}")
        both = [i for i in self.held if i in self.suspended]
        if both:
            raise ValueError(f"{', '.join(both)} is in both suspended and held")
        for name, day in (("meeting.date", self.meeting and self.meeting.date),
                          ("resolution.date", self.resolution and self.resolution.date),
                          ("regulator.notified", self.regulator and self.regulator.notified)):
            if day and day < self.reported:
                raise ValueError(f"{name} {day} is before the incident was reported ({self.reported})")
        if len(set(self.agreements)) != len(self.agreements):
            raise ValueError("an agreement is listed twice in agreements")
        if self.type == "breach" and not self.agreements:
            raise ValueError("a breach is a breach of an agreement or protocol: name it in agreements")
        if self.regulator and not self.regulator.required and self.regulator.notified:
            raise ValueError("regulator.notified is set, but regulator.required is false")
        if self.resolution and self.resolution.date < self.recorded:
            raise ValueError(f"resolution.date {self.resolution.date} is before the incident was recorded "
                             f"({self.recorded})")
        return self

    @property
    def open(self) -> bool:
        return self.resolution is None

    def holds(self, agreement_id: str) -> bool:
        """An open breach keeps this agreement suspended (whether it suspended it or found it so)."""
        return self.open and (agreement_id in self.suspended or agreement_id in self.held)

    @property
    def state(self) -> str:
        return "open" if self.open else "resolved"
