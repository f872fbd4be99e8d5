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


def render_docx(template: Path, context: dict, *, title: str, subject: str, day: dt.date | None) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        document = DocxTemplate(str(template))
        # Sandboxed, like the HTML templates: a template cannot reach Python or the shell.
        document.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as exc:
        raise IsaError(f"the template {template.name} cannot be used: {exc}") from None
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


def split_tags(template: Path) -> list[str]:
    """Tags Word has split across runs (they no longer work): each as the paragraph text around it."""
    from docx import Document

    problems = []
    document = Document(str(template))
    parts = [document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.paragraphs)
    for section in document.sections:
        parts += [section.header.paragraphs, section.footer.paragraphs]
    for paragraphs in parts:
        for paragraph in paragraphs:
            whole = paragraph.text
            for tag in TAG_RE.findall(whole):
                if not any(tag in run.text for run in paragraph.runs):
                    problems.append(tag)
    return problems
