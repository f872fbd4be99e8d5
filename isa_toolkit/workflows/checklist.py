"""Answering a checklist: the facts a record answers itself, checking answers, reading them from a file.

What a checklist is and how its answers add up is :mod:`isa_toolkit.model.checklist`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InvalidRecord
from ..model import Agreement, Localized
from ..model.checklist import NA, Checklist, Item
from ..register import yamlio
from ..register.problem import Problem
from .intake import AnswerError, answer_language, check_text, rationale_from, read_answers, to_bool

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


# -- checking answers -------------------------------------------------------------------

META_KEYS = ("checklist", "language", "rationale")


def convert_answer(item: Item, value: Any) -> Any:
    """One checklist answer as its type: True / False / "n/a" for yes-no items, text otherwise."""
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
    raw, text, rel = read_answers(path)
    lang = answer_language(register, lang, raw)
    answers, problems = check_checklist_answers(checklist, raw, facts, rel=rel, text=text)
    if problems:
        raise InvalidRecord(f"{len(problems)} problem(s) in {rel}; nothing was written", problems)
    return answers, rationale_from(raw.get("rationale"), lang), lang
