"""The fixed messages the document templates and contexts use, for the catalogs.

``isa templates check`` (and a test) compare these with each catalog, so a
message added to a template without a translation is caught before a French
document goes out with English in it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IsaError
from . import clauses, context

_CALL = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")


def _python_calls(source: Path) -> list[tuple[str, int]]:
    """Each ``t("...")`` (or ``label(parts, "...")``) call in a Python module, with its line (strings split over lines joined, as Python does)."""
    import ast

    calls = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else (
            func.slice.value if isinstance(func, ast.Subscript) and isinstance(func.slice, ast.Constant) else None)
        at = {"t": 0, "label": 1}.get(name)  # t("..."), part["t"]("..."), label(parts, "...")
        if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant) \
                and isinstance(node.args[at].value, str):
            calls.append((node.args[at].value, node.lineno))
    return sorted(calls, key=lambda call: call[1])


def message_uses(html_folders: list[Path], docx_folders: list[Path] = ()) -> dict[str, str]:
    """Every message the contexts and templates ask the catalog for, with where it is first used
    (``agreement.html:12``, ``agreement.docx (footer paragraph 1)``, ``the documents' labels``)."""
    from .docx import docx_paragraphs

    found: dict[str, str] = {}

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
    # The texts of the documents' contexts, and of the e-mails that carry packs for signature (read, not imported:
    # the signing package sits above this one).
    signing = Path(context.__file__).parent.parent / "signing"
    for source in (Path(context.__file__), Path(clauses.__file__), signing / "send.py", signing / "seal.py"):
        for message, line in _python_calls(source):
            found.setdefault(message, f"{source.name}:{line}")
    for folder in html_folders:
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
