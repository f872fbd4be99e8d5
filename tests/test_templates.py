"""Blank answers files (--template) an officer fills in over several sittings, and the intake without a terminal."""

from __future__ import annotations

from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.register.definitions import load_checklist
from isa_toolkit.register.yamlio import parse
from isa_toolkit.workflows.questionnaire import load_questionnaire

from .conftest import complete_isa

ID = "ISA-2026-0001"


def run(root, *args, input=None):
    return CliRunner().invoke(main, ["-R", str(root), *args], input=input, catch_exceptions=False)


def keys_in_order(text: str) -> list[str]:
    return [line.split(":")[0].strip().lstrip("- ") for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and line.rstrip().endswith(":")]


def test_the_new_agreement_template_has_every_question_in_order_and_reads_back_as_what_is_missing(make_register,
                                                                                                   tmp_path):
    root = make_register({})
    result = run(root, "new", "--template")
    assert result.exit_code == 0, result.output
    questionnaire = load_questionnaire("isa", root)
    top = [q.id for q in questionnaire.questions]
    keys = keys_in_order(result.output)
    assert [k for k in keys if k in top] == top  # every question, in the questionnaire's order
    parties = next(q for q in questionnaire.questions if q.id == "parties")
    assert keys.count(parties.questions[0].id) == parties.min  # as many blank parties as the minimum
    assert parse(result.output)["language"] == "en"
    assert "# Title of the agreement (required)" in result.output
    assert "# one of: systematic (Systematic: routinely or regularly, for an agreed purpose)" in result.output
    blank = tmp_path / "answers.yaml"
    blank.write_text(result.output)
    refused = run(root, "new", "--answers", str(blank))
    assert refused.exit_code == 1
    line = result.output.splitlines().index("title:") + 1
    assert f"answers.yaml:{line}: title: required: Title of the agreement" in refused.output
    assert "parties[1].organisation: required" in refused.output


def test_the_template_speaks_the_officers_language(make_register):
    result = run(make_register({}), "new", "--template", "--lang", "fr")
    assert result.exit_code == 0
    assert "# Titre de l'accord (obligatoire)" in result.output and "language: fr" in result.output
    assert "Ensuite : isa new --answers FILE" in result.output


def test_the_assessment_template_marks_what_the_record_answers(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID, status="draft")})
    result = run(root, "assess", ID, "--checklist", "dpia_screening", "--template")
    assert result.exit_code == 0, result.output
    checklist = load_checklist("dpia_screening", root)
    assert [k for k in keys_in_order(result.output) if k not in ("checklist", "language")] == \
        [item.id for item in checklist.items] + ["rationale"]
    assert "answered from the record (special_category); leave it empty" in result.output
    filled = result.output.replace("\nlarge_scale:", "\nlarge_scale: no")
    for item in checklist.items:
        if item.type == "yes_no" and not item.prefill and item.id != "large_scale":
            filled = filled.replace(f"\n{item.id}:", f"\n{item.id}: no")
    filled = filled.replace("\nrationale:", "\nrationale: Addresses only, of a few people a month.")
    answers = tmp_path / "dpia.yaml"
    answers.write_text(filled)
    assessed = run(root, "assess", ID, "--checklist", "dpia_screening", "--answers", str(answers))
    assert assessed.exit_code == 0, assessed.output
    assert "DPIA not required" in assessed.output


def test_case_record_templates_carry_their_criteria(make_register):
    root = make_register({})
    disclosure = run(root, "disclose", "new", "--template")
    assert disclosure.exit_code == 0, disclosure.output
    data = parse(disclosure.output)
    assert "criteria" in data and "rationale" in data
    assert set(data["criteria"]) == {item.id for item in load_checklist("one_off_disclosure", root).items}
    request = run(root, "request", "new", "--template")
    assert request.exit_code == 0 and "criteria" in parse(request.output)
    assert "answered from the record (in_writing)" in request.output
    incident = run(root, "incident", "new", "--template")
    assert incident.exit_code == 0 and "criteria" not in parse(incident.output)


def test_without_a_terminal_or_answers_the_intake_says_what_to_do(make_register):
    root = make_register({})
    result = run(root, "new", input="")
    assert result.exit_code == 1
    assert "no answer could be read" in result.output
    assert "--answers FILE" in result.output and "--template" in result.output
    assert "Aborted!" not in result.output
