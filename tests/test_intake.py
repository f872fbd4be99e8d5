"""Questionnaire intake: answers files, interactive answering, overlap search, id allocation."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main

from .conftest import complete_isa, git

# A small questionnaire a register defines for itself (overriding the shipped one).
QUESTIONNAIRE = """\
id: isa
kind: isa
title: {en: Test intake, fr: Saisie de test}
questions:
  - id: title
    type: text
    localized: true
    required: true
    prompt: {en: Title, fr: Titre}
    target: title
  - id: parties
    type: group
    min: 2
    prompt: {en: Party, fr: Partie}
    target: parties
    questions:
      - {id: organisation, type: text, required: true, prompt: {en: Organisation, fr: Organisation}, target: organisation}
      - id: role
        type: choice
        required: true
        prompt: {en: Role, fr: Rôle}
        target: role
        choices:
          - {value: discloser, label: {en: Discloser, fr: Fournisseur}}
          - {value: recipient, label: {en: Recipient, fr: Destinataire}}
  - id: purpose
    type: long_text
    localized: true
    required: true
    prompt: {en: Purpose, fr: Objet}
    target: purpose
  - id: data_items
    type: group
    min: 1
    prompt: {en: Data item, fr: Donnée}
    target: data_items
    questions:
      - {id: name, type: text, localized: true, required: true, prompt: {en: Name, fr: Nom}, target: name}
      - {id: personal, type: yes_no, required: true, prompt: {en: Personal?, fr: Personnelle ?}, target: personal}
      - {id: special_category, type: yes_no, default: false, prompt: {en: Special?, fr: Sensible ?}, target: special_category}
      - id: sensitivity
        type: choice
        required: true
        prompt: {en: Level, fr: Niveau}
        target: sensitivity
        choices:
          - {value: low, label: {en: Low, fr: Faible}}
          - {value: moderate, label: {en: Moderate, fr: Modérée}}
          - {value: high, label: {en: High, fr: Élevée}}
          - {value: severe, label: {en: Severe, fr: Grave}}
  - id: has_dpia
    type: yes_no
    default: false
    prompt: {en: Is there a DPIA?, fr: Y a-t-il une AIPD ?}
  - id: dpia_reference
    type: text
    required: true
    show_if: {question: has_dpia, equals: true}
    prompt: {en: DPIA reference, fr: Référence de l'AIPD}
    target: dpia.reference
  - id: start_date
    type: date
    prompt: {en: Start date, fr: Date de début}
    target: start_date
"""

ANSWERS = {
    "language": "en",
    "title": "Referrals of vulnerable adults for home fire safety visits",
    "parties": [
        {"organisation": "testshire fire and rescue service", "role": "recipient"},
        {"organisation": "Testshire Council", "role": "discloser"},
    ],
    "purpose": "Refer vulnerable adults at high risk of fire at home so that fire safety visits can be arranged.",
    "data_items": [
        {"name": "Name and address", "personal": "yes", "sensitivity": "moderate"},
        {"name": "Health condition affecting mobility", "personal": True, "special_category": "yes", "sensitivity": "high"},
    ],
    "has_dpia": "yes",
    "dpia_reference": "DPIA-2026-07",
    "start_date": "2026-12-01",
}

EXISTING = complete_isa("ISA-2026-0001", title="Home fire safety visits").replace(
    "Testshire Constabulary", "Testshire Fire & Rescue Service"
)
UNRELATED = complete_isa("ISA-2026-0002", title="Licensing").replace(
    "Share addresses of people at risk so that visits can be planned.",
    "Exchange taxi licensing decisions between licensing authorities.",
).replace("Testshire Constabulary", "Westshire Licensing Authority").replace("Testshire Council", "Eastshire Council")


@pytest.fixture
def register(make_register):
    return make_register({
        "workflows/questionnaires/isa.yaml": QUESTIONNAIRE,
        "agreements/ISA-2026-0001.yaml": EXISTING,
        "agreements/ISA-2026-0002.yaml": UNRELATED,
    })


def run(root, *args, input=None):
    return CliRunner().invoke(main, ["-R", str(root), *args], input=input, catch_exceptions=False)


def write_answers(tmp_path, answers, name="answers.yaml"):
    path = tmp_path / name
    path.write_text(json.dumps(answers, ensure_ascii=False) if name.endswith(".json") else
                    "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in answers.items()) + "\n",
                    encoding="utf-8")
    return path


def _new_ids(root, before):
    return sorted(set(p.stem for p in (root / "agreements").glob("*.yaml")) - before)


def test_answers_file_makes_a_committed_draft_and_reports_overlap(register, tmp_path):
    path = write_answers(tmp_path, ANSWERS)
    refused = run(register, "new", "--answers", str(path), "--by", "Olu Officer")
    assert refused.exit_code == 1
    assert "ISA-2026-0001" in refused.output and "ISA-2026-0002" not in refused.output
    assert "--continue --reason TEXT" in refused.output
    assert git(register, "status", "--porcelain") == ""
    no_reason = run(register, "new", "--answers", str(path), "--continue", "--by", "Olu Officer")
    assert no_reason.exit_code == 1 and "say why a new agreement is needed" in no_reason.output
    assert git(register, "status", "--porcelain") == ""

    result = run(register, "new", "--answers", str(path), "--continue", "--reason", "A different flow", "--by", "Olu Officer")
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    assert re.fullmatch(r"ISA-\d{4}-\d{4}", new_id) and new_id not in ("ISA-2026-0001", "ISA-2026-0002")
    assert f"Created {new_id} (draft" in result.output
    record = store.load_agreement(register, new_id)
    assert record.status.value == "draft" and record.version == "1.0"
    assert [p.organisation for p in record.parties] == ["testshire fire and rescue service", "Testshire Council"]
    assert record.data_items[1].special_category is True
    assert record.classification_level.value == "high"
    assert record.dpia.reference == "DPIA-2026-07"
    assert record.review.interval_months == 12
    assert git(register, "log", "-1", "--format=%s").strip() == (
        f"{new_id}: drafted from the isa questionnaire, although ISA-2026-0001 may already cover it: A different flow "
        "[by Olu Officer]")
    assert record.overlap.agreements == ["ISA-2026-0001"] and record.overlap.reason == "A different flow"
    assert record.overlap.by == "Olu Officer"
    assert "Drafted although ISA-2026-0001 may already cover it: A different flow" in run(register, "show", new_id).output
    assert git(register, "status", "--porcelain") == ""


def test_same_answers_give_the_same_record(register, tmp_path):
    path = write_answers(tmp_path, ANSWERS, "answers.json")
    before = {p.stem for p in (register / "agreements").glob("*.yaml")}
    for _ in range(2):
        assert run(register, "new", "--answers", str(path), "--continue", "--reason", "A different flow").exit_code == 0
    first, second = (store.load_agreement(register, i) for i in _new_ids(register, before))
    assert first.id != second.id
    # The second draft also overlaps the first, and says so; all else is the same, byte for byte.
    assert first.overlap.agreements == ["ISA-2026-0001"] and sorted(second.overlap.agreements) == ["ISA-2026-0001", first.id]
    assert first.model_copy(update={"id": "X", "overlap": None}) == second.model_copy(update={"id": "X", "overlap": None})
    texts = [(register / "agreements" / f"{i}.yaml").read_text().replace(i, "X").split("overlap:")[0]
             for i in (first.id, second.id)]
    assert texts[0] == texts[1]


def test_answers_in_two_languages_make_a_bilingual_draft(register, tmp_path):
    answers = {**ANSWERS, "title": {"en": ANSWERS["title"], "fr": "Signalements d'adultes vulnérables"},
               "purpose": {"en": ANSWERS["purpose"], "fr": "Signaler les adultes vulnérables exposés au feu."},
               "data_items": [{**ANSWERS["data_items"][0], "name": {"en": "Name and address", "fr": "Nom et adresse"}},
                              ANSWERS["data_items"][1]]}
    result = run(register, "new", "--answers", str(write_answers(tmp_path, answers)), "--continue", "--reason", "A different flow")
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert record.languages == ["en", "fr"]
    assert record.title.get("fr") == "Signalements d'adultes vulnérables" and record.data_items[0].name.get("fr") == "Nom et adresse"
    # The one data item given in English only is named as still to translate.
    checked = run(register, "validate")
    assert f"agreements/{new_id}.yaml" in checked.output
    assert f"data_items[1].name: {new_id}: no fr text" in checked.output and f"title: {new_id}: no fr" not in checked.output
    # Text in a language the register does not use is refused.
    foreign = {**ANSWERS, "title": {"en": ANSWERS["title"], "de": "Hausbesuche"}}
    refused = run(register, "new", "--answers", str(write_answers(tmp_path, foreign, "de.yaml")), "--continue", "--reason", "A different flow")
    assert refused.exit_code == 1 and "the answers give text in de, which is not among the register's languages" in refused.output
    # Answers in one language keep the record in that language.
    single = run(register, "new", "--answers", str(write_answers(tmp_path, ANSWERS, "single.yaml")), "--continue", "--reason", "A different flow")
    single_id = single.output.split("Created ")[1].split(" ")[0]
    assert store.load_agreement(register, single_id).languages == ["en"]


def test_every_missing_required_answer_is_listed_at_once(register, tmp_path):
    answers = {"language": "en", "parties": [{"organisation": "Only one"}], "has_dpia": "yes", "titel": "typo"}
    path = write_answers(tmp_path, answers)
    result = run(register, "new", "--answers", str(path))
    assert result.exit_code == 1
    out = result.output
    for expected in ("title: required", "purpose: required", "data_items: required", "dpia_reference: required",
                     "parties: at least 2 item(s) needed", "parties[0].role: required",
                     "titel: no such question"):
        assert expected in out, (expected, out)
    assert f"{path}:4: titel" in out
    assert "Traceback" not in out
    assert git(register, "status", "--porcelain") == ""


def test_bad_answers_are_named_by_question(register, tmp_path):
    answers = {**ANSWERS, "start_date": "2026-02-30", "parties": [{"organisation": "A", "role": "processer"},
                                                                    {"organisation": "B", "role": "recipient"}],
               "has_dpia": "maybe"}
    result = run(register, "new", "--answers", str(write_answers(tmp_path, answers)))
    assert result.exit_code == 1
    assert "start_date: '2026-02-30' is not a date" in result.output
    assert "parties[0].role: 'processer' is not one of the choices" in result.output
    assert "has_dpia: 'maybe' is not yes or no" in result.output


def test_awkward_text_survives_and_control_characters_are_refused(register, tmp_path):
    tricky = "Fire & rescue <visits> \"quoted\" 'single' {{ tag }} — élan, 消防, حماية الطفل 🚒"
    answers = {**ANSWERS, "title": tricky}
    result = run(register, "new", "--answers", str(write_answers(tmp_path, answers)), "--continue", "--reason", "A different flow")
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert record.title.get("en") == tricky
    shown = json.loads(run(register, "show", new_id, "--json").output)["record"]
    assert shown["title"]["en"] == tricky

    bad = {**ANSWERS, "purpose": "Line one\x07bell", "parties": [{"organisation": "A\x00", "role": "discloser"},
                                                                ANSWERS["parties"][1]]}
    refused = run(register, "new", "--answers", str(write_answers(tmp_path, bad, "bad.json")), "--continue", "--reason", "A different flow")
    assert refused.exit_code == 1
    assert "purpose: holds the control character U+0007" in refused.output
    assert "parties[0].organisation: holds the control character U+0000" in refused.output


INTERACTIVE = [
    "Home fire safety referrals",  # title
    "Testshire Council",  # party 1 organisation
    "1",  # role: discloser (by number)
    "Eastshire Water Board",  # party 2
    "recipient",  # role by value
    "no",  # add another party?
    "Refer households for visits.",  # purpose (a long text: several lines, ended by an empty one)
    "",
    "Address",  # data item name
    "yes",  # personal
    "",  # special category: default (no)
    "2",  # sensitivity moderate
    "no",  # another data item?
    "no",  # has a DPIA?
    "31/12/2026",  # start date: bad, re-asked
    "2026-12-31",
]


def test_interactive_intake_re_asks_a_bad_date(register):
    result = run(register, "new", "--by", "Ina", input="\n".join(INTERACTIVE) + "\n")
    assert result.exit_code == 0, result.output
    assert "'31/12/2026' is not a date" in result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert str(record.start_date) == "2026-12-31"
    assert [p.role for p in record.parties] == ["discloser", "recipient"]
    assert record.data_items[0].sensitivity.value == "moderate"


def test_interactive_intake_in_french(register):
    answers = list(INTERACTIVE)
    answers[5] = "non"
    answers[9] = "oui"
    answers[12] = "non"
    answers[13] = "non"
    result = run(register, "new", "--lang", "fr", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Titre" in result.output and "Fournisseur" in result.output and "oui/non" in result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    assert store.load_agreement(register, new_id).title.texts == {"fr": "Home fire safety referrals"}


def test_an_aborted_session_writes_nothing(register):
    head = git(register, "rev-parse", "HEAD")
    result = CliRunner().invoke(main, ["-R", str(register), "new"], input="A title\nTestshire Council\n")
    assert result.exit_code == 1  # input ran out: the run stops, as on Ctrl-C, and says what to do
    assert "no answer could be read" in result.output and "nothing was written" in result.output
    assert git(register, "rev-parse", "HEAD") == head
    assert git(register, "status", "--porcelain", "--untracked-files=all") == ""


def test_interactive_overlap_lets_the_officer_stop(register):
    answers = list(INTERACTIVE)
    answers[1] = "Testshire Fire and Rescue Service"
    answers[6] = "Share addresses of people at risk so that fire safety visits can be planned."
    # Asked as soon as the partners and the purpose are known; "no" stops, and the answers are kept.
    result = run(register, "new", input="\n".join([*answers[:8], "no"]) + "\n")
    assert result.exit_code == 1
    assert "ISA-2026-0001" in result.output and "stopped at your request" in result.output
    assert git(register, "status", "--porcelain") == ""
    kept = Path(result.output.split("isa new --resume ")[1].split()[0])
    assert kept.is_file() and "Share addresses of people at risk" in kept.read_text()


def test_an_intake_stopped_part_way_is_resumed_where_it_stopped(register):
    head = git(register, "rev-parse", "HEAD")
    first = run(register, "new", "--by", "Ina", input="\n".join(INTERACTIVE[:9]) + "\n")  # stops at "personal"
    assert first.exit_code == 1 and "Your answers so far are kept: isa new --resume" in first.output
    assert git(register, "rev-parse", "HEAD") == head  # nothing written to the register
    session = Path(first.output.split("isa new --resume ")[1].split()[0])
    assert ".git/isa-sessions/" in str(session)
    resumed = run(register, "new", "--resume", str(session), "--by", "Ina", input="\n".join(INTERACTIVE[8:]) + "\n")
    assert resumed.exit_code == 0, resumed.output
    assert "Title of the agreement" not in resumed.output  # what was answered is not asked again
    new_id = resumed.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert str(record.title) == "Home fire safety referrals" and str(record.start_date) == "2026-12-31"
    assert not session.exists()  # the draft holds the answers now


def test_back_returns_to_the_question_before_and_long_text_takes_several_lines(register):
    answers = ["A first title", "back", *INTERACTIVE]
    purpose = answers.index("Refer households for visits.")
    answers[purpose + 1:purpose + 1] = ["Second line of the purpose."]
    result = run(register, "new", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert str(record.title) == "Home fire safety referrals"
    assert str(record.purpose) == "Refer households for visits.\nSecond line of the purpose."


def test_an_answers_file_with_ask_asks_only_what_it_leaves_out(register, tmp_path):
    partial = {key: value for key, value in ANSWERS.items() if key != "title"}
    path = write_answers(tmp_path, partial)
    result = run(register, "new", "--answers", str(path), "--ask", "--continue", "--reason", "A different flow",
                 input="Referrals asked for at the terminal\nyes\n\nA different flow\n")
    assert result.exit_code == 0, result.output
    assert "to answer: " in result.output and "title: required" in result.output
    asked = [line for line in result.output.splitlines() if line.endswith(":") or ": " in line]
    assert not any(line.startswith("Purpose") for line in asked)
    new_id = result.output.split("Created ")[1].split(" ")[0]
    assert str(store.load_agreement(register, new_id).title) == "Referrals asked for at the terminal"


def test_overlap_matches_partner_written_differently(register):
    from isa_toolkit.model.agreement import normalise_organisation
    from isa_toolkit.workflows.overlap import find_overlaps

    assert normalise_organisation("Norfolk County Council") == normalise_organisation("  norfolk county  council.")
    assert normalise_organisation("The Fire & Rescue Service") == normalise_organisation("fire and rescue service")
    loaded = store.load_register(register)
    found = find_overlaps(loaded, ["TESTSHIRE FIRE AND RESCUE SERVICE"], {"en": "People at risk: plan fire safety visits to addresses"})
    assert [o.agreement_id for o in found] == ["ISA-2026-0001"]
    assert find_overlaps(loaded, ["Testshire Fire and Rescue Service"], {"en": "Exchange taxi licensing decisions"}) == []
    assert find_overlaps(loaded, ["Another Body"], {"en": "plan fire safety visits to addresses of people at risk"}) == []
    # The register's own organisation is a party to everything, so it never makes an overlap by itself.
    assert find_overlaps(loaded, ["Testshire Council"], {"en": "Exchange taxi licensing decisions"}) == []


CREATOR = textwrap.dedent(
    """
    import sys
    from isa_toolkit import register as store
    from isa_toolkit.workflows import intake
    from isa_toolkit.workflows.questionnaire import load_questionnaire
    root = sys.argv[1]
    register = store.load_register(root)
    questionnaire = load_questionnaire("isa", register.root)
    values = intake.check_answers(questionnaire, %r, "en").values
    sys.stdin.readline()
    for _ in range(15):
        intake.create(register, questionnaire, values, "en", by="creator")
    """
) % ANSWERS


def test_ids_never_collide_between_two_officers(register):
    before = {p.stem for p in (register / "agreements").glob("*.yaml")}
    procs = [subprocess.Popen([sys.executable, "-c", CREATOR, str(register)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    created = _new_ids(register, before)
    assert len(created) == 30
    assert git(register, "status", "--porcelain") == ""


def test_malformed_questionnaire_is_located(make_register, tmp_path):
    broken = QUESTIONNAIRE.replace("        type: choice\n        required: true\n        prompt: {en: Role",
                                   "        type: choise\n        required: true\n        prompt: {en: Role")
    assert broken != QUESTIONNAIRE
    root = make_register({"workflows/questionnaires/isa.yaml": broken})
    result = run(root, "new", "--answers", str(write_answers(tmp_path, ANSWERS)))
    assert result.exit_code == 1
    assert "workflows/questionnaires/isa.yaml:19: questions[1].questions[1].type: question 'parties', sub-question 'role'" in result.output
    assert "Traceback" not in result.output

    dangling = QUESTIONNAIRE.replace("show_if: {question: has_dpia", "show_if: {question: has_dpai")
    root = make_register({"workflows/questionnaires/isa.yaml": dangling})
    result = run(root, "new", "--answers", str(write_answers(tmp_path, ANSWERS)))
    assert result.exit_code == 1
    assert "show_if refers to 'has_dpai', which is not an earlier question" in result.output


def test_shipped_definitions_load_and_the_example_answers_make_a_complete_draft():
    from pathlib import Path

    from isa_toolkit.register.checks import CheckContext, check_record
    from isa_toolkit.register.definitions import load_checklist, names
    from isa_toolkit.resources import shipped
    from isa_toolkit.workflows import intake
    from isa_toolkit.workflows.questionnaire import load_questionnaire

    assert names("checklists", None) == {"risk_assessment", "dpia_screening", "one_off_disclosure",
                                         "third_party_request", "anonymisation"}
    for name in names("checklists", None):
        checklist = load_checklist(name)
        assert all(item.question.get("en") and item.question.get("fr") for item in checklist.items)
    questionnaire = load_questionnaire("isa")
    example = shipped("example_register")
    register = store.load_register(example, use_cache=False)
    values, lang = intake.answers_from_file(register, questionnaire, Path(example / "examples/new-isa-answers.yaml"))
    draft = intake.prepare(register, questionnaire, values, lang, rel="examples/new-isa-answers.yaml")
    assert check_record(CheckContext(("en", "fr"), register.chain), draft, "x") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 40 levels deep"),
        ('{"title": "a", "title": "b"}', "duplicate key 'title'"),
        ("[1, 2]", "mapping of question id to answer"),
        ("", "not valid JSON"),
    ],
)
def test_hostile_json_answers_are_refused(register, tmp_path, text, words):
    path = tmp_path / "answers.json"
    path.write_text(text)
    result = run(register, "new", "--answers", str(path))
    assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output


def test_at_the_terminal_going_on_past_an_overlap_asks_why_and_records_it(register):
    overlapping = list(INTERACTIVE)
    overlapping[3] = "Testshire Fire and Rescue Service"  # the partner of ISA-2026-0001 ...
    overlapping[6] = "Refer households at risk of fire for home safety visits."  # ... and a similar purpose
    # Asked as soon as the partners and the purpose are known, not after the last question.
    answers = [*overlapping[:8], "yes", "", "Covers flats, which ISA-2026-0001 leaves out.", *overlapping[8:]]
    result = run(register, "new", "--by", "Ina", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "These agreements already cover the same partner" in result.output
    assert "Why is a new agreement needed?" in result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    note = store.load_agreement(register, new_id).overlap
    assert note.agreements == ["ISA-2026-0001"] and note.reason == "Covers flats, which ISA-2026-0001 leaves out."
    assert "although ISA-2026-0001 may already cover it: Covers flats" in git(register, "log", "-1", "--format=%s")


def _example_answers() -> dict:
    from isa_toolkit.register.yamlio import parse
    from isa_toolkit.resources import shipped

    return parse((shipped("example_register") / "examples" / "new-isa-answers.yaml").read_text(encoding="utf-8"))


def test_legal_grounds_as_plain_citations_a_phone_and_a_no_that_does_not_apply(make_register, tmp_path):
    root = make_register({})
    answers = _example_answers()
    answers["legal_basis"] = ["UK GDPR Art 6(1)(e)", "Crime and Disorder Act 1998 s.115", "UK GDPR Art 9(2)(g)",
                              {"type": "criminal_offence_condition", "reference": "UK GDPR Art 10"}]
    answers["parties"][0]["officer_phone"] = "01234 567890"
    answers["data_items"].append({**answers["data_items"][0], "name": "Incident reference number", "personal": False,
                                  "special_category": False, "criminal_offence": "no", "sensitivity": "low"})
    result = run(root, "new", "--answers", str(write_answers(tmp_path, answers)))
    assert result.exit_code == 0, result.output
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(root, new_id)
    assert [(b.type, b.reference) for b in record.legal_basis] == [
        ("lawful_basis", "UK GDPR Art 6(1)(e)"), ("legal_power", "Crime and Disorder Act 1998 s.115"),
        ("special_category_condition", "UK GDPR Art 9(2)(g)"), ("criminal_offence_condition", "UK GDPR Art 10")]
    assert record.parties[0].designated_officer.phone == "01234 567890"
    last = record.data_items[-1]
    assert (last.personal, last.special_category, last.criminal_offence) == (False, False, False)


def test_a_citation_that_cannot_be_told_and_an_incomplete_ground_say_what_to_give(make_register, tmp_path):
    root = make_register({})
    answers = _example_answers()
    answers["legal_basis"] = ["DPA 2018 Sch 1 para 18", {"type": "lawful_basis"}]
    result = run(root, "new", "--answers", str(write_answers(tmp_path, answers)))
    assert result.exit_code == 1
    assert ("legal_basis[0].type: cannot tell from 'DPA 2018 Sch 1 para 18' which kind of legal ground it is; "
            "give type: one of lawful_basis, legal_power") in result.output
    assert "legal_basis[1].reference: required" in result.output
    answers["legal_basis"] = [42]
    result = run(root, "new", "--answers", str(write_answers(tmp_path, answers, "b.yaml")))
    assert ("legal_basis: expected a list of items, each written as plain text (reference), or a mapping of type, "
            "reference, detail") in result.output


def test_ctrl_c_at_a_real_terminal_keeps_the_answers(register):
    """Driven through a pseudo-terminal, as an officer types: Ctrl-C stops and says how to resume."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the isa command on the terminal
        os.execv(sys.executable, [sys.executable, "-m", "isa_toolkit", "-R", str(register), "new", "--by", "Ina"])
    seen = b""

    def read_until(text: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        assert text in seen, seen.decode(errors="replace")

    read_until(b"Title")
    os.write(fd, b"Home fire safety referrals\r")
    read_until(b"Organisation")
    os.write(fd, b"\x03")  # Ctrl-C
    read_until(b"isa new --resume")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.WEXITSTATUS(status) == 1
    session = Path(seen.decode(errors="replace").split("isa new --resume ")[1].split()[0])
    assert "Home fire safety referrals" in session.read_text()


def test_citation_kinds_ask_when_the_law_serves_several(make_register):
    from isa_toolkit.workflows.intake import citation_kind

    assert citation_kind("DPA 2018 s.10(1)(b)") is None and citation_kind("Data Protection Act 2018 section 8") is None
    assert citation_kind("DPA 2018 Sch 1 Pt 2 para 18") == "special_category_condition"
    assert citation_kind("DPA 2018 Sch 1 Part 3 para 33") == "criminal_offence_condition"
    assert citation_kind("Children Act 2004 s.11") == "legal_power"


def test_resuming_a_group_left_part_way_offers_more_items_and_an_officers_own_file_is_left_alone(register, tmp_path):
    # Stop inside the data items: one given, the run stops at "another data item?".
    first = run(register, "new", "--by", "Ina", input="\n".join(INTERACTIVE[:12]) + "\n")
    assert first.exit_code == 1
    session = Path(first.output.split("isa new --resume ")[1].split()[0])
    assert "unfinished: data_items" in session.read_text()
    own = tmp_path / "mine.yaml"
    own.write_text("# my notes\n" + session.read_text())
    resumed = run(register, "new", "--resume", str(own), "--by", "Ina",
                  input="\n".join(["yes", "Phone number", "yes", "", "1", *INTERACTIVE[12:]]) + "\n")
    assert resumed.exit_code == 0, resumed.output
    new_id = resumed.output.split("Created ")[1].split(" ")[0]
    names = [str(item.name) for item in store.load_agreement(register, new_id).data_items]
    assert names == ["Address", "Phone number"]
    assert own.read_text().startswith("# my notes\n")  # resumed from, never rewritten or removed


def test_changing_the_purpose_after_the_overlap_check_checks_again(register):
    answers = list(INTERACTIVE)
    answers[3] = "Testshire Fire and Rescue Service"  # the partner of ISA-2026-0001
    answers[6] = "Quarterly statistics on water pressure."  # unlike ISA-2026-0001's purpose: no overlap yet
    similar = "Refer households at risk of fire for home safety visits."
    answers[8:8] = ["back", similar, "", "yes", "Covers flats only."]  # back from the first data item to the purpose
    result = run(register, "new", "--by", "Ina", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("These agreements already cover the same partner") == 1
    new_id = result.output.split("Created ")[1].split(" ")[0]
    record = store.load_agreement(register, new_id)
    assert str(record.purpose) == similar and record.overlap.agreements == ["ISA-2026-0001"]
