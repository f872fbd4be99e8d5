"""Party names match however they are punctuated, everywhere a name is compared, with "did you mean" when close."""

from __future__ import annotations

from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.model.agreement import closest_organisation, normalise_organisation

from .conftest import complete_isa

ID = "ISA-2026-0001"
HOSPITAL = "St Edmund’s Hospital NHS Foundation Trust"  # a typographic apostrophe, as Word writes it


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


def hospital_isa(status: str = "active") -> str:
    return complete_isa(ID, status=status).replace("Testshire Council", HOSPITAL)


def test_one_normalisation_for_apostrophes_hyphens_and_the_rest():
    same = ["St Edmund's Hospital", "St Edmunds Hospital", "ST. EDMUND’S  HOSPITAL", "The St Edmund`s Hospital"]
    assert len({normalise_organisation(name) for name in same}) == 1
    assert normalise_organisation("Anglia-Ruskin & Partners") == normalise_organisation("Anglia Ruskin and Partners")
    assert normalise_organisation("East of England Ambulance") != normalise_organisation("East England Ambulance")
    assert closest_organisation("Testshire Constabulry", ["Testshire Constabulary", "Testshire Council"]) == \
        "Testshire Constabulary"
    assert closest_organisation("Northshire Fire", ["Testshire Constabulary"]) is None


def test_share_and_list_match_a_name_written_without_its_apostrophe(make_register):
    root = make_register({f"agreements/{ID}.yaml": hospital_isa()})
    shared = run(root, "share", ID, "--what", "Address", "--to", "St Edmunds Hospital NHS Foundation Trust",
                 "--purpose", "Home visit", "--consent", "yes", "--date", "2026-11-01")
    assert shared.exit_code == 0, shared.output
    listed = run(root, "list", "--partner", "st edmunds hospital", "--json")
    assert listed.exit_code == 0 and ID in listed.output


def test_a_close_name_gets_a_did_you_mean(make_register):
    root = make_register({f"agreements/{ID}.yaml": hospital_isa()})
    shared = run(root, "share", ID, "--what", "Address", "--to", "Testshire Constabulry", "--purpose", "Visit",
                 "--consent", "yes", "--date", "2026-11-01")
    assert shared.exit_code == 1 and "Did you mean 'Testshire Constabulary'?" in shared.output
    listed = run(root, "list", "--partner", "Testshire Constabulry")
    assert listed.exit_code == 0 and "did you mean 'Testshire Constabulary'?" in listed.output


def test_a_sign_off_names_the_party_without_its_apostrophe_or_with_a_typo(make_register):
    text = hospital_isa("assessed").split("signoffs:")[0].replace(
        "start_date:", "  screening: {checklist: dpia_screening, answers: {bulk: false}, by: Ava, date: 2026-10-01}\n"
        "start_date:", 1) + ("risk_assessment: {checklist: risk_assessment, answers: {}, outcome: proceed, by: Ava, "
                             "date: 2026-10-01}\n")
    root = make_register({f"agreements/{ID}.yaml": text})
    for role in ("information_asset_owner", "designated_officer", "information_compliance_manager",
                 "information_security_manager"):
        assert run(root, "signoff", ID, "--role", role, "--name", f"P {role}", "--approve",
                   "--date", "2026-11-01").exit_code == 0
    typo = run(root, "signoff", ID, "--role", "partner_designated_officer", "--organisation", "St Edmnds Hospital NHS "
               "Foundation Trust", "--name", "Pat", "--approve", "--date", "2026-11-01")
    assert typo.exit_code == 1 and f"did you mean {HOSPITAL!r}?" in typo.output
    signed = run(root, "signoff", ID, "--role", "partner_designated_officer", "--organisation",
                 "St Edmunds Hospital NHS Foundation Trust", "--name", "Ray Officer", "--approve", "--date", "2026-11-01")
    assert signed.exit_code == 0, signed.output
    assert store.load_agreement(root, ID).signoffs[-1].organisation == HOSPITAL  # as the record names it


def test_the_overlap_check_finds_the_same_partner_written_differently(make_register):
    from isa_toolkit.workflows.overlap import find_overlaps

    root = make_register({f"agreements/{ID}.yaml": hospital_isa()})
    register = store.load_register(root)
    found = find_overlaps(register, ["St Edmunds Hospital NHS Foundation Trust"],
                          {"en": "Share addresses of people at risk so that visits can be planned."})
    assert [o.agreement_id for o in found] == [ID]
