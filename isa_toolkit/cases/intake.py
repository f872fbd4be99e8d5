"""Intake for the register's case records: disclosures, requests and incidents.

The same questionnaire engine as a new agreement (:mod:`isa_toolkit.workflows.intake`)
turns answers into the record; what a kind adds (the criteria worked
through, a rationale, agreements it suspends) comes in as extra fields. One
answers file holds everything: the questionnaire's answers by question id,
and the later steps' keys (``criteria:``, ``rationale:``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRecord, IsaError
from ..model.checklist import Checklist, evaluate
from ..model.common import Criteria
from ..register.kinds import Kind
from ..register.problem import Problem
from ..register.read import problems_from_validation
from ..register.store import create_record
from ..workflows import intake
from ..workflows.checklist import case_facts, check_checklist_answers
from ..workflows.questionnaire import Questionnaire


@dataclass
class Answers:
    """A questionnaire's checked answers, their language, and the file's other keys as written."""

    values: dict
    lang: str
    raw: dict
    text: str | None
    rel: str


def read_answers(register, questionnaire: Questionnaire, path: Path, lang: str | None,
                 extra_keys: tuple[str, ...]) -> Answers:
    """Check an answers file against the questionnaire; the extra keys are left for the caller to check."""
    raw, text, rel = intake.read_answers(path)
    lang = intake.answer_language(register, lang, raw)
    checked = intake.check_answers(questionnaire, raw, lang, rel=rel, text=text, extra_keys=extra_keys)
    if checked.problems:
        raise InvalidRecord(f"{len(checked.problems)} problem(s) in {rel}; nothing was written", checked.problems)
    return Answers(checked.values, lang, raw, text, rel)


def draft_data(register, questionnaire: Questionnaire, values: dict, lang: str, *, record_id: str, by: str,
               today: dt.date) -> dict:
    """The record's data from the answers (before the kind's own additions)."""
    draft = intake.build_draft(questionnaire, values, lang, record_id=record_id, settings=register.settings,
                               author=by, today=today)
    return draft.data


def validated(kind: Kind, data: dict, rel: str):
    """The record, or every problem at once naming the field."""
    try:
        return kind.model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, rel, None, str(data.get("id", "")))
        raise InvalidRecord(f"the answers do not make a valid {kind.title} ({len(problems)} problem(s)); "
                            "nothing was written", problems) from None


def criteria_from(checklist: Checklist, kind: Kind, data: dict, raw: Any, *, by: str, date: dt.date,
                  rel: str = "answers", text: str | None = None, prefix: tuple = ("criteria",)) -> tuple[Criteria, list]:
    """The checklist answered by ``raw`` (item id -> answer), with what the record's own fields settle."""
    if not isinstance(raw, dict):
        return None, [Problem(rel, 0, ".".join(prefix), "expected the checklist's answers: item id -> yes / no / n/a")]
    facts = case_facts(kind.name, data)
    answers, problems = check_checklist_answers(checklist, raw, facts, rel=rel, text=text, prefix=prefix)
    if problems:
        return None, problems
    return make_criteria(checklist, answers, by=by, date=date), []


def make_criteria(checklist: Checklist, answers: dict, *, by: str, date: dt.date) -> Criteria:
    result = evaluate(checklist, answers)
    return Criteria(checklist=checklist.id, answers=answers, outcome=result.outcome, reasons=result.reasons,
                    conditions=result.conditions, by=by, date=date)


def create(register, kind: Kind, questionnaire: Questionnaire, values: dict, lang: str, *, by: str,
           today: dt.date, extra: Callable[[dict], dict] | None = None, also: Callable[[Any], tuple[Any, list]] | None = None,
           change: str | Callable[[Any], str], rel: str = "answers") -> Any:
    """Write the new record under the next free id, with ``also``'s records in the same commit."""
    if register.settings is None:
        raise IsaError("register.yaml has errors, so nothing can be written; run `isa validate` and fix them first")

    def build(record_id: str):
        data = draft_data(register, questionnaire, values, lang, record_id=record_id, by=by, today=today)
        if extra is not None:
            data |= extra(data)
        return validated(kind, data, rel)

    return create_record(register.root, kind, build, prefix=kind.prefix(register.settings), year=today.year,
                         change=change, by=by, also=also)
