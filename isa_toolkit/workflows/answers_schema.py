"""JSON Schema of an answers file, made from its questionnaire or checklist definition.

An answers file (``isa new --answers FILE``, ``isa disclose new --answers``,
``isa assess --answers``...) is not a record: it holds the answers to one
questionnaire by question id, with the checklist worked through under
``criteria:`` and a ``rationale:`` where the step reads them, as
:mod:`.template` writes a blank one. The schema says what
:mod:`.intake` and :mod:`.checklist` accept: text as written (a number
where text is asked is kept as the file writes it), per-language text where a
question is ``localized``, a choice's values, yes/no as true/false or one of
the questionnaire's words (yes, no, oui, non...), a date ``YYYY-MM-DD``, a
whole number, a list as a YAML list or one line separated by ``;``, a group's
items (one item alone, or a legal ground as its citation, where the question
allows). What depends on other answers (``show_if``, a guessed kind of legal
ground) is left to the toolkit: those questions are never required here.
"""

from __future__ import annotations

from typing import Any

from ..model.agreement import EMAIL_PATTERN
from ..model.checklist import NA, Checklist, Item
from ..model.localized import LANGUAGE_PATTERN, TEXT_PATTERN, Localized
from .intake import NO, YES
from .questionnaire import TEXT_TYPES, Question, Questionnaire

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://isa-toolkit.example/schema/answers"
VERSION = 1
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NA_WORDS = (NA, "na", "not applicable", "sans objet")  # as workflows/checklist.py reads them


def _any_case(words) -> str:
    """A pattern for any of ``words`` in any case, with spaces around (as the toolkit compares them)."""

    def letter(c: str) -> str:
        if c.isalpha():
            return f"[{c.lower()}{c.upper()}]"
        return "\\s" if c == " " else f"\\{c}" if c in "./" else c

    def one(word: str) -> str:
        return "".join(letter(c) for c in word)

    return r"^\s*(" + "|".join(one(word) for word in sorted(words, key=lambda w: (-len(w), w))) + r")\s*$"


TEXT: dict[str, Any] = {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "number"}]}
PER_LANGUAGE: dict[str, Any] = {
    "type": "object", "minProperties": 1, "propertyNames": {"pattern": LANGUAGE_PATTERN},
    "additionalProperties": {"type": "string", "pattern": TEXT_PATTERN},
}
YES_NO: dict[str, Any] = {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": _any_case(YES | NO)}]}


def _described(schema: dict[str, Any], prompt: Localized, help_text: Localized | None) -> dict[str, Any]:
    title = prompt.get("en") or str(prompt)
    notes = (help_text.get("en") or str(help_text)) if help_text is not None else None
    return {"title": title, **({"description": notes} if notes else {}), **schema}


def _text(question: Question) -> dict[str, Any]:
    text = TEXT
    if question.max_length:
        text = {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN, "maxLength": question.max_length},
                          {"type": "number"}]}
    if question.localized:
        return {"anyOf": [*text["anyOf"], PER_LANGUAGE]}
    return text


def question_schema(question: Question) -> dict[str, Any]:
    """What one answer may be."""
    kind = question.type
    if kind in TEXT_TYPES:
        schema = _text(question)
    elif kind == "choice":
        schema = _choice(question)
    elif kind == "multi":
        one = _choice(question)
        schema = {"anyOf": [one, {"type": "array", "items": one, "uniqueItems": True}]}
    elif kind == "yes_no":
        schema = YES_NO
    elif kind == "date":
        schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    elif kind == "email":
        schema = {"type": "string", "pattern": EMAIL_PATTERN}
    elif kind == "number":
        number: dict[str, Any] = {"type": "integer", "minimum": question.minimum if question.minimum is not None else 0}
        if question.maximum is not None:
            number["maximum"] = question.maximum
        schema = {"anyOf": [number, {"type": "string", "pattern": r"^\s*-?[0-9]+\s*$"}]}
    elif kind == "list":
        schema = {"anyOf": [{"type": "string", "pattern": TEXT_PATTERN}, {"type": "array", "items": TEXT}]}
    else:  # a group: a list of items, each a mapping of its questions (one item alone, or as its citation)
        item = _mapping(question.questions)
        forms = [item, {"type": "string", "pattern": TEXT_PATTERN}] if question.plain else [item]
        items: dict[str, Any] = {"type": "array", "items": {"anyOf": forms} if len(forms) > 1 else item}
        if question.min:
            items["minItems"] = question.min
        if question.max is not None:
            items["maxItems"] = question.max
        schema = {"anyOf": [items, *forms]}
    if not _required(question):  # left blank (key:), it is not answered
        schema = {"anyOf": [*(schema["anyOf"] if set(schema) == {"anyOf"} else [schema]), {"type": "null"}]}
    return _described(schema, question.prompt, question.help)


def _choice(question: Question) -> dict[str, Any]:
    """One of the choices' values; a word in another case (Systematic) is the same choice to the toolkit."""
    values = [choice.value for choice in question.choices]
    words = [value for value in values if isinstance(value, str)]
    if not words:
        return {"enum": values}
    return {"anyOf": [{"enum": values}, {"type": "string", "pattern": _any_case(words)}]}


def _required(question: Question) -> bool:
    """Asked whatever the other answers say, with no default to fall back on."""
    if question.show_if is not None or question.default is not None or question.guess is not None:
        return False
    return question.required or (question.type == "group" and question.min > 0)


def _mapping(questions: list[Question], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**{question.id: question_schema(question) for question in questions}, **(extra or {})},
        "required": [question.id for question in questions if _required(question)],
        "additionalProperties": False,
    }


def _item_schema(item: Item) -> dict[str, Any]:
    if item.type == "text":
        schema: dict[str, Any] = {"type": "string", "pattern": TEXT_PATTERN}
    elif item.not_applicable:
        schema = {"anyOf": [*YES_NO["anyOf"], {"type": "string", "pattern": _any_case(NA_WORDS)}]}
    else:
        schema = YES_NO
    if not (item.required and item.type == "yes_no" and item.prefill is None):
        schema = {"anyOf": [*(schema["anyOf"] if set(schema) == {"anyOf"} else [schema]), {"type": "null"}]}
    return _described(schema, item.question, item.guidance)


def _items(checklist: Checklist, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**{item.id: _item_schema(item) for item in checklist.items}, **(extra or {})},
        # An item the record answers itself (prefill) may be left out; a yes/no item otherwise is answered.
        "required": [item.id for item in checklist.items
                     if item.required and item.type == "yes_no" and item.prefill is None],
        "additionalProperties": False,
    }


RATIONALE: dict[str, Any] = {
    "title": "Why you reached this result, in your own words",
    "anyOf": [{"type": "string", "pattern": TEXT_PATTERN, "minLength": 1},
              {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string", "minLength": 1}},
              {"type": "null"}],
}
LANGUAGE: dict[str, Any] = {"title": "The language of the answers (default: the register's first)",
                            "type": "string", "pattern": LANGUAGE_PATTERN}


def questionnaire_schema(questionnaire: Questionnaire, *, checklist: Checklist | None = None,
                         rationale: bool = False) -> dict[str, Any]:
    """The schema of an answers file for ``questionnaire``; with ``checklist``, its items under ``criteria:``, and
    with ``rationale`` a ``rationale:`` (as a disclosure's answers hold them)."""
    meta: dict[str, Any] = {
        "questionnaire": {"title": "The questionnaire these answers are for", "const": questionnaire.id},
        "language": LANGUAGE,
        "unfinished": {"title": "A group still being given when the answers were saved", "type": "string"},
    }
    if checklist is not None:
        meta["criteria"] = {"title": f"The {checklist.title.get('en') or checklist.title} checklist, worked through",
                            "anyOf": [_items(checklist), {"type": "null"}]}
    if rationale:
        meta["rationale"] = RATIONALE
    schema = _mapping(questionnaire.questions, meta)
    return _document(f"{questionnaire.id}", f"Answers to the {questionnaire.title.get('en') or questionnaire.title} "
                                            "questionnaire", questionnaire.description, schema)


def checklist_schema(checklist: Checklist) -> dict[str, Any]:
    """The schema of an answers file for ``checklist`` alone (``isa assess ID --answers FILE``)."""
    meta: dict[str, Any] = {
        "checklist": {"title": "The checklist these answers are for", "const": checklist.id},
        "language": LANGUAGE,
        "rationale": RATIONALE,
    }
    return _document(f"checklist-{checklist.id}", f"Answers to the {checklist.title.get('en') or checklist.title} "
                                                  "checklist", checklist.description, _items(checklist, meta))


def _document(name: str, title: str, description: Localized | None, body: dict[str, Any]) -> dict[str, Any]:
    text = " ".join((description.get("en") or str(description)).split()) if description is not None else title
    return {"$schema": DRAFT, "$id": f"{BASE_URI}/{name}/{VERSION}", "title": title, "description": text, **body}
