"""Asking questions at the terminal, in the officer's language, answer by answer.

A bad answer is explained and the question asked again; Ctrl-C stops the
session (click raises ``Abort``) before anything is written. The questions
come from the questionnaire or checklist; the words round them (``yes/no``,
"Choose a number or a value", a command's own prompts) from the message
catalogs, as the documents' fixed text does: ``templates`` is the register's
templates folder, whose catalog words them if it has one for the language.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click

from ..i18n import texts
from .checklist import convert_answer
from .intake import AnswerError, convert, to_bool
from .questionnaire import Question


class Back(Exception):  # noqa: N818 - a request, not an error
    """The officer asked to go back to the previous question."""


def _wants_back(raw: str, lang: str, templates: Path | None) -> bool:
    return raw.strip().casefold() in {"back", ui(lang, "back", templates=templates)}


def ui(lang: str, message: str, *, templates: Path | None = None, **values: Any) -> str:
    """``message`` (English, as the catalogs know it) in ``lang``, with ``values`` put in."""
    return texts(lang, templates).gettext(message).format(**values)


def _yes_no(lang: str, templates: Path | None) -> list[str]:
    """The language's words for yes and no, as a prompt shows them (``yes/no``, ``oui/non``)."""
    words = ui(lang, "yes/no", templates=templates).split("/")
    return words if len(words) == 2 else ["yes", "no"]  # a translation that is not two words and a slash


def _said_yes(raw: str, lang: str, templates: Path | None) -> bool | None:
    """True or False when ``raw`` is the catalog's yes or no for the language (so a new language's words work),
    else None."""
    words = [word.strip().casefold() for word in _yes_no(lang, templates)]
    answer = raw.strip().casefold()
    return answer == words[0] if answer in words else None


def _to_bool(raw: str, lang: str, templates: Path | None) -> bool:
    """A yes/no answer: the language's yes or no, or any of the words and values an answers file takes."""
    said = _said_yes(raw, lang, templates)
    return to_bool(raw) if said is None else said


def _text(value, lang: str) -> str:
    return "" if value is None else (value.get(lang) or str(value))


def ask_question(question: Question, lang: str, context: dict, *, templates: Path | None = None) -> Any:
    """Ask one (non-group) question until the answer fits; None when an optional question is skipped."""
    prompt = _text(question.prompt, lang)
    if question.help is not None:
        click.secho(f"  {_text(question.help, lang)}", dim=True)
    if question.type in ("choice", "multi"):
        for number, choice in enumerate(question.choices, 1):
            click.echo(f"  {number}. {_text(choice.label, lang)}  [{choice.value}]")
        choose = (ui(lang, "Choose a number or a value", templates=templates) if question.type == "choice" else
                  ui(lang, "Choose numbers or values, separated by commas", templates=templates))
        click.secho(f"  {choose}", dim=True)
    if question.type == "list":
        separate = ui(lang, "Separate items with ';'", templates=templates)
        click.secho(f"  {separate}", dim=True)
    if not question.required:
        click.secho(f"  {ui(lang, '(optional: press Enter to skip)', templates=templates)}", dim=True)
    suffix = f" ({ui(lang, 'yes/no', templates=templates)})" if question.type == "yes_no" else ""

    def parse(raw: str) -> Any:
        if _wants_back(raw, lang, templates):
            raise Back
        raw = raw.strip()
        if not raw:
            if question.required:
                raise click.UsageError(ui(lang, "An answer is required.", templates=templates))
            return None
        try:
            if question.type in ("choice", "multi"):
                picks = [p.strip() for p in raw.split(",")] if question.type == "multi" else [raw]
                values = [_pick(question, p) for p in picks if p]
                return convert(question, values if question.type == "multi" else values[0], lang)
            if question.type == "yes_no":
                return _to_bool(raw, lang, templates)
            return convert(question, raw, lang)
        except AnswerError as exc:
            raise click.UsageError(str(exc)) from None

    if question.type == "long_text":
        return _ask_long(prompt, parse, lang, templates)
    default = question.default
    if isinstance(default, bool):
        default = _yes_no(lang, templates)[0 if default else 1]
    return click.prompt(prompt + suffix, default="" if default is None else str(default),
                        show_default=default is not None, value_proc=parse,
                        prompt_suffix=_suffix(prompt + suffix, lang, templates))


def _suffix(prompt: str, lang: str = "en", templates: Path | None = None) -> str:
    """No extra colon after a prompt that already ends in '?' or ':'; the catalog says how the language writes the
    colon (French puts a space before it)."""
    if prompt.rstrip().endswith(("?", ":", ")")):
        return " "
    return ui(lang, ": ", templates=templates)


def confirm(prompt: str, lang: str, *, default: bool, templates: Path | None = None) -> bool:
    """A yes/no question (``prompt`` already in ``lang``) that understands the language's yes and no, and the
    words an answers file takes (yes, no, oui, non, true, false)."""
    choices = _yes_no(lang, templates)

    def parse(raw: str) -> bool:
        try:
            return _to_bool(raw, lang, templates)
        except AnswerError as exc:
            raise click.UsageError(str(exc)) from None

    return click.prompt(f"{prompt} ({ui(lang, 'yes/no', templates=templates)})", default=choices[0 if default else 1],
                        show_default=True, value_proc=parse, prompt_suffix=" ")


def _ask_long(prompt: str, parse: Callable[[str], Any], lang: str, templates: Path | None = None) -> Any:
    """A text of several lines: typed line after line until an empty one, or written in the officer's editor."""
    multiline = ui(lang, "several lines: end with an empty line, or type 'edit' to write it in your editor",
                   templates=templates)
    click.secho(f"  ({multiline})", dim=True)
    while True:
        first = click.prompt(prompt, default="", show_default=False, prompt_suffix=_suffix(prompt, lang, templates))
        if _wants_back(first, lang, templates):
            raise Back
        if first.strip().casefold() in {"edit", ui(lang, "edit", templates=templates)}:
            lines = [(click.edit("") or "").strip()]
        else:
            lines = [first]
            while first.strip():
                more = click.prompt("", default="", show_default=False, prompt_suffix="  ")
                if not more.strip():
                    break
                lines.append(more)
        try:
            return parse("\n".join(line.rstrip() for line in lines).strip() if lines[0].strip() else lines[0])
        except click.UsageError as exc:
            click.echo(f"Error: {exc.message}", err=True)


def _pick(question: Question, raw: str) -> Any:
    if raw.isdigit() and 1 <= int(raw) <= len(question.choices):
        return question.choices[int(raw) - 1].value
    return raw


def ask_all(questions: list[Question], lang: str, context: dict | None = None,
            ask: Callable[[Question, str, dict], Any] | None = None, *, given: dict | None = None,
            on_answer: Callable[..., None] | None = None, unfinished: str | None = None,
            templates: Path | None = None) -> dict:
    """Ask each question that applies (``show_if``) in order; groups repeat their questions.

    ``given`` are answers already had (from a file, or a session being resumed): those questions are not asked.
    ``on_answer`` gets the answers so far after each one (a group's items as they are completed, with the group
    named as unfinished), to save them; ``unfinished`` names a group in ``given`` to go on with (more items).
    Typing "back" returns to the previous question asked at this level; at the first, to the level above.
    """
    ask = ask or partial(ask_question, templates=templates)
    given = given or {}
    answers: dict[str, Any] = {}
    context = dict(context or {})
    asked: list[int] = []  # the questions asked at this level, in order, for going back
    index = 0
    while index < len(questions):
        question = questions[index]
        if question.show_if is not None and not question.show_if.holds({**context, **answers}):
            answers.pop(question.id, None)
            index += 1
            continue
        if question.id in given and question.id != unfinished:
            answers[question.id] = given[question.id]
            index += 1
            continue
        try:
            if question.type == "group":
                def progress(items, question=question) -> None:
                    if on_answer is not None:
                        on_answer({**answers, question.id: items}, question.id)
                start = list(given.get(question.id) or []) if question.id == unfinished else []
                value = _ask_group(question, lang, {**context, **answers}, ask, progress, start, templates)
            else:
                value = ask(question, lang, {**context, **answers})
        except Back:
            if not asked:
                raise
            index = asked.pop()
            answers.pop(questions[index].id, None)
            continue
        asked.append(index)
        if value is None:
            answers.pop(question.id, None)
        else:
            answers[question.id] = value
        if on_answer is not None:
            on_answer(dict(answers))
        index += 1
    return answers


def _ask_group(question: Question, lang: str, context: dict, ask, progress: Callable[[list], None],
               start: list[dict] | None = None, templates: Path | None = None) -> list[dict]:
    what = _text(question.prompt, lang)
    if question.help is not None:
        click.secho(f"  {_text(question.help, lang)}", dim=True)
    items: list[dict] = list(start or [])
    while True:
        if len(items) >= question.min:
            if question.max is not None and len(items) >= question.max:
                break
            another = ui(lang, "Add another {what}?", templates=templates, what=what.rstrip("?:. ").lower())
            if not confirm(another, lang, default=not items, templates=templates):
                break
        click.secho(ui(lang, "{what} {n}", templates=templates, what=what.rstrip("?:. "), n=len(items) + 1), bold=True)
        try:
            items.append(ask_all(question.questions, lang, context, ask, templates=templates))
        except Back:  # back from an item's first question: the item before, or the question before the group
            if not items:
                raise
            items.pop()
            continue
        progress(list(items))
    return items


def ask_checklist(checklist, facts: dict[str, bool], lang: str, *, templates: Path | None = None) -> dict[str, Any]:
    """Ask each checklist item the record does not answer itself; the justification only if something triggered."""
    answers: dict[str, Any] = {}
    for item in checklist.items:
        if item.prefill and item.prefill in facts:
            click.secho(f"  {_text(item.question, lang)} {_yes_no(lang, templates)[0 if facts[item.prefill] else 1]} "
                        f"({ui(lang, 'from the record', templates=templates)})", dim=True)
            continue
        if item.id == "justification" and not any(
            answers.get(i.id) is True or facts.get(i.prefill or "") for i in checklist.items if i.counts == "trigger"
        ):
            continue
        if item.guidance is not None:
            click.secho(f"  {_text(item.guidance, lang)}", dim=True)
        options = ui(lang, "yes/no", templates=templates) + ("/n/a" if item.not_applicable else "")

        def parse(raw: str, item=item) -> Any:
            if not raw.strip():
                if item.required and item.type == "yes_no":
                    raise click.UsageError(ui(lang, "An answer is required.", templates=templates))
                return None
            said = _said_yes(raw, lang, templates) if item.type == "yes_no" else None
            if said is not None:
                return said
            try:
                return convert_answer(item, raw)
            except AnswerError as exc:
                raise click.UsageError(str(exc)) from None

        suffix = f" ({options})" if item.type == "yes_no" else ""
        value = click.prompt(_text(item.question, lang) + suffix, default="", show_default=False, value_proc=parse,
                             prompt_suffix=_suffix(_text(item.question, lang) + suffix, lang, templates))
        if value is not None and value != "":
            answers[item.id] = value
    return answers
