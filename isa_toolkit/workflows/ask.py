"""Asking questions at the terminal, in the officer's language, answer by answer.

A bad answer is explained and the question asked again; Ctrl-C stops the
session (click raises ``Abort``) before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .checklist import convert_answer
from .intake import AnswerError, convert, to_bool
from .questionnaire import Question

UI = {
    "en": {
        "yes_no": "yes/no",
        "from_record": "from the record",
        "choose": "Choose a number or a value",
        "choose_many": "Choose numbers or values, separated by commas",
        "list": "Separate items with ';'",
        "another": "Add another {what}?",
        "item": "{what} {n}",
        "optional": "(optional: press Enter to skip)",
        "required": "An answer is required.",
        "overlap_reason": "Why is a new agreement needed? (kept in the record for the audit trail)",
        "back": "back",
        "edit": "edit",
        "back_hint": "Type 'back' at any question to return to the one before.",
        "multiline": "several lines: end with an empty line, or type 'edit' to write it in your editor",
        "nothing_back": "There is no earlier question to go back to here.",
    },
    "fr": {
        "yes_no": "oui/non",
        "from_record": "d'après le dossier",
        "choose": "Choisissez un numéro ou une valeur",
        "choose_many": "Choisissez des numéros ou des valeurs, séparés par des virgules",
        "list": "Séparez les éléments par « ; »",
        "another": "Ajouter un autre élément ({what}) ?",
        "item": "{what} {n}",
        "optional": "(facultatif : appuyez sur Entrée pour passer)",
        "required": "Une réponse est requise.",
        "overlap_reason": "Pourquoi un nouvel accord est-il nécessaire ? (conservé dans le dossier pour l'audit)",
        "back": "retour",
        "edit": "éditer",
        "back_hint": "Tapez « retour » à n'importe quelle question pour revenir à la précédente.",
        "multiline": "plusieurs lignes : terminez par une ligne vide, ou tapez « éditer » pour l'écrire dans votre éditeur",
        "nothing_back": "Il n'y a pas de question précédente où revenir ici.",
    },
}


class Back(Exception):  # noqa: N818 - a request, not an error
    """The officer asked to go back to the previous question."""


def _wants_back(raw: str, lang: str) -> bool:
    return raw.strip().casefold() in {"back", ui(lang, "back")}


def ui(lang: str, key: str, **values: Any) -> str:
    return (UI.get(lang) or UI["en"])[key].format(**values)


def _text(value, lang: str) -> str:
    return "" if value is None else (value.get(lang) or str(value))


def ask_question(question: Question, lang: str, context: dict) -> Any:
    """Ask one (non-group) question until the answer fits; None when an optional question is skipped."""
    prompt = _text(question.prompt, lang)
    if question.help is not None:
        click.secho(f"  {_text(question.help, lang)}", dim=True)
    if question.type in ("choice", "multi"):
        for number, choice in enumerate(question.choices, 1):
            click.echo(f"  {number}. {_text(choice.label, lang)}  [{choice.value}]")
        click.secho(f"  {ui(lang, 'choose' if question.type == 'choice' else 'choose_many')}", dim=True)
    if question.type == "list":
        click.secho(f"  {ui(lang, 'list')}", dim=True)
    if not question.required:
        click.secho(f"  {ui(lang, 'optional')}", dim=True)
    suffix = f" ({ui(lang, 'yes_no')})" if question.type == "yes_no" else ""

    def parse(raw: str) -> Any:
        if _wants_back(raw, lang):
            raise Back
        raw = raw.strip()
        if not raw:
            if question.required:
                raise click.UsageError(ui(lang, "required"))
            return None
        try:
            if question.type in ("choice", "multi"):
                picks = [p.strip() for p in raw.split(",")] if question.type == "multi" else [raw]
                values = [_pick(question, p) for p in picks if p]
                return convert(question, values if question.type == "multi" else values[0], lang)
            if question.type == "yes_no":
                return to_bool(raw)
            return convert(question, raw, lang)
        except AnswerError as exc:
            raise click.UsageError(str(exc)) from None

    if question.type == "long_text":
        return _ask_long(prompt, parse, lang)
    default = question.default
    if isinstance(default, bool):
        default = ui(lang, "yes_no").split("/")[0 if default else 1]
    return click.prompt(prompt + suffix, default="" if default is None else str(default),
                        show_default=default is not None, value_proc=parse, prompt_suffix=_suffix(prompt + suffix, lang))


def _suffix(prompt: str, lang: str = "en") -> str:
    """No extra colon after a prompt that already ends in '?' or ':'; French puts a space before the colon."""
    if prompt.rstrip().endswith(("?", ":", ")")):
        return " "
    return " : " if lang == "fr" else ": "


def confirm(prompt: str, lang: str, *, default: bool) -> bool:
    """A yes/no question that also understands oui/non."""
    choices = ui(lang, "yes_no").split("/")

    def parse(raw: str) -> bool:
        try:
            return to_bool(raw)
        except AnswerError as exc:
            raise click.UsageError(str(exc)) from None

    return click.prompt(f"{prompt} ({ui(lang, 'yes_no')})", default=choices[0 if default else 1],
                        show_default=True, value_proc=parse, prompt_suffix=" ")


def _ask_long(prompt: str, parse: Callable[[str], Any], lang: str) -> Any:
    """A text of several lines: typed line after line until an empty one, or written in the officer's editor."""
    click.secho(f"  ({ui(lang, 'multiline')})", dim=True)
    while True:
        first = click.prompt(prompt, default="", show_default=False, prompt_suffix=_suffix(prompt, lang))
        if _wants_back(first, lang):
            raise Back
        if first.strip().casefold() in {"edit", ui(lang, "edit")}:
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
            ask: Callable[[Question, str, dict], Any] = ask_question, *, given: dict | None = None,
            on_answer: Callable[..., None] | None = None, unfinished: str | None = None) -> dict:
    """Ask each question that applies (``show_if``) in order; groups repeat their questions.

    ``given`` are answers already had (from a file, or a session being resumed): those questions are not asked.
    ``on_answer`` gets the answers so far after each one (a group's items as they are completed, with the group
    named as unfinished), to save them; ``unfinished`` names a group in ``given`` to go on with (more items).
    Typing "back" returns to the previous question asked at this level; at the first, to the level above.
    """
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
                value = _ask_group(question, lang, {**context, **answers}, ask, progress, start)
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
               start: list[dict] | None = None) -> list[dict]:
    what = _text(question.prompt, lang)
    if question.help is not None:
        click.secho(f"  {_text(question.help, lang)}", dim=True)
    items: list[dict] = list(start or [])
    while True:
        if len(items) >= question.min:
            if question.max is not None and len(items) >= question.max:
                break
            if not confirm(ui(lang, "another", what=what.rstrip("?:. ").lower()), lang, default=not items):
                break
        click.secho(ui(lang, "item", what=what.rstrip("?:. "), n=len(items) + 1), bold=True)
        try:
            items.append(ask_all(question.questions, lang, context, ask))
        except Back:  # back from an item's first question: the item before, or the question before the group
            if not items:
                raise
            items.pop()
            continue
        progress(list(items))
    return items


def ask_checklist(checklist, facts: dict[str, bool], lang: str) -> dict[str, Any]:
    """Ask each checklist item the record does not answer itself; the justification only if something triggered."""
    answers: dict[str, Any] = {}
    for item in checklist.items:
        if item.prefill and item.prefill in facts:
            click.secho(f"  {_text(item.question, lang)} {ui(lang, 'yes_no').split('/')[0 if facts[item.prefill] else 1]} "
                        f"({ui(lang, 'from_record')})", dim=True)
            continue
        if item.id == "justification" and not any(
            answers.get(i.id) is True or facts.get(i.prefill or "") for i in checklist.items if i.counts == "trigger"
        ):
            continue
        if item.guidance is not None:
            click.secho(f"  {_text(item.guidance, lang)}", dim=True)
        options = ui(lang, "yes_no") + ("/n/a" if item.not_applicable else "")

        def parse(raw: str, item=item) -> Any:
            if not raw.strip():
                if item.required and item.type == "yes_no":
                    raise click.UsageError(ui(lang, "required"))
                return None
            try:
                return convert_answer(item, raw)
            except AnswerError as exc:
                raise click.UsageError(str(exc)) from None

        suffix = f" ({options})" if item.type == "yes_no" else ""
        value = click.prompt(_text(item.question, lang) + suffix, default="", show_default=False, value_proc=parse,
                             prompt_suffix=_suffix(_text(item.question, lang) + suffix, lang))
        if value is not None and value != "":
            answers[item.id] = value
    return answers
