"""Third-party requests for information (``requests/<ID>.yaml``, seed 001 annex C).

A request from someone outside the agreement (a donor, an authority, a
researcher) is logged whatever the answer, checked against the criteria, and
then granted, with the safeguards the answer travels under, or refused.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .agreement import Day, Flag, Frozen, Level, Line, Text
from .common import CaseRecord, Criteria, Requester
from .localized import Localized

Anonymisation = Literal["none", "pseudonymised", "anonymised", "aggregated"]


class Safeguards(Frozen):
    """How a granted request is answered: the channel allowed for its sensitivity, what was removed, what may follow."""

    sensitivity: Level
    channel: Localized  # one of the dissemination methods classification.yaml allows for that level
    anonymisation: Anonymisation
    onward_sharing: Localized  # who else may see it, whether it may be published


class RequestDecision(Frozen):
    decision: Literal["grant", "refuse"]
    date: Day
    by: Line
    reason: Localized | None = None
    safeguards: Safeguards | None = None
    conditions_met: list[str] = []  # criteria conditions the decider confirms were put right before the grant

    @model_validator(mode="after")
    def _grant_has_safeguards(self) -> RequestDecision:
        if self.decision == "grant" and self.safeguards is None:
            raise ValueError("a granted request needs its safeguards (channel, anonymisation, onward sharing)")
        if self.decision == "refuse" and self.reason is None:
            raise ValueError("a refusal needs its reason")
        return self


class Request(CaseRecord):
    id: str
    kind: Literal["request"] = "request"
    languages: list[str] = Field(default=["en"], min_length=1)
    received: Day
    requester: Requester
    in_writing: Flag
    data_requested: Localized
    format: Text | None = None
    purpose: Localized | None = None  # a request without a purpose is logged, and refused
    destruction_date: Day | None = None  # when the requester will destroy what it receives
    criteria: Criteria | None = None
    decision: RequestDecision | None = None

    recorded_by: Line
    recorded: Day

    @model_validator(mode="after")
    def _dates(self) -> Request:
        if self.received > self.recorded:
            raise ValueError(f"received {self.received} is after recorded {self.recorded}")
        if self.decision is not None and self.decision.date < self.received:
            raise ValueError(f"decision.date {self.decision.date} is before the request was received ({self.received})")
        if self.destruction_date is not None and self.destruction_date < self.received:
            raise ValueError(f"destruction_date {self.destruction_date} is before the request was received")
        return self

    @property
    def state(self) -> str:
        if self.decision is None:
            return "open"
        return "granted" if self.decision.decision == "grant" else "refused"


# Conditions the grant's own safeguards meet (channel, anonymisation, onward limits).
SAFEGUARD_ITEMS = ("secure_channel", "anonymised_prepared", "onward_restrictions")
