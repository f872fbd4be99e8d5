"""Checklists: risk assessment outcomes, DPIA screening, and how results are kept."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.model import Level
from isa_toolkit.model.checklist import Checklist, evaluate
from isa_toolkit.register.yamlio import parse

from .conftest import complete_isa, git

RISK = """\
id: risk_assessment
title: {en: Risk assessment, fr: Évaluation des risques}
applies_to: [isa, protocol]
scoring: risk
items:
  - id: recipient_security
    question: {en: Does the recipient keep the data secure?, fr: Le destinataire protège-t-il les données ?}
    counts: blocking
  - id: secure_transfer
    question: {en: Is the transfer method secure?, fr: Le mode de transfert est-il sûr ?}
    counts: condition
    condition: {en: Send by secure email only., fr: Envoyer uniquement par courriel sécurisé.}
  - id: refusal_risk
    question: {en: Would refusing to share put someone at risk?, fr: Refuser ferait-il courir un risque ?}
    counts: informational
    required: false
"""

DPIA = """\
id: dpia_screening
title: {en: DPIA screening, fr: Présélection AIPD}
applies_to: [isa]
scoring: dpia
items:
  - id: special_category
    question: {en: Special-category data is shared., fr: Des données sensibles sont partagées.}
    counts: trigger
    prefill: special_category
  - id: bulk
    question: {en: Data about many people is shared in bulk., fr: Des données en masse sont partagées.}
    counts: trigger
  - id: justification
    question: {en: Why is no DPIA needed all the same?, fr: Pourquoi aucune AIPD n'est-elle nécessaire ?}
    type: text
    counts: informational
    required: false
"""

DISCLOSURE = RISK.replace("id: risk_assessment", "id: one_off_disclosure").replace("[isa, protocol]", "[disclosure]")

SPECIAL = complete_isa(status="draft").replace("    personal: true\n", "    personal: true\n    special_category: true\n")
ID = "ISA-2026-0001"


@pytest.fixture
def register(make_register):
    return make_register({
        "workflows/checklists/risk_assessment.yaml": RISK,
        "workflows/checklists/dpia_screening.yaml": DPIA,
        "workflows/checklists/one_off_disclosure.yaml": DISCLOSURE,
        f"agreements/{ID}.yaml": SPECIAL,
    })


def run(root, *args, input=None):
    return CliRunner().invoke(main, ["-R", str(root), *args], input=input, catch_exceptions=False)


def answers_file(tmp_path, data, name="answers.yaml"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ({"recipient_security": True, "secure_transfer": True}, "proceed"),
        ({"recipient_security": True, "secure_transfer": False}, "proceed_with_conditions"),
        ({"recipient_security": False, "secure_transfer": True}, "do_not_proceed"),
        ({"recipient_security": False, "secure_transfer": False, "refusal_risk": True}, "do_not_proceed"),
    ],
)
def test_risk_outcomes_and_a_blocking_no_never_proceeds(answers, outcome):
    checklist = Checklist.model_validate(parse(RISK))
    assert evaluate(checklist, answers).outcome == outcome


def test_assessment_is_stored_and_committed(register, tmp_path):
    path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "no",
                                   "rationale": "Email is not yet encrypted."})
    result = run(register, "assess", ID, "--answers", str(path), "--by", "Ava Assessor", "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert "proceed with conditions" in result.output and "Send by secure email only." in result.output
    record = store.load_agreement(register, ID)
    ra = record.risk_assessment
    assert (ra.outcome, ra.by, str(ra.date), ra.checklist) == ("proceed_with_conditions", "Ava Assessor", "2026-11-01", "risk_assessment")
    assert ra.answers == {"recipient_security": True, "secure_transfer": False}
    assert ra.conditions[0].get("fr") == "Envoyer uniquement par courriel sécurisé."
    assert ra.rationale.get("en") == "Email is not yet encrypted."
    assert git(register, "log", "-1", "--format=%s").strip() == f"{ID}: Risk assessment: proceed with conditions [by Ava Assessor]"


def test_a_rationale_can_be_given_per_language(register, tmp_path):
    path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "yes",
                                   "rationale": {"en": "All in place.", "fr": "Tout est en place."}})
    assert run(register, "assess", ID, "--answers", str(path)).exit_code == 0
    assert store.load_agreement(register, ID).risk_assessment.rationale.texts == {"en": "All in place.",
                                                                                   "fr": "Tout est en place."}
    for rationale, words in (({"fr": "Seulement en français."}, "give it in en"), ("   ", "it cannot be blank"),
                             ({"en": 3}, "it cannot be blank")):
        before = git(register, "rev-parse", "HEAD")
        path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "yes", "rationale": rationale})
        refused = run(register, "assess", ID, "--answers", str(path))
        assert refused.exit_code == 1 and words in refused.output, refused.output
        assert git(register, "rev-parse", "HEAD") == before


def test_reassessing_keeps_the_earlier_result_in_history(register, tmp_path):
    first = answers_file(tmp_path, {"recipient_security": False, "secure_transfer": True, "rationale": "No policy."}, "a.json")
    second = answers_file(tmp_path, {"recipient_security": True, "secure_transfer": True, "rationale": "Policy now in place."}, "b.json")
    assert "do not proceed" in run(register, "assess", ID, "--answers", str(first)).output
    assert "proceed" in run(register, "assess", ID, "--answers", str(second)).output
    assert store.load_agreement(register, ID).risk_assessment.outcome == "proceed"
    subjects = git(register, "log", "--format=%s", "--", f"agreements/{ID}.yaml").splitlines()
    assert subjects[0].startswith(f"{ID}: Risk assessment: proceed [")
    assert subjects[1].startswith(f"{ID}: Risk assessment: do not proceed [")
    earlier = git(register, "show", f"HEAD~1:agreements/{ID}.yaml")
    assert "outcome: do_not_proceed" in earlier


def test_dpia_required_by_special_category_data_and_justified_otherwise(register, tmp_path):
    result = run(register, "assess", ID, "--checklist", "dpia_screening", "--answers",
                 str(answers_file(tmp_path, {"bulk": "no", "rationale": "Small monthly list."})))
    assert result.exit_code == 0, result.output
    dpia = store.load_agreement(register, ID).dpia
    assert dpia.required is True
    assert dpia.screening.triggers == ["special_category"] and dpia.screening.answers["special_category"] is True
    # The officer's own reason stays as written; the screening keeps its triggers and rationale.
    assert dpia.reason.texts == {"en": "Low volume of moderate data.", "fr": "Faible volume de données modérées."}
    assert dpia.screening.rationale.get("en") == "Small monthly list."

    justified = answers_file(tmp_path, {"bulk": "no", "justification": "Covered by the force-wide DPIA for MASH.",
                                        "rationale": "Reviewed with the DPO."}, "j.json")
    assert run(register, "assess", ID, "--checklist", "dpia_screening", "--answers", str(justified)).exit_code == 0
    dpia = store.load_agreement(register, ID).dpia
    assert dpia.required is False and "force-wide DPIA" in dpia.screening.answers["justification"]
    assert dpia.reason.get("en") == "Low volume of moderate data."  # never overwritten


def test_a_first_screening_gives_an_empty_reason_the_officers_rationale(make_register, tmp_path):
    text = SPECIAL.replace("  reason: {en: Low volume of moderate data., fr: Faible volume de données modérées.}\n", "")
    root = make_register({"workflows/checklists/dpia_screening.yaml": DPIA, f"agreements/{ID}.yaml": text})
    rationale = {"en": "Health data about people at risk.", "fr": "Données de santé de personnes à risque."}
    result = run(root, "assess", ID, "--checklist", "dpia_screening", "--answers",
                 str(answers_file(tmp_path, {"bulk": "no", "rationale": rationale})))
    assert result.exit_code == 0, result.output
    assert store.load_agreement(root, ID).dpia.reason.texts == rationale


def test_a_prefilled_item_cannot_be_answered_against_the_record(register, tmp_path):
    head = git(register, "rev-parse", "HEAD")
    path = answers_file(tmp_path, {"special_category": "no", "bulk": "no", "rationale": "x"})
    result = run(register, "assess", ID, "--checklist", "dpia_screening", "--answers", str(path))
    assert result.exit_code == 1
    assert "special_category: answered by the record's data items" in result.output
    assert git(register, "rev-parse", "HEAD") == head


def test_answer_problems_are_listed_together(register, tmp_path):
    path = answers_file(tmp_path, {"recipient_security": "perhaps", "secure_trasnfer": "yes", "rationale": "x"})
    result = run(register, "assess", ID, "--answers", str(path))
    assert result.exit_code == 1
    out = result.output
    assert "recipient_security: 'perhaps' is not yes or no" in out
    assert "secure_trasnfer: no such item" in out
    assert "secure_transfer: required" in out


def test_a_disclosure_checklist_is_refused_on_an_agreement(register, tmp_path):
    path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "yes", "rationale": "x"})
    result = run(register, "assess", ID, "--checklist", "one_off_disclosure", "--answers", str(path))
    assert result.exit_code == 1 and "is for disclosure, not for a isa" in result.output


def test_unknown_checklist_lists_the_available_ones(register):
    result = run(register, "assess", ID, "--checklist", "nope")
    assert result.exit_code == 1 and "no checklist named 'nope'" in result.output and "risk_assessment" in result.output


def test_interactive_assessment(register):
    result = run(register, "assess", ID, "--by", "Ivo", input="maybe\nno\nyes\n\nThe recipient has no security policy.\n")
    assert result.exit_code == 0, result.output
    assert "'maybe' is not yes or no" in result.output
    assert "do not proceed" in result.output
    assert store.load_agreement(register, ID).risk_assessment.outcome == "do_not_proceed"


def test_malformed_checklist_is_located(make_register, tmp_path):
    broken = RISK.replace("    counts: condition\n", "    counts: conditional\n")
    root = make_register({"workflows/checklists/risk_assessment.yaml": broken, f"agreements/{ID}.yaml": SPECIAL})
    result = run(root, "assess", ID)
    assert result.exit_code == 1
    assert "workflows/checklists/risk_assessment.yaml:11: items[1].counts: item 'secure_transfer'" in result.output
    assert "Traceback" not in result.output


def test_classification_rolls_up_and_shows_dissemination(register):
    result = run(register, "show", ID)
    assert "classification: moderate (Restricted), the highest level of its data items" in result.output
    assert "- Password-protected coordination platform" in result.output
    record = store.load_agreement(register, ID)
    item = record.data_items[0]
    higher = record.model_copy(update={"data_items": [item, item.model_copy(update={"sensitivity": Level.SEVERE})]})
    assert higher.classification_level.value == "severe"


def test_assessing_an_agreement_in_force_is_refused(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa()})
    result = run(root, "assess", ID, "--answers", str(answers_file(tmp_path, {"recipient_security": "yes",
                                                                             "secure_transfer": "yes", "rationale": "x"})))
    assert result.exit_code == 1 and "assessments are made on a draft" in result.output


def test_a_control_character_in_the_rationale_is_refused(register, tmp_path):
    path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "yes"})
    result = run(register, "assess", ID, "--answers", str(path), "--rationale", "fine\x07")
    assert result.exit_code == 1 and "control character U+0007" in result.output and "Traceback" not in result.output


def test_the_risk_assessments_conditions_are_part_of_what_the_parties_sign(register, tmp_path):
    from isa_toolkit.documents.render import render

    before = store.load_agreement(register, ID).content_fingerprint()
    path = answers_file(tmp_path, {"recipient_security": "yes", "secure_transfer": "no", "rationale": "Not encrypted."})
    assert run(register, "assess", ID, "--answers", str(path)).exit_code == 0
    agreement = store.load_agreement(register, ID)
    assert [c.get("en") for c in agreement.conditions] == ["Send by secure email only."]
    assert agreement.content_fingerprint() != before  # inside the fingerprint
    loaded = store.load_register(register)
    [docx] = render(loaded, loaded.agreements[ID], doc="agreement", lang="fr", formats=("docx",), outdir=tmp_path)
    from docx import Document

    text = "\n".join(p.text for p in Document(str(docx.path)).paragraphs)
    assert "Les parties ne partagent qu’aux conditions suivantes" in text  # typeset: the typographic apostrophe
    assert "1. Envoyer uniquement par courriel sécurisé." in text
    # Met later: the conditions go, by a new assessment.
    path.write_text(json.dumps({"recipient_security": "yes", "secure_transfer": "yes", "rationale": "Encrypted now."}))
    assert run(register, "assess", ID, "--answers", str(path)).exit_code == 0
    assert store.load_agreement(register, ID).conditions == []


def test_validate_warns_when_the_assessments_conditions_are_not_in_the_agreement(make_register):
    text = SPECIAL + ("risk_assessment:\n  checklist: risk_assessment\n  answers: {secure_transfer: false}\n"
                      "  outcome: proceed_with_conditions\n  reasons: [secure_transfer]\n"
                      "  conditions:\n    - {en: Send by secure email only., fr: Envoyer uniquement par courriel sécurisé.}\n"
                      "  by: Ava\n  date: 2026-10-01\n")
    root = make_register({f"agreements/{ID}.yaml": text})
    result = run(root, "validate")
    assert "warning: REC-02 conditions:" in result.output
    assert "the risk assessment's conditions are not the agreement's own; run the assessment again" in result.output
