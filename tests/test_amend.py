"""Amendments keep what they do not change: assessments whose inputs stand, and text in the other languages."""

from __future__ import annotations

from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.resources import shipped

from .conftest import complete_isa, git

ID = "ISA-2026-0001"
PATH = f"agreements/{ID}.yaml"
ASSESSED = """\
risk_assessment:
  checklist: risk_assessment
  answers: {recipient_security: true}
  outcome: proceed
  by: Ava Assessor
  date: 2026-10-01
"""
SCREENING = "  screening: {checklist: dpia_screening, answers: {bulk: false}, by: Ava Assessor, date: 2026-10-01}\n"
FIRST_ITEM = """\
data_items:
  - name: {en: Address, fr: Adresse postale}
    personal: true
    sensitivity: moderate
    frequency: {en: weekly, fr: chaque semaine}
    transfer_method: {en: secure email, fr: courriel sécurisé}
"""
HEALTH = FIRST_ITEM + """\
  - name: {en: Health need, fr: Besoin de santé}
    personal: true
    special_category: true
    sensitivity: high
"""


def record(status: str) -> str:
    text = complete_isa(ID, status=status).split("signoffs:")[0]
    return text.replace("start_date:", SCREENING + "start_date:", 1) + ASSESSED


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


def amend(root, tmp_path, changes: str, detail: str = "changed"):
    path = tmp_path / "changes.yaml"
    path.write_text(changes)
    return run(root, "amend", ID, "--answers", str(path), "--detail", detail, "--date", "2026-11-01")


def test_translating_the_data_items_keeps_both_assessments(make_register, tmp_path):
    root = make_register({PATH: record("assessed")})
    result = amend(root, tmp_path, FIRST_ITEM, "French name of the data item")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert agreement.version == "1.1" and agreement.status.value == "assessed"
    assert agreement.dpia.screening is not None and agreement.dpia.screening.needs_renewal is None
    assert agreement.risk_assessment.outcome == "proceed" and agreement.risk_assessment.needs_renewal is None
    assert agreement.data_items[0].name.texts == {"en": "Address", "fr": "Adresse postale"}


def test_new_special_category_data_sends_the_agreement_back_until_both_are_made_again(make_register, tmp_path):
    root = make_register({PATH: record("assessed")})
    result = amend(root, tmp_path, HEALTH, "Health need added")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert agreement.status.value == "draft"
    assert agreement.dpia.screening.needs_renewal == "version 1.1 changed the data items"
    assert agreement.risk_assessment.needs_renewal == "version 1.1 changed the data items"
    assert agreement.dpia.required is False  # what the old screening found is still there to read, marked
    subject = git(root, "log", "-1", "--format=%s")
    assert subject.startswith(f"{ID}: amended to version 1.1: Health need added; the risk assessment and the DPIA "
                              "screening to be made again")
    refused = run(root, "transition", ID, "assessed")
    assert refused.exit_code == 1
    assert f"a new risk assessment (version 1.1 changed the data items): isa assess {ID}" in refused.output
    assert (f"a new DPIA screening (version 1.1 changed the data items): isa assess {ID} --checklist dpia_screening"
            in refused.output)
    shown = run(root, "show", ID)
    assert "to be made again" in shown.output


def test_a_changed_purpose_in_force_holds_the_sign_offs_until_reassessed(make_register, tmp_path):
    root = make_register({PATH: record("active")})
    result = amend(root, tmp_path, "purpose:\n  en: Share addresses and health needs of people at risk.\n",
                   "Purpose widened")
    assert result.exit_code == 0, result.output
    assert "to be made again" in result.output and f"isa assess {ID}" in result.output
    agreement = store.load_agreement(root, ID)
    assert agreement.status.value == "under_review"
    assert agreement.risk_assessment.needs_renewal == "version 1.1 changed the purpose"
    signed = run(root, "signoff", ID, "--role", "information_asset_owner", "--name", "Olga Owner", "--approve",
                 "--date", "2026-11-02")
    assert signed.exit_code == 1 and "cannot be approved yet" in signed.output
    assert store.load_agreement(root, ID).signoffs == agreement.signoffs  # nothing recorded
    # Assessing is possible under review, and it clears the mark.
    answers = shipped("example_register") / "examples" / "risk-assessment-answers.yaml"
    assessed = run(root, "assess", ID, "--answers", str(answers), "--date", "2026-11-02")
    assert assessed.exit_code == 0, assessed.output
    assert store.load_agreement(root, ID).risk_assessment.needs_renewal is None
    # The DPIA screening looked at the purpose too: once it is made again, the chain takes sign-offs.
    sign = ["signoff", ID, "--role", "information_asset_owner", "--name", "Olga Owner", "--approve", "--date", "2026-11-02"]
    assert "make again the DPIA screening (version 1.1 changed the purpose)" in run(root, *sign).output
    screening = shipped("example_register") / "examples" / "dpia-screening-answers.yaml"
    assert run(root, "assess", ID, "--checklist", "dpia_screening", "--answers", str(screening),
               "--date", "2026-11-02").exit_code == 0
    signed = run(root, *sign)
    assert signed.exit_code == 0, signed.output
    assert store.load_agreement(root, ID).status.value == "under_review"


def test_text_in_one_language_keeps_the_others(make_register, tmp_path):
    root = make_register({PATH: record("draft")})
    result = amend(root, tmp_path, "benefits:\n  fr: Moins de blessés à domicile.\n", "French benefits reworded")
    assert result.exit_code == 0, result.output
    benefits = store.load_agreement(root, ID).benefits
    assert benefits.texts == {"en": "Fewer people hurt at home.", "fr": "Moins de blessés à domicile."}
    assert benefits.stale("en") == []  # a translation of the English as it reads


def test_a_changed_source_text_marks_the_other_languages_out_of_date(make_register, tmp_path):
    root = make_register({PATH: record("draft")})
    result = amend(root, tmp_path, "benefits:\n  en: Fewer people hurt or killed at home.\n", "Benefits reworded")
    assert result.exit_code == 0, result.output
    benefits = store.load_agreement(root, ID).benefits
    assert benefits.texts["fr"] == "Moins de personnes blessées chez elles."  # kept
    assert benefits.stale("en") == ["fr"]
    validated = run(root, "validate")
    assert "benefits" in validated.output and "fr" in validated.output


def test_a_name_with_a_line_break_is_refused_by_amend_and_by_validate(make_register, tmp_path):
    root = make_register({PATH: record("draft")})
    broken = ("parties:\n  - organisation: Testshire Constabulary\n    role: discloser\n"
              "    designated_officer: {name: \"Dee\\nOfficer\", email: dee@example.org}\n"
              "  - organisation: Testshire Council\n    role: recipient\n")
    result = amend(root, tmp_path, broken, "Officer renamed")
    assert result.exit_code == 1 and "parties[0].designated_officer.name: must be on one line" in result.output
    assert store.load_agreement(root, ID).version == "1.0"  # nothing written
    by_hand = make_register({PATH: record("draft").replace("name: Dee Officer", 'name: "Dee\\nOfficer"')})
    validated = run(by_hand, "validate")
    assert validated.exit_code == 1
    assert f"{PATH}:12: parties[0].designated_officer.name: must be on one line" in validated.output


def test_a_drafts_dpia_reference_is_set_without_a_new_version(make_register):
    text = record("draft").replace("dpia:\n  required: false", "dpia:\n  required: true")
    root = make_register({PATH: text})
    before = store.load_agreement(root, ID)
    refused = run(root, "transition", ID, "assessed")
    assert refused.exit_code == 1 and f"isa amend {ID} --set dpia.reference=REF" in refused.output
    result = run(root, "amend", ID, "--set", "dpia.reference=DPIA-2026-07")
    assert result.exit_code == 0, result.output
    assert f"{ID} is still version 1.0 (draft); set: dpia.reference=DPIA-2026-07" in result.output
    after = store.load_agreement(root, ID)
    assert after.dpia.reference == "DPIA-2026-07" and after.dpia.screening == before.dpia.screening
    assert (after.version, after.amendments, after.history) == ("1.0", before.amendments, before.history)
    assert git(root, "log", "-1", "--format=%s").startswith(f"{ID}: dpia.reference set on the draft, still version 1.0")
    assert run(root, "transition", ID, "assessed").exit_code == 0


def test_setting_a_reference_once_in_force_is_an_amendment(make_register):
    root = make_register({PATH: record("active")})
    undetailed = run(root, "amend", ID, "--set", "dpia.reference=DPIA-2026-07")
    assert undetailed.exit_code == 1 and "say what changed, for the document-control history: --detail" in undetailed.output
    assert run(root, "amend", ID, "--set", "purpose=Something else").exit_code == 1  # content goes in --answers
    result = run(root, "amend", ID, "--set", "dpia.reference=DPIA-2026-07", "--detail", "DPIA reference added")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert agreement.version == "1.1" and agreement.status.value == "under_review"


def test_a_translation_added_to_a_one_language_record_keeps_the_source_text(make_register, tmp_path):
    english_only = record("draft").replace("languages: [en, fr]", "languages: [en]")
    root = make_register({PATH: english_only})
    result = amend(root, tmp_path, "benefits: {fr: Moins de blessés.}\ndpia: {summary: {fr: Résumé.}}\n",
                   "French added")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert agreement.benefits.texts == {"en": "Fewer people hurt at home.", "fr": "Moins de blessés."}
    assert agreement.dpia.summary.texts == {"fr": "Résumé."}  # there was none before


def test_set_takes_only_the_administrative_fields_and_says_so(make_register):
    root = make_register({PATH: record("draft")})
    result = run(root, "amend", ID, "--set", "owner=Jane Owner")
    assert result.exit_code == 1
    assert "--set is for dpia.reference, contact, business_area; change owner with --answers FILE" in result.output
