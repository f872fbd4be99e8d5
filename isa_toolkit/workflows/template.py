"""A blank answers file for a questionnaire or a checklist, to fill in and give to ``--answers``.

Every question is a key, in the questionnaire's order, with its prompt, its
help, what it accepts and an example as comments in the officer's language;
the values are left empty. Read back unfilled, the file lists every required
answer still missing, each at its line, so an officer can fill it in over
several sittings and check it as often as they like.
"""

from __future__ import annotations

from typing import Any

from ..model import Localized
from ..model.checklist import Checklist
from .questionnaire import Question, Questionnaire

WORDS = {
    "en": {
        "head": "Answers for: {title}. Fill in the values after the colons; leave a line empty to skip an optional "
                "question.",
        "use": "Then: {command}",
        "required": "required",
        "optional": "optional",
        "one_of": "one of",
        "several": "one or more of, as a list: [a, b]",
        "yes_no": "yes or no",
        "yes_no_na": "yes, no or n/a",
        "date": "a date, YYYY-MM-DD, e.g. 2026-12-31",
        "email": "an email address, e.g. name@example.org",
        "number": "a whole number",
        "between": "from {low} to {high}",
        "list": "a list, e.g. [first, second]",
        "text": "text",
        "long_text": "text; several lines after >- on the next lines, indented",
        "per_language": "or per language: {en: ..., fr: ...}",
        "only_if": "only if {question} {condition}",
        "is": "is {value}",
        "in": "is one of {values}",
        "answered": "is answered",
        "not_answered": "is not answered",
        "items": "one item per entry; at least {min}",
        "items_max": "one item per entry; from {min} to {max}",
        "default": "default: {value}",
        "from_record": "answered from the record ({fact}); leave it empty",
        "condition": "if not: {condition}",
        "rationale": "Why you reached this result, in your own words (required).",
        "criteria": "The {title} checklist, worked through for this decision:",
    },
    "fr": {
        "head": "Réponses pour : {title}. Indiquez les valeurs après les deux-points ; laissez une ligne vide pour "
                "passer une question facultative.",
        "use": "Ensuite : {command}",
        "required": "obligatoire",
        "optional": "facultatif",
        "one_of": "l'une des valeurs",
        "several": "une ou plusieurs valeurs, en liste : [a, b]",
        "yes_no": "oui ou non",
        "yes_no_na": "oui, non ou sans objet",
        "date": "une date, AAAA-MM-JJ, par exemple 2026-12-31",
        "email": "une adresse électronique, par exemple nom@example.org",
        "number": "un nombre entier",
        "between": "de {low} à {high}",
        "list": "une liste, par exemple [premier, second]",
        "text": "texte",
        "long_text": "texte ; plusieurs lignes après >- sur les lignes suivantes, en retrait",
        "per_language": "ou par langue : {en: ..., fr: ...}",
        "only_if": "seulement si {question} {condition}",
        "is": "vaut {value}",
        "in": "vaut l'une de {values}",
        "answered": "a une réponse",
        "not_answered": "n'a pas de réponse",
        "items": "un élément par entrée ; au moins {min}",
        "items_max": "un élément par entrée ; de {min} à {max}",
        "default": "par défaut : {value}",
        "from_record": "réponse tirée du dossier ({fact}) ; laissez vide",
        "condition": "sinon : {condition}",
        "rationale": "Pourquoi vous arrivez à ce résultat, avec vos propres mots (obligatoire).",
        "criteria": "La liste de contrôle « {title} », appliquée à cette décision :",
    },
}


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def _in(text: Localized | None, lang: str) -> str:
    if text is None:
        return ""
    return " ".join((text.get(lang) or str(text)).split())


def _comment(lines: list[str], text: str, indent: str) -> None:
    """``text`` as comment lines of at most about 100 characters."""
    words, line = text.split(), ""
    for word in words:
        if line and len(line) + 1 + len(word) > 100 - len(indent):
            lines.append(f"{indent}# {line}")
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(f"{indent}# {line}")


def _accepts(question: Question, lang: str) -> str:
    w = _words(lang)
    if question.type in ("choice", "multi"):
        values = "; ".join(f"{c.value} ({_in(c.label, lang)})" for c in question.choices)
        return f"{w['one_of'] if question.type == 'choice' else w['several']}: {values}"
    if question.type == "number":
        if question.minimum is not None and question.maximum is not None:
            return f"{w['number']}, {w['between'].format(low=question.minimum, high=question.maximum)}"
        return w["number"]
    accepts = {"yes_no": w["yes_no"], "date": w["date"], "email": w["email"], "list": w["list"],
               "long_text": w["long_text"]}.get(question.type, w["text"])
    return f"{accepts} ({w['per_language']})" if question.localized else accepts


def _condition(question: Question, lang: str) -> str | None:
    show = question.show_if
    if show is None:
        return None
    w = _words(lang)
    if show.answered is not None:
        condition = w["answered"] if show.answered else w["not_answered"]
    elif show.in_ is not None:
        condition = w["in"].format(values=", ".join(str(v) for v in show.in_))
    else:
        condition = w["is"].format(value=_scalar(show.equals, lang))
    return w["only_if"].format(question=show.question, condition=condition)


def _scalar(value: Any, lang: str) -> str:
    if value is True:
        return _words(lang)["yes_no"].split()[0]
    if value is False:
        return _words(lang)["yes_no"].split()[-1]
    return str(value)


def _question(lines: list[str], question: Question, lang: str, indent: str, key_prefix: str = "") -> None:
    """The question's comments, then its key (``key_prefix`` opens or continues a list item)."""
    w = _words(lang)
    required = question.required or (question.type == "group" and question.min > 0)
    need = w["required"] if required else w["optional"]
    if key_prefix == "  ":  # a later key of a list item: its comments line up with it
        indent, key_prefix = indent + "  ", ""
    _comment(lines, f"{_in(question.prompt, lang)} ({need})", indent)
    if question.help is not None:
        _comment(lines, _in(question.help, lang), indent)
    if question.type != "group":
        _comment(lines, _accepts(question, lang), indent)
    condition = _condition(question, lang)
    if condition:
        _comment(lines, condition, indent)
    if question.default is not None:
        _comment(lines, w["default"].format(value=_scalar(question.default, lang)), indent)
    if question.type != "group":
        lines.append(f"{indent}{key_prefix}{question.id}:")
        return
    count = max(question.min, 1)
    spread = (w["items_max"].format(min=question.min, max=question.max) if question.max
              else w["items"].format(min=max(question.min, 1)))
    _comment(lines, spread, indent)
    lines.append(f"{indent}{key_prefix}{question.id}:")
    for _ in range(count):
        for number, sub in enumerate(question.questions):
            # The first key opens the item ("- "); the rest line up under it.
            _question(lines, sub, lang, indent + "    ", "- " if number == 0 else "  ")
        lines.append("")


def questionnaire_template(questionnaire: Questionnaire, lang: str, *, command: str,
                           checklist: Checklist | None = None, facts: tuple[str, ...] = (),
                           rationale: bool = False) -> str:
    """A blank answers file for ``questionnaire`` in ``lang``; with ``checklist``, its criteria under ``criteria:``."""
    w = _words(lang)
    lines: list[str] = []
    _comment(lines, w["head"].format(title=_in(questionnaire.title, lang)), "")
    _comment(lines, w["use"].format(command=command), "")
    lines += [f"language: {lang}", ""]
    for question in questionnaire.questions:
        _question(lines, question, lang, "")
        lines.append("")
    if checklist is not None:
        _comment(lines, w["criteria"].format(title=_in(checklist.title, lang)), "")
        lines.append("criteria:")
        _items(lines, checklist, lang, "  ", facts)
        lines.append("")
    if rationale:
        _comment(lines, w["rationale"], "")
        lines += ["rationale:", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def checklist_template(checklist: Checklist, lang: str, *, command: str, facts: tuple[str, ...] = ()) -> str:
    """A blank answers file for a checklist: each item with its question, guidance and how it counts."""
    w = _words(lang)
    lines: list[str] = []
    _comment(lines, w["head"].format(title=_in(checklist.title, lang)), "")
    _comment(lines, w["use"].format(command=command), "")
    lines += [f"checklist: {checklist.id}", f"language: {lang}", ""]
    _items(lines, checklist, lang, "", facts)
    _comment(lines, w["rationale"], "")
    lines.append("rationale:")
    return "\n".join(lines) + "\n"


def _items(lines: list[str], checklist: Checklist, lang: str, indent: str, facts: tuple[str, ...]) -> None:
    w = _words(lang)
    for item in checklist.items:
        if item.prefill and item.prefill in facts:
            _comment(lines, _in(item.question, lang), indent)
            _comment(lines, w["from_record"].format(fact=item.prefill), indent)
            lines.append(f"{indent}{item.id}:")
            lines.append("")
            continue
        need = w["required"] if item.required and item.type == "yes_no" else w["optional"]
        _comment(lines, f"{_in(item.question, lang)} ({need})", indent)
        if item.guidance is not None:
            _comment(lines, _in(item.guidance, lang), indent)
        if item.type == "yes_no":
            _comment(lines, w["yes_no_na"] if item.not_applicable else w["yes_no"], indent)
        else:
            _comment(lines, w["text"], indent)
        if item.condition is not None:
            _comment(lines, w["condition"].format(condition=_in(item.condition, lang)), indent)
        lines.append(f"{indent}{item.id}:")
        lines.append("")
