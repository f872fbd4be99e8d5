"""``isa templates check``: what would make a document silently wrong."""

from __future__ import annotations

from pathlib import Path

from ..resources import shipped
from .docx import split_tags
from .messages import used_messages


def check_templates(register_root: Path | None) -> list[str]:
    """Problems, each ``path: message``: split DOCX tags, catalogs missing a message the templates use."""
    from babel.messages.pofile import read_po

    folders = [shipped("templates")]
    if register_root is not None and (register_root / "templates").is_dir():
        folders.insert(0, register_root / "templates")
    problems = []
    for folder in folders:
        for template in sorted((folder / "docx").glob("*.docx")):
            for tag in split_tags(template):
                problems.append(f"{template}: the tag {tag} is split across runs (Word did it); retype it in one go")
    used = used_messages([f / "html" for f in folders if (f / "html").is_dir()],
                         [f / "docx" for f in folders if (f / "docx").is_dir()])
    for folder in folders:
        for catalog_path in sorted((folder / "locale").glob("*/LC_MESSAGES/messages.po")):
            with open(catalog_path, "rb") as handle:
                catalog = read_po(handle)
            translated = {m.id for m in catalog if m.id and m.string}
            for message in sorted(used - translated):
                problems.append(f"{catalog_path}: no translation for {message!r}")
    return problems
