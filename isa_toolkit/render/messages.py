"""The fixed messages the document templates and contexts use, for the catalogs.

``isa templates check`` (and a test) compare these with each catalog, so a
message added to a template without a translation is caught before a French
document goes out with English in it.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from . import context

_CALL = re.compile(r"""\bt\(\s*(["'])(.+?)\1\s*\)""")


def used_messages(html_folders: list[Path], docx_folders: list[Path] = ()) -> set[str]:
    """Every message the contexts and the HTML and DOCX templates ask the catalog for."""
    found: set[str] = set()
    texts = [Path(context.__file__).read_text(encoding="utf-8")]
    for folder in html_folders:
        texts += [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.html"))]
    for folder in docx_folders:
        for path in sorted(folder.glob("*.docx")):
            with zipfile.ZipFile(path) as archive:
                texts += [html.unescape(re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8")))
                          for name in archive.namelist() if name.startswith("word/") and name.endswith(".xml")]
    for text in texts:
        found |= {match.group(2) for match in _CALL.finditer(text)}
    for table in (context.ROLE, context.CONTROLLER, context.BASIS, context.LEVEL, context.ANONYMISATION, context.OUTCOME,
                  context.ROLE_NAMES, context.DECISION, context.OUTSTANDING_ITEMS):
        found |= set(table.values())
    found |= {heading for _, heading in context.SECTIONS}
    return found
