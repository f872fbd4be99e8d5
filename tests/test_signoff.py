"""The lifecycle and the sign-off chain: order, refusals, amendments, custom chains, history."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main

from .conftest import SETTINGS, complete_isa, git

ID = "ISA-2026-0001"
PATH = f"agreements/{ID}.yaml"
SCREENING = "  screening: {checklist: dpia_screening, answers: {bulk: false}, by: Ava Assessor, date: 2026-10-01}\n"
RISK = """\
risk_assessment:
  checklist: risk_assessment
  answers: {recipient_security: true}
  outcome: proceed
  by: Ava Assessor
  date: 2026-10-01
"""


def record(status: str = "assessed", extra: str = RISK, screened: bool = True) -> str:
    text = complete_isa(ID, status=status).split("signoffs:")[0]
    if screened:
        text = text.replace("start_date:", SCREENING + "start_date:", 1)
    return text + extra


POLICE, COUNCIL = "Testshire Constabulary", "Testshire Council"
DEFAULT_CHAIN = [
    ("information_asset_owner", None),
    ("designated_officer", None),
    ("information_compliance_manager", None),
    ("information_security_manager", None),
    ("partner_designated_officer", POLICE),
    ("partner_designated_officer", COUNCIL),
    ("head_of_information_management", None),
    ("executive", None),
    ("partner_signatory", "testshire constabulary"),  # written differently: still the same party
    ("partner_signatory", COUNCIL),
]


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


# Who the chain expects for each slot of the test record: its parties' officers and signatories, and the head of
# information management named in register.yaml's contacts; the other roles name no one, so anyone may sign them.
EXPECTED = {
    ("partner_designated_officer", POLICE): "Dee Officer", ("partner_designated_officer", COUNCIL): "Ray Officer",
    ("partner_signatory", POLICE): "Sam Signer", ("partner_signatory", COUNCIL): "Cat Signer",
    ("head_of_information_management", None): "Hana Head",
}


def expected(role, organisation=None):
    key = (role, next((o for o in (POLICE, COUNCIL) if organisation and o.lower() == organisation.lower()), None))
    return EXPECTED.get(key, f"Person {role}")


def sign(root, role, organisation=None, *extra, name=None):
    args = ["signoff", ID, "--role", role, "--name", name or expected(role, organisation), *extra]
    if organisation:
        args += ["--organisation", organisation]
    if "--reject" not in extra:
        args.append("--approve")
    return run(root, *args)


def status_of(root):
    return store.load_agreement(root, ID).status.value


@pytest.fixture
def register(make_register):
    return make_register({PATH: record()})


def test_the_whole_default_chain_ends_active_with_a_review_date(register):
    seen = []
    for role, organisation in DEFAULT_CHAIN:
        result = sign(register, role, organisation, "--date", "2026-10-15")
        assert result.exit_code == 0, result.output
        seen.append(status_of(register))
    assert seen[:6] == ["in_review"] * 6
    assert seen[6:] == ["approved", "authorised", "authorised", "signed"]
    agreement = store.load_agreement(register, ID)
    assert {s.version for s in agreement.signoffs} == {"1.0"}
    assert {s.document_fingerprint for s in agreement.signoffs} == {agreement.content_fingerprint()}
    result = run(register, "activate", ID, "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(register, ID)
    assert agreement.status.value == "active"
    # The record planned a start on 2025-01-10, but it cannot be in force before it is registered.
    assert (str(agreement.start_date), str(agreement.review.due)) == ("2026-11-01", "2027-11-01")
    assert [(c.from_status.value, c.to.value) for c in agreement.history] == [
        ("assessed", "in_review"), ("in_review", "approved"), ("approved", "authorised"),
        ("authorised", "signed"), ("signed", "active"),
    ]
    # One commit per sign-off, each readable.
    subjects = git(register, "log", "--format=%s", "--", PATH).splitlines()
    assert len(subjects) == len(DEFAULT_CHAIN) + 2
    assert subjects[1] == (f"{ID}: approved by Cat Signer as partner_signatory (Testshire Council) "
                           "(stage 4, version 1.0); now signed [by " + subjects[1].split("[by ")[1])
    assert subjects[0].startswith(f"{ID}: active from 2026-11-01; first review due 2027-11-01")


def test_activation_without_a_start_date_starts_today(make_register):
    text = record().replace("start_date: 2025-01-10\n", "").replace("  last: 2025-01-10\n", "")
    root = make_register({PATH: text})
    for role, organisation in DEFAULT_CHAIN:
        assert sign(root, role, organisation, "--date", "2026-02-20").exit_code == 0
    assert run(root, "activate", ID, "--date", "2026-02-28").exit_code == 0
    agreement = store.load_agreement(root, ID)
    assert str(agreement.start_date) == "2026-02-28" and str(agreement.review.due) == "2027-02-28"


def _unchanged(root, head, before):
    assert git(root, "rev-parse", "HEAD") == head
    assert (root / PATH).read_bytes() == before
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--role", "chief_wizard", "--name", "Merlin", "--approve"], "'chief_wizard' is not a role of the sign-off chain"),
        (["--role", "head_of_information_management", "--name", "Hana", "--approve"],
         "stage 2 (final_version) cannot be signed yet: stage 1 (stakeholder_review) is waiting for"),
        (["--role", "partner_signatory", "--name", "Sam", "--approve", "--organisation", POLICE], "stage 4 (signature) cannot be signed yet"),
        (["--role", "information_asset_owner", "--name", "Ian", "--approve", "--date", "2099-01-01"], "is in the future"),
        (["--role", "information_asset_owner", "--name", "Ian", "--approve", "--version", "0.9"], "version 0.9 is no longer current"),
        (["--role", "partner_designated_officer", "--name", "X", "--approve"], "say which party signs"),
        (["--role", "partner_designated_officer", "--name", "X", "--approve", "--organisation", "Nobody"], "'Nobody' is not a party"),
        (["--role", "information_asset_owner", "--name", "Ian", "--reject"], "a rejection needs a comment"),
    ],
)
def test_refusals_leave_the_register_unchanged(register, args, words):
    head, before = git(register, "rev-parse", "HEAD"), (register / PATH).read_bytes()
    result = run(register, "signoff", ID, *args)
    assert result.exit_code == 1, result.output
    assert words in result.output
    assert "Traceback" not in result.output
    _unchanged(register, head, before)


def test_a_duplicate_signoff_is_refused(register):
    assert sign(register, "information_asset_owner", name="Ian").exit_code == 0
    head, before = git(register, "rev-parse", "HEAD"), (register / PATH).read_bytes()
    result = sign(register, "information_asset_owner", name="Ian again")
    assert result.exit_code == 1 and "has already signed version 1.0 (Ian" in result.output
    _unchanged(register, head, before)


def test_signing_a_draft_or_an_active_agreement_is_refused(make_register):
    root = make_register({PATH: record("draft"), "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002")})
    result = sign(root, "information_asset_owner")
    assert result.exit_code == 1 and "isa transition ISA-2026-0001 assessed" in result.output
    result = run(root, "signoff", "ISA-2026-0002", "--role", "executive", "--name", "E", "--approve")
    assert result.exit_code == 1 and "it is in force at version 1.0; amend it" in result.output


def test_a_rejection_returns_to_draft_with_the_comment(register):
    assert sign(register, "information_asset_owner").exit_code == 0
    result = sign(register, "information_security_manager", None, "--reject", "--comment", "Transfer by USB stick is not acceptable.")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(register, ID)
    assert agreement.status.value == "draft"
    assert agreement.history[-1].reason == "Transfer by USB stick is not acceptable."
    assert agreement.signoffs[-1].decision == "reject"
    assert git(register, "log", "-1", "--format=%s").startswith(f"{ID}: rejected by Person information_security_manager")


def test_an_amendment_makes_earlier_signoffs_stale_and_restarts_the_chain(register, tmp_path):
    assert sign(register, "information_asset_owner", name="Ian").exit_code == 0
    assert sign(register, "designated_officer", name="Dee").exit_code == 0
    changes = tmp_path / "changes.yaml"
    changes.write_text("retention:\n  period: {en: One year., fr: Un an.}\n  deletion: {en: Shredded., fr: Détruit.}\n")
    result = run(register, "amend", ID, "--answers", str(changes), "--detail", "Retention cut to one year", "--author", "Ola")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(register, ID)
    assert agreement.version == "1.1" and agreement.status.value == "in_review"
    assert agreement.amendments[-1].model_dump(mode="json", exclude_none=True) == {
        "version": "1.1", "detail": "Retention cut to one year", "author": "Ola", "date": agreement.amendments[-1].date.isoformat()}

    data = json.loads(run(register, "status", ID, "--json").output)
    first = data["stages"][0]["slots"]
    assert data["version"] == "1.1" and data["open_stage"] == 1
    assert first[0]["signoff"] is None and first[0]["stale"][0]["name"] == "Ian" and first[0]["stale"][0]["version"] == "1.0"
    text = run(register, "status", ID).output
    assert "stale: approve by Ian on" in text and "for version 1.0" in text
    assert "Next: chase information_asset_owner, designated_officer" in text

    # The same person signs again, now for version 1.1.
    assert sign(register, "information_asset_owner", name="Ian").exit_code == 0
    assert store.load_agreement(register, ID).signoffs[-1].version == "1.1"


def test_amending_protected_fields_or_nothing_is_refused(register, tmp_path):
    head, before = git(register, "rev-parse", "HEAD"), (register / PATH).read_bytes()
    changes = tmp_path / "c.yaml"
    changes.write_text("status: active\nversion: '9.0'\n")
    result = run(register, "amend", ID, "--answers", str(changes), "--detail", "x")
    assert result.exit_code == 1 and "status is kept by the toolkit" in result.output
    changes.write_text("areas: [Testshire]\n")
    result = run(register, "amend", ID, "--answers", str(changes), "--detail", "x")
    assert result.exit_code == 1 and "nothing to amend" in result.output
    changes.write_text("areas: Testshire\n")
    result = run(register, "amend", ID, "--answers", str(changes), "--detail", "x")
    assert result.exit_code == 1 and "areas" in result.output
    _unchanged(register, head, before)


def test_amending_an_active_agreement_puts_it_under_review_and_re_signing_renews_it(make_register, tmp_path):
    root = make_register({PATH: record("assessed")})
    for role, organisation in DEFAULT_CHAIN:
        assert sign(root, role, organisation, "--date", "2026-01-02").exit_code == 0
    assert run(root, "activate", ID, "--date", "2026-01-05").exit_code == 0
    changes = tmp_path / "c.yaml"
    changes.write_text("areas: [Testshire, Eastshire]\n")
    assert run(root, "amend", ID, "--answers", str(changes), "--detail", "Eastshire joins", "--major",
               "--date", "2026-02-01").exit_code == 0
    agreement = store.load_agreement(root, ID)
    assert (agreement.version, agreement.status.value) == ("2.0", "under_review")
    for role, organisation in DEFAULT_CHAIN:
        result = sign(root, role, organisation, "--date", "2026-03-01")
        assert result.exit_code == 0, result.output
        assert status_of(root) in ("under_review", "active")
    agreement = store.load_agreement(root, ID)
    assert agreement.status.value == "active"
    assert (str(agreement.review.last), str(agreement.review.due)) == ("2026-03-01", "2027-03-01")
    assert agreement.amendments[-1].approved_by == "Hana Head"


CUSTOM = SETTINGS + """\
signoff_chain:
  - id: legal
    title: {en: Legal check, fr: Contrôle juridique}
    roles: [legal_adviser]
  - id: board
    title: {en: Board approval, fr: Approbation du conseil}
    roles: [board_chair, data_protection_officer]
    status: approved
    approves_version: true
  - id: signature
    title: {en: Signatures, fr: Signatures}
    partners: signatory
"""


def test_a_custom_chain_in_register_yaml_is_followed(make_register):
    root = make_register({PATH: record()}, settings=CUSTOM)
    result = sign(root, "information_asset_owner")
    assert result.exit_code == 1 and "legal_adviser" in result.output
    result = sign(root, "board_chair")
    assert result.exit_code == 1 and "stage 1 (legal) is waiting for legal_adviser" in result.output
    steps = [("legal_adviser", None, "in_review"), ("data_protection_officer", None, "in_review"),
             ("board_chair", None, "approved"), ("partner_signatory", POLICE, "approved"),
             ("partner_signatory", COUNCIL, "signed")]
    for role, organisation, expected in steps:
        result = sign(root, role, organisation)
        assert result.exit_code == 0, result.output
        assert status_of(root) == expected
    assert "Board approval [complete]" in run(root, "status", ID).output


def test_transition_guards_say_what_is_missing(make_register):
    unscreened = record("draft", extra="", screened=False)
    root = make_register({PATH: unscreened})
    result = run(root, "transition", ID, "assessed")
    assert result.exit_code == 1
    assert "missing: a risk assessment (isa assess ISA-2026-0001)" in result.output
    # The officer's own "no DPIA needed" in the record is not a screening.
    assert "a DPIA screening (isa assess ISA-2026-0001 --checklist dpia_screening)" in result.output

    required = record("draft").replace("dpia:\n  required: false", "dpia:\n  required: true")
    root = make_register({PATH: required})
    result = run(root, "transition", ID, "assessed")
    assert result.exit_code == 1
    assert ("a DPIA reference: the screening said a DPIA is required; once it is done, set its reference with "
            f"isa amend {ID} --set dpia.reference=REF") in result.output

    blocked = record("draft", extra=RISK.replace("outcome: proceed", "outcome: do_not_proceed"))
    root = make_register({PATH: blocked})
    result = run(root, "transition", ID, "assessed")
    assert result.exit_code == 1 and "the latest says do not proceed" in result.output

    root = make_register({PATH: record("draft")})
    assert run(root, "transition", ID, "assessed").exit_code == 0
    result = run(root, "transition", ID, "signed")
    assert result.exit_code == 1 and "cannot move from assessed to signed" in result.output
    result = run(root, "transition", ID, "in_review")
    assert result.exit_code == 1 and "moves from assessed to in_review by itself" in result.output
    result = run(root, "transition", ID, "rejected")
    assert result.exit_code == 1 and "a reason (--reason TEXT)" in result.output
    assert run(root, "transition", ID, "rejected", "--reason", "Partner withdrew").exit_code == 0
    assert status_of(root) == "rejected"


def test_suspension_returns_to_the_previous_status(make_register):
    root = make_register({PATH: complete_isa(ID, status="review_due")})
    assert run(root, "transition", ID, "suspended", "--reason", "Breach under investigation",
               "--date", "2026-06-01").exit_code == 0
    assert status_of(root) == "suspended"
    assert run(root, "transition", ID, "review_due", "--date", "2026-06-10").exit_code == 0
    assert status_of(root) == "review_due"
    result = run(root, "transition", ID, "terminated", "--reason", "Service closed", "--date", "2026-06-30")
    assert result.exit_code == 0
    agreement = store.load_agreement(root, ID)
    assert agreement.status.value == "terminated" and str(agreement.end_date) == "2026-06-30"


def test_pending_groups_by_who_must_act(register):
    result = run(register, "pending")
    assert result.exit_code == 0
    assert "information_asset_owner\n  ISA-2026-0001  version 1.0, stage 1" in result.output
    data = json.loads(run(register, "pending", "--json").output)
    assert data["schema"] == "isa-pending/1"
    dee = next(p for p in data["people"] if p["name"] == "Dee Officer")
    assert (dee["role"], dee["organisation"]) == ("partner_designated_officer", "Testshire Constabulary")
    assert dee["waiting"][ID]["title"]["en"] and dee["waiting"][ID]["version"] == "1.0"
    assert not any(p["role"] == "head_of_information_management" for p in data["people"])


def test_a_signed_document_is_bound_by_its_hash(register, tmp_path):
    import hashlib

    document = tmp_path / "signed.pdf"
    document.write_bytes(b"%PDF-1.7 signed copy")
    result = sign(register, "information_asset_owner", None, "--document", str(document))
    assert result.exit_code == 0, result.output
    signoff = store.load_agreement(register, ID).signoffs[-1]
    assert signoff.document_sha256 == hashlib.sha256(b"%PDF-1.7 signed copy").hexdigest()
    notes = tmp_path / "notes.txt"
    notes.write_text("I approve")
    refused = sign(register, "information_compliance_manager", None, "--document", str(notes))
    assert refused.exit_code == 1 and "is not a signed copy" in refused.output and "isa receive" in refused.output


def test_signoff_input_is_checked_before_anything_is_written(register):
    head, before = git(register, "rev-parse", "HEAD"), (register / PATH).read_bytes()
    for args, words, code in (
        (["--name", "", "--approve"], "say who signs", 1),
        (["--name", "A\x07B", "--approve"], "control character U+0007", 1),
        (["--name", "Ann", "--approve", "--reject", "--comment", "x"], "one of them", 2),
        (["--name", "Ann", "--approve", "--organisation", POLICE], "--organisation is for the partner roles", 1),
    ):
        result = run(register, "signoff", ID, "--role", "information_asset_owner", *args)
        assert result.exit_code == code and words in result.output, (args, result.output)
        assert "Traceback" not in result.output
    _unchanged(register, head, before)


def test_stages_are_signed_in_date_order(register):
    for role, organisation in DEFAULT_CHAIN[:6]:
        assert sign(register, role, organisation, "--date", "2026-10-10").exit_code == 0
    result = sign(register, "head_of_information_management", None, "--date", "2026-10-01")
    assert result.exit_code == 1 and "before the earlier stage was signed (2026-10-10)" in result.output


def test_parties_in_any_script_are_told_apart(make_register):
    text = record().replace(POLICE, "شرطة المدينة").replace(COUNCIL, "警察署")
    root = make_register({PATH: text})
    assert sign(root, "partner_designated_officer", "警察署", name="Ray Officer").exit_code == 0
    data = json.loads(run(root, "status", ID, "--json").output)
    partners = {s["organisation"]: bool(s["signoff"]) for s in data["stages"][0]["slots"] if s["organisation"]}
    assert partners == {"شرطة المدينة": False, "警察署": True}
    same_party_twice = record().replace(COUNCIL, "TESTSHIRE CONSTABULARY.")
    root = make_register({PATH: same_party_twice})
    [problem] = store.load_register(root).errors
    assert "are the same organisation" in problem.message


def test_a_role_in_two_stages_signs_in_each(make_register):
    chain = SETTINGS + """\
signoff_chain:
  - {id: legal, title: {en: Legal, fr: Juridique}, roles: [legal_adviser]}
  - {id: board, title: {en: Board, fr: Conseil}, roles: [board_chair], status: approved}
  - {id: final_legal, title: {en: Final legal check, fr: Contrôle final}, roles: [legal_adviser]}
"""
    root = make_register({PATH: record()}, settings=chain)
    for role in ("legal_adviser", "board_chair", "legal_adviser"):
        result = sign(root, role)
        assert result.exit_code == 0, result.output
    assert status_of(root) == "signed"


def test_a_registers_own_lifecycle_governs_the_automatic_moves(make_register):
    from isa_toolkit.resources import shipped

    lifecycle = (shipped("workflows") / "lifecycle.yaml").read_text()
    strict = lifecycle.replace("  - from: [assessed]\n    to: in_review\n    automatic: true\n", "")
    assert strict != lifecycle
    root = make_register({PATH: record(), "workflows/lifecycle.yaml": strict})
    head = git(root, "rev-parse", "HEAD")
    result = sign(root, "information_asset_owner")
    assert result.exit_code == 1 and "cannot move from assessed to in_review" in result.output
    assert git(root, "rev-parse", "HEAD") == head


def test_a_review_that_changes_nothing_returns_to_active(make_register):
    root = make_register({PATH: record()})
    for role, organisation in DEFAULT_CHAIN:
        assert sign(root, role, organisation, "--date", "2026-01-05").exit_code == 0
    assert run(root, "activate", ID, "--date", "2026-01-05").exit_code == 0
    assert run(root, "transition", ID, "under_review", "--date", "2026-11-01").exit_code == 0
    result = run(root, "transition", ID, "active", "--date", "2026-11-02")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert (agreement.status.value, str(agreement.review.last), str(agreement.review.due)) == ("active", "2026-11-02", "2027-11-02")


def test_amend_cannot_overrule_the_dpia_screening_and_new_data_needs_a_new_one(register, tmp_path):
    changes = tmp_path / "c.yaml"
    changes.write_text("dpia: {required: false}\n")
    result = run(register, "amend", ID, "--answers", str(changes), "--detail", "x")
    assert result.exit_code == 1 and "only dpia.reference, dpia.summary and dpia.reason" in result.output
    changes.write_text("dpia: {reference: DPIA-99}\n")
    assert run(register, "amend", ID, "--answers", str(changes), "--detail", "DPIA done").exit_code == 0
    agreement = store.load_agreement(register, ID)
    assert agreement.dpia.reference == "DPIA-99" and agreement.dpia.screening is not None
    item = ("data_items:\n  - name: {en: Health need, fr: Besoin de santé}\n    personal: true\n"
            "    special_category: true\n    sensitivity: high\n")
    changes.write_text(item)
    assert run(register, "amend", ID, "--answers", str(changes), "--detail", "health data added").exit_code == 0
    agreement = store.load_agreement(register, ID)
    # The screening looked at other data: it is kept, marked to be made again, and holds the agreement in draft.
    assert agreement.dpia.screening.needs_renewal == "version 1.2 changed the data items"
    assert agreement.dpia.reference == "DPIA-99" and agreement.status.value == "draft"


def test_changed_signed_content_is_flagged(make_register):
    from isa_toolkit.model import Agreement
    from isa_toolkit.register.yamlio import parse

    text = complete_isa(ID)
    fingerprint = Agreement.model_validate(parse(text)).content_fingerprint()
    signed = text.replace("    version: '1.0'\n", f"    version: '1.0'\n    document_fingerprint: '{fingerprint}'\n")
    root = make_register({PATH: signed})
    assert store.load_register(root).problems == []
    root = make_register({PATH: signed.replace("visits can be planned.", "visits can be planned, and more.")})
    [problem] = store.load_register(root).problems
    assert "has changed since 1 sign-off(s) were given" in problem.message and problem.line > 0


def test_refusals_name_the_signatures_missing_and_from_whom(register, make_register):
    for role, organisation in DEFAULT_CHAIN[:8]:
        assert sign(register, role, organisation, "--date", "2026-10-15").exit_code == 0
    assert status_of(register) == "authorised"
    expected = ("the sign-off chain for version 1.0 is at stage 4 (signature), waiting for "
                f"partner_signatory ({POLICE}) from Sam Signer; partner_signatory ({COUNCIL}) from Cat Signer")
    activate = run(register, "activate", ID)
    assert activate.exit_code == 1
    assert f"{ID} cannot move from authorised to active yet: {expected}; then isa activate {ID}" in activate.output
    signed = run(register, "transition", ID, "signed")
    assert signed.exit_code == 1
    assert "moves from authorised to signed by itself, when the last signature is recorded" in signed.output
    assert "The sign-off chain for version 1.0 is at stage 4" in signed.output
    draft = make_register({PATH: record(status="draft", extra="", screened=False)})
    refused = run(draft, "transition", ID, "active")
    assert refused.exit_code == 1
    assert (f"first it must be assessed (isa transition {ID} assessed), which needs a risk assessment (isa assess {ID})"
            in refused.output)


def test_status_names_the_information_asset_owner_the_record_names(make_register):
    owner = "owner: {name: Olga Owner, title: Head of Safeguarding, email: olga@example.org}\n"
    root = make_register({PATH: record() + owner})
    shown = run(root, "status", ID)
    assert shown.exit_code == 0
    assert "information_asset_owner" in shown.output and "pending - expected: Olga Owner" in shown.output
    assert "Next: chase Olga Owner (information_asset_owner)" in shown.output
    data = json.loads(run(root, "status", ID, "--json").output)
    assert data["stages"][0]["slots"][0] == {"role": "information_asset_owner", "organisation": None,
                                             "expected": "Olga Owner", "signoff": None, "stale": []}
    pending = run(root, "pending")
    assert "Olga Owner (information_asset_owner)" in pending.output


def test_only_the_expected_person_signs_unless_a_delegation_is_recorded(register):
    """Each slot is signed by the person the chain expects; anyone else only as a delegate, with the reason kept."""
    for role, organisation in DEFAULT_CHAIN[:4]:
        assert sign(register, role, organisation).exit_code == 0
    before = store.load_agreement(register, ID)
    refused = sign(register, "partner_designated_officer", POLICE, name="Not Dee")
    assert refused.exit_code == 1
    assert "is expected from Dee Officer, not Not Dee" in refused.output and "--on-behalf-of" in refused.output
    no_reason = sign(register, "partner_designated_officer", POLICE, "--on-behalf-of", "Dee Officer", name="Deputy Dan")
    assert no_reason.exit_code == 1 and "needs its reason" in no_reason.output
    wrong = sign(register, "partner_designated_officer", POLICE, "--on-behalf-of", "Someone Else", "--reason", "x",
                 name="Deputy Dan")
    assert wrong.exit_code == 1 and "on behalf of Dee Officer, not Someone Else" in wrong.output
    assert store.load_agreement(register, ID) == before  # nothing recorded by a refusal
    # A delegate, recorded with whom for and why; the name matches whatever its case or accents.
    done = sign(register, "partner_designated_officer", POLICE, "--on-behalf-of", "dee officer", "--reason",
                "On leave until 3 March; delegated in writing", name="Deputy Dan")
    assert done.exit_code == 0, done.output
    assert "approved by Deputy Dan on behalf of dee officer" in done.output
    [signed] = [s for s in store.load_agreement(register, ID).signoffs if s.name == "Deputy Dan"]
    assert (signed.on_behalf_of, signed.delegation) == ("dee officer", "On leave until 3 March; delegated in writing")
    status = run(register, "status", ID)
    assert "approved by Deputy Dan on behalf of dee officer (On leave until 3 March; delegated in writing)" in status.output
    # One person cannot fill two slots of the same stage, even as a delegate.
    twice = sign(register, "partner_designated_officer", COUNCIL, "--on-behalf-of", "Ray Officer", "--reason", "x",
                 name="Deputy Dan")
    assert twice.exit_code == 1 and "already signed stage 1" in twice.output and "two slots" in twice.output
    pending = run(register, "pending")
    assert "signed so far by a delegate: Deputy Dan on behalf of dee officer" in pending.output
    sheet = run(register, "render", ID, "--doc", "signoff-sheet", "--format", "docx", "-o", str(register.parent / "out"))
    assert sheet.exit_code == 0, sheet.output
    from .test_render import docx_text

    assert "Deputy Dan (on behalf of dee officer)" in docx_text(next((register.parent / "out").glob("*.docx")))
