"""The fixed messages the document templates and contexts use, for the catalogs.

``isa templates check`` (and a test) compare these with each catalog, so a
message added to a template without a translation is caught before a French
document goes out with English in it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IsaError
from . import context

_CALL = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")


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
    for _, message in context.TOOLKIT_DETAILS:
        found.setdefault(message, "the document-control entries the toolkit writes (isa_toolkit/documents/context.py)")
    for word, note in context.STATUS_NOTE.values():
        found.setdefault(word, "the documents' status notes (isa_toolkit/documents/context.py)")
        found.setdefault(note, "the documents' status notes (isa_toolkit/documents/context.py)")
    for _, heading in context.SECTIONS:
        found.setdefault(heading, "the documents' section headings (isa_toolkit/documents/context.py)")
    source = Path(context.__file__)
    add(source.read_text(encoding="utf-8"), lambda line: f"{source.name}:{line}")
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
