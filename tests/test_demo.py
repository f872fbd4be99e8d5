"""``isa demo`` runs on a copy and never touches the shipped example register."""

from __future__ import annotations

import subprocess

from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.resources import shipped

from .conftest import git


def test_the_demo_never_changes_the_example_register(demo_run):
    assert demo_run.shipped_before == demo_run.shipped_after
    assert not (shipped("example_register") / ".git").exists()


def test_demo_lists_and_shows_what_is_due(demo_run):
    root, text = demo_run.root, demo_run.text
    out = root.parent
    assert root.name == "register"
    assert git(root, "status", "--porcelain") == ""
    assert "8 agreement(s), 1 incident(s): 0 error(s), 0 warning(s)" in text
    assert "ISA-2023-0002  2026-08-28  87 day(s) overdue" in text
    assert "ISA-2024-0001  2027-01-15  due in 53 day(s)" in text
    # The review run: what would be sent, written as emails, and the calendar.
    assert "9 email(s) would be sent" in text and "escalation   ISA-2023-0002" in text
    assert len(list((out / "reminders").glob("*.eml"))) == 9
    assert (out / "reviews.ics").read_bytes().count(b"BEGIN:VEVENT") >= 5
    assert str(root.resolve()) in text
    # A new ISA drafted from the example answers, its overlap shown, then assessed.
    assert "ISA-2026-0002  [draft]" in text.split("Drafting a new agreement")[1]
    assert "Created ISA-2026-0003 (draft, version 1.0)" in text
    assert "Information sharing risk assessment: proceed with conditions" in text
    assert "DPIA screening: DPIA required" in text
    from isa_toolkit.register.load import load_register

    register = load_register(root)
    assert not register.problems, register.problems
    new = register.agreements["ISA-2026-0003"]
    assert new.risk_assessment.outcome == "proceed_with_conditions" and new.dpia.required is True
    # ... then walked through the whole chain, with one refused out-of-order sign-off, to active.
    assert "--role executive ... -> refused: stage 3 (executive) cannot be signed yet" in text
    assert new.status.value == "active" and new.review.due is not None
    assert "Registered (isa activate ISA-2026-0003): active from" in text
    # A sharing decision, an urgent disclosure completed afterwards, a request granted, a breach suspending
    # an agreement until its resolution restores it.
    assert len(register.agreements["ISA-2024-0001"].decisions) == 1
    assert "ISA-2024-0001  [active]" in text.split("already covers is pointed")[1]
    assert "DIS-2026-0002: disclose to Northshire Ambulance Service NHS Trust (outstanding)" in text
    assert {e["status"] for e in register.section("disclosure").index.values()} == {"disclosed"}
    assert register.section("request").index["REQ-2026-0001"]["status"] == "granted"
    assert "ISA-2023-0002 is now suspended" in text and "ISA-2023-0002: back to active" in text
    marac = register.agreements["ISA-2023-0002"]
    assert [c.to.value for c in marac.history[-3:]] == ["suspended", "active", "under_review"]
    # ... and its overdue annual review: both parties confirmed it, and the renewed version awaits the chain.
    assert [f.stakeholder for f in marac.review.findings] == ["Northshire Constabulary",
                                                              "Northshire Health NHS Foundation Trust"]
    assert marac.version == "1.3"
    assert register.section("incident").index["INC-2026-0002"]["status"] == "resolved"
    # The example register's own open breach still holds its agreement suspended.
    assert register.section("incident").index["INC-2026-0001"]["status"] == "open"
    assert register.agreements["ISA-2024-0002"].status.value == "suspended"
    documents = sorted(p.name for p in (out / "documents").iterdir())
    for stem in ("ISA-2026-0003-v1.0-agreement", "ISP-2025-0001-v1.1-protocol"):
        for lang in ("en", "fr", "en+fr"):
            assert f"{stem}-{lang}.docx" in documents and f"{stem}-{lang}.pdf" in documents
    for doc in ("signature-pages", "signoff-sheet", "assessment"):
        assert {f"ISA-2026-0003-v1.0-{doc}-en+fr.docx", f"ISA-2026-0003-v1.0-{doc}-en+fr.pdf"} <= set(documents)
    # The new agreement was drafted in both languages: its French document is French throughout.
    assert new.languages == ["en", "fr"] and not new.purpose.missing(["fr"])
    french = subprocess.run(["pdftotext", str(out / "documents" / "ISA-2026-0003-v1.0-agreement-fr.pdf"),
                             "-"], check=True, capture_output=True, text=True).stdout
    assert "Signalements par la police aux services sociaux" in french and "non traduit" not in french
    assert "isa render ISA-2026-0002 --lang fr -> refused: no French text for title, purpose" in text
    assert {"DIS-2026-0001-disclosure-en.pdf", "DIS-2026-0002-disclosure-en.docx"} <= set(documents)
    assert {"ISA-2023-0002-v1.3-review-report-en.pdf", "ISA-2023-0002-v1.3-review-report-en.docx"} <= set(documents)
    subjects = git(root, "log", "--format=%s", "--", "agreements/ISA-2026-0003.yaml").splitlines()
    # drafted, two assessments, assessed, eight sign-offs, the packs sent, two signed copies received, activated
    assert len(subjects) == 3 + 1 + 8 + 1 + 2 + 1


def test_demo_refuses_an_existing_folder(tmp_path):
    (tmp_path / "out" / "register").mkdir(parents=True)
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "out")])
    assert result.exit_code == 1 and "already exists" in result.output


def test_the_example_register_passes_strict_validation():
    result = CliRunner().invoke(main, ["-R", str(shipped("example_register")), "validate", "--strict"])
    assert result.exit_code == 0, result.output
    assert "8 agreement(s), 1 incident(s) loaded: 0 error(s), 0 warning(s)" in result.output


def test_the_example_register_covers_the_seed_situations():
    from isa_toolkit.register.load import load_register

    register = load_register(shipped("example_register"), use_cache=False)
    agreements = list(register.agreements.values())
    statuses = {a.status.value for a in agreements}
    assert {"active", "draft", "terminated"} <= statuses
    bilingual = [a for a in agreements if a.kind == "protocol" and set(a.languages) >= {"en", "fr"}]
    assert bilingual and bilingual[0].sharing_matrix is not None
    county = [a for a in agreements if a.kind == "protocol" and len(a.parties) >= 8 and len(a.amendments) >= 5]
    assert county
    safeguarding = [a for a in agreements if a.kind == "isa"
                    and any(i.special_category for i in a.data_items) and any(i.criminal_offence for i in a.data_items)]
    assert safeguarding
    assert register.classification is not None


def test_the_demo_sends_signs_chases_seals_and_verifies(demo_run):
    """The partners' signatures in the demo: the register's key (outside the register), a certified pack each, one
    signing at once and one chased, each copy checked as it comes back, the sealed copy verified."""
    from isa_toolkit import register as store

    root, text = demo_run.root, demo_run.text
    out = root.parent
    assert "private key kept outside the register" in text
    assert not any(path.suffix == ".pem" and b"PRIVATE KEY" in path.read_bytes()
                   for path in root.rglob("*.pem"))
    assert len(list((out / "packs").glob("*.pdf"))) == 2 and len(list((out / "packs").glob("*.eml"))) == 2
    assert "the daily run chases Deborah Quinn (chase-1" in text and list((out / "chases").glob("*.eml"))
    assert "matches the register" in text
    agreement = store.load_register(root).agreements["ISA-2026-0003"]
    signed = [s for s in agreement.signoffs if s.role == "partner_signatory"]
    assert len(signed) == 2 and all(s.evidence is not None and s.evidence.kind == "digital" for s in signed)
    assert all((root / s.evidence.file).is_file() for s in signed)
    assert list((out / "documents").glob("ISA-2026-0003-v1.0-sealed.pdf"))
