"""Checklists as data (``workflows/checklists/``) and how their answers add up.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from .model import Agreement, Localized
from .model.agreement import Frozen
from .questionnaire import QUESTION_ID, definition_path, load_definition

FOLDER = "checklists"
Prefill = Literal["special_category", "criminal_offence", "personal_data", "urgent", "in_writing", "format_stated",
                  "purpose_stated", "destruction_date_given"]


class Item(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    question: Localized
    guidance: Localized | None = None
    type: Literal["yes_no", "text"] = "yes_no"
    counts: Literal["blocking", "condition", "trigger", "informational"]
    required: bool = True
    not_applicable: bool = False  # "n/a" is an allowed answer
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


def load_checklist(name: str, register_root: Path | None = None) -> Checklist:
    path, rel = definition_path(FOLDER, name, register_root)
    return load_definition(path, rel, Checklist)


# -- facts the record answers itself --------------------------------------------------


def record_facts(agreement: Agreement | None) -> dict[str, bool]:
    if agreement is None:
        return {}
    items = agreement.data_items
    return {
        "special_category": any(i.special_category for i in items),
        "criminal_offence": any(i.criminal_offence for i in items),
        "personal_data": any(i.personal for i in items),
    }


def case_facts(kind: str, data: dict) -> dict[str, bool]:
    """What a disclosure's or a request's own fields answer (``data`` as written to the record)."""
    if kind == "disclosure":
        return {"urgent": bool(data.get("urgent"))}
    if kind == "request":
        return {
            "in_writing": bool(data.get("in_writing")),
            "format_stated": bool(data.get("format")),
            "purpose_stated": bool(data.get("purpose")),
            "destruction_date_given": bool(data.get("destruction_date")),
        }
    return {}


def prefill(checklist: Checklist, facts: dict[str, bool]) -> dict[str, Any]:
    return {item.id: facts[item.prefill] for item in checklist.items if item.prefill and item.prefill in facts}


# -- the result ------------------------------------------------------------------------


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


# -- checking answers -------------------------------------------------------------------

META_KEYS = ("checklist", "language", "rationale")


def convert_answer(item: Item, value: Any) -> Any:
    """One checklist answer as its type: True / False / "n/a" for yes-no items, text otherwise."""
    from .intake import AnswerError, check_text, to_bool

    if item.type == "text":
        if not isinstance(value, str):
            raise AnswerError("expected text")
        return check_text(value)
    if isinstance(value, str) and value.strip().casefold() in (NA, "na", "not applicable", "sans objet"):
        if not item.not_applicable:
            raise AnswerError("'n/a' is not an allowed answer to this item; answer yes or no")
        return NA
    return to_bool(value)


def check_checklist_answers(checklist: Checklist, raw: dict, facts: dict[str, bool], *, rel: str = "answers",
                            text: str | None = None, prefix: tuple = ()) -> tuple[dict[str, Any], list]:
    """Every answer checked, prefilled items taken from the record; all problems at once.

    ``prefix`` is where the answers sit in the file (``("criteria",)`` when
    they are part of a disclosure's answers file).
    """
    from . import yamlio
    from .intake import AnswerError
    from .problem import Problem

    answers: dict[str, Any] = {}
    problems = []

    def problem(key: str, message: str) -> None:
        where = ".".join((*prefix, key))
        problems.append(Problem(rel, yamlio.locate(text, (*prefix, key)) if text else 0, where, message))

    known = {item.id for item in checklist.items}
    for key in raw:
        if key not in known and (prefix or key not in META_KEYS):
            problem(key, f"no such item in the {checklist.id} checklist (check the spelling)")
    for item in checklist.items:
        value = raw.get(item.id)
        if item.prefill and item.prefill in facts:
            fact = facts[item.prefill]
            if value is not None:
                try:
                    given = convert_answer(item, value)
                except AnswerError:
                    given = value
                if given != fact:
                    problem(item.id, f"answered by the record's data items ({item.prefill}: {'yes' if fact else 'no'}); "
                                     "change the data items, not this answer")
            answers[item.id] = fact
            continue
        if value is None or value == "":
            if item.required and item.type == "yes_no":
                problem(item.id, f"required: {item.question.get('en') or item.question}")
            continue
        try:
            answers[item.id] = convert_answer(item, value)
        except AnswerError as exc:
            problem(item.id, str(exc))
    return answers, problems


def answers_from_file(register, checklist: Checklist, facts: dict[str, bool], path: Path,
                      lang: str | None = None) -> tuple[dict[str, Any], Localized | None, str]:
    """Checked answers from a file, the rationale it gives (if any, as text or per language) and the language.

    Every problem in the answers is raised at once.
    """
    from .errors import InvalidRecord
    from .intake import answer_language, rationale_from, read_answers

    raw, text, rel = read_answers(path)
    lang = answer_language(register, lang, raw)
    answers, problems = check_checklist_answers(checklist, raw, facts, rel=rel, text=text)
    if problems:
        raise InvalidRecord(f"{len(problems)} problem(s) in {rel}; nothing was written", problems)
    return answers, rationale_from(raw.get("rationale"), lang), lang
