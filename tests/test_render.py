"""Documents: DOCX and PDF in en, fr and en+fr, read back; determinism, fingerprints, safety."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.dom import minidom

import pytest
from click.testing import CliRunner
from docx import Document

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.documents.render import render
from isa_toolkit.errors import IsaError

from .conftest import complete_isa

ID = "ISA-2026-0001"
TRICKY = "Fire & rescue <visits> \"quoted\" 'single' {{ 7*7 }} {% if x %} — élan, حماية الطفل"


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def docx_text(path: Path) -> str:
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.footer.paragraphs]
    return "\n".join(parts)


def module_register(tmp_path_factory, name: str, record: str) -> Path:
    """A committed register holding one agreement, for a module-scoped fixture (make_register is per test)."""
    from isa_toolkit.register import vcs
    from isa_toolkit.resources import shipped

    from .conftest import SETTINGS

    root = tmp_path_factory.mktemp(name) / "register"
    (root / "agreements").mkdir(parents=True)
    (root / "register.yaml").write_text(SETTINGS)
    (root / "classification.yaml").write_bytes((shipped("example_register") / "classification.yaml").read_bytes())
    (root / "agreements" / f"{ID}.yaml").write_text(record)
    vcs.init(root)
    vcs.commit_all(root, "test")
    return root


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Render once for the module: the agreement in en, fr and en+fr, both formats."""
    text = complete_isa(ID).replace("  en: Share addresses of people at risk so that visits can be planned.",
                                    f"  en: {json.dumps(TRICKY)}")
    root = module_register(tmp_path_factory, "render", text)
    register = store.load_register(root)
    agreement = register.agreements[ID]
    out = root.parent / "out"
    files = {}
    for lang in ("en", "fr", "en+fr"):
        for item in render(register, agreement, lang=lang, outdir=out):
            files[(lang, item.format)] = item
    return register, agreement, files


def test_the_purpose_survives_escaping(rendered):
    _, agreement, _ = rendered
    assert agreement.purpose.get("en") == TRICKY


@pytest.mark.parametrize("lang", ["en", "fr", "en+fr"])
def test_pdf_reads_back_in_its_language_and_passes_qpdf(rendered, lang):
    _, agreement, files = rendered
    path = files[(lang, "pdf")].path
    subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)
    text = pdf_text(path)
    if "en" in lang:
        assert "Home fire safety visits" in text and "Parties" in text and "Testshire Constabulary" in text
        assert "Fire & rescue <visits> \"quoted\" 'single' {{ 7*7 }} {% if x %}" in text
    if "fr" in lang:
        assert "Titre en français" in text and "Partager les adresses" in text
        assert "Informations partagées" in text and "Suivi du document" in text
    if lang == "en+fr":
        assert text.index("Parties") < text.index("Informations partagées")


@pytest.mark.parametrize("lang", ["en", "fr", "en+fr"])
def test_docx_reads_back_and_is_valid_xml(rendered, lang):
    _, agreement, files = rendered
    path = files[(lang, "docx")].path
    text = docx_text(path)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                minidom.parseString(archive.read(name))  # raises on invalid XML
    if "en" in lang:
        assert TRICKY in text and "Testshire Council" in text
    if "fr" in lang:
        assert "Titre en français" in text and "Informations partagées" in text
    assert f"{ID} · " in text and agreement.fingerprint in text
    assert "{{" not in text.replace("{{ 7*7 }}", "") and "{%" not in text.replace("{% if x %}", "")


def test_every_pdf_page_carries_version_and_fingerprint(rendered):
    _, agreement, files = rendered
    path = files[("en+fr", "pdf")].path
    pages = pdf_text(path).split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert f"Version {agreement.version}" in page and agreement.fingerprint in page, number
    assert re.search(r"Page 1 / \d+", pages[0]) and re.search(r"Page \d+ / \d+", pages[-1])
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded


def test_same_record_and_templates_give_identical_files(rendered, tmp_path):
    register, agreement, files = rendered
    again = {item.format: item for item in render(register, agreement, lang="en+fr", outdir=tmp_path)}
    for fmt in ("pdf", "docx"):
        assert again[fmt].path.read_bytes() == files[("en+fr", fmt)].path.read_bytes()
        assert again[fmt].sha256 == files[("en+fr", fmt)].sha256
    with zipfile.ZipFile(files[("en", "docx")].path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2025, 1, 10, 0, 0, 0)}  # the record's date


def test_a_missing_translation_is_refused_unless_marked(make_register, tmp_path):
    out = tmp_path / "out"
    text = complete_isa(ID).replace("  fr: Titre en français\n", "")
    root = make_register({f"agreements/{ID}.yaml": text})
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--lang", "fr", "--format", "docx", "-o", str(out)])
    assert result.exit_code == 1
    assert "has no fr text for: title" in result.output and "--fallback" in result.output
    assert not out.exists()
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--lang", "fr", "--format", "docx", "-o", str(out),
                                       "--fallback"])
    assert result.exit_code == 0, result.output
    text = docx_text(next(out.glob("*.docx")))
    assert "[non traduit (en)] Home fire safety visits" in text
    # The notice names the untranslated fields in words, in the document's language.
    notice = next(line for line in text.splitlines() if line.startswith("Certains textes"))
    assert notice.endswith("\u00a0: Titre du document") and "title" not in notice


def test_a_stale_translation_is_warned_about(make_register, tmp_path):
    from isa_toolkit.model import text_hash

    text = complete_isa(ID).replace("  fr: Titre en français\n", f"  fr: Titre en français\n  translated_from: {{fr: {text_hash('Old')}}}\n")
    root = make_register({f"agreements/{ID}.yaml": text})
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--lang", "fr", "--format", "docx", "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert "warning: ISA-2026-0001: title (fr) was translated from an older text" in result.output


def test_templates_cannot_fetch_outside_their_folder(make_register, tmp_path):
    from isa_toolkit.resources import shipped

    for target in ("file:///etc/passwd", "http://127.0.0.1:9/x.css"):
        root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
        own = root / "templates" / "html"
        own.mkdir(parents=True)
        page = (shipped("templates") / "html" / "signoff-sheet.html").read_text()
        link = f'{{% block style %}}<link rel="stylesheet" href="{target}">{{% endblock %}}\n'  # into the page's <head>
        (own / "signoff-sheet.html").write_text(page.replace("{% block content", link + "{% block content", 1))
        register = store.load_register(root)
        with pytest.raises(IsaError, match="outside the template folder, which is never fetched"):
            render(register, register.agreements[ID], doc="signoff-sheet", formats=("pdf",), outdir=tmp_path)
        assert not list(tmp_path.glob("*.pdf"))


def test_every_message_has_a_french_translation():
    from babel.messages.pofile import read_po

    from isa_toolkit.documents.messages import message_uses
    from isa_toolkit.resources import shipped

    templates = shipped("templates")
    with open(templates / "locale/fr/LC_MESSAGES/messages.po", "rb") as handle:
        catalog = read_po(handle)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = set(message_uses([templates / "html"], [templates / "docx"])) - translated
    assert not missing, missing


def test_shipped_docx_templates_have_no_split_tags(tmp_path):
    from docx import Document as NewDocument

    from isa_toolkit.documents.docx import split_tags
    from isa_toolkit.resources import shipped

    for template in (shipped("templates") / "docx").glob("*.docx"):
        assert split_tags(template) == [], template.name
    broken = NewDocument()
    paragraph = broken.add_paragraph("{{ doc.")
    paragraph.add_run("title }}")
    broken.save(tmp_path / "broken.docx")
    assert split_tags(tmp_path / "broken.docx") == ["{{ doc.title }} (body paragraph 1)"]


def test_signoff_sheet_and_batch(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID),
                          "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002", status="draft")})
    result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--doc", "signoff-sheet", "--format", "docx",
                                       "-o", str(tmp_path / "one")])
    assert result.exit_code == 0, result.output
    text = docx_text(tmp_path / "one" / f"{ID}-v1.0-signoff-sheet-en.docx")
    assert "Stage 4: Partner signatures" in text and "Sam Signer" in text and "Pending" in text
    result = CliRunner().invoke(main, ["-R", str(root), "render", "--all", "--status", "active", "--format", "docx",
                                       "-o", str(tmp_path / "batch")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "batch").iterdir()) == [f"{ID}-v1.0-agreement-en.docx"]
    assert "Rendered 1 of 1" in result.output


def test_signature_pages_and_assessment_record(make_register, tmp_path):
    risk = ("risk_assessment:\n  checklist: risk_assessment\n  answers: {recipient_security: true, secure_transfer: false}\n"
            "  outcome: proceed_with_conditions\n  conditions:\n    - {en: Secure email only., fr: Courriel sécurisé uniquement.}\n"
            "  rationale: {en: Email is not encrypted yet., fr: Le courriel n'est pas encore chiffré.}\n"
            "  by: Ava Assessor\n  date: 2026-10-01\n")
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID) + risk})
    for doc in ("signature-pages", "assessment"):
        result = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--doc", doc, "--lang", "en+fr",
                                           "--format", "docx", "-o", str(tmp_path)])
        assert result.exit_code == 0, result.output
    pages = docx_text(tmp_path / f"{ID}-v1.0-signature-pages-en+fr.docx")
    assert pages.count("Signature page") == 2 and pages.count("Page de signature") == 2
    assert "Sam Signer" in pages and "Chief Executive" in pages and agreement_fingerprint(root) in pages
    record = docx_text(tmp_path / f"{ID}-v1.0-assessment-en+fr.docx")
    assert "Proceed with conditions" in record and "Poursuivre sous conditions" in record
    assert "Secure email only." in record and "Courriel sécurisé uniquement." in record
    from isa_toolkit.register.definitions import load_checklist

    question = load_checklist("risk_assessment").item("recipient_security").question
    from isa_toolkit.i18n import typeset

    # each answer beside its question (French typeset as French is printed)
    assert question.get("en") in record and typeset(question.get("fr"), "fr") in record


def agreement_fingerprint(root) -> str:
    return store.load_agreement(root, ID).fingerprint


def test_templates_check_finds_split_tags_and_missing_translations(make_register):
    from docx import Document as NewDocument

    root = make_register({})
    (root / "templates" / "docx").mkdir(parents=True)
    broken = NewDocument()
    paragraph = broken.add_paragraph("{{ doc.")
    paragraph.add_run("title }}")
    broken.save(root / "templates" / "docx" / "agreement.docx")
    (root / "templates" / "html").mkdir()
    (root / "templates" / "html" / "agreement.html").write_text(
        "{% for doc in docs %}<p>{{ doc.t('A brand new heading') }} {{ doc.titel }}</p>"
        "{% for p in doc.parties %}{{ p.organsation }}{% endfor %}{% endfor %}")
    unknown = NewDocument()
    unknown.add_paragraph("{{ unknown_var }}")
    unknown.save(root / "templates" / "docx" / "signoff-sheet.docx")
    result = CliRunner().invoke(main, ["-R", str(root), "templates", "check"])
    assert result.exit_code == 1
    assert "agreement.docx: the tag {{ doc.title }} (body paragraph 1) is split across runs" in result.output
    assert "no translation for 'A brand new heading' (used in agreement.html:1)" in result.output
    assert "agreement.html:1: uses doc.titel, which documents do not provide" in result.output
    assert "agreement.html:1: uses p.organsation" in result.output
    assert "signoff-sheet.docx (body paragraph 1): uses unknown_var" in result.output
    only_folder = CliRunner().invoke(main, ["-R", str(root), "templates", "check", str(root / "templates")])
    assert only_folder.exit_code == 1 and "unknown_var" in only_folder.output
    shipped_only = CliRunner().invoke(main, ["-R", str(make_register({})), "templates", "check"])
    assert shipped_only.exit_code == 0 and "0 problem(s)" in shipped_only.output


def test_templates_are_sandboxed(make_register, tmp_path):
    from docx import Document as NewDocument

    from isa_toolkit.resources import shipped

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    (root / "templates" / "html").mkdir(parents=True)
    page = (shipped("templates") / "html" / "signoff-sheet.html").read_text()
    (root / "templates" / "html" / "signoff-sheet.html").write_text(
        page.replace("<h1>", "<h1>{{ lipsum.__globals__['os'].popen('id').read() }}"))
    (root / "templates" / "docx").mkdir()
    evil = NewDocument()
    evil.add_paragraph("{{ doc.t.__globals__['os'].popen('id').read() }}")
    evil.save(root / "templates" / "docx" / "signoff-sheet.docx")
    register = store.load_register(root)
    for fmt in ("pdf", "docx"):
        with pytest.raises(IsaError, match="cannot be used"):
            render(register, register.agreements[ID], doc="signoff-sheet", formats=(fmt,), outdir=tmp_path)


def test_a_very_long_word_wraps_instead_of_being_cut(make_register, tmp_path):
    word = "x" * 150 + "END"
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID).replace(
        "  en: Share addresses of people at risk so that visits can be planned.", f"  en: Before {word} after")})
    register = store.load_register(root)
    [item] = render(register, register.agreements[ID], formats=("pdf",), outdir=tmp_path)
    text = "".join(pdf_text(item.path).split())
    assert word in text and "Beforex" in text and "ENDafter" in text


def test_the_french_documents_hold_no_english_label(rendered):
    from babel.messages.pofile import read_po

    from isa_toolkit.resources import shipped

    _, agreement, files = rendered
    record_text = json.dumps(agreement.model_dump(mode="json"), ensure_ascii=False)  # e.g. "Chief Executive" is data
    with open(shipped("templates") / "locale/fr/LC_MESSAGES/messages.po", "rb") as handle:
        labels = [m.id for m in read_po(handle) if m.id and m.string and m.string != m.id and len(m.id) >= 8
                  and m.id not in record_text]
    for fmt, read in (("pdf", lambda p: " ".join(pdf_text(p).split())), ("docx", lambda p: " ".join(docx_text(p).split()))):
        text = read(files[("fr", fmt)].path)
        english = [label for label in labels if label in text]
        assert english == [], (fmt, english)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_docx(rendered, tmp_path):
    _, agreement, files = rendered
    source = files[("en+fr", "docx")].path
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=180,
    )
    converted = tmp_path / (source.stem + ".pdf")
    assert converted.exists(), result.stderr
    subprocess.run(["qpdf", "--check", str(converted)], check=True, capture_output=True)
    text = pdf_text(converted)
    assert "Home fire safety visits" in text and "Titre en français" in text and agreement.fingerprint in text


def test_a_batch_replaces_its_workers_without_hanging(make_register, tmp_path, monkeypatch):
    from isa_toolkit.documents import batch

    monkeypatch.setattr(batch, "TASKS_PER_WORKER", 1)  # every worker is replaced after each agreement
    ids = [f"ISA-2026-000{n}" for n in range(1, 6)]
    root = make_register({f"agreements/{i}.yaml": complete_isa(i) for i in ids})
    done = []
    failures = batch.render_all(root, ids, doc="agreement", lang="en", formats=("docx",), outdir=tmp_path,
                                fallback=False, progress=done.append)
    assert failures == [] and len(done) == 5
    assert sorted(p.name for p in tmp_path.glob("*.docx")) == [f"{i}-v1.0-agreement-en.docx" for i in ids]


def test_a_template_cannot_read_files_outside_its_folder_through_a_link(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    own = root / "templates" / "html"
    own.mkdir(parents=True)
    secret = tmp_path / "secret.html"
    secret.write_text("TOP SECRET")
    (own / "passwd.html").symlink_to("/etc/passwd")
    (own / "outside").symlink_to(tmp_path, target_is_directory=True)
    out = tmp_path / "out"
    for include in ("passwd.html", "outside/secret.html"):
        (own / "signoff-sheet.html").write_text(f'<html><body><pre>{{% include "{include}" %}}</pre></body></html>')
        register = store.load_register(root)
        with pytest.raises(IsaError, match="leads outside the template folder"):
            render(register, register.agreements[ID], doc="signoff-sheet", outdir=out)
        assert not out.exists()  # nothing written, not even the DOCX made before the PDF
    # A templates folder that is itself a link out of the register is refused as a whole.
    linked = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    (linked / "templates").mkdir()
    (linked / "templates" / "html").symlink_to(tmp_path, target_is_directory=True)
    register = store.load_register(linked)
    with pytest.raises(IsaError, match="templates/html is a symbolic link to .*outside the register"):
        render(register, register.agreements[ID], doc="signoff-sheet", formats=("pdf",), outdir=out)


def test_a_registers_template_uses_its_own_image_and_the_shipped_stylesheet(make_register, tmp_path):
    import base64

    from isa_toolkit.resources import shipped

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    own = root / "templates" / "html"
    own.mkdir(parents=True)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    (own / "logo.png").write_bytes(png)
    page = (shipped("templates") / "html" / "signoff-sheet.html").read_text()
    (own / "signoff-sheet.html").write_text(page.replace("<h1>", '<img src="logo.png" alt="logo"><h1>', 1))
    register = store.load_register(root)
    [item] = render(register, register.agreements[ID], doc="signoff-sheet", formats=("pdf",), outdir=tmp_path)
    images = subprocess.run(["pdfimages", "-list", str(item.path)], check=True, capture_output=True, text=True).stdout
    assert [line.split()[2] for line in images.splitlines()[2:]].count("image") == 1  # the logo (and its mask)
    assert "Page 1 / 1" in pdf_text(item.path)  # the shipped stylesheet's running footer still applies


def test_a_document_asks_only_for_the_translations_it_prints(make_register, tmp_path):
    from isa_toolkit.resources import shipped

    english_purpose = complete_isa(ID).replace(
        "  fr: Partager les adresses des personnes à risque afin de planifier les visites.\n", "")
    root = make_register({f"agreements/{ID}.yaml": english_purpose})
    register = store.load_register(root)
    agreement = register.agreements[ID]
    with pytest.raises(IsaError, match=r"has no fr text for: purpose\. "):
        render(register, agreement, lang="fr", formats=("docx",), outdir=tmp_path)
    for doc in ("signature-pages", "signoff-sheet"):  # neither prints the purpose
        [item] = render(register, agreement, doc=doc, lang="fr", formats=("docx",), outdir=tmp_path)
        assert "non traduit" not in docx_text(item.path)
    # The register's classification table is text the documents print too.
    classification = (shipped("example_register") / "classification.yaml").read_text()
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    (root / "classification.yaml").write_text(classification.replace("fr: Limitée", "de: Eingeschränkt", 1))
    from .conftest import git

    git(root, "commit", "-qam", "classification without a French name for moderate")
    register = store.load_register(root)
    with pytest.raises(IsaError, match=r"has no fr text for: classification\.yaml levels\[1\]\.classification"):
        render(register, register.agreements[ID], lang="fr", formats=("docx",), outdir=tmp_path / "c")
    [item] = render(register, register.agreements[ID], lang="fr", formats=("docx",), outdir=tmp_path / "c",
                    fallback=True)
    assert "[non traduit (en)] Restricted" in docx_text(item.path)
    assert "Table de classification, niveau 2, classification" in docx_text(item.path)  # where, in words


def test_templates_check_locates_what_it_finds_and_never_shows_a_traceback(make_register, tmp_path):
    from isa_toolkit.resources import shipped

    folder = tmp_path / "mine"
    (folder / "html").mkdir(parents=True)
    (folder / "docx").mkdir()
    (folder / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "html" / "agreement.html").write_text("<p>{{ doc.title }}</p>\n\n{% if %}")
    (folder / "docx" / "agreement.docx").write_text("not a zip")
    catalog = (shipped("templates") / "locale/fr/LC_MESSAGES/messages.po").read_text()
    catalog = catalog.replace('msgid "Purpose"', '#, fuzzy\nmsgid "Purpose"', 1)
    catalog = catalog.replace('msgid "Approved"\nmsgstr "Approuvé"', 'msgid "Approved"\nmsgstr ""', 1)
    (folder / "locale" / "fr" / "LC_MESSAGES" / "messages.po").write_text(catalog)
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{folder}/html/agreement.html:3: not a valid template" in result.output
    assert f"{folder}/docx/agreement.docx is not a Word document" in result.output
    assert re.search(r"messages\.po:\d+: the translation of 'Purpose' is marked fuzzy", result.output)
    assert "no translation for 'Approved' (used in the documents' labels" in result.output


def test_templates_check_reads_a_shared_layout_whole_and_a_macro_file_for_its_syntax(tmp_path):
    from isa_toolkit.resources import shipped

    folder = tmp_path / "mine"
    (folder / "html").mkdir(parents=True)
    base = (shipped("templates") / "html" / "_base.html").read_text()
    (folder / "html" / "_base.html").write_text(base.replace("<title>{{ title }}</title>", "<title>{{ titel }}</title>"))
    (folder / "html" / "_macros.html").write_text("{% macro sign(doc) %}{{ doc.t('Signature') }} {{ who }}{% endmacro %}")
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert result.exit_code == 1, result.output
    line = base.splitlines().index("<title>{{ title }}</title>") + 1
    assert f"{folder}/html/_base.html:{line}: uses titel, which documents do not provide" in result.output
    assert "_macros.html" not in result.output  # checked where a document uses it


def test_the_shipped_docx_templates_are_what_their_builder_makes(tmp_path):
    """The DOCX templates are built by templates/docx/build_templates.py: rebuilt, every part is the same."""
    from isa_toolkit.resources import shipped

    folder = shipped("templates") / "docx"
    subprocess.run([sys.executable, str(folder / "build_templates.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    shipped_files = sorted(p.name for p in folder.glob("*.docx"))
    assert sorted(p.name for p in tmp_path.glob("*.docx")) == shipped_files
    for name in shipped_files:
        with zipfile.ZipFile(folder / name) as ours, zipfile.ZipFile(tmp_path / name) as built:
            # What the builder writes: the body, header and footer (the zip's timestamps differ, and the styles
            # and theme come from python-docx's own blank document).
            parts = [part for part in ours.namelist() if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", part)]
            assert len(parts) >= 3, name
            for part in parts:
                assert ours.read(part) == built.read(part), f"{name}: {part}"


def test_a_batch_refuses_an_unknown_status(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    result = CliRunner().invoke(main, ["-R", str(root), "render", "--all", "--status", "actve", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "'actve' is not a status of an agreement" in result.output


def test_a_document_says_when_its_agreement_is_not_in_force(make_register, tmp_path):
    owner = "owner: {name: Olga Owner, title: Head of Safeguarding, email: olga@example.org}\nbusiness_area: Public protection\n"
    text = complete_isa(ID, status="draft").replace("    personal: true\n", "    personal: true\n    anonymisation: pseudonymised\n")
    root = make_register({f"agreements/{ID}.yaml": text + owner, "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002")})
    register = store.load_register(root)
    items = {item.format: item for item in render(register, register.agreements[ID], lang="en+fr", outdir=tmp_path)}
    pdf = " ".join(pdf_text(items["pdf"].path).split())
    assert "Draft · Not yet agreed, and not in force." in pdf and "Projet · Pas encore approuvé, et non en vigueur." in pdf
    assert "Version 1.0 · Draft" in pdf and "Version 1.0 · Projet" in pdf  # the running header of every page
    assert "Information asset owner: Olga Owner, Head of Safeguarding, olga@example.org" in pdf
    assert "Business area: Public protection" in pdf and "Anonymisation: Pseudonymised" in pdf
    docx = docx_text(items["docx"].path)
    assert "Domaine d’activité\u00a0: Public protection" in docx  # French puts a no-break space before a colon
    assert "Not yet agreed, and not in force." in docx and "Pas encore approuvé" in docx
    # One footer serves both languages of a DOCX, so its labels are in both.
    assert f"Version / Version 1.0 · Fingerprint / Empreinte {register.agreements[ID].fingerprint}" in docx
    [active] = render(register, register.agreements["ISA-2026-0002"], formats=("pdf",), outdir=tmp_path)
    assert "Not yet agreed" not in pdf_text(active.path) and "· Draft" not in pdf_text(active.path)


def test_workflow_texts_a_document_prints_need_their_translation_too(make_register, tmp_path):
    from isa_toolkit.resources import shipped

    chain = (shipped("workflows") / "signoff_chain.yaml").read_text()
    english_only = re.sub(r"\n\s+fr: [^\n]*", "", chain, count=1)  # the first stage's French title removed
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID), "workflows/signoff_chain.yaml": english_only})
    register = store.load_register(root)
    with pytest.raises(IsaError, match=r"has no fr text for: workflows/signoff_chain\.yaml stages\[0\]\.title"):
        render(register, register.agreements[ID], doc="signoff-sheet", lang="fr", formats=("docx",), outdir=tmp_path)
    [item] = render(register, register.agreements[ID], doc="signoff-sheet", lang="en", formats=("docx",), outdir=tmp_path)
    assert item.path.is_file()


def test_nothing_is_written_when_one_of_the_files_cannot_be(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    register = store.load_register(root)
    out = tmp_path / "out"
    (out / f"{ID}-v1.0-agreement-en.pdf").mkdir(parents=True)
    with pytest.raises(IsaError, match="is a folder; remove it or write elsewhere"):
        render(register, register.agreements[ID], outdir=out)
    assert [p.name for p in out.iterdir()] == [f"{ID}-v1.0-agreement-en.pdf"]  # no DOCX beside it


def test_templates_check_reads_a_broken_helper_template_without_a_traceback(tmp_path):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "_bad.html").write_text("{% macro x() %}\n{{ oops")
    result = CliRunner().invoke(main, ["templates", "check", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{tmp_path}/html/_bad.html:2: not a valid template" in result.output


def test_the_dpia_clause_gives_the_result_and_the_officers_reason_and_the_assessment_the_triggering_items(
        make_register, tmp_path):
    """The agreement states what the parties agree on (DPIA required, and why); the screening's answers, which a new
    screening may change without changing the agreement, are in the assessment record."""
    screening = ("  screening: {checklist: dpia_screening, answers: {special_category: true, vulnerable_people: true}, "
                 "triggers: [special_category, vulnerable_people], by: Ava Assessor, date: 2026-10-01}\n")
    text = complete_isa(ID).replace("  required: false\n", "  required: true\n").replace(
        "start_date:", screening + "start_date:", 1)
    root = make_register({f"agreements/{ID}.yaml": text})
    register = store.load_register(root)
    made = render(register, register.agreements[ID], doc="agreement", lang="fr", outdir=tmp_path)
    page = pdf_text(next(item.path for item in made if item.format == "pdf"))
    assert "Requise. Faible volume de données modérées." in " ".join(page.split())  # the officer's reason, as written
    assert "Questions de présélection" not in page
    [record] = render(register, register.agreements[ID], doc="assessment", lang="fr", formats=("docx",),
                      outdir=tmp_path)
    answers = docx_text(record.path)
    from isa_toolkit.register.definitions import load_checklist

    checklist = load_checklist("dpia_screening")
    for item in ("special_category", "vulnerable_people"):
        assert checklist.item(item).question.get("fr").split()[0] in answers


@pytest.fixture(scope="module")
def draft_documents(tmp_path_factory):
    """A draft agreement and its signature pages, rendered once, in en+fr, PDF and DOCX."""
    root = module_register(tmp_path_factory, "draft", complete_isa(ID, status="draft"))
    register = store.load_register(root)
    out = tmp_path_factory.mktemp("draft-docs")
    made = {}
    for doc in ("agreement", "signature-pages"):
        for item in render(register, register.agreements[ID], doc=doc, lang="en+fr", outdir=out):
            made[(doc, item.format)] = item.path
    return made


def test_a_draft_is_marked_on_every_page_and_offers_nowhere_to_sign(draft_documents):
    pages = [page for page in pdf_text(draft_documents[("agreement", "pdf")]).split("\f") if page.strip()]
    assert len(pages) > 2 and all("DRAFT / PROJET" in page for page in pages)
    text = "\n".join(pages)
    assert "Not for signature: this copy is not the version sent to the parties for signature." in text
    assert "Ne pas signer : cet exemplaire" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "By signing, each party agrees" not in text
    signature_pages = pdf_text(draft_documents[("signature-pages", "pdf")])
    assert "Not for signature" in signature_pages and "Signature\n" not in signature_pages
    header = [p.text for p in Document(str(draft_documents[("agreement", "docx")])).sections[0].header.paragraphs]
    assert "Draft / Projet" in header
    assert "Not for signature" in docx_text(draft_documents[("agreement", "docx")])


def test_an_agreement_in_force_carries_no_mark_and_its_signature_blocks(rendered):
    _, _, files = rendered
    text = pdf_text(files[("en", "pdf")].path)
    assert "DRAFT" not in text and "Not for signature" not in text and "By signing, each party agrees" in text


def test_a_bilingual_agreement_says_which_text_prevails(make_register, tmp_path):
    from .conftest import SETTINGS

    both = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    register = store.load_register(both)
    made = render(register, register.agreements[ID], doc="agreement", lang="en+fr", formats=("docx",),
                  outdir=tmp_path / "a")
    text = docx_text(made[0].path)
    assert "The texts of this document in each of its languages are equally authentic." in text
    assert "Les textes de ce document dans chacune de ses langues font également foi." in text
    french = make_register({f"agreements/{ID}.yaml": complete_isa(ID)}, settings=SETTINGS + "prevailing_language: fr\n")
    register = store.load_register(french)
    made = render(register, register.agreements[ID], doc="agreement", lang="en+fr", formats=("docx",),
                  outdir=tmp_path / "b")
    text = docx_text(made[0].path)
    assert "Where the texts in its languages differ, the text in French prevails." in text
    assert "le texte en français prévaut" in text
    single = render(register, register.agreements[ID], doc="agreement", lang="en", formats=("docx",),
                    outdir=tmp_path / "c")
    assert "prevails" not in docx_text(single[0].path)
    wrong = make_register({}, settings=SETTINGS + "prevailing_language: de\n")
    assert "prevailing_language 'de' is not one of languages" in str(store.load_register(wrong).problems)


def test_a_protective_marking_is_in_every_header_and_footer(make_register, tmp_path):
    from .conftest import SETTINGS

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)},
                         settings=SETTINGS + "protective_marking: OFFICIAL-SENSITIVE\n")
    register = store.load_register(root)
    made = {item.format: item.path for item in render(register, register.agreements[ID], doc="signoff-sheet",
                                                      lang="en", outdir=tmp_path)}
    pages = [page for page in pdf_text(made["pdf"]).split("\f") if page.strip()]
    assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)  # header and footer
    section = Document(str(made["docx"])).sections[0]
    assert section.header.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE · ")
    assert section.footer.paragraphs[0].text.startswith("OFFICIAL-SENSITIVE · ")


def test_document_control_entries_the_toolkit_wrote_read_in_the_documents_language(make_register, tmp_path):
    text = complete_isa(ID).replace("signoffs:", "amendments:\n  - {version: '1.0', detail: 'First draft, from the isa "
                                    "questionnaire', author: Ina, date: 2025-01-01}\nsignoffs:", 1)
    root = make_register({f"agreements/{ID}.yaml": text})
    register = store.load_register(root)
    [docx] = render(register, register.agreements[ID], doc="agreement", lang="fr", formats=("docx",), outdir=tmp_path)
    written = docx_text(docx.path)
    assert "Premier projet, d’après le questionnaire isa" in written and "First draft" not in written


def test_a_docx_names_one_language_and_is_proofread_in_it(rendered):
    from docx.oxml.ns import qn

    _, _, files = rendered
    assert Document(str(files[("en+fr", "docx")].path)).core_properties.language == "en-GB"
    french = Document(str(files[("fr", "docx")].path))
    assert french.core_properties.language == "fr-FR"
    lang = french.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault") + "/" + qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "fr-FR"


def test_docx_rows_never_split_and_signature_rows_leave_room_to_sign(rendered):
    from docx.oxml.ns import qn

    _, _, files = rendered
    document = Document(str(files[("en", "docx")].path))
    listings = [table for table in document.tables
                if table.rows[0]._tr.trPr is not None and table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None]
    assert len(listings) >= 4  # document control, parties, data items, legal basis
    blocks = [table for table in document.tables if table.rows[0].cells[0].text.startswith("Testshire Constabulary\n")]
    assert len(blocks) == 1  # the signature block of each signatory, once
    for table in listings + blocks:
        assert all(row._tr.trPr is not None and row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    labels = [row.cells[0].text for row in blocks[0].rows]
    assert labels[1:] == ["Name and title", "Signature", "Date", "If signed by a delegate: name and title"]
    assert "Signed on behalf of Testshire Constabulary" in blocks[0].rows[0].cells[0].text
    sign = blocks[0].rows[2]
    assert sign.height is not None and sign.height.mm >= 20  # room to sign by hand


def test_templates_made_for_an_earlier_version_never_silently_drop_content(make_register, tmp_path):
    """An organisation's own templates from before the numbered clauses: its old page layout still gets the signature
    blocks; its old DOCX template, asking for what documents no longer hold, is refused with what to do, never
    rendered without the agreement's body."""
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    old = subprocess.run(["git", "show", "d86122f:templates/html/_base.html"], capture_output=True, text=True,
                         cwd=Path(__file__).parent)
    if old.returncode != 0:
        pytest.skip("the earlier template is not in this checkout's history")
    (root / "templates" / "html").mkdir(parents=True)
    (root / "templates" / "html" / "_base.html").write_text(old.stdout)
    register = store.load_register(root)
    [pdf] = render(register, register.agreements[ID], formats=("pdf",), outdir=tmp_path / "a")
    assert "Signed on behalf of Testshire Constabulary" in pdf_text(pdf.path)
    docx = subprocess.run(["git", "show", "d86122f:templates/docx/agreement.docx"], capture_output=True,
                          cwd=Path(__file__).parent).stdout
    (root / "templates" / "docx").mkdir()
    (root / "templates" / "docx" / "agreement.docx").write_bytes(docx)
    with pytest.raises(IsaError, match="made for an earlier version of the toolkit"):
        render(store.load_register(root), register.agreements[ID], formats=("docx",), outdir=tmp_path / "b")
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").iterdir())


def test_record_text_cannot_change_the_language_a_docx_part_is_proofread_in(make_register, tmp_path):
    text = complete_isa(ID).replace("  en: Share addresses of people at risk so that visits can be planned.",
                                    "  en: \"[[isa-lang:fr]]\\n\\nShare addresses of people at risk so that visits can be planned.\"")
    root = make_register({f"agreements/{ID}.yaml": text})
    register = store.load_register(root)
    [docx] = render(register, register.agreements[ID], formats=("docx",), outdir=tmp_path)
    assert "[[isa-lang:fr]]" in docx_text(docx.path)  # printed as written, like any text
    with zipfile.ZipFile(docx.path) as archive:
        body = archive.read("word/document.xml").decode()
    assert "fr-FR" not in body  # an English document stays English throughout


def test_related_names_other_records_that_exist(make_register):
    text = complete_isa(ID).replace("areas: [Testshire]", "areas: [Testshire]\nrelated: [ISA-2026-0001, ISP-2099-0001, "
                                                          "not an id]")
    root = make_register({f"agreements/{ID}.yaml": text})
    result = CliRunner().invoke(main, ["-R", str(root), "validate"])
    lines = result.output.splitlines()
    assert any("related[0]:" in line and "is this agreement itself" in line for line in lines)
    assert any("related[1]:" in line and "no agreement or protocol 'ISP-2099-0001'" in line for line in lines)
    assert any("related[2]:" in line and "'not an id' is not a record id" in line for line in lines)
    assert len([line for line in lines if "related[" in line]) == 3  # one warning each
