"""Questionnaire definitions: the intake questions, as data in ``workflows/questionnaires/``.

A questionnaire is a list of questions. Each has an id, a type, a prompt and
help text in English and French, whether it is required, an optional
``show_if`` condition on an earlier answer, and a ``target``: the dotted path
in the record where the answer lands (``retention.period``,
``designated_officer.email``). A ``group`` question repeats its own questions
(one party, one data item), each group item landing in a list.

A register overrides a shipped questionnaire, or adds one, by putting a file
of the same name in its own ``workflows/questionnaires/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from ..model.agreement import Flag, Frozen
from ..model.checklist import QUESTION_ID
from ..model.localized import Localized
from ..register.definitions import definition_path, load_definition

TARGET_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
FOLDER = "questionnaires"

QuestionType = Literal["text", "long_text", "choice", "multi", "yes_no", "date", "email", "number", "list", "group"]
TEXT_TYPES = ("text", "long_text")


class Choice(Frozen):
    value: str | int | bool
    label: Localized


class ShowIf(Frozen):
    """Ask the question only when an earlier answer ``equals`` a value, is ``in`` a list, or is ``answered``."""

    question: str = Field(pattern=QUESTION_ID)
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    answered: Flag | None = None

    model_config = Frozen.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _one_test(self) -> ShowIf:
        tests = [self.equals is not None, self.in_ is not None, self.answered is not None]
        if sum(tests) != 1:
            raise ValueError("show_if needs exactly one of equals, in or answered")
        return self

    def holds(self, answers: dict[str, Any]) -> bool:
        value = answers.get(self.question)
        if self.answered is not None:
            return (value not in (None, "", [])) == self.answered
        if self.in_ is not None:
            return value in self.in_ or (isinstance(value, list) and any(v in self.in_ for v in value))
        return value == self.equals or (isinstance(value, list) and self.equals in value)


class Question(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    type: QuestionType
    prompt: Localized
    help: Localized | None = None
    required: Flag = False
    target: str | None = None
    localized: Flag = False  # the answer is per-language text ({en: ...}) in the record
    choices: list[Choice] = []
    default: Any = None
    show_if: ShowIf | None = None
    questions: list[Question] = []  # for a group: the questions asked for each item
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1)
    minimum: int | None = None  # for a number
    maximum: int | None = None
    # For a group: an item written as plain text answers this sub-question (a legal ground given as its citation).
    plain: str | None = Field(default=None, pattern=QUESTION_ID)
    # For a choice left unanswered: work the answer out from another answer (``citation``: the kind of legal ground
    # from the citation written in ``reference``), and ask for it only when that cannot be told.
    guess: Literal["citation"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in ("choice", "multi") and not self.choices:
            raise ValueError(f"question {self.id!r} is a {self.type} but lists no choices")
        if self.type == "group":
            if not self.questions:
                raise ValueError(f"group {self.id!r} has no questions")
            _unique_ids(self.questions, f"group {self.id!r}")
            if self.plain is not None and self.plain not in {q.id for q in self.questions}:
                raise ValueError(f"group {self.id!r}: plain names {self.plain!r}, which is not one of its questions")
        elif self.questions:
            raise ValueError(f"question {self.id!r} has sub-questions but is not a group")
        if self.target is not None and not TARGET_RE.fullmatch(self.target):
            raise ValueError(f"question {self.id!r}: target {self.target!r} must be a dotted field path such as retention.period")
        if self.localized and self.type not in TEXT_TYPES:
            raise ValueError(f"question {self.id!r}: only text questions can be localized")
        if self.max is not None and self.max < self.min:
            raise ValueError(f"question {self.id!r}: max is below min")
        return self

    def label(self, value: Any, lang: str) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label.get(lang) or str(choice.label)
        return str(value)


def _unique_ids(questions: list[Question], where: str) -> None:
    seen: set[str] = set()
    for question in questions:
        if question.id in seen:
            raise ValueError(f"{where}: question id {question.id!r} is used twice")
        seen.add(question.id)


class Questionnaire(Frozen):
    id: str = Field(pattern=QUESTION_ID)
    title: Localized
    kind: Literal["isa", "protocol", "disclosure", "request", "incident"]
    description: Localized | None = None
    questions: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Questionnaire:
        _unique_ids(self.questions, f"questionnaire {self.id!r}")
        earlier: set[str] = set()
        for question in self.questions:
            _check_show_if(question, earlier)
            if question.type == "group":
                inner: set[str] = set(earlier)
                for sub in question.questions:
                    _check_show_if(sub, inner)
                    inner.add(sub.id)
            earlier.add(question.id)
        return self


def _check_show_if(question: Question, earlier: set[str]) -> None:
    if question.show_if and question.show_if.question not in earlier:
        raise ValueError(
            f"question {question.id!r}: show_if refers to {question.show_if.question!r}, which is not an earlier question"
        )


# -- loading --------------------------------------------------------------------


def load_questionnaire(name: str, register_root: Path | None = None) -> Questionnaire:
    path, rel = definition_path(FOLDER, name, register_root)
    return load_definition(path, rel, Questionnaire)
