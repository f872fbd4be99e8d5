"""One-off disclosures (``disclosures/<ID>.yaml``): personal data shared once, outside any agreement.

Each decision, to disclose or to refuse, is recorded with the criteria worked
through (seed 004 §3.5-3.8). An urgent disclosure, made at once to preserve
life, is recorded when it is made and its criteria and rationale afterwards;
until then it is *outstanding*.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import Field, model_validator

from .agreement import Day, Flag, Frozen, Level, Line, Text, Waiver
from .common import CaseRecord, Criteria, Requester
from .localized import Localized


class Approval(Frozen):
    """The manager who supported the disclosure, where policy asks for one of a given rank."""

    name: Line
    rank: Line
    date: Day | None = None


class Disclosure(CaseRecord):
    id: str
    kind: Literal["disclosure"] = "disclosure"
    languages: list[str] = Field(default=["en"], min_length=1)
    date: Day  # when the data was disclosed (or the request refused)
    urgent: Flag = False  # disclosed at once to preserve life; the record is completed afterwards
    requester: Requester
    identity_check: Text | None = None  # how the requester's identity was verified
    subject: Text | None = None  # whom or what the data is about: a reference, not the whole story
    data: Localized  # what was disclosed (or asked for, when refused)
    purpose: Localized
    legal_gateway: Text | None = None  # the law that permits it and the data protection condition relied on
    approval: Approval | None = None
    decision: Literal["disclose", "refuse"]
    rationale: Localized | None = None  # why, weighing necessity and proportionality
    sensitivity: Level | None = None
    transfer_method: Text | None = None
    retention: Localized | None = None  # how long the recipient may keep it
    security: Localized | None = None  # conditions beyond the standard security statement
    criteria: Criteria | None = None  # the one-off disclosure checklist as answered
    agreements_considered: list[str] = []  # agreements in force found covering the recipient and purpose
    completed: Day | None = None  # an urgent disclosure's record was completed on this day

    recorded_by: Line
    recorded: Day
    waivers: list[Waiver] = []  # warnings of isa validate set aside on purpose, each with its reason

    @model_validator(mode="after")
    def _complete_unless_urgent(self) -> Disclosure:
        if not self.urgent:
            missing = [name for name in ("criteria", "rationale") if getattr(self, name) is None]
            if missing:
                raise ValueError(f"{' and '.join(missing)} missing: only an urgent disclosure (urgent: true) may "
                                 "record them afterwards")
            if self.completed is not None:
                raise ValueError("completed is for urgent disclosures, whose record is finished afterwards")
            if self.decision == "disclose" and self.criteria.outcome == "do_not_proceed":
                raise ValueError(f"decision is disclose, but the criteria say do not proceed "
                                 f"(not met: {', '.join(self.criteria.reasons)}); record the refusal instead")
        elif self.decision != "disclose":
            raise ValueError("urgent is for a disclosure made at once to preserve life; a refusal is not urgent")
        elif self.completed is not None and self.outstanding_items:
            raise ValueError(f"completed is set, but {' and '.join(self.outstanding_items)} still missing")
        approved = self.criteria is not None and self.criteria.answers.get("approved_at_rank") is True
        if approved and self.decision == "disclose" and self.approval is None:
            raise ValueError("approval missing: the criteria say the disclosure was approved at the rank your policy "
                             "requires (approved_at_rank: yes), so record who approved it and their rank (in the "
                             "answers: approver and approver_rank; when completing an urgent disclosure: "
                             "--approver and --approver-rank, or those keys in the file)")
        if self.date > self.recorded:
            raise ValueError(f"date {self.date} is after recorded {self.recorded}: a disclosure is recorded when or "
                             "after it is made")
        if self.completed is not None and self.completed < self.date:
            raise ValueError(f"completed {self.completed} is before the disclosure date {self.date}")
        return self

    @property
    def outstanding_items(self) -> list[str]:
        return [name for name in ("criteria", "rationale") if getattr(self, name) is None]

    @property
    def outstanding(self) -> bool:
        """An urgent disclosure whose criteria or rationale have not been recorded yet."""
        return self.urgent and bool(self.outstanding_items)

    @property
    def state(self) -> str:
        return "outstanding" if self.outstanding else ("disclosed" if self.decision == "disclose" else "refused")

    @property
    def fingerprint(self) -> str:
        """A short hash of the whole record as written (fields at their default, and waivers of warnings, left out),
        shown on its documents."""
        content = self.model_dump(mode="json", exclude_defaults=True, exclude={"waivers"})
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
