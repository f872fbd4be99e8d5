"""The fixed messages the document templates and contexts use, for the catalogs, and the toolkit's own words that
come from the same catalogs: the terminal's prompts and the e-mails.

``isa templates check`` (and a test) compare these with each catalog, so a
message added to a template, a prompt or an e-mail without a translation is
caught before a French document or e-mail goes out with English in it. A
message with a plural (``ngettext``) is the pair of its two English forms, as
the catalog holds it, and counts as translated when every form is.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IsaError
from . import context

_CALL = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")

# The modules whose texts the catalogs translate, read rather than imported (the signing and command-line packages
# sit below this one): the documents' contexts and clauses; the e-mails (packs sent for signature, reminders,
# escalations and chasers; the sealed copy's certificate); the terminal's prompts (the questionnaire's, and the
# questions commands ask); the register site's labels (with its templates, templates/site, which a register cannot
# replace: see site_templates).
PYTHON_SOURCES = ("documents/context.py", "documents/clauses.py", "signing/send.py", "signing/seal.py",
                  "review/reminders.py", "workflows/ask.py", "cli/agreements.py", "cli/cases.py", "site/build.py")

# Where a call's message is: t("..."), part["t"]("..."), gettext("..."), words.gettext("..."), label(parts, "..."),
# ui(lang, "...") (the prompts'), and ngettext("...", "...", n) (a message and its plural).
_SINGULAR = {"t": 0, "gettext": 0, "label": 1, "ui": 1}
_PLURAL = {"ngettext": 0}

Message = str | tuple[str, str]


def site_templates() -> Path:
    """The register site's templates (``isa site``): always the shipped ones, so always checked."""
    from ..resources import shipped

    return shipped("templates") / "site"  # a message, or a message and its plural


def _python_calls(source: Path) -> list[tuple[Message, int]]:
    """Each message a Python module asks a catalog for (see ``_SINGULAR`` and ``_PLURAL``), with its line (strings
    split over lines joined, as Python does)."""
    import ast

    def text(node) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    calls: list[tuple[Message, int]] = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else (
            func.slice.value if isinstance(func, ast.Subscript) and isinstance(func.slice, ast.Constant) else None)
        at = _SINGULAR.get(name)
        if at is not None and len(node.args) > at and text(node.args[at]) is not None:
            calls.append((text(node.args[at]), node.lineno))
        at = _PLURAL.get(name)
        if at is not None and len(node.args) > at + 1 and None not in (text(node.args[at]), text(node.args[at + 1])):
            calls.append(((text(node.args[at]), text(node.args[at + 1])), node.lineno))
    return sorted(calls, key=lambda call: call[1])


def message_text(message: Message) -> str:
    """A message as a problem quotes it: ``'...'``, with its plural after it."""
    return repr(message) if isinstance(message, str) else f"{message[0]!r} (plural {message[1]!r})"


def message_uses(html_folders: list[Path], docx_folders: list[Path] = ()) -> dict[Message, str]:
    """Every message the contexts, templates, prompts and e-mails ask the catalog for, with where it is first used
    (``agreement.html:12``, ``agreement.docx (footer paragraph 1)``, ``the documents' labels``, ``ask.py:70``)."""
    from .docx import docx_paragraphs

    found: dict[Message, str] = {}

    def add(text: str, where) -> None:
        for match in _CALL.finditer(text):
            place = where(text[:match.start()].count("\n") + 1) if callable(where) else where
            found.setdefault(match.group(2), place)

    for table in (context.ROLE, context.CONTROLLER, context.BASIS, context.LEVEL, context.ANONYMISATION, context.OUTCOME,
                  context.ROLE_NAMES, context.DECISION, context.OUTSTANDING_ITEMS, context.SIGNOFF_DECISION):
        for message in table.values():
            found.setdefault(message, "the documents' labels (isa_toolkit/documents/context.py)")
    for message in context.FIELD_WORDS.values():
        found.setdefault(message, "the names of fields in the untranslated notice (isa_toolkit/documents/context.py)")
    for _, message in context.TOOLKIT_DETAILS:
        found.setdefault(message, "the document-control entries the toolkit writes (isa_toolkit/documents/context.py)")
    for word, note in context.STATUS_NOTE.values():
        found.setdefault(word, "the documents' status notes (isa_toolkit/documents/context.py)")
        found.setdefault(note, "the documents' status notes (isa_toolkit/documents/context.py)")
    package = Path(context.__file__).parent.parent
    for relative in PYTHON_SOURCES:
        for message, line in _python_calls(package / relative):
            found.setdefault(message, f"isa_toolkit/{relative}:{line}")
    for folder in [*html_folders, site_templates()]:
        for path in sorted(folder.glob("*.html")):
            try:
                add(path.read_text(encoding="utf-8"), lambda line, path=path: f"{path.name}:{line}")
            except (OSError, UnicodeDecodeError):
                continue  # reported by the template check
    for folder in docx_folders:
        for path in sorted(folder.glob("*.docx")):
            try:
                paragraphs = docx_paragraphs(path)
            except IsaError:
                continue  # reported by the template check
            for where, texts in paragraphs:
                add("".join(texts), f"{path.name} ({where})")
    return found
