"""The one-off disclosure record and the recipient's security statement: DOCX and PDF, read back."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path
from xml.dom import minidom

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from isa_toolkit import register as store
from isa_toolkit.cases import disclosures as disclose
from isa_toolkit.cases import intake as cases
from isa_toolkit.cli import main
from isa_toolkit.documents.context import MissingTranslation
from isa_toolkit.documents.render import render
from isa_toolkit.errors import IsaError
from isa_toolkit.register.definitions import load_checklist
from isa_toolkit.register.kinds import DISCLOSURE
from isa_toolkit.resources import shipped
from isa_toolkit.workflows import intake
from isa_toolkit.workflows.questionnaire import load_questionnaire

from .conftest import SETTINGS, complete_isa

TODAY = dt.date(2026, 11, 23)
TRICKY = "Fire & rescue <visits> \"quoted\" 'single' {{ x }} {% if y %} — élan"
EXAMPLES = shipped("example_register") / "examples"

# A disclosure in English and French; `accurate: no` puts a condition on it.
BILINGUAL = {
    "language": "en",
    "date": "2026-11-18",
    "organisation": "Northshire Fire and Rescue Service",
    "requester": "Priya Natarajan",
    "requester_title": "Station Manager",
    "requester_email": "priya.natarajan@fire.example.gov.uk",
    "requester_phone": "01632 960 111",
    "identity_check": "Called back on the published switchboard number",
    "subject": "Occupier of 14 Mill Lane (referral FS-2026-318)",
    "data": {"en": TRICKY, "fr": "Deux passages de la police à l'adresse en 2026."},
    "purpose": {"en": "To plan a home fire safety visit.", "fr": "Planifier une visite de prévention incendie."},
    "legal_gateway": "DPA 2018 Sch 1 para 18",
    "approver": "Jane Holloway",
    "approver_rank": "Inspector",
    "decision": "disclose",
    "sensitivity": "moderate",
    "transfer_method": "Secure email between accredited domains",
    "retention": {"en": "Six months, then deleted.", "fr": "Six mois, puis supprimées."},
    "security": {"en": "Print no copies.", "fr": "Aucune copie imprimée."},
    "criteria": {
        "requester_identity": "yes", "need_to_know": "yes", "purpose_clear": "yes", "legal_gateway": "yes",
        "approved_at_rank": "yes", "necessary": "yes", "accurate": "no", "proportionate": "yes",
        "duty_of_confidence": "n/a", "third_parties_removed": "yes", "informants_protected": "n/a",
        "security_statement": "yes", "retention_told": "yes", "subject_access_contact": "yes",
    },
    "rationale": {"en": "The fire risk is serious; only two facts are given.",
                  "fr": "Le risque d'incendie est grave ; seuls deux faits sont communiqués."},
}
REFUSAL = {
    "language": "en",
    "date": "2026-11-19",
    "organisation": "Brackley Lettings Ltd",
    "requester": "Sam Keyes",
    "identity_check": "Email only, not verified",
    "data": "Whether the tenant has a criminal record.",
    "purpose": "To decide whether to renew a tenancy.",
    "decision": "refuse",
    "criteria": {**BILINGUAL["criteria"], "accurate": "yes", "legal_gateway": "no", "need_to_know": "no"},
    "rationale": "No legal gateway and no need to know.",
}


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def flat(text: str) -> str:
    return " ".join(text.split())


def record(root: Path, answers_path: Path, *, urgent: bool = False):
    """What `isa disclose new --answers FILE` does."""
    register = store.load_register(root)
    questionnaire = load_questionnaire("disclosure", root)
    answers = cases.read_answers(register, questionnaire, answers_path, None, disclose.EXTRA_KEYS)
    intake = disclose.start(register, answers, urgent=urgent)
    return disclose.record(register, intake, by="Olive Officer", today=TODAY)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Three disclosures on a real git register, each document rendered once for the module."""
    from isa_toolkit.register import vcs

    base = tmp_path_factory.mktemp("disclosures")
    root = base / "register"
    root.mkdir()
    (root / "register.yaml").write_text(SETTINGS)
    (root / "classification.yaml").write_bytes((shipped("example_register") / "classification.yaml").read_bytes())
    vcs.init(root)
    vcs.commit_all(root, "test")
    for name, answers in (("bilingual", BILINGUAL), ("refusal", REFUSAL)):
        (base / f"{name}.yaml").write_text(yaml.safe_dump(answers, allow_unicode=True))
    ids = {
        "bilingual": record(root, base / "bilingual.yaml").id,
        "urgent": record(root, EXAMPLES / "urgent-disclosure-answers.yaml", urgent=True).id,
        "refusal": record(root, base / "refusal.yaml").id,
    }
    register = store.load_register(root)
    records = {name: store.load_record(root, DISCLOSURE, record_id) for name, record_id in ids.items()}
    out = base / "out"
    files = {}
    for name, lang in (("bilingual", "en"), ("bilingual", "fr"), ("bilingual", "en+fr"), ("urgent", "en"),
                       ("refusal", "en")):
        for item in render(register, records[name], doc="disclosure", lang=lang, outdir=out):
            files[(name, lang, item.format)] = item
    return register, records, files


def test_files_are_named_like_the_other_documents(rendered):
    _, records, files = rendered
    record_id = records["bilingual"].id
    assert files[("bilingual", "en+fr", "pdf")].path.name == f"{record_id}-disclosure-en+fr.pdf"
    assert files[("urgent", "en", "docx")].path.name == f"{records['urgent'].id}-disclosure-en.docx"
    assert all(item.fingerprint == records[name].fingerprint for (name, _, _), item in files.items())


def test_fingerprint_is_a_hash_of_the_canonical_record(rendered):
    _, records, _ = rendered
    disclosure = records["bilingual"]
    canonical = json.dumps(disclosure.model_dump(mode="json", exclude_defaults=True), sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    assert disclosure.fingerprint == hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
    assert records["urgent"].fingerprint != disclosure.fingerprint


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_record_holds_every_value(rendered, fmt):
    register, records, files = rendered
    disclosure = records["bilingual"]
    path = files[("bilingual", "en", fmt)].path
    text = flat(pdf_text(path) if fmt == "pdf" else docx_text(path))
    values = [
        disclosure.id, "18 November 2026", "Disclosed", "Northshire Fire and Rescue Service", "Priya Natarajan",
        "Station Manager", "priya.natarajan@fire.example.gov.uk", "01632 960 111",
        "Called back on the published switchboard number", "Occupier of 14 Mill Lane (referral FS-2026-318)",
        TRICKY, "To plan a home fire safety visit.", "DPA 2018 Sch 1 para 18", "Jane Holloway, Inspector",
        "Secure email between accredited domains", "Six months, then deleted.", "Print no copies.",
        "Proceed with conditions", "The fire risk is serious; only two facts are given.",
        "Recorded by Olive Officer, 23 November 2026", disclosure.fingerprint,
    ]
    level = register.classification.definition(disclosure.sensitivity)
    values += [level.classification.get("en"), "Moderate"] + [m.get("en") for m in level.dissemination]
    checklist = load_checklist("one_off_disclosure")
    words = {True: "Yes", False: "No", "n/a": "Not applicable"}
    for item_id, answer in disclosure.criteria.answers.items():
        question = checklist.item(item_id).question.get("en")
        values.append(f"{question} {words[answer]}" if fmt == "pdf" else question)
    values.append(checklist.item("accurate").condition.get("en"))  # the condition the "no" put on it
    missing = [value for value in values if flat(value) not in text]
    assert missing == []
    assert "{{" not in text.replace("{{ x }}", "") and "{%" not in text.replace("{% if y %}", "")


def test_the_security_statement_has_a_page_of_its_own(rendered):
    _, records, files = rendered
    disclosure = records["bilingual"]
    pages = [flat(page) for page in pdf_text(files[("bilingual", "en", "pdf")].path).split("\f") if page.strip()]
    statement = [page for page in pages if page.startswith("Security statement for the recipient")]
    assert len(statement) == 1, pages
    page = statement[0]
    assert not any("Security statement for the recipient" in p for p in pages[:pages.index(page)])
    for value in ("Northshire Fire and Rescue Service", "Priya Natarajan", "Testshire Council", disclosure.id,
                  "18 November 2026", "To plan a home fire safety visit.", "Six months, then deleted.",
                  "Restricted (Moderate)", "Print no copies.", "subject access request", "destroy every copy",
                  "Report any loss or unauthorised disclosure at once", "Do not pass it on",
                  "Acknowledgement by the recipient", "Signature", "Date", disclosure.fingerprint, "Page 3 / 3"):
        assert value in page, value
    both = flat(pdf_text(files[("bilingual", "en+fr", "pdf")].path))
    english, french = both.index("Security statement for the recipient"), both.index("Déclaration de sécurité pour le destinataire")
    assert both.index("Relevé de communication ponctuelle") > english and french > both.index("Relevé de communication ponctuelle")
    docx = docx_text(files[("bilingual", "en", "docx")].path)
    assert "Security statement for the recipient" in docx and "Acknowledgement by the recipient" in docx


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_refusal_has_the_record_only(rendered, fmt):
    _, records, files = rendered
    path = files[("refusal", "en", fmt)].path
    text = flat(pdf_text(path) if fmt == "pdf" else docx_text(path))
    assert "Refused" in text and "Data requested" in text and "Brackley Lettings Ltd" in text
    assert "Do not proceed" in text and "No legal gateway and no need to know." in text
    assert "Security statement" not in text and "Acknowledgement" not in text
    assert "Retention asked of the recipient" not in text  # what is asked of a recipient, and there is none


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_an_outstanding_urgent_disclosure_is_marked(rendered, fmt):
    _, records, files = rendered
    disclosure = records["urgent"]
    assert disclosure.outstanding
    path = files[("urgent", "en", fmt)].path
    text = flat(pdf_text(path) if fmt == "pdf" else docx_text(path))
    mark = "OUTSTANDING" if fmt == "pdf" else "Outstanding"  # capitals by the stylesheet; in Word by the run's format
    assert text.count(mark) == 3  # at the top, for the criteria and for the rationale
    assert "still missing: Criteria worked through, Rationale. Due by 24 November 2026." in text
    assert "Not recorded yet: to be completed after the urgent disclosure." in text
    assert "Northshire Ambulance Service NHS Trust" in text and "Confidential (High)" in text
    assert "Security statement for the recipient" in text  # the data went out: the recipient still gets it


def test_a_completed_urgent_disclosure_loses_its_mark(rendered, tmp_path):
    register, records, _ = rendered
    disclosure = records["urgent"]
    completion = yaml.safe_load((EXAMPLES / "urgent-disclosure-completion.yaml").read_text())
    done = disclose.complete(register.root, disclosure.id, criteria_answers=completion["criteria"],
                             rationale=intake.rationale_from(completion["rationale"], "en"), lang="en", by="Olive Officer",
                             date=dt.date(2026, 11, 22))
    [item] = render(register, done, lang="en", formats=("docx",), outdir=tmp_path)
    text = flat(docx_text(item.path))
    assert "Outstanding" not in text and "Record completed on 22 November 2026" in text
    assert "Proceed with conditions" in text and "could not wait for a written request" in text
    assert done.fingerprint != disclosure.fingerprint and done.fingerprint in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_french_record_has_no_english_label(rendered, fmt):
    from babel.messages.pofile import read_po

    from isa_toolkit.i18n import typeset

    _, records, files = rendered
    disclosure = records["bilingual"]
    path = files[("bilingual", "fr", fmt)].path
    text = flat(pdf_text(path) if fmt == "pdf" else docx_text(path))
    for value in ("Relevé de communication ponctuelle", "Déclaration de sécurité pour le destinataire", "18 novembre 2026",
                  "Communication effectuée", "Poursuivre sous conditions", "Deux passages de la police",
                  "Planifier une visite de prévention incendie.", "Six mois, puis supprimées.", "Limitée (Modérée)",
                  "Accusé de réception du destinataire", "Fonction ou grade"):
        assert flat(typeset(value, "fr")) in text, value
    checklist = load_checklist("one_off_disclosure")
    assert all(flat(typeset(item.question.get("fr"), "fr")) in text for item in checklist.items)
    record_text = json.dumps(disclosure.model_dump(mode="json"), ensure_ascii=False)
    with open(shipped("templates") / "locale/fr/LC_MESSAGES/messages.po", "rb") as handle:
        labels = [m.id for m in read_po(handle) if m.id and m.string and m.string != m.id and len(m.id) >= 8
                  and m.id not in record_text]
    assert [label for label in labels if label in text] == []
    assert TRICKY not in text and "[non traduit" not in text


def test_same_record_gives_identical_files(rendered, tmp_path):
    register, records, files = rendered
    disclosure = records["bilingual"]
    again = {item.format: item for item in render(register, disclosure, lang="en+fr", outdir=tmp_path)}
    for fmt in ("pdf", "docx"):
        assert again[fmt].path.read_bytes() == files[("bilingual", "en+fr", fmt)].path.read_bytes()
    with zipfile.ZipFile(again["docx"].path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 23, 0, 0, 0)}  # recorded, not the clock


def test_every_pdf_passes_qpdf_and_every_docx_is_valid_xml(rendered):
    _, _, files = rendered
    for (name, lang, fmt), item in files.items():
        if fmt == "pdf":
            subprocess.run(["qpdf", "--check", str(item.path)], check=True, capture_output=True)
        else:
            with zipfile.ZipFile(item.path) as archive:
                for entry in archive.namelist():
                    if entry.endswith(".xml"):
                        minidom.parseString(archive.read(entry))


def test_every_pdf_page_carries_the_id_and_fingerprint(rendered):
    _, records, files = rendered
    pages = [p for p in pdf_text(files[("bilingual", "en+fr", "pdf")].path).split("\f") if p.strip()]
    assert len(pages) >= 4
    fingerprint = records["bilingual"].fingerprint
    for number, page in enumerate(pages, 1):
        assert records["bilingual"].id in page and fingerprint in page, number
        assert f"{number} / {len(pages)}" in page


def test_a_missing_translation_is_refused_unless_marked(rendered, tmp_path):
    register, records, _ = rendered
    with pytest.raises(MissingTranslation, match="has no fr text for: data, purpose, retention"):
        render(register, records["urgent"], lang="fr", formats=("docx",), outdir=tmp_path)
    assert not list(tmp_path.iterdir())
    [item] = render(register, records["urgent"], lang="fr", formats=("docx",), outdir=tmp_path, fallback=True)
    assert "[non traduit (en)] That the driver being taken to hospital" in docx_text(item.path)


def test_the_cli_renders_a_disclosure_by_its_id_and_refuses_the_wrong_document(rendered, tmp_path, make_register):
    register, records, _ = rendered
    record_id = records["refusal"].id
    result = CliRunner().invoke(main, ["-R", str(register.root), "render", record_id, "--format", "docx",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"{record_id}-disclosure-en.docx").is_file()
    assert f"Fingerprint of {record_id}: {records['refusal'].fingerprint}" in result.output
    result = CliRunner().invoke(main, ["-R", str(register.root), "render", record_id, "--doc", "agreement",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 1 and "is a one-off disclosure: its document is --doc disclosure" in result.output
    with pytest.raises(IsaError, match="is a one-off disclosure"):
        render(register, records["refusal"], doc="signoff-sheet", outdir=tmp_path)
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa()})
    result = CliRunner().invoke(main, ["-R", str(root), "render", "ISA-2026-0001", "--doc", "disclosure",
                                       "-o", str(tmp_path / "none")])
    assert result.exit_code == 1 and "ISA-2026-0001 is an agreement; --doc disclosure is for one-off disclosures" in result.output
    assert not (tmp_path / "none").exists()


def test_shipped_templates_pass_the_check():
    from isa_toolkit.documents.docx import split_tags
    from isa_toolkit.documents.template_checks import check_templates

    assert check_templates(None) == []
    assert split_tags(shipped("templates") / "docx" / "disclosure.docx") == []
