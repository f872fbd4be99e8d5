"""A checklist definition (``workflows/checklists/``) and how its answers add up.

Each item has an id, a bilingual question and guidance, an answer type and how
it counts:

- ``blocking``: answering "no" means do not proceed;
- ``condition``: answering "no" means proceed only with the item's condition;
- ``trigger``: answering "yes" triggers the checklist's consequence (a DPIA is
  required; something must be removed before sharing);
- ``informational``: recorded, counts for nothing.

A checklist's ``scoring`` says what the answers add up to: ``risk`` (proceed /
proceed with conditions / do not proceed), ``dpia`` (required or not, and
why), ``anonymisation`` (what to remove). An item may be ``prefilled`` from the
record (``special_category``, ``criminal_offence``): the record's own data
items answer it, and an officer cannot answer it otherwise.

The definition lives with the model, like the sign-off chain and the
classification table, because the register checks stored records against it:
a disclosure's or request's recorded outcome must be what its answers give.
Answering a checklist is a workflow step (:mod:`isa_toolkit.workflows.checklist`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, model_validator

from .agreement import Flag, Frozen
from .localized import Localized

QUESTION_ID = r"^[a-z][a-z0-9_]*$"  # the id of a question, a checklist item or a workflow definition


Prefill = Literal["special_category", "criminal_offence", "personal_data", "urgent", "in_writing", "format_stated",
                  "purpose_stated", "destruction_date_given"]


class Item(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    question: Localized
    guidance: Localized | None = None
    type: Literal["yes_no", "text"] = "yes_no"
    counts: Literal["blocking", "condition", "trigger", "informational"]
    required: Flag = True
    not_applicable: Flag = False  # "n/a" is an allowed answer
    condition: Localized | None = None  # for `condition`: what must be true to proceed
    remove: Localized | None = None  # for an anonymisation `trigger`: what to take out
    prefill: Prefill | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Item:
        if self.counts == "condition" and self.condition is None:
            raise ValueError(f"item {self.id!r} counts as a condition but states no condition")
        if self.type == "text" and self.counts not in ("informational",) and self.id != "justification":
            raise ValueError(f"item {self.id!r}: a text answer can only be informational")
        return self


class Checklist(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    title: Localized
    description: Localized | None = None
    applies_to: list[Literal["isa", "protocol", "disclosure", "request"]] = Field(min_length=1)
    scoring: Literal["risk", "dpia", "anonymisation"]
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Checklist:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"item id {duplicate!r} is used twice")
        if self.scoring == "dpia" and not any(i.counts == "trigger" for i in self.items):
            raise ValueError("a DPIA screening needs at least one trigger item")
        return self

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)


@dataclass
class Result:
    """What the answers add up to."""

    outcome: str  # proceed | proceed_with_conditions | do_not_proceed | dpia_required | dpia_not_required | anonymise | share_as_is
    reasons: list[str] = field(default_factory=list)  # item ids that decided it
    conditions: list[Localized] = field(default_factory=list)
    remove: list[Localized] = field(default_factory=list)

NA = "n/a"


def evaluate(checklist: Checklist, answers: dict[str, Any]) -> Result:
    """Add the answers up by the checklist's scoring; a blocking "no" can never give "proceed"."""
    if checklist.scoring == "risk":
        blocked = [i.id for i in checklist.items if i.counts == "blocking" and answers.get(i.id) is False]
        if blocked:
            return Result("do_not_proceed", blocked)
        unmet = [i for i in checklist.items if i.counts == "condition" and answers.get(i.id) is False]
        if unmet:
            return Result("proceed_with_conditions", [i.id for i in unmet], [i.condition for i in unmet])
        return Result("proceed")
    triggered = [i for i in checklist.items if i.counts == "trigger" and answers.get(i.id) is True]
    if checklist.scoring == "dpia":
        justification = answers.get("justification")
        if triggered and not (isinstance(justification, str) and justification.strip()):
            return Result("dpia_required", [i.id for i in triggered])
        return Result("dpia_not_required", [i.id for i in triggered])
    if triggered:
        return Result("anonymise", [i.id for i in triggered], remove=[i.remove for i in triggered if i.remove])
    return Result("share_as_is")
