"""Build the DOCX templates in this folder (agreement.docx, signoff-sheet.docx, disclosure.docx ...).

The .docx files are the templates: open and edit them in Word or LibreOffice.
This script is how the shipped ones were made, so that every docxtpl tag sits
in a single run (Word splits a tag typed by hand across runs when it checks
spelling or tracks changes; `isa templates check` finds such splits). Run it
again after changing it:

    python templates/docx/build_templates.py              # every template
    python templates/docx/build_templates.py disclosure   # only the ones named
    python templates/docx/build_templates.py --out DIR    # into another folder (the tests compare the two)
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT  # noqa: F401 - kept for organisations that want landscape tables
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

HERE = Path(__file__).resolve().parent


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# Running header and footer. A document in two languages has one header and footer for both, so their labels
# are given in each language ("Version / Version · Fingerprint / Empreinte").
def _labels(message: str) -> str:
    return "{% for d in docs %}{{ d.t('" + message + "') }}{% if not loop.last %} / {% endif %}{% endfor %}"


UNTRANSLATED = ("{{ doc.t('Some text is not yet translated into this language and is shown in its original language, marked "
                "as untranslated:') }} {{ doc.untranslated | join(', ') }}")
NONE_SO_FAR = "{{ doc.t('None so far.') }}"
NOT_FOR_SIGNATURE = "{{ doc.t('Not for signature: this copy is not the version sent to the parties for signature.') }}"
MARKING = "{% if docs[0].marking %}{{ docs[0].marking }} · {% endif %}"  # e.g. OFFICIAL-SENSITIVE, from register.yaml
# A bilingual header names the record by its id, so that it keeps to one line.
HEADER = (MARKING + "{% if docs | length > 1 %}{{ id }}{% else %}{{ title }}{% endif %} · " + _labels("Version") + " {{ version }}"
          "{% if docs[0].status_word %} · {% for d in docs %}{{ d.status_word }}{% if not loop.last %} / {% endif %}"
          "{% endfor %}{% endif %}")
FOOTER = MARKING + "{{ id }} · " + _labels("Version") + " {{ version }} · " + _labels("Fingerprint") + " {{ fingerprint }} · "


FONT = "DejaVu Sans"  # the PDF's font
HEADINGS = {"Title": 17, "Heading 1": 17, "Heading 2": 12.5, "Heading 3": 10.5}  # points, as document.css


def _headings_in_the_pdf_font(document) -> None:
    """Word's own heading styles (so its navigation pane and tables of contents work) in the PDF's font and
    sizes, black; and the font named with the family Word substitutes where it is not installed (Windows has
    no DejaVu Sans: Word falls back to a sans-serif of the same family, Arial)."""
    for name, size in HEADINGS.items():
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x11, 0x11, 0x11)
        style.font.bold = True
        fonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        fonts.set(qn("w:cs"), FONT)
    for part in document.part.package.iter_parts():
        if str(part.partname) == "/word/fontTable.xml":
            from lxml import etree

            root = etree.fromstring(part.blob)
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), FONT)
            for tag, value in (("w:altName", "Arial"), ("w:panose1", "020B0603030804020204"), ("w:charset", "00"),
                               ("w:family", "swiss"), ("w:pitch", "variable")):
                child = etree.SubElement(font, qn(tag))
                child.set(qn("w:val"), value)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _base(title: str, header_text: str = HEADER, footer_text: str = FOOTER, *, mark: bool = True) -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(22)
    section.left_margin = section.right_margin = Mm(18)
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    _headings_in_the_pdf_font(document)
    header = section.header.paragraphs[0]
    header.text = header_text
    header.style.font.size = Pt(8)
    if mark:  # a draft's mark, on every page: the header repeats (a copy not to be taken for the signable one)
        word = section.header.add_paragraph().add_run("{% if watermark %}{{ watermark }}{% endif %}")
        word.bold = True
        word.font.size = Pt(14)
        word.font.all_caps = True
        word.font.color.rgb = RGBColor(0xAA, 0x00, 0x00)
    footer = section.footer.paragraphs[0]
    footer.add_run(footer_text)
    footer.add_run(_labels("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")
    properties = document.core_properties
    properties.title = title
    properties.author = "isa-toolkit"
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    properties.revision = 1
    return document


def _table(document, headers: list[str], cells: list[str], loop: str, widths_mm: list[int] | None = None):
    """A table with a header row and one row repeated by docxtpl for each item of ``loop``; returns the table.

    ``widths_mm`` sets the column widths (174 mm is the page's text width); without it the columns share it equally.
    """
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    if widths_mm:
        table.autofit = False
        for column, width in zip(table.columns, widths_mm):
            column.width = Mm(width)  # the grid, which LibreOffice follows
        for row in table.rows:  # and each cell, which Word follows
            for cell, width in zip(row.cells, widths_mm):
                cell.width = Mm(width)
    for index, text in enumerate(headers):
        table.rows[0].cells[index].text = text
        table.rows[0].cells[index].paragraphs[0].runs[0].bold = True
        _shade(table.rows[0].cells[index])
        if widths_mm:
            table.rows[0].cells[index].paragraphs[0].runs[0].font.size = Pt(8)
    table.rows[1].cells[0].text = "{%tr for item in " + loop + " %}"
    for index, text in enumerate(cells):
        table.rows[2].cells[index].text = text
        if widths_mm and text:
            table.rows[2].cells[index].paragraphs[0].runs[0].font.size = Pt(8.5)
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _repeat_header(table)  # the item row docxtpl repeats carries its properties to every copy
    return table


def _shade(cell, fill: str = "E8ECF0") -> None:
    """A header cell's background, as the PDF's."""
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(table) -> None:
    """The header row repeats on every page the table runs onto; the header and item rows never split."""
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for row in (table.rows[0], table.rows[2]):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _cell_note(cell, text: str, condition: str) -> None:
    """A smaller second paragraph in a table cell, there only when ``condition`` holds for the row's item."""
    cell.add_paragraph("{%p if " + condition + " %}")
    cell.add_paragraph().add_run(text).font.size = Pt(8)
    cell.add_paragraph("{%p endif %}")


def _para(document, text: str, style: str | None = None) -> None:
    document.add_paragraph(text, style=style)


# The blocks every template is built of. Each writes its docxtpl tags as paragraphs of their own ({%p ... %}), so that
# a tag never shares a paragraph with text and the paragraph holding it disappears from the document.


@contextmanager
def _each(document, loop: str = "doc in docs", *, page_break: bool = False) -> Iterator[None]:
    """The paragraphs written inside, once for each item of ``loop`` (with ``page_break``, a new page between two)."""
    _para(document, "{%p for " + loop + " %}")
    yield
    if page_break:
        with _only_if(document, "not loop.last"):
            document.add_page_break()
    _para(document, "{%p endfor %}")


@contextmanager
def _only_if(document, condition: str) -> Iterator[None]:
    """The paragraphs written inside, only when ``condition`` holds."""
    _para(document, "{%p if " + condition + " %}")
    yield
    _para(document, "{%p endif %}")


@contextmanager
def _either(document, condition: str, otherwise: str | Callable[[], None]) -> Iterator[None]:
    """The paragraphs written inside when ``condition`` holds, else ``otherwise`` (a paragraph's text, or what a
    function writes)."""
    _para(document, "{%p if " + condition + " %}")
    yield
    _para(document, "{%p else %}")
    if callable(otherwise):
        otherwise()
    else:
        _para(document, otherwise)
    _para(document, "{%p endif %}")


def _each_language(document, loop: str = "doc in docs"):
    """Each language's part of the document (or each page of a set), a page break between two."""
    return _each(document, loop, page_break=True)


def _line_if(document, condition: str, text: str) -> None:
    """One paragraph, there only when ``condition`` holds."""
    with _only_if(document, condition):
        _para(document, text)


def _list(document, loop: str, text: str = "{{ item }}", style: str = "List Bullet") -> None:
    """One list paragraph for each item of ``loop`` (``item in doc.commitments``)."""
    with _each(document, loop):
        _para(document, text, style)


def _opening(document, heading: str) -> None:
    """A record's own document opens with its heading, then which agreement and version it is about."""
    document.add_heading("{{ doc.t('" + heading + "') }}", level=1)
    _para(document, "{{ doc.title }} · {{ id }} · {{ doc.t('Version') }} {{ version }}")


def _bullets(document, loop: str) -> None:
    _list(document, "item in " + loop)


def _paragraphs(document, loop: str) -> None:
    with _each(document, "paragraph in " + loop):
        _para(document, "{{ paragraph }}")


def _grid(document, loop_columns: str, loop_rows: str, headers: list[str], cells: list[str], column: str, cell: str,
          widths_mm: list[int]):
    """A table whose last columns repeat for each item of ``loop_columns`` (docxtpl's column tags, ``{%tc %}``):
    the sharing matrix, one column per audience. docxtpl shares the width left among the repeated columns."""
    table = document.add_table(rows=4, cols=len(headers) + 3)
    table.style = "Table Grid"
    table.autofit = False
    widths = widths_mm + [8, (174 - sum(widths_mm)) - 16, 8]
    for col, width in zip(table.columns, widths):
        col.width = Mm(width)
        for c in col.cells:
            c.width = Mm(width)
    row = table.rows[0].cells
    for index, text in enumerate(headers):
        row[index].text = text
        row[index].paragraphs[0].runs[0].bold = True
    for header in row:
        _shade(header)
    n = len(headers)
    row[n].text, row[n + 1].text, row[n + 2].text = "{%tc for a in " + loop_columns + " %}", column, "{%tc endfor %}"
    row[n + 1].paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for item in " + loop_rows + " %}"
    row = table.rows[2].cells
    for index, text in enumerate(cells):
        row[index].text = text
    row[n].text, row[n + 1].text, row[n + 2].text = "{%tc for c in item.cells %}", cell, "{%tc endfor %}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _repeat_header(table)
    for run in (r for row in table.rows for c in row.cells for p in c.paragraphs for r in p.runs):
        run.font.size = Pt(7.5)
    # The renderer shares the width left after the first columns equally among the repeated ones (GRID_MARK).
    description = OxmlElement("w:tblDescription")
    description.set(qn("w:val"), f"isa-grid:{len(headers)}")
    table._tbl.tblPr.append(description)
    return table


def _tables_of_clause(d, holder: str) -> None:
    """The tables a clause or sub-clause lays out with its text (``holder.table`` names which)."""
    with _only_if(d, holder + ".table == 'parties'"):
        table = _table(d, ["{{ doc.t('Organisation') }}", "{{ doc.t('Role') }}", "{{ doc.t('Designated officer') }}",
                           "{{ doc.t('Data protection officer') }}", "{{ doc.t('Signatory') }}"],
                       ["{{ item.organisation }}", "{{ item.role }}", "{{ item.officer.name if item.officer else '' }}",
                        "{{ item.dpo.name if item.dpo else '' }}", "{{ item.signatory.name if item.signatory else '' }}"],
                       "doc.parties", widths_mm=[36, 24, 40, 37, 37])
        row = table.rows[2].cells
        _cell_note(row[0], "{{ item.controller }}", "item.controller")
        for cell, who in ((row[2], "item.officer"), (row[3], "item.dpo")):  # their e-mail and phone: clause 1.1
            _cell_note(cell, "{{ " + who + ".title }}", who + " and " + who + ".title")
        _cell_note(row[4], "{{ item.signatory.title }}", "item.signatory and item.signatory.title")
    with _only_if(d, holder + ".table == 'data'"):
        items = _table(d, ["{{ doc.t('Data item') }}", "{{ doc.t('Category') }}", "{{ doc.t('Sensitivity') }}",
                           "{{ doc.t('Frequency') }}", "{{ doc.t('Transfer method') }}"],
                       ["{{ item.name }}", "{{ item.category }}", "{{ item.level }}", "{{ item.frequency }}",
                        "{{ item.transfer_method }}"], "doc.data_items", widths_mm=[52, 30, 28, 27, 37])
        _cell_note(items.rows[2].cells[0], "{{ item.description }}", "item.description")
        _cell_note(items.rows[2].cells[0], "{{ doc.t('Anonymisation') }}{{ doc.colon }} {{ item.anonymisation }}",
                   "item.anonymisation")
    with _only_if(d, holder + ".table == 'legal_basis'"):
        _table(d, ["{{ doc.t('Type') }}", "{{ doc.t('Reference') }}", "{{ doc.t('Detail') }}"],
               ["{{ item.type }}", "{{ item.reference }}", "{{ item.detail }}"], "doc.legal_basis", widths_mm=[35, 45, 94])
    with _only_if(d, holder + ".table == 'matrix'"):
        _grid(d, "doc.sharing_matrix.audiences", "doc.sharing_matrix.rows",
              ["{{ doc.t('Information') }}", "{{ doc.t('Sensitivity') }}"], ["{{ item.type }}", "{{ item.level }}"],
              "{{ a }}", "{{ c }}", [40, 28])
    with _only_if(d, holder + ".table == 'classification_table'"):
        _table(d, ["{{ doc.t('Sensitivity') }}", "{{ doc.t('Classification') }}", "{{ doc.t('Examples') }}",
                   "{{ doc.t('How it may be shared') }}"],
               ["{{ item.level }}", "{{ item.name }}{{ doc.colon }} {{ item.description }}", "{{ item.data_types | join('; ') }}",
                "{{ item.dissemination | join('; ') }}"], "doc.classification_table", widths_mm=[22, 56, 48, 48])


def agreement() -> Document:
    """An agreement or protocol: for each language the front matter, the twelve numbered clauses and the annexes
    (as isa_toolkit/documents/clauses.py lists them, which the HTML template walks too); then the signatures."""
    d = _base("Information sharing agreement")
    with _each_language(d):
        _part_language(d)
        with _only_if(d, "doc.status_note"):
            _flag(d, "{{ doc.status_word }}", "{{ doc.status_note }}")
        d.add_heading("{{ doc.title }}", level=1)
        _para(d, "{{ doc.kind }} · {{ id }} · {{ doc.t('Version') }} {{ version }} · {{ doc.date }} · {{ doc.sharing_type }}"
                 "{% if doc.business_area %} · {{ doc.t('Business area') }}{{ doc.colon }} {{ doc.business_area }}{% endif %}")
        _line_if(d, "doc.untranslated", UNTRANSLATED)
        _line_if(d, "doc.authentic", "{{ doc.authentic }}")
        d.add_heading("{{ doc.t('Document control') }}", level=2)
        _table(d, ["{{ doc.t('Version') }}", "{{ doc.t('Change') }}", "{{ doc.t('Author') }}", "{{ doc.t('Date') }}",
                   "{{ doc.t('Approved by') }}"],
               ["{{ item.version }}", "{{ item.detail }}", "{{ item.author }}", "{{ item.date }}", "{{ item.approved_by }}"],
               "doc.amendments", widths_mm=[17, 58, 30, 34, 35])
        with _each(d, "clause in doc.clauses"):
            d.add_heading("{{ clause.number }}. {{ clause.heading }}", level=2)
            _paragraphs(d, "clause.paragraphs")
            _bullets(d, "clause.bullets")
            _tables_of_clause(d, "clause")
            with _each(d, "sub in clause.subs"):
                d.add_heading("{{ sub.number }} {{ sub.heading }}", level=3)
                _paragraphs(d, "sub.paragraphs")
                _bullets(d, "sub.bullets")
                _tables_of_clause(d, "sub")
                _paragraphs(d, "sub.after")
        with _each(d, "annex in doc.annexes"):
            d.add_heading("{{ doc.t('Annex') }} {{ annex.letter }}. {{ annex.heading }}", level=2)
            with _each(d, "part in annex.parts"):
                _paragraphs(d, "part.paragraphs")
                _bullets(d, "part.bullets")
    _signatures(d)
    return d


LANGUAGE_STYLE = "IsaLanguagePart"  # isa_toolkit/documents/docx.py looks for paragraphs in this style


def _part_language(document, tag: str = "{{ doc.lang }}") -> None:
    """Where a language's part begins: a paragraph in its own style holding the language, which the renderer takes
    out, marking every run up to the next one with that language (for proofing). Record text cannot make a
    paragraph in this style, so it cannot move a part's language."""
    from docx.enum.style import WD_STYLE_TYPE

    if LANGUAGE_STYLE not in [style.style_id for style in document.styles]:
        style = document.styles.add_style(LANGUAGE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.hidden = style.unhide_when_used = False
        style.font.hidden = True  # never seen, even in a template opened by hand
    document.add_paragraph(tag, style=LANGUAGE_STYLE)


def _signature_block(d, block: str = "block", s: str = "signatures") -> None:
    """One signatory's block, bilingual in a bilingual document: organisation, on whose behalf, name and title,
    room to sign (22 mm), date, and a line for a delegate."""
    table = d.add_table(rows=5, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, (Mm(52), Mm(122))):
        column.width = width
        for cell in column.cells:
            cell.width = width
    top = table.rows[0].cells[0].merge(table.rows[0].cells[1])
    _shade(top)
    top.text = "{{ " + block + ".organisation }}"
    top.paragraphs[0].runs[0].bold = True
    top.add_paragraph().add_run("{{ " + block + ".on_behalf.text }}").font.size = Pt(8)
    rows = [("name", "{{ " + block + ".name }}{% if " + block + ".title %}, {{ " + block + ".title }}{% endif %}", None),
            ("signature", "", Mm(22)), ("date", "", Mm(8)), ("delegate", "", Mm(10))]
    for index, (key, value, height) in enumerate(rows, 1):
        table.rows[index].cells[0].text = "{{ " + s + ".labels." + key + ".text }}"
        table.rows[index].cells[1].text = value
        if height is not None:
            table.rows[index].height = height
            table.rows[index].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    for row in table.rows:  # a block never splits, and keeps with what follows it
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
    _para(d, "")


def _lines(d, loop: str, *, keep: bool = False) -> None:
    """A paragraph for each line of ``loop``: one sentence in each of the document's languages (``keep``: each kept
    on the page of what follows, as the sentence that introduces the signature blocks)."""
    with _each(d, "line in " + loop):
        d.add_paragraph("{{ line.text }}").paragraph_format.keep_with_next = keep


def _signatures(d) -> None:
    """The signatures once for every language: heading, what signing agrees to, a block per signatory (or, on a copy
    not for signature, a notice instead)."""
    _part_language(d, "{{ signatures.lang }}")
    heading = d.add_heading("{{ signatures.heading.text }}", level=2)
    heading.paragraph_format.page_break_before = True
    with _either(d, "signatures.signable", lambda: _lines(d, "signatures.not_for_signature")):
        _lines(d, "signatures.intro", keep=True)
        with _each(d, "block in signatures.blocks"):
            _signature_block(d)


def signoff_sheet() -> Document:
    d = _base("Sign-off sheet")
    with _each_language(d):
        d.add_heading("{{ doc.t('Sign-off sheet') }}", level=1)
        _para(d, "{{ doc.title }} · {{ id }} · {{ doc.t('Version') }} {{ version }} · {{ doc.t('Fingerprint') }} {{ fingerprint }}")
        _para(d, "{{ doc.t('Each stage is signed in full before the next one opens. Only sign-offs given for this version are shown.') }}")
        with _each(d, "stage in doc.signoff_stages"):
            d.add_heading("{{ doc.t('Stage') }} {{ stage.number }}{{ doc.colon }} {{ stage.title }}", level=2)
            _table(d, ["{{ doc.t('Role') }}", "{{ doc.t('Name') }}", "{{ doc.t('Decision') }}", "{{ doc.t('Date') }}",
                       "{{ doc.t('Comment') }}"],
                   ["{{ item.role }}", "{{ item.name or item.expected }}", "{{ item.decision_label }}", "{{ item.date }}",
                    "{{ item.comment }}"], "stage.rows")
    return d


def signature_pages() -> Document:
    """One page for each signatory, in every language of the document at once."""
    d = _base("Signature pages")
    _part_language(d, "{{ signatures.lang }}")
    with _each(d, "block in signatures.blocks", page_break=True):
        d.add_heading("{{ signatures.page_heading.text }}", level=1)
        with _each(d, "part in docs"):
            _para(d, "{{ part.title }} · {{ id }} · {{ part.t('Version') }} {{ version }} · {{ part.date }}")
        with _either(d, "signatures.signable", lambda: _lines(d, "signatures.not_for_signature")):
            _lines(d, "signatures.intro", keep=True)
            _signature_block(d)
        _lines(d, "signatures.return_to")
    return d


def assessment() -> Document:
    d = _base("Risk assessment and DPIA screening")
    with _each_language(d):
        _opening(d, "Risk assessment and DPIA screening")
        with _each(d, "a in doc.assessments"):
            d.add_heading("{{ a.title }}", level=2)
            _para(d, "{{ doc.t('Result') }}{{ doc.colon }} {{ a.outcome }} · {{ doc.t('Assessed by') }} {{ a.by }}, {{ a.date }}")
            _para(d, "{{ doc.t('Rationale') }}{{ doc.colon }} {{ a.rationale }}")
            _list(d, "c in a.conditions", "{{ doc.t('Conditions') }}{{ doc.colon }} {{ c }}")
            _table(d, ["{{ doc.t('Question') }}", "{{ doc.t('Answer') }}"], ["{{ item.question }}", "{{ item.answer }}"], "a.rows")
    return d


def review_report() -> Document:
    d = _base("Review report")
    with _each_language(d):
        _opening(d, "Review report")
        _para(d, "{{ doc.t('Review started') }}{{ doc.colon }} {{ doc.review.started }}{% if doc.review.last %} · "
                 "{{ doc.t('Last review completed') }}{{ doc.colon }} {{ doc.review.last }}{% endif %}{% if doc.review.next %} · "
                 "{{ doc.review.next_label }}{{ doc.colon }} {{ doc.review.next }}{% endif %}")
        d.add_heading("{{ doc.t('Who confirmed what') }}", level=2)
        with _either(d, "doc.review.findings", NONE_SO_FAR):
            _table(d, ["{{ doc.t('Stakeholder') }}", "{{ doc.t('Still required') }}", "{{ doc.t('What has changed') }}",
                       "{{ doc.t('Date') }}"],
                   ["{{ item.stakeholder }}", "{{ item.still_required }}", "{{ item.changes }}", "{{ item.date }}"],
                   "doc.review.findings")
        d.add_heading("{{ doc.t('Changes made in this review') }}", level=2)
        with _either(d, "doc.review.changes", NONE_SO_FAR):
            _table(d, ["{{ doc.t('Version') }}", "{{ doc.t('Change') }}", "{{ doc.t('Author') }}", "{{ doc.t('Date') }}"],
                   ["{{ item.version }}", "{{ item.detail }}", "{{ item.author }}", "{{ item.date }}"], "doc.review.changes")
        d.add_heading("{{ doc.t('Outcome and approval') }}", level=2).paragraph_format.keep_with_next = True
        _line_if(d, "doc.review.outcome", "{{ doc.review.outcome }}")
        _para(d, "{{ doc.review.next_after }}")
        table = d.add_table(rows=3, cols=2)
        table.style = "Table Grid"
        for index, (message, height) in enumerate((("Review approved by (name and role)", Mm(10)), ("Signature", Mm(22)),
                                                   ("Date", Mm(8)))):
            table.rows[index].cells[0].text = "{{ doc.t('" + message + "') }}"
            table.rows[index].height = height
            table.rows[index].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            table.rows[index]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return d


RED = RGBColor(0xAA, 0x00, 0x00)


def _pairs(document, rows: list[tuple[str, str, str | None]]) -> None:
    """A two-column table of label and value; a row with a condition is kept only when it holds (``{%tr if %}``)."""
    count = sum(3 if condition else 1 for _, _, condition in rows)
    table = document.add_table(rows=count, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, (Mm(52), Mm(122)), strict=True):
        column.width = width  # the grid, which LibreOffice follows
        for cell in column.cells:
            cell.width = width  # each cell, which Word follows
    index = 0
    for label, value, condition in rows:
        if condition:
            table.rows[index].cells[0].text = "{%tr if " + condition + " %}"
            index += 1
        table.rows[index].cells[0].text = label
        table.rows[index].cells[0].paragraphs[0].runs[0].bold = True
        table.rows[index].cells[1].text = value
        index += 1
        if condition:
            table.rows[index].cells[0].text = "{%tr endif %}"
            index += 1


def _flag(document, label: str, text: str) -> None:
    """A paragraph that stands out: a red frame, the label in red capitals, then the text."""
    paragraph = document.add_paragraph()
    mark = paragraph.add_run(label)
    mark.bold = True
    mark.font.all_caps = True
    mark.font.color.rgb = RED
    paragraph.add_run(" · " + text).font.color.rgb = RED
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        border = OxmlElement(f"w:{side}")
        border.set(qn("w:val"), "single")
        border.set(qn("w:sz"), "12")
        border.set(qn("w:space"), "4")
        border.set(qn("w:color"), "AA0000")
        borders.append(border)
    paragraph._p.get_or_add_pPr().append(borders)


def _point(document, number: int, heading: str, text: str) -> None:
    """One numbered condition of the security statement (numbered in the text, so each language starts at 1)."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.left_indent = Mm(6)
    paragraph.paragraph_format.first_line_indent = Mm(-6)
    paragraph.paragraph_format.space_after = Pt(3)
    runs = [paragraph.add_run(f"{number}.\t"), paragraph.add_run(heading), paragraph.add_run(" " + text)]
    runs[1].bold = True
    for run in runs:
        run.font.size = Pt(9)


def _small(document, text: str, style: str | None = None):
    """A paragraph of the security statement, in 9 pt so that the statement keeps to one page."""
    paragraph = document.add_paragraph(style=style)
    paragraph.add_run(text).font.size = Pt(9)
    paragraph.paragraph_format.space_after = Pt(3)
    return paragraph


def _t(message: str) -> str:
    """A catalog message as a tag (double quotes, so that an apostrophe in the message needs no escaping)."""
    return '{{ doc.t("' + message + '") }}'


def disclosure() -> Document:
    d = _base("One-off disclosure record", header_text=MARKING + "{{ title }} · {{ id }}",
              footer_text=MARKING + "{{ id }} · {{ docs[0].t('Fingerprint') }} {{ fingerprint }} · ", mark=False)
    not_recorded = "doc.t('Not recorded')"

    def outstanding() -> None:
        _flag(d, _t("Outstanding"), _t("Not recorded yet: to be completed after the urgent disclosure."))

    with _each(d):  # no break between the parts: each one's heading starts a page
        # Each language's part, and each statement, starts on a new page: the heading breaks the page before it (a
        # break before the very first paragraph makes no empty page, and a full page never gets an empty one after it).
        d.add_heading("{{ doc.title }}", level=1).paragraph_format.page_break_before = True
        _para(d, "{{ id }} · {{ doc.date }} · {{ doc.decision }}{% if doc.urgent %} · {{ doc.t('Urgent') }}{% endif %}")
        with _only_if(d, "doc.outstanding"):
            _flag(d, _t("Outstanding"), _t("This disclosure was made urgently; these parts of its record are still missing:")
                  + " {{ doc.outstanding_items | join(', ') }}. {{ doc.t('Due by') }} {{ doc.due }}.")
        _line_if(d, "doc.untranslated", UNTRANSLATED)
        d.add_heading(_t("Request"), level=2)
        _pairs(d, [
            (_t("Organisation"), "{{ doc.requester.organisation }}", None),
            (_t("Requester"), "{{ doc.requester.name }}", None),
            (_t("Title or rank"), "{{ doc.requester.title or " + not_recorded + " }}", None),
            (_t("Contact"), "{{ doc.requester.contact or " + not_recorded + " }}", None),
            (_t("How identity was checked"), "{{ doc.identity_check or " + not_recorded + " }}", None),
            (_t("Subject reference"), "{{ doc.subject or " + not_recorded + " }}", None),
        ])
        d.add_heading(_t("Disclosure"), level=2)
        _pairs(d, [
            ("{{ doc.t('Data disclosed') if doc.disclosed else doc.t('Data requested') }}", "{{ doc.data }}", None),
            (_t("Purpose"), "{{ doc.purpose }}", None),
            (_t("Legal gateway"), "{{ doc.legal_gateway or " + not_recorded + " }}", None),
            (_t("Sensitivity"), "{% if doc.sensitivity %}{{ doc.sensitivity.name or doc.sensitivity.level }} "
             "({{ doc.sensitivity.level }}). {{ doc.t('May be shared only by:') }} {{ doc.sensitivity.dissemination | join('; ') }}"
             "{% else %}{{ doc.t('Not recorded') }}{% endif %}", "doc.disclosed or doc.sensitivity"),
            (_t("Transfer method"), "{{ doc.transfer_method or " + not_recorded + " }}", "doc.disclosed or doc.transfer_method"),
            (_t("Retention asked of the recipient"), "{{ doc.retention or " + not_recorded + " }}",
             "doc.disclosed or doc.retention"),
            (_t("Security conditions"), "{{ doc.security }}", "doc.security"),
        ])
        d.add_heading(_t("Decision"), level=2)
        _pairs(d, [
            (_t("Decision"), "{{ doc.decision }}", None),
            (_t("Approved by"), "{% if doc.approval %}{{ doc.approval.name }}, {{ doc.approval.rank }}"
             "{% if doc.approval.date %} · {{ doc.approval.date }}{% endif %}"
             "{% else %}{{ doc.t('Not recorded') }}{% endif %}", None),
            (_t("Urgent"), "{% if doc.urgent %}" + _t("Yes: disclosed at once to protect life or prevent serious harm, and recorded afterwards")
             + "{% if doc.completed %}. {{ doc.t('Record completed on') }} {{ doc.completed }}{% endif %}"
             "{% else %}{{ doc.t('No') }}{% endif %}", None),
            (_t("Agreements considered"), "{{ doc.agreements_considered | join(', ') if doc.agreements_considered else "
             "doc.t('None in force covers this recipient and purpose') }}", None),
        ])
        d.add_heading(_t("Criteria worked through"), level=2)
        with _either(d, "doc.criteria", outstanding):
            _para(d, "{{ doc.criteria.title }} · {{ doc.t('Result') }}{{ doc.colon }} {{ doc.criteria.outcome }} · "
                     "{{ doc.t('Assessed by') }} {{ doc.criteria.by }}, {{ doc.criteria.date }}")
            _list(d, "c in doc.criteria.conditions", "{{ doc.t('Conditions') }}{{ doc.colon }} {{ c }}")
            _table(d, ["{{ doc.t('Question') }}", "{{ doc.t('Answer') }}"], ["{{ item.question }}", "{{ item.answer }}"],
                   "doc.criteria.rows")
        d.add_heading(_t("Rationale"), level=2)
        with _either(d, "doc.rationale", outstanding):
            _para(d, "{{ doc.rationale }}")
        _para(d, "{{ doc.t('Recorded by') }} {{ doc.recorded_by }}, {{ doc.recorded }} · {{ doc.t('Fingerprint') }} {{ fingerprint }}")

        # The security statement, for the recipient: on a page of its own, only when the data was disclosed.
        with _only_if(d, "doc.disclosed"):
            d.add_heading("{{ doc.statement_title }}", level=1).paragraph_format.page_break_before = True
            _para(d, "{{ doc.t('Disclosure reference') }} {{ id }} · {{ doc.date }}")
            _pairs(d, [
                (_t("To"), "{{ doc.requester.organisation }}: {{ doc.requester.name }}{% if doc.requester.title %}, "
                           "{{ doc.requester.title }}{% endif %}", None),
                (_t("From"), "{% if doc.discloser %}{{ doc.discloser }} (" + _t("the controller of this information") + "): "
                 "{% endif %}{% if doc.discloser_contact %}{{ doc.discloser_contact.name }}{% if doc.discloser_contact.title %}, "
                 "{{ doc.discloser_contact.title }}{% endif %} · {{ doc.discloser_contact.reach }}{% else %}{{ doc.recorded_by }}"
                 "{% endif %}", None),
                (_t("Information disclosed"), "{{ doc.data }}", None),
                (_t("Purpose"), "{{ doc.purpose }}", None),
                (_t("Sensitivity"), "{% if doc.sensitivity %}{{ doc.sensitivity.name or doc.sensitivity.level }} "
                 "({{ doc.sensitivity.level }}){% else %}{{ doc.t('Personal data: handle it as confidential') }}{% endif %}", None),
                (_t("How long you may keep it"), "{{ doc.retention or doc.t('Only as long as the purpose above needs it') }}", None),
            ])
            _small(d, _t("We have given your organisation the information described above for the stated purpose and no other. "
                        "It concerns a person and remains under our control. By accepting it, your organisation agrees to the "
                        "conditions below and will make sure that everyone who handles it keeps to them."))
            _point(d, 1, _t("Use it only for the stated purpose."), _t("Any other use, even a related one, needs our written agreement first."))
            _point(d, 2, _t("Keep it secure, at its sensitivity level."),
                   "{% if doc.sensitivity and doc.sensitivity.dissemination %}"
                   + _t("Store it, and pass it between the people entitled to it, only in the ways allowed for that level:")
                   + "{% else %}"
                   + _t("Store it where only the people who need it can reach it, and move it only through secure channels.")
                   + "{% endif %}")
            with _only_if(d, "doc.sensitivity"), _each(d, "m in doc.sensitivity.dissemination"):
                _small(d, "{{ m }}", "List Bullet 2")
            with _only_if(d, "doc.security"):
                _small(d, "{{ doc.t('In addition:') }} {{ doc.security }}", "List Bullet 2")
            _point(d, 3, _t("Do not pass it on."),
                   _t("Give it to no other organisation or person without our consent, and within your organisation only to "
                      "those who need it for the purpose. If a law obliges you to disclose it, tell us beforehand unless that "
                      "law forbids it."))
            _point(d, 4, _t("Keep copies to a minimum."),
                   _t("Make only the copies the purpose needs and know where each one is; every copy is bound by this statement."))
            _point(d, 5, _t("Keep it no longer than stated, then destroy it securely."),
                   _t("When the period above ends, or sooner once the purpose is met, destroy every copy, paper and electronic, "
                      "so that it cannot be recovered."))
            _point(d, 6, _t("Consult us before releasing it to the person it is about."),
                   _t("If that person asks for it, for example in a subject access request, contact us before you answer: "
                      "releasing it could put an investigation or someone's safety at risk."))
            _point(d, 7, _t("Report any loss or unauthorised disclosure at once."),
                   _t("If the information is lost or stolen, or reaches anyone not entitled to it, tell us straight away, "
                      "quoting the reference above, and say what you are doing to limit the harm."))
            # The acknowledgement stays in one piece: each of its paragraphs is kept with the next.
            d.add_heading(_t("Acknowledgement by the recipient"), level=3).paragraph_format.keep_with_next = True
            _small(d, _t("On behalf of the organisation named above, I confirm that we have received the information "
                         "described in this statement and will keep to its conditions.")).paragraph_format.keep_with_next = True
            table = d.add_table(rows=3, cols=4)
            table.style = "Table Grid"
            first = table.rows[0].cells[1].merge(table.rows[0].cells[3])
            labels = [table.rows[0].cells[0]]
            table.rows[0].cells[0].text = _t("Organisation")
            first.text = "{{ doc.requester.organisation }}"
            for row, (left, right) in enumerate([("Name", "Title or rank"), ("Signature", "Date")], 1):
                table.rows[row].cells[0].text = _t(left)
                table.rows[row].cells[2].text = _t(right)
                labels += [table.rows[row].cells[0], table.rows[row].cells[2]]
                table.rows[row].height = Mm(12)
                table.rows[row].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
            for cell in labels:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in table.rows:
                row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
            _small(d, _t("Return a signed copy to us, quoting the disclosure reference."))
    return d


TEMPLATES = {"agreement": agreement, "signoff-sheet": signoff_sheet, "signature-pages": signature_pages,
             "assessment": assessment, "review-report": review_report, "disclosure": disclosure}

if __name__ == "__main__":
    args = sys.argv[1:]
    out = HERE
    if args[:1] == ["--out"]:
        if len(args) < 2:
            sys.exit("--out needs a folder")
        out, args = Path(args[1]), args[2:]
    wanted = args or list(TEMPLATES)
    unknown = sorted(set(wanted) - set(TEMPLATES))
    if unknown:
        sys.exit(f"no template {', '.join(unknown)}; choose from {', '.join(TEMPLATES)}")
    out.mkdir(parents=True, exist_ok=True)
    for name in wanted:
        TEMPLATES[name]().save(out / f"{name}.docx")
        print("wrote", out / f"{name}.docx")
