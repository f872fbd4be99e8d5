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

from pydantic import Field, ValidationError, model_validator

from .errors import InvalidRecord, IsaError
from .model.agreement import Frozen
from .model.localized import Localized
from .problem import Problem
from .resources import shipped

QUESTION_ID = r"^[a-z][a-z0-9_]*$"
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
    answered: bool | None = None

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
    required: bool = False
    target: str | None = None
    localized: bool = False  # the answer is per-language text ({en: ...}) in the record
    choices: list[Choice] = []
    default: Any = None
    show_if: ShowIf | None = None
    questions: list[Question] = []  # for a group: the questions asked for each item
    min: int = Field(default=0, ge=0)
    max: int | None = Field(default=None, ge=1)
    max_length: int | None = Field(default=None, ge=1)
    minimum: int | None = None  # for a number
    maximum: int | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in ("choice", "multi") and not self.choices:
            raise ValueError(f"question {self.id!r} is a {self.type} but lists no choices")
        if self.type == "group":
            if not self.questions:
                raise ValueError(f"group {self.id!r} has no questions")
            _unique_ids(self.questions, f"group {self.id!r}")
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


def _with_question_ids(problems: list[Problem], data: Any) -> list[Problem]:
    """Name the question (or checklist item) a problem is in, e.g. ``question 'retention': ...``."""
    out = []
    for problem in problems:
        match = re.match(r"^(questions|items)\[(\d+)\](?:\.questions\[(\d+)\])?", problem.field)
        label = ""
        if match and isinstance(data, dict):
            try:
                question = data[match.group(1)][int(match.group(2))]
                label = f"{'question' if match.group(1) == 'questions' else 'item'} {question.get('id')!r}"
                if match.group(3) is not None:
                    label += f", sub-question {question['questions'][int(match.group(3))].get('id')!r}"
            except (KeyError, IndexError, TypeError, AttributeError):
                label = ""
        message = f"{label}: {problem.message}" if label else problem.message
        out.append(Problem(problem.path, problem.line, problem.field, message, problem.severity, problem.record_id))
    return out


def load_definition(path: Path, rel: str, model: type[Frozen]) -> Any:
    """Read and validate one workflow definition; raise :class:`InvalidRecord` listing every problem."""
    from .store import problems_from_validation, read_yaml

    data, text, problems = read_yaml(path, rel)
    if not problems:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = _with_question_ids(problems_from_validation(exc, rel, text), data)
    raise InvalidRecord(f"the workflow definition {rel} is not valid; fix it and try again", problems)


def definition_path(folder: str, name: str, register_root: Path | None) -> tuple[Path, str]:
    """The register's own definition if it has one, else the shipped one; and how to name it in messages."""
    if not re.fullmatch(QUESTION_ID, name):
        raise IsaError(f"{name!r} is not a {folder[:-1]} name (lower-case letters, digits and _)")
    if register_root is not None:
        own = register_root / "workflows" / folder / f"{name}.yaml"
        if own.is_file():
            return own, f"workflows/{folder}/{name}.yaml"
    path = shipped("workflows") / folder / f"{name}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(names(folder, register_root))) or "none"
        raise IsaError(f"no {folder[:-1]} named {name!r}; available: {available}")
    return path, f"(shipped) workflows/{folder}/{name}.yaml"


def names(folder: str, register_root: Path | None) -> set[str]:
    found = {p.stem for p in (shipped("workflows") / folder).glob("*.yaml")}
    if register_root is not None:
        found |= {p.stem for p in (register_root / "workflows" / folder).glob("*.yaml")}
    return found


def load_questionnaire(name: str, register_root: Path | None = None) -> Questionnaire:
    path, rel = definition_path(FOLDER, name, register_root)
    return load_definition(path, rel, Questionnaire)
