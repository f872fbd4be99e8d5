"""Build the DOCX templates in this folder (agreement.docx, signoff-sheet.docx).

The .docx files are the templates: open and edit them in Word or LibreOffice.
This script is how the shipped ones were made, so that every docxtpl tag sits
in a single run (Word splits a tag typed by hand across runs when it checks
spelling or tracks changes; `isa templates check` finds such splits). Run it
again after changing it:

    python templates/docx/build_templates.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT  # noqa: F401 - kept for organisations that want landscape tables
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

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


def _base(title: str) -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(22)
    section.left_margin = section.right_margin = Mm(18)
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    header = section.header.paragraphs[0]
    header.text = "{{ title }} · {{ docs[0].t('Version') }} {{ version }}"
    header.style.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.add_run("{{ id }} · {{ docs[0].t('Version') }} {{ version }} · {{ docs[0].t('Fingerprint') }} {{ fingerprint }} · ")
    footer.add_run("{{ docs[0].t('Page') }} ")
    _field(footer, "PAGE")
    footer.add_run(" / ")
    _field(footer, "NUMPAGES")
    properties = document.core_properties
    properties.title = title
    properties.author = "isa-toolkit"
    properties.created = properties.modified = dt.datetime(2026, 1, 1)
    properties.revision = 1
    return document


def _table(document, headers: list[str], cells: list[str], loop: str) -> None:
    """A table with a header row and one row repeated by docxtpl for each item of ``loop``."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for index, text in enumerate(headers):
        table.rows[0].cells[index].text = text
        table.rows[0].cells[index].paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = "{%tr for item in " + loop + " %}"
    for index, text in enumerate(cells):
        table.rows[2].cells[index].text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    # The header row repeats at the top of every page the table runs onto.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)


def _para(document, text: str, style: str | None = None) -> None:
    document.add_paragraph(text, style=style)


def _each_language(document, loop: str = "for doc in docs"):
    """Open a loop over the document's languages (or pages); close it with :func:`_end_each`."""
    _para(document, "{%p " + loop + " %}")


def _end_each(document) -> None:
    """Close the loop: a page break between its parts, none after the last."""
    _para(document, "{%p if not loop.last %}")
    document.add_page_break()
    _para(document, "{%p endif %}")
    _para(document, "{%p endfor %}")


def agreement() -> Document:
    d = _base("Information sharing agreement")
    _each_language(d)
    d.add_heading("{{ doc.title }}", level=1)
    _para(d, "{{ doc.kind }} · {{ id }} · {{ doc.t('Version') }} {{ version }} · {{ doc.date }} · {{ doc.sharing_type }}")
    _para(d, "{%p if doc.untranslated %}")
    _para(d, "{{ doc.t('Some text is not yet translated into this language and is shown in its original language, marked as untranslated:') }} {{ doc.untranslated | join(', ') }}")
    _para(d, "{%p endif %}")
    d.add_heading("{{ doc.t('Parties') }}", level=2)
    _table(d, ["{{ doc.t('Organisation') }}", "{{ doc.t('Role') }}", "{{ doc.t('Designated officer') }}", "{{ doc.t('Signatory') }}"],
           ["{{ item.organisation }} ({{ item.controller }})", "{{ item.role }}",
            "{{ item.officer.name if item.officer else '' }} {{ item.officer.email if item.officer else '' }}",
            "{{ item.signatory.name if item.signatory else '' }} {{ item.signatory.title if item.signatory else '' }}"],
           "doc.parties")
    _para(d, "{%p if doc.areas %}")
    _para(d, "{{ doc.t('Areas covered') }}: {{ doc.areas }}")
    _para(d, "{%p endif %}")
    _para(d, "{%p for section in doc.sections %}")
    d.add_heading("{{ section.heading }}", level=2)
    _para(d, "{%p for paragraph in section.paragraphs %}")
    _para(d, "{{ paragraph }}")
    _para(d, "{%p endfor %}")
    _para(d, "{%p endfor %}")
    _para(d, "{%p if doc.commitments %}")
    d.add_heading("{{ doc.t('Commitments') }}", level=2)
    _para(d, "{%p for item in doc.commitments %}")
    _para(d, "{{ item }}", "List Bullet")
    _para(d, "{%p endfor %}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.legal_basis %}")
    d.add_heading("{{ doc.t('Legal basis') }}", level=2)
    _table(d, ["{{ doc.t('Type') }}", "{{ doc.t('Reference') }}", "{{ doc.t('Detail') }}"],
           ["{{ item.type }}", "{{ item.reference }}", "{{ item.detail }}"], "doc.legal_basis")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.data_items %}")
    d.add_heading("{{ doc.t('Data to be shared') }}", level=2)
    _table(d, ["{{ doc.t('Data item') }}", "{{ doc.t('Personal') }}", "{{ doc.t('Special category') }}",
               "{{ doc.t('Criminal offence') }}", "{{ doc.t('Sensitivity') }}", "{{ doc.t('Frequency') }}",
               "{{ doc.t('Transfer method') }}"],
           ["{{ item.name }}", "{{ item.personal }}", "{{ item.special_category }}", "{{ item.criminal_offence }}",
            "{{ item.level }}", "{{ item.frequency }}", "{{ item.transfer_method }}"], "doc.data_items")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.classification %}")
    d.add_heading("{{ doc.t('Sensitivity and dissemination') }}", level=2)
    _para(d, "{{ doc.t('Overall classification') }}: {{ doc.classification.name or doc.classification.level }} "
             "({{ doc.classification.level }}). {{ doc.t('This is the highest sensitivity of the data items. It may be shared only by:') }}")
    _para(d, "{%p for item in doc.classification.dissemination %}")
    _para(d, "{{ item }}", "List Bullet")
    _para(d, "{%p endfor %}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.sharing_matrix %}")
    d.add_heading("{{ doc.t('Who may receive which information') }}", level=2)
    _table(d, ["{{ doc.t('Information') }}", "{{ doc.t('Sensitivity') }}", "{{ doc.t('Who may receive it') }}"],
           ["{{ item.type }}", "{{ item.level }}", "{{ item.summary }}"], "doc.sharing_matrix.rows")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.dpia %}")
    d.add_heading("{{ doc.t('Data protection impact assessment') }}", level=2)
    _para(d, "{{ doc.dpia.required }} {{ doc.dpia.reference }}. {{ doc.dpia.reason }} {{ doc.dpia.summary }}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.principles %}")
    d.add_heading("{{ doc.t('Principles') }}", level=2)
    _para(d, "{%p for item in doc.principles %}")
    _para(d, "{{ item }}", "List Number")
    _para(d, "{%p endfor %}")
    _para(d, "{%p endif %}")
    d.add_heading("{{ doc.t('Review') }}", level=2)
    _para(d, "{{ doc.t('Review interval') }}: {{ doc.review_interval }} {{ doc.t('months') }}.")
    _para(d, "{%p if doc.start_date %}")
    _para(d, "{{ doc.t('Start date') }}: {{ doc.start_date }}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.review_due %}")
    _para(d, "{{ doc.t('Next review') }}: {{ doc.review_due }}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.end_date %}")
    _para(d, "{{ doc.t('End date') }}: {{ doc.end_date }}")
    _para(d, "{%p endif %}")
    _para(d, "{%p if doc.is_protocol and doc.classification_table %}")
    d.add_heading("{{ doc.t('Data and information sensitivity classification') }}", level=2)
    _table(d, ["{{ doc.t('Sensitivity') }}", "{{ doc.t('Classification') }}", "{{ doc.t('Examples') }}",
               "{{ doc.t('How it may be shared') }}"],
           ["{{ item.level }}", "{{ item.name }}: {{ item.description }}", "{{ item.data_types | join('; ') }}",
            "{{ item.dissemination | join('; ') }}"], "doc.classification_table")
    _para(d, "{%p endif %}")
    d.add_heading("{{ doc.t('Document control') }}", level=2)
    _table(d, ["{{ doc.t('Version') }}", "{{ doc.t('Change') }}", "{{ doc.t('Author') }}", "{{ doc.t('Date') }}",
               "{{ doc.t('Approved by') }}"],
           ["{{ item.version }}", "{{ item.detail }}", "{{ item.author }}", "{{ item.date }}", "{{ item.approved_by }}"],
           "doc.amendments")
    d.add_heading("{{ doc.t('Signatures') }}", level=2)
    _para(d, "{{ doc.t('By signing, each party agrees to this version of the document, identified by its fingerprint:') }} {{ fingerprint }}")
    _table(d, ["{{ doc.t('Organisation') }}", "{{ doc.t('Signatory') }}", "{{ doc.t('Signature') }}", "{{ doc.t('Date') }}"],
           ["{{ item.organisation }}", "{{ item.signatory.name }} {{ item.signatory.title }}", "", ""], "doc.signatories")
    _end_each(d)
    return d


def signoff_sheet() -> Document:
    d = _base("Sign-off sheet")
    _each_language(d)
    d.add_heading("{{ doc.t('Sign-off sheet') }}", level=1)
    _para(d, "{{ doc.title }} · {{ id }} · {{ doc.t('Version') }} {{ version }} · {{ doc.t('Fingerprint') }} {{ fingerprint }}")
    _para(d, "{{ doc.t('Each stage is signed in full before the next one opens. Only sign-offs given for this version are shown.') }}")
    _para(d, "{%p for stage in doc.signoff_stages %}")
    d.add_heading("{{ doc.t('Stage') }} {{ stage.number }}: {{ stage.title }}", level=2)
    _table(d, ["{{ doc.t('Role') }}", "{{ doc.t('Name') }}", "{{ doc.t('Decision') }}", "{{ doc.t('Date') }}",
               "{{ doc.t('Comment') }}"],
           ["{{ item.role }}", "{{ item.name or item.expected }}", "{{ item.decision_label }}", "{{ item.date }}",
            "{{ item.comment }}"], "stage.rows")
    _para(d, "{%p endfor %}")
    _end_each(d)
    return d


def signature_pages() -> Document:
    d = _base("Signature pages")
    _each_language(d, "for page in signature_pages")
    d.add_heading("{{ page.doc.t('Signature page') }}", level=1)
    _para(d, "{{ page.doc.title }} · {{ id }} · {{ page.doc.t('Version') }} {{ version }} · {{ page.doc.date }}")
    _para(d, "{{ page.doc.t('By signing, each party agrees to this version of the document, identified by its fingerprint:') }} {{ fingerprint }}")
    table = d.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, (label, value) in enumerate([("Organisation", "page.party.organisation"), ("Name", "page.party.signatory.name"),
                                          ("Title", "page.party.signatory.title")]):
        table.rows[row].cells[0].text = "{{ page.doc.t('" + label + "') }}"
        table.rows[row].cells[1].text = "{{ " + value + " }}"
    for label in ("Signature", "Date"):
        _para(d, "")
        _para(d, "______________________________________________")
        _para(d, "{{ page.doc.t('" + label + "') }}")
    _para(d, "{{ page.doc.t('Return the signed page to the information sharing officer, who records it against this version.') }}")
    _end_each(d)
    return d


def assessment() -> Document:
    d = _base("Risk assessment and DPIA screening")
    _each_language(d)
    d.add_heading("{{ doc.t('Risk assessment and DPIA screening') }}", level=1)
    _para(d, "{{ doc.title }} · {{ id }} · {{ doc.t('Version') }} {{ version }}")
    _para(d, "{%p for a in doc.assessments %}")
    d.add_heading("{{ a.title }}", level=2)
    _para(d, "{{ doc.t('Result') }}: {{ a.outcome }} · {{ doc.t('Assessed by') }} {{ a.by }}, {{ a.date }}")
    _para(d, "{{ doc.t('Rationale') }}: {{ a.rationale }}")
    _para(d, "{%p for c in a.conditions %}")
    _para(d, "{{ doc.t('Conditions') }}: {{ c }}", "List Bullet")
    _para(d, "{%p endfor %}")
    _table(d, ["{{ doc.t('Question') }}", "{{ doc.t('Answer') }}"], ["{{ item.question }}", "{{ item.answer }}"], "a.rows")
    _para(d, "{%p endfor %}")
    _end_each(d)
    return d


def review_report() -> Document:
    d = _base("Review report")
    _each_language(d)
    d.add_heading("{{ doc.t('Review report') }}", level=1)
    _para(d, "{{ doc.title }} · {{ id }} · {{ doc.t('Version') }} {{ version }}")
    _para(d, "{{ doc.t('Review started') }}: {{ doc.review.started }} · {{ doc.t('Next review') }}: {{ doc.review.next }}")
    d.add_heading("{{ doc.t('Who confirmed what') }}", level=2)
    _table(d, ["{{ doc.t('Stakeholder') }}", "{{ doc.t('Still required') }}", "{{ doc.t('What has changed') }}",
               "{{ doc.t('Date') }}"],
           ["{{ item.stakeholder }}", "{{ item.still_required }}", "{{ item.changes }}", "{{ item.date }}"],
           "doc.review.findings")
    d.add_heading("{{ doc.t('Changes made in this review') }}", level=2)
    _table(d, ["{{ doc.t('Version') }}", "{{ doc.t('Change') }}", "{{ doc.t('Author') }}", "{{ doc.t('Date') }}"],
           ["{{ item.version }}", "{{ item.detail }}", "{{ item.author }}", "{{ item.date }}"], "doc.review.changes")
    _end_each(d)
    return d


TEMPLATES = {"agreement": agreement, "signoff-sheet": signoff_sheet, "signature-pages": signature_pages,
             "assessment": assessment, "review-report": review_report}

if __name__ == "__main__":
    for name, build in TEMPLATES.items():
        build().save(HERE / f"{name}.docx")
        print("wrote", HERE / f"{name}.docx")
