"""DOCX documents: docxtpl templates (real .docx files an organisation can edit in Word).

Answers are escaped (``autoescape``), so ``& < >`` and ``{{ }}`` in a record
print as text and the document stays valid XML. The file is made
deterministic: the zip entries carry a fixed timestamp and the document
properties come from the record, never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from ..errors import IsaError

TAG_RE = re.compile(r"\{[{%].*?[}%]\}")


def docx_template(folders: list[Path], name: str) -> Path:
    """The DOCX template ``name`` from the first folder that has it; it must lie inside that folder."""
    from .pdf import RefusedResource, inside

    for folder in folders:
        path = folder / f"{name}.docx"
        if path.is_file() or path.is_symlink():
            if not inside(path, [folder.resolve()]):
                raise RefusedResource(f"{path} is a symbolic link leading outside the template folder; "
                                      "templates are read only from their own folder")
            return path
    raise IsaError(f"no DOCX template {name}.docx in {', '.join(map(str, folders))}")


def open_template(template: Path):
    """The template as a docxtpl document, or a plain refusal when it is not a Word document."""
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    try:
        document = DocxTemplate(str(template))
        document.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IsaError(f"{template} is not a Word document (.docx) that can be read ({exc}); save it again from "
                       "Word or LibreOffice as .docx") from None
    return document


def render_docx(template: Path, context: dict, *, title: str, subject: str, day: dt.date | None) -> bytes:
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    document = open_template(template)
    try:
        # Sandboxed, like the HTML templates: a template cannot reach Python or the shell.
        document.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as exc:
        where = f" (line {exc.lineno} of its tags)" if getattr(exc, "lineno", None) else ""
        raise IsaError(f"the template {template.name} cannot be used{where}: {exc}") from None
    moment = dt.datetime.combine(day or dt.date(2000, 1, 1), dt.time())
    properties = document.docx.core_properties
    properties.title = title[:250]
    properties.subject = subject
    properties.author = properties.last_modified_by = "isa-toolkit"
    properties.created = properties.modified = moment
    properties.last_printed = moment
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue(), moment)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same zip with every entry stamped ``moment`` (zip time can not go before 1980)."""
    stamp = max(moment, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART_NAMES = (("word/document.xml", "body"), ("word/header", "header"), ("word/footer", "footer"),
               ("word/footnotes", "footnotes"), ("word/endnotes", "endnotes"))


def docx_paragraphs(template: Path) -> list[tuple[str, list[str]]]:
    """Every paragraph of the template, wherever it is (body, nested tables, text boxes, hyperlinks, headers and
    footers), as ``(location, [text of each w:t element])``; locations read like ``footer paragraph 2``.

    Raises IsaError when the file is not a Word document.
    """
    from lxml import etree

    try:
        with zipfile.ZipFile(template) as archive:
            names = sorted(n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml"))
            parts = [(name, archive.read(name)) for name in names]
    except (zipfile.BadZipFile, OSError) as exc:
        raise IsaError(f"{template} is not a Word document (.docx) that can be read ({exc})") from None
    out = []
    for name, xml in parts:
        where = next((label for prefix, label in _PART_NAMES if name.startswith(prefix)), None)
        if where is None:
            continue
        try:
            root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise IsaError(f"{template}: {name} is not well-formed XML ({exc})") from None
        for number, paragraph in enumerate(root.iter(f"{W}p"), 1):
            texts = [t.text or "" for t in paragraph.iter(f"{W}t")
                     if next(t.iterancestors(f"{W}p")) is paragraph]  # not a text box's own paragraphs
            out.append((f"{where} paragraph {number}", texts))
    return out


def split_tags(template: Path) -> list[str]:
    """Tags Word has split across runs (they may no longer work), each with where it is:
    ``{{ doc.title }} (body paragraph 4)``."""
    problems = []
    for where, texts in docx_paragraphs(template):
        for tag in TAG_RE.findall("".join(texts)):
            if not any(tag in text for text in texts):
                problems.append(f"{tag} ({where})")
    return problems
