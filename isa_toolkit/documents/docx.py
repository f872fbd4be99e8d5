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

from ..errors import IsaError, TemplateRefused

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
    """The template as a docxtpl document, once :func:`.package_guard.check_docx_package` has passed it; a plain
    refusal when it is not a Word document that can be read."""
    from docxtpl import DocxTemplate

    from .package_guard import check_docx_package

    check_docx_package(template)
    try:
        document = DocxTemplate(str(template))
        document.init_docx()
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds on a malformed package; all mean that
        raise TemplateRefused(f"{template} is not a Word document (.docx) that can be read ({_exception(exc)}); "
                              "save it again from Word or LibreOffice as .docx") from None
    return document


def render_docx(template: Path, context: dict, *, title: str, subject: str, day: dt.date | None) -> bytes:
    """The DOCX made from ``template`` for ``context``; any error, of the template's tags or of its Word XML, is
    refused with the file, where in it, and what to do."""
    from jinja2 import StrictUndefined

    from .template_limits import LimitedEnvironment, template_refusal

    document = open_template(template)
    # Sandboxed and limited, like the HTML templates: a template cannot reach Python or the shell, build huge texts
    # or run without end. Strict, like the HTML templates: a template asking for something the context does not
    # hold (one made for an older version of the toolkit) is refused, rather than leaving the document silently
    # incomplete.
    environment = LimitedEnvironment(autoescape=True, undefined=StrictUndefined)
    try:
        document.render(context, jinja_env=environment, autoescape=True)
        return _finish(document, context, title=title, subject=subject, day=day)
    except IsaError:
        raise
    except Exception as exc:  # noqa: BLE001 - docxtpl, python-docx and lxml raise many kinds; all become a message
        from jinja2 import TemplateError

        if isinstance(exc, TemplateError) or _in_template(exc):
            raise template_refusal(exc, str(template), where=_docx_place(template, document, environment, exc)) \
                from None
        raise TemplateRefused(f"the template {template} cannot be used: the document made from it is not valid Word "
                              f"XML ({_exception(exc)}); check the tags that make XML (such as {{%p %}} and {{%tr %}}) "
                              "and values marked safe, or compare it with the shipped one") from None


def _exception(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _in_template(exc: BaseException) -> bool:
    """The exception was raised while a template's code ran (a ZeroDivisionError in a tag, say)."""
    from .template_limits import error_location

    return error_location(exc) != (None, None)


def _docx_place(template: Path, document, environment, exc: BaseException) -> str | None:
    """Where in a DOCX template an error is: its part and paragraph (``body paragraph 12``, as ``isa templates
    check`` says it) when the text of the line at fault is found in one paragraph, and that text."""
    import html

    from .template_limits import error_location

    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    if "render_properties" in frames:  # docxtpl renders the title, subject ... as templates too
        text = " ".join((environment.last_source or "").split())
        return f"the document properties (File > Info), at “{text[:77]}”" if text else "the document properties"
    part = getattr(getattr(document, "current_rendering_part", None), "partname", "") or ""
    label = next((label for prefix, label in _PART_NAMES if part.lstrip("/").startswith(prefix)), None)
    _, line = error_location(exc)
    source = environment.last_source
    if not line or source is None:
        return label
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return label
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", lines[line - 1])).split())
    if not text:
        return label
    shown = text if len(text) <= 80 else text[:77] + "..."
    try:
        paragraphs = docx_paragraphs(template)
    except IsaError:
        paragraphs = []
    found = [where for where, texts in paragraphs
             if (label is None or where.startswith(label + " ")) and text in " ".join("".join(texts).split())]
    place = found[0] if len(found) == 1 else label
    return f"{place}, at “{shown}”" if place else f"at “{shown}”"


def _finish(document, context: dict, *, title: str, subject: str, day: dt.date | None) -> bytes:
    """The rendered document's properties set from the record, its languages marked, its zip made deterministic."""
    moment = dt.datetime.combine(day or dt.date(2000, 1, 1), dt.time())
    properties = document.docx.core_properties
    properties.title = title[:250]
    properties.subject = subject
    properties.author = properties.last_modified_by = "isa-toolkit"
    properties.created = properties.modified = moment
    properties.last_printed = moment
    properties.comments = ""  # the blank template's "generated by python-docx"
    # One language tag, the document's first ("en-fr" would mean English as written in France); a document in one
    # language is proofread in it by Word and LibreOffice.
    langs = context["langs"]
    properties.language = PROOFING.get(langs[0], langs[0])
    _proof_in(document.docx, PROOFING.get(langs[0], langs[0]))
    mark_languages(document.docx)
    balance_grids(document.docx)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return normalise_zip(buffer.getvalue(), moment)


PROOFING = {"en": "en-GB", "fr": "fr-FR"}  # the regional tag a word processor proofreads in


LANGUAGE_STYLE = "IsaLanguagePart"


def mark_languages(document) -> None:
    """Each language's part marked with its language, so Word and LibreOffice proofread French as French.

    A template puts a paragraph in the style ``IsaLanguagePart``, holding only the language (``{{ doc.lang }}``),
    where a language's part begins (and where the part for every language begins, such as the signatures); each such
    paragraph is taken out and every run up to the next one gets ``<w:lang w:val="fr-FR"/>``. A template without
    them is left as it is.
    """
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    body = document.element.body
    lang = None
    for element in list(body.iterchildren()):
        if element.tag == qn("w:p"):
            style = element.find(qn("w:pPr") + "/" + qn("w:pStyle"))
            if style is not None and style.get(qn("w:val")) == LANGUAGE_STYLE:
                found = "".join(t.text or "" for t in element.iter(qn("w:t"))).strip()
                lang = PROOFING.get(found, found) if LANGUAGE_RE.fullmatch(found) else None
                body.remove(element)
                continue
        if lang is None:
            continue
        for run in element.iter(qn("w:r")):
            properties = run.find(qn("w:rPr"))
            if properties is None:
                properties = OxmlElement("w:rPr")
                run.insert(0, properties)
            tag = properties.find(qn("w:lang"))
            if tag is None:
                tag = OxmlElement("w:lang")
                properties.append(tag)  # w:lang comes late in w:rPr's sequence
            tag.set(qn("w:val"), lang)


LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")


GRID_MARK = re.compile(r"isa-grid:(\d+)")


def balance_grids(document) -> None:
    """A table whose columns repeat for each item (the sharing matrix: one column per audience) gets its width back:
    the first columns keep theirs, and the repeated ones share what is left equally. The template marks such a
    table with the description ``isa-grid:N`` (N: the columns before the repeated ones)."""
    from docx.oxml.ns import qn

    for table in document.element.body.iter(qn("w:tbl")):
        description = table.find(qn("w:tblPr") + "/" + qn("w:tblDescription"))
        found = GRID_MARK.fullmatch(description.get(qn("w:val")) or "") if description is not None else None
        if not found:
            continue
        fixed = int(found.group(1))
        columns = table.findall(qn("w:tblGrid") + "/" + qn("w:gridCol"))
        if len(columns) <= fixed:
            continue
        widths = [int(float(c.get(qn("w:w")) or 0)) for c in columns]
        share = (sum(widths) - sum(widths[:fixed])) // (len(columns) - fixed)
        widths = widths[:fixed] + [share] * (len(columns) - fixed)
        for column, width in zip(columns, widths, strict=True):
            column.set(qn("w:w"), str(width))
        for row in table.findall(qn("w:tr")):
            for cell, width in zip(row.findall(qn("w:tc")), widths, strict=False):
                cell_width = cell.find(qn("w:tcPr") + "/" + qn("w:tcW"))
                if cell_width is not None:
                    cell_width.set(qn("w:w"), str(width))
                    cell_width.set(qn("w:type"), "dxa")


def _proof_in(document, tag: str) -> None:
    """Every run's default language (the document's styles) set to ``tag``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    properties = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if properties is None:
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), tag)


def normalise_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same zip with every entry stamped ``moment`` (zip time can not go before 1980)."""
    stamp = max(moment, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            body = source.read(info.filename)
            if info.filename == "docProps/app.xml":  # name the application that made the file, not Word's template
                body = re.sub(rb"<Application>[^<]*</Application>", b"<Application>isa-toolkit</Application>", body)
            target.writestr(entry, body)
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

    from .package_guard import check_docx_package

    check_docx_package(template)
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
