"""Intake: answers to a questionnaire become a draft agreement.

Answers come from a file (YAML or JSON, keyed by question id) or from the
officer at the terminal (:mod:`isa_toolkit.workflows.ask`). Every answer is checked
against its question; every problem is reported at once, naming the question
id (``parties[1].role``) and, for a file, the line. The answers then land in a
record at each question's ``target`` and the record is validated by the model;
a model error is reported against the question whose answer caused it.

Nothing is converted silently: a text answer is kept as the file writes it
(``2026.10`` stays "2026.10", though YAML and JSON read it as a number), a
yes/no answer is true/false or one of the questionnaire's yes/no words (never
1 or 0), and a date answer is YYYY-MM-DD and a day that exists.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRecord, IsaError
from ..model import Agreement, Localized, Settings
from ..model.agreement import EMAIL_PATTERN, OverlapNote
from ..model.localized import LANGUAGE_RE, bad_character
from ..register import jsontext, yamlio
from ..register.problem import Problem
from ..register.read import error_message, format_loc
from ..register.store import create_agreement
from .questionnaire import TEXT_TYPES, Question, Questionnaire

META_KEYS = ("questionnaire", "language", "unfinished")  # unfinished: a saved intake's group still being given
EMAIL_RE = re.compile(EMAIL_PATTERN)
# The questionnaire's yes/no words (asked "yes/no" or "oui/non"), and true/false. A number is not one: 1 or 0 in a
# file is more likely a slip than a yes or a no.
YES = {"yes", "y", "true", "oui", "o"}
NO = {"no", "n", "false", "non"}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class AnswerError(ValueError):
    """One answer that does not fit its question; the message says what is expected."""


def check_text(value: str) -> str:
    bad = bad_character(value)
    if bad:
        raise AnswerError(bad)
    return value


def rationale_from(value: Any, lang: str) -> Localized | None:
    """A rationale given as text (in the answers' language) or per language."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        return Localized({lang: check_text(value)})
    if isinstance(value, dict) and value and all(isinstance(v, str) and v.strip() for v in value.values()):
        if lang not in value:
            raise IsaError(f"rationale: give it in {lang}, the language of the answers (other languages may follow)")
        return Localized({k: check_text(v) for k, v in value.items()})
    raise IsaError("rationale: write why, as text (or text per language: {en: ..., fr: ...}); it cannot be blank")


# -- one answer -------------------------------------------------------------------


def convert(question: Question, value: Any, lang: str) -> Any:
    """The answer ``value`` as its question's type, or :class:`AnswerError` saying what is wrong."""
    kind = question.type
    if kind in TEXT_TYPES:
        if question.localized and isinstance(value, dict):
            out = {}
            for key, text in value.items():
                if not isinstance(key, str) or not LANGUAGE_RE.fullmatch(key):
                    raise AnswerError(f"{key!r} is not a language code (use en, fr, ...)")
                out[key] = _text(question, text)
            if not out:
                raise AnswerError("no text in any language")
            return out
        return _text(question, value)
    if kind == "choice":
        return _choice(question, value, lang)
    if kind == "multi":
        values = value if isinstance(value, list) else [value]
        chosen = [_choice(question, v, lang) for v in values]
        if len(set(map(str, chosen))) != len(chosen):
            raise AnswerError("a choice is given twice")
        return chosen
    if kind == "yes_no":
        return to_bool(value)
    if kind == "date":
        return to_date(value)
    if kind == "email":
        text = _text(question, value).strip()
        if not EMAIL_RE.fullmatch(text):
            raise AnswerError(f"{text!r} is not an email address")
        return text
    if kind == "number":
        if isinstance(value, bool):
            raise AnswerError("expected a whole number")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise AnswerError(f"{value!r} is not a whole number") from None
        low = question.minimum if question.minimum is not None else 0
        if number < low or (question.maximum is not None and number > question.maximum):
            within = f"from {low} to {question.maximum}" if question.maximum is not None else f"of {low} or more"
            raise AnswerError(f"expected a number {within}")
        return number
    if kind == "list":
        items = value if isinstance(value, list) else [v for v in str(value).split(";")]
        out = [_text(question, item).strip() for item in items]
        return [item for item in out if item]
    raise AnswerError(f"a {kind} question is answered as a list of items")  # groups are handled by the caller


def to_bool(value: Any) -> bool:
    """A yes/no answer: true or false, or one of the yes/no words (yes, y, oui, o; no, n, non), in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in YES:
            return True
        if text in NO:
            return False
    found = f"{value!r}"[:40] if isinstance(value, str) else str(value)[:40]
    what = "a number, not" if isinstance(value, (int, float)) else "not"
    raise AnswerError(f"{found} is {what} yes or no; answer yes or no (oui or non), or true or false")


def to_date(value: Any) -> dt.date:
    """A date answer: written YYYY-MM-DD, and a day that exists (20270201 or 2026-13-45 is not one)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise AnswerError(f"{value.strip()!r} is not a date that exists ({exc}); write it as YYYY-MM-DD, "
                              "e.g. 2026-03-31") from None
    found = f"{value!r}"[:40] if isinstance(value, str) else str(value)[:40]
    raise AnswerError(f"{found} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31")


def _text(question: Question, value: Any) -> str:
    if isinstance(value, bool):
        raise AnswerError(f"expected text, found {str(value).lower()} (a yes/no value); put the text in quotes")
    if value is None or isinstance(value, (dict, list)):
        raise AnswerError("expected text")
    text = check_text(str(value))
    if question.type == "text" and (any(char in text.strip() for char in "\n\u2028\u2029") or "\r" in text):
        raise AnswerError("expected one line of text (use a long_text question for paragraphs)")
    if question.max_length and len(text) > question.max_length:
        raise AnswerError(f"longer than {question.max_length} characters")
    if question.required and not text.strip():
        raise AnswerError("an answer is required")
    return text


def _choice(question: Question, value: Any, lang: str) -> Any:
    for choice in question.choices:
        if value == choice.value or str(value).strip().casefold() == str(choice.value).casefold():
            return choice.value
    options = ", ".join(f"{c.value} ({c.label.get(lang) or c.label})" for c in question.choices)
    raise AnswerError(f"{value!r} is not one of the choices: {options}")


# -- a whole answers set --------------------------------------------------------------


@dataclass
class Checked:
    """Answers checked against their questionnaire: values by question id, and the problems found."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_answers(
    questionnaire: Questionnaire, raw: dict, lang: str, *, rel: str = "answers", text: str | None = None,
    extra_keys: tuple[str, ...] = (),
) -> Checked:
    """Check every answer; collect every problem (each naming its question id) rather than stopping at the first.

    ``extra_keys`` are keys the file may hold for a later step (a disclosure's
    ``criteria`` and ``rationale``).
    """
    checked = Checked()
    sources: dict[tuple, str] | None = None

    def problem(path: tuple, message: str) -> None:
        line = yamlio.locate(text, path) if text is not None else 0
        if not line and text is not None and rel.lower().endswith(".json"):
            line = jsontext.locate(text, path)  # JSON the YAML reader refuses (tabs between tokens)
        checked.problems.append(Problem(rel, line, _path_text(path), message))

    def written(path: tuple) -> str | None:
        """A number's text as the file writes it (2026.10, which reads as the number 2026.1)."""
        nonlocal sources
        if text is None:
            return None
        if sources is None:
            json_file = rel.lower().endswith(".json")
            sources = jsontext.number_sources(text) if json_file else yamlio.number_sources(text)
        return sources.get(path)

    _check_level(questionnaire.questions, raw, (), checked.values, checked.values, lang, (problem, written))
    known = {q.id for q in questionnaire.questions} | set(META_KEYS) | set(extra_keys)
    for key in raw:
        if key not in known:
            problem((key,), "no such question in this questionnaire (check the spelling)")
    return checked


def _check_level(questions, raw, prefix, out, context, lang, report) -> None:
    problem, written = report
    for question in questions:
        path = (*prefix, question.id)
        value = raw.get(question.id)
        asked = question.show_if is None or question.show_if.holds(context)
        if not asked:
            if question.type == "yes_no" and _says_no(value):
                continue  # "no" to a question that does not apply says what leaving it out says
            if not _blank(value):
                condition = question.show_if
                problem(path, f"answered, but this question does not apply here (it is asked only when {condition.question} "
                              f"{_condition_text(condition)}); remove the answer or change {condition.question}")
            continue
        if _blank(value) and question.guess == "citation":
            value = citation_kind(str(raw.get("reference") or ""))
            if value is None:
                reference = raw.get("reference")
                choices = ", ".join(str(c.value) for c in question.choices)
                problem(path, f"cannot tell from {reference!r} which kind of legal ground it is; give {question.id}: "
                              f"one of {choices}" if reference else f"required: {question.prompt.get(lang) or question.prompt}")
                continue
        if _blank(value):
            if question.default is not None:
                value = question.default
            elif question.required or (question.type == "group" and question.min > 0):
                problem(path, f"required: {question.prompt.get(lang) or question.prompt}")
                continue
            else:
                continue
        if question.type == "group":
            out[question.id] = _check_group(question, value, path, context, lang, report)
            continue
        if question.type in (*TEXT_TYPES, "email", "list"):
            value = _as_written(value, path, written)
        try:
            out[question.id] = convert(question, value, lang)
        except AnswerError as exc:
            problem(path, str(exc))


def _as_written(value: Any, path: tuple, written) -> Any:
    """A text answer's numbers as the file writes them: ``2026.10`` stays "2026.10", never becomes "2026.1"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        source = written(path)
        return source if source is not None else value
    if isinstance(value, dict):
        return {key: _as_written(item, (*path, key), written) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_written(item, (*path, index), written) for index, item in enumerate(value)]
    return value


def _check_group(question, value, path, context, lang, report) -> list[dict]:
    problem = report[0]
    if isinstance(value, dict) or (question.plain and isinstance(value, str)):
        value = [value]
    if question.plain and isinstance(value, list):  # an item written as plain text: its citation
        value = [{question.plain: item} if isinstance(item, str) else item for item in value]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        fields = ", ".join(q.id for q in question.questions)
        plain = f"plain text ({question.plain}), or " if question.plain else ""
        problem(path, f"expected a list of items, each written as {plain}a mapping of {fields}")
        return []
    if len(value) < question.min:
        problem(path, f"at least {question.min} item(s) needed, {len(value)} given")
    if question.max is not None and len(value) > question.max:
        problem(path, f"at most {question.max} item(s) allowed, {len(value)} given")
    items = []
    known = {q.id for q in question.questions}
    for index, item in enumerate(value):
        out: dict[str, Any] = {}
        _check_level(question.questions, item, (*path, index), out, {**context, **out, **_raw_context(item)}, lang, report)
        for key in item:
            if key not in known:
                problem((*path, index, key), f"no such question in group {question.id!r} (check the spelling)")
        items.append(out)
    return items


def _says_no(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().casefold() in NO)


CITATION_KINDS = (  # how a citation names its kind of ground; the first that matches decides
    (re.compile(r"\b(?:art(?:icle)?\.?\s*)10\b", re.I), "criminal_offence_condition"),
    (re.compile(r"\b(?:art(?:icle)?\.?\s*)9\b", re.I), "special_category_condition"),
    (re.compile(r"\b(?:art(?:icle)?\.?\s*)6\b", re.I), "lawful_basis"),
    (re.compile(r"\bsch(?:edule)?\.?\s*1\b.*\b(?:part|pt)\.?\s*3\b", re.I), "criminal_offence_condition"),
    (re.compile(r"\bsch(?:edule)?\.?\s*1\b.*\b(?:part|pt)\.?\s*[12]\b", re.I), "special_category_condition"),
    (re.compile(r"\bsch(?:edule)?\.?\s*1\b", re.I), None),  # a Schedule 1 condition, for either kind: ask
    (re.compile(r"\b(?:DPA|Data Protection Act)\s*2018\b", re.I), None),  # its sections serve several kinds: ask
    (re.compile(r"\b(?:act|regulations?|order|s\.\s*\d+|section\s+\d+|common law)\b", re.I), "legal_power"),
)


def citation_kind(reference: str) -> str | None:
    """The kind of legal ground a citation names (``UK GDPR Art 6(1)(e)``: a lawful basis), or None when it
    cannot be told (``DPA 2018 Sch 1 para 18`` serves either kind of condition)."""
    for pattern, kind in CITATION_KINDS:
        if pattern.search(reference):
            return kind
    return None


def _raw_context(item: dict) -> dict:
    """Plain answers of a group item, so a sub-question's show_if can look at its siblings."""
    out = {}
    for key, value in item.items():
        if isinstance(value, str) and value.strip().casefold() in YES | NO:
            out[key] = value.strip().casefold() in YES
        else:
            out[key] = value
    return out


def _condition_text(condition) -> str:
    if condition.answered is not None:
        return "is answered" if condition.answered else "is not answered"
    if condition.in_ is not None:
        return f"is one of {', '.join(map(str, condition.in_))}"
    return f"is {condition.equals}"


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


# -- answers to a record ------------------------------------------------------------


@dataclass
class Draft:
    """The record data built from answers, and which question each field came from."""

    data: dict
    origins: dict[tuple, str]  # record path -> question path (for error messages)


def _set(data: dict, target: str, value: Any) -> tuple[str, ...]:
    parts = target.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return tuple(parts)


def _record_value(question: Question, value: Any, lang: str) -> Any:
    if question.localized and isinstance(value, str):
        return {lang: value}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


AGREEMENT_KINDS = ("isa", "protocol")


def _localized_answers(questions: list[Question], values: dict):
    """Every answer given per language (``{en: ..., fr: ...}``), group items included."""
    for question in questions:
        value = values.get(question.id)
        if question.type == "group" and isinstance(value, list):
            for answers in value:
                yield from _localized_answers(question.questions, answers)
        elif question.localized and isinstance(value, dict):
            yield value


def build_draft(questionnaire: Questionnaire, values: dict, lang: str, *, record_id: str, settings: Settings | None,
                author: str = "intake", today: dt.date | None = None) -> Draft:
    """The new record's data: fixed fields, then each answer at its question's target.

    For an agreement, the document-control history starts with the first
    version, so the sign-off chain can later record who approved it. A
    disclosure, request or incident records who entered it and when.
    """
    today = today or dt.date.today()
    data: dict[str, Any] = {"id": record_id, "kind": questionnaire.kind}
    if questionnaire.kind in AGREEMENT_KINDS:
        data |= {"version": "1.0", "status": "draft", "languages": [lang]}
    else:
        data |= {"languages": [lang], "recorded_by": author, "recorded": today.isoformat()}
    origins: dict[tuple, str] = {}
    for question in questionnaire.questions:
        if question.id not in values or question.target is None:
            continue
        value = values[question.id]
        if question.type == "group":
            items = []
            for index, answers in enumerate(value):
                item: dict[str, Any] = {}
                for sub in question.questions:
                    if sub.id in answers and sub.target:
                        path = _set(item, sub.target, _record_value(sub, answers[sub.id], lang))
                        origins[(*question.target.split("."), index, *path)] = f"{question.id}[{index}].{sub.id}"
                items.append(item)
            path = _set(data, question.target, items)
        else:
            path = _set(data, question.target, _record_value(question, value, lang))
        origins[path] = question.id
    # The record is in the answers' language and in every other language its free text is given in, so
    # the parity check then names any text still to translate into those languages.
    given = {key for value in _localized_answers(questionnaire.questions, values) for key in value}
    foreign = sorted(given - set(settings.languages)) if settings else []
    if foreign:
        raise IsaError(f"the answers give text in {', '.join(foreign)}, which is not among the register's languages "
                       f"({', '.join(settings.languages)}); remove that text, or add the language to register.yaml")
    order = settings.languages if settings else sorted(given)
    data["languages"] = [lang, *[other for other in order if other in given and other != lang]]
    if questionnaire.kind in AGREEMENT_KINDS:
        interval = settings.review.interval_months if settings else 12
        data.setdefault("review", {}).setdefault("interval_months", interval)
        data["amendments"] = [{"version": "1.0", "detail": f"First draft, from the {questionnaire.id} questionnaire",
                               "author": author, "date": today.isoformat()}]
    return Draft(data, origins)


def validate_draft(draft: Draft, rel: str, model: type = Agreement) -> tuple[Any, list[Problem]]:
    """Validate the draft with the model; name the question behind each error."""
    try:
        return model.model_validate(draft.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
            question = _origin(draft.origins, loc)
            where = f"{question} (record field {format_loc(loc)})" if question else format_loc(loc)
            problems.append(Problem(rel, 0, where, error_message(error)))
        return None, problems


def _origin(origins: dict[tuple, str], loc: tuple) -> str | None:
    for length in range(len(loc), 0, -1):
        if loc[:length] in origins:
            return origins[loc[:length]]
    return None


# -- answers files ----------------------------------------------------------------------


def read_answers(path: Path) -> tuple[dict, str, str]:
    """An answers file's mapping, its text (for line numbers) and how to name it; YAML or JSON."""
    rel = str(path)
    try:
        text = yamlio.read_bounded(path, "answers file")
    except UnicodeDecodeError as exc:
        located = yamlio.decode_error(exc)
        raise InvalidRecord(f"{rel} is not UTF-8 text; save it as UTF-8",
                            [Problem(rel, located.line, located.field, located.message)]) from None
    except OSError as exc:
        raise InvalidRecord(f"cannot read the answers file {rel}: {exc.strerror}") from None
    except yamlio.YamlError as exc:
        raise InvalidRecord(f"{rel}: {exc.message}") from None
    try:
        data = jsontext.parse(text) if path.suffix.lower() == ".json" else yamlio.parse(text)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(f"{rel} cannot be read", [Problem(rel, exc.lineno, "", f"not valid JSON: {exc.msg}")]) from None
    except yamlio.YamlError as exc:
        raise InvalidRecord(f"{rel} cannot be read", [Problem(rel, exc.line, getattr(exc, "field", ""), exc.message)]) from None
    if not isinstance(data, dict):
        raise InvalidRecord("the answers file must be a mapping of question id to answer", [Problem(rel, 1, "", "not a mapping")])
    return data, text, rel


# -- the step -------------------------------------------------------------------------


def answer_language(register, lang: str | None, raw: dict | None = None) -> str:
    """The language answers are in: given, else the answers file's ``language``, else the register's first."""
    if lang is None and raw is not None and isinstance(raw.get("language"), str):
        lang = raw["language"]
    lang = lang or register.languages[0]
    if not LANGUAGE_RE.fullmatch(lang):
        raise InvalidRecord(f"{lang!r} is not a language code such as en or fr")
    if register.settings is not None and lang not in register.languages:
        raise InvalidRecord(f"{lang!r} is not one of the register's languages ({', '.join(register.languages)}); "
                            "answer in one of those, or add the language to register.yaml")
    return lang


def answers_from_file(register, questionnaire: Questionnaire, path: Path, lang: str | None = None,
                      extra_keys: tuple[str, ...] = ()) -> tuple[dict, str]:
    """Checked answers from a file, and their language; every problem raised at once."""
    raw, text, rel = read_answers(path)
    lang = answer_language(register, lang, raw)
    checked = check_answers(questionnaire, raw, lang, rel=rel, text=text, extra_keys=extra_keys)
    if checked.problems:
        raise InvalidRecord(f"{len(checked.problems)} problem(s) in {rel}; nothing was written", checked.problems)
    return checked.values, lang


def _prefix(register, questionnaire: Questionnaire) -> str:
    return getattr(register.settings.id_prefix, questionnaire.kind)


def prepare(register, questionnaire: Questionnaire, values: dict, lang: str, *, rel: str,
            today: dt.date | None = None) -> Agreement:
    """The draft as it would be written (with a placeholder id); every model problem raised at once."""
    year = (today or dt.date.today()).year
    draft = build_draft(questionnaire, values, lang, record_id=f"{_prefix(register, questionnaire)}-{year}-NEW",
                        settings=register.settings)
    agreement, problems = validate_draft(draft, rel)
    if agreement is None:
        raise InvalidRecord(f"the answers do not make a valid agreement ({len(problems)} problem(s)); nothing was written",
                            problems)
    return agreement


def create(register, questionnaire: Questionnaire, values: dict, lang: str, *, by: str,
           today: dt.date | None = None, overlapping: list[str] | None = None, reason: str | None = None) -> Agreement:
    """Write the draft under the next free id and commit it.

    ``overlapping`` are the agreements the overlap check showed, and ``reason`` why the officer went on: both are
    kept in the record (``overlap``) and named in the commit message, for the audit trail.
    """
    day = today or dt.date.today()
    if overlapping and not (reason and reason.strip()):
        raise IsaError(f"say why a new agreement is needed although {', '.join(overlapping)} may already cover this "
                       "(--reason TEXT); it is kept in the record for the audit trail")

    def build(record_id: str) -> Agreement:
        draft = build_draft(questionnaire, values, lang, record_id=record_id, settings=register.settings,
                            author=by, today=today)
        agreement, problems = validate_draft(draft, "answers")
        if agreement is None:
            raise InvalidRecord("the answers do not make a valid agreement; nothing was written", problems)
        if overlapping:
            note = OverlapNote(agreements=list(overlapping), reason=check_text(reason.strip()), by=by, date=day)
            agreement = agreement.model_copy(update={"overlap": note})
        return agreement

    change = f"drafted from the {questionnaire.id} questionnaire"
    if overlapping:
        change += f", although {', '.join(overlapping)} may already cover it: {reason.strip()}"
    return create_agreement(register.root, build, prefix=_prefix(register, questionnaire), year=day.year,
                            change=change, by=by)
