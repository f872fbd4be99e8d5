"""One-off disclosures, third-party requests and incidents: recorded, checked, listed, and what they do to agreements."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
import yaml
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.register.kinds import DISCLOSURE, INCIDENT, REQUEST

from .conftest import SETTINGS, complete_isa, git

A, B, C = "ISA-2026-0001", "ISA-2026-0002", "ISA-2026-0003"
ALL_YES = {"requester_identity": "yes", "need_to_know": "yes", "purpose_clear": "yes", "legal_gateway": "yes",
           "approved_at_rank": "n/a", "necessary": "yes", "accurate": "yes", "proportionate": "yes",
           "duty_of_confidence": "n/a", "third_parties_removed": "yes", "informants_protected": "n/a",
           "security_statement": "yes", "retention_told": "yes", "subject_access_contact": "yes"}


def run(root, *args, by="Olu Officer"):
    return CliRunner().invoke(main, ["-R", str(root), *args, *(["--by", by] if by else [])])


def answers_file(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return str(path)


def disclosure(**changes):
    data = {
        "date": "2026-11-02",
        "organisation": "Testshire Ambulance Service",
        "requester": "Pat Paramedic",
        "identity_check": "Met in person at the scene",
        "data": "A warning marker for violence against staff",
        "purpose": "Protect ambulance staff from assault during treatment",
        "legal_gateway": "DPA 2018 Sch 8 para 3",
        "decision": "disclose",
        "criteria": dict(ALL_YES),
        "rationale": "The risk was real and immediate; only the marker was given.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def unchanged(root):
    """A snapshot of the register: HEAD and every tracked file's bytes."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.yaml") if ".git" not in p.parts}
    return git(root, "rev-parse", "HEAD"), files


# -- one-off disclosures -------------------------------------------------------------------


def test_a_request_an_agreement_in_force_covers_is_pointed_to_it(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    before = unchanged(root)
    covered = answers_file(tmp_path, "covered.yaml", disclosure(
        organisation="Testshire Constabulary", purpose="Addresses of people at risk, so that visits can be planned"))
    result = run(root, "disclose", "new", "--answers", covered)
    assert result.exit_code == 1
    assert A in result.output and "isa share" in result.output and "--continue" in result.output
    assert unchanged(root) == before  # nothing written

    result = run(root, "disclose", "new", "--answers", covered, "--continue")
    assert result.exit_code == 0, result.output
    [record] = store.load_all(root, DISCLOSURE)
    assert record.agreements_considered == [A]  # the officer's choice is on the record


def test_an_agreement_not_in_force_does_not_cover_a_request(make_register, tmp_path):
    purpose = "Addresses of people at risk, so that visits can be planned"
    root = make_register({
        f"agreements/{A}.yaml": complete_isa(A, status="draft"),
        f"agreements/{B}.yaml": complete_isa(B).replace("start_date: 2025-01-10", "start_date: 2026-12-01"),
    })
    early = answers_file(tmp_path, "d.yaml", disclosure(organisation="Testshire Constabulary", purpose=purpose))
    result = run(root, "disclose", "new", "--answers", early)  # on 2026-11-02, before B comes into force
    assert "isa share" not in result.output and A not in result.output
    assert f"{B}  [active]" in result.output and "it came into force on 2026-12-01, after 2026-11-02" in result.output
    assert result.exit_code == 1 and "--continue" in result.output
    assert run(root, "disclose", "new", "--answers", early, "--continue").exit_code == 0


def test_a_suspended_agreement_does_not_cover_a_request_but_is_not_worked_around_silently(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    assert run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A))).exit_code == 0
    [incident] = store.load_all(root, INCIDENT)
    before = unchanged(root)
    covered = answers_file(tmp_path, "d.yaml", disclosure(
        organisation="Testshire Constabulary", purpose="Addresses of people at risk, so that visits can be planned"))
    result = run(root, "disclose", "new", "--answers", covered)
    assert result.exit_code == 1 and "isa share" not in result.output
    assert f"{A}  [suspended]" in result.output
    assert f"it is suspended while a breach is investigated ({incident.id})" in result.output
    assert unchanged(root) == before
    result = run(root, "disclose", "new", "--answers", covered, "--continue")
    assert result.exit_code == 0, result.output
    [record] = store.load_all(root, DISCLOSURE)
    assert record.agreements_considered == [A]


def test_an_urgent_disclosure_is_outstanding_until_its_rationale_is_recorded(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    urgent = answers_file(tmp_path, "urgent.yaml", disclosure(criteria=None, rationale=None))
    result = run(root, "disclose", "new", "--urgent", "--answers", urgent)
    assert result.exit_code == 0, result.output
    assert "Outstanding: criteria and rationale due by 2026-11-05" in result.output
    record_id = "DIS-" + str(store.load_all(root, DISCLOSURE)[0].id).split("-", 1)[1]

    listed = json.loads(run(root, "list", "--kind", "disclosure", "--status", "outstanding", "--json", by=None).output)
    assert list(listed["records"]) == [record_id] and listed["kind"] == "disclosure"
    owed = json.loads(run(root, "deadlines", "--as-of", "2026-11-09", "--json", by=None).output)["deadlines"]
    assert [(o["record_id"], o["overdue"]) for o in owed] == [(record_id, True)]
    report = run(root, "review", "run", "--as-of", "2026-11-09", "--out", str(tmp_path / "out"))
    assert f"{record_id}  OVERDUE by 4 day(s): criteria and rationale of an urgent disclosure" in report.output

    completion = answers_file(tmp_path, "completion.yaml", {"criteria": ALL_YES, "rationale": "Life at risk."})
    result = run(root, "disclose", "complete", record_id, "--answers", completion)
    assert result.exit_code == 0, result.output
    assert json.loads(run(root, "list", "--kind", "disclosure", "--status", "outstanding", "--json",
                          by=None).output)["records"] == {}
    assert json.loads(run(root, "deadlines", "--json", by=None).output)["deadlines"] == []
    record = store.load_record(root, DISCLOSURE, record_id)
    assert record.criteria.outcome == "proceed" and record.criteria.answers["urgent"] is True and record.completed

    again = run(root, "disclose", "complete", record_id, "--answers", completion)
    assert again.exit_code == 1 and "already complete" in again.output


def test_a_disclosure_that_was_not_urgent_records_its_criteria_now(make_register, tmp_path):
    root = make_register()
    before = unchanged(root)
    result = run(root, "disclose", "new", "--answers", answers_file(tmp_path, "d.yaml", disclosure(criteria=None)))
    assert result.exit_code == 1 and "only an urgent disclosure (--urgent) may complete them later" in result.output
    blocked = disclosure(criteria={**ALL_YES, "legal_gateway": "no"})
    result = run(root, "disclose", "new", "--answers", answers_file(tmp_path, "b.yaml", blocked))
    assert result.exit_code == 1 and "criteria say do not proceed (not met: legal_gateway)" in result.output
    typo = disclosure(criteria={**ALL_YES, "necesary": "yes"})
    result = run(root, "disclose", "new", "--answers", answers_file(tmp_path, "t.yaml", typo))
    assert result.exit_code == 1 and "criteria.necesary" in result.output and "t.yaml:" in result.output
    assert unchanged(root) == before

    refused = disclosure(decision="refuse", criteria={**ALL_YES, "legal_gateway": "no"})
    result = run(root, "disclose", "new", "--answers", answers_file(tmp_path, "r.yaml", refused))
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s").strip().endswith("refused [by Olu Officer]")


# -- incidents and breaches ------------------------------------------------------------------


def breach(*agreements, **changes):
    data = {"type": "breach", "summary": "Minutes emailed to a personal account", "severity": "high",
            "reported": "2026-11-10", "reported_by": "Partner coordinator", "self_reported": "yes",
            "agreements": list(agreements), "regulator": "no"}
    data.update(changes)
    return data


@pytest.fixture
def three(make_register):
    return make_register({f"agreements/{i}.yaml": complete_isa(i) for i in (A, B, C)})


def statuses(root):
    return {i: store.load_agreement(root, i).status.value for i in (A, B, C)}


def test_a_breach_suspends_exactly_the_affected_agreements_and_resolution_restores_them(three, tmp_path):
    root = three
    assert run(root, "transition", B, "review_due", "--date", "2026-11-01").exit_code == 0
    result = run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A, B)))
    assert result.exit_code == 0, result.output
    assert statuses(root) == {A: "suspended", B: "suspended", C: "active"}
    changed = git(root, "show", "--name-only", "--format=%s", "HEAD").split()
    assert f"agreements/{A}.yaml" in changed and f"agreements/{B}.yaml" in changed and f"agreements/{C}.yaml" not in changed
    assert any(name.startswith("incidents/INC-") for name in changed)  # one commit: the incident and its suspensions
    [incident] = store.load_all(root, INCIDENT)
    assert incident.suspended == [A, B]
    share = run(root, "share", A, "--what", "x", "--to", "y", "--purpose", "z", "--consent", "no")
    assert share.exit_code == 1 and "suspended" in share.output

    result = run(root, "incident", "resolve", incident.id, "--resolution", "Account deleted, rules fixed",
                 "--agreed-by", "Testshire Constabulary", "--agreed-by", "Testshire Council")
    assert result.exit_code == 0, result.output
    assert statuses(root) == {A: "active", B: "review_due", C: "active"}  # each back to what it was
    assert store.load_record(root, INCIDENT, incident.id).resolution.agreed_by == ["Testshire Constabulary",
                                                                                  "Testshire Council"]
    assert run(root, "incident", "resolve", incident.id, "--resolution", "x", "--agreed-by", "y").exit_code == 1
    assert run(root, "validate", "--strict", by=None).exit_code == 0


def test_an_agreement_two_breaches_hold_is_restored_only_when_both_are_resolved(three, tmp_path):
    root = three
    assert run(root, "incident", "new", "--answers", answers_file(tmp_path, "1.yaml", breach(A))).exit_code == 0
    assert run(root, "incident", "new", "--answers", answers_file(tmp_path, "2.yaml", breach(A, B))).exit_code == 0
    first, second = sorted(i.id for i in store.load_all(root, INCIDENT))
    assert store.load_record(root, INCIDENT, second).suspended == [A, B]
    result = run(root, "incident", "resolve", first, "--resolution", "Fixed", "--agreed-by", "All members")
    assert f"{A}: stays suspended, held by {second}" in result.output
    assert statuses(root)[A] == "suspended"
    run(root, "incident", "resolve", second, "--resolution", "Fixed", "--agreed-by", "All members")
    assert statuses(root) == {A: "active", B: "active", C: "active"}


def test_a_breach_naming_an_unknown_agreement_is_refused_and_a_draft_is_not_suspended(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A, status="draft")})
    before = unchanged(root)
    result = run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A, "ISA-1999-0009")))
    assert result.exit_code == 1 and "ISA-1999-0009" in result.output
    assert unchanged(root) == before
    result = run(root, "incident", "new", "--answers", answers_file(tmp_path, "c.yaml", breach(A)))
    assert result.exit_code == 0 and "draft: not in force, nothing to suspend" in result.output
    assert store.load_agreement(root, A).status.value == "draft"


def test_a_data_incident_suspends_nothing(three, tmp_path):
    result = run(three, "incident", "new", "--answers", answers_file(tmp_path, "i.yaml", breach(A, type="incident")))
    assert result.exit_code == 0, result.output
    assert statuses(three)[A] == "active"


def test_breach_deadlines_come_from_the_settings_and_are_reported_when_overdue(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)},
                         settings=SETTINGS + "deadlines:\n  breach_meeting_days: 5\n  regulator_hours: 24\n")
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A, regulator="yes")))
    [incident] = store.load_all(root, INCIDENT)
    resolve = run(root, "incident", "resolve", incident.id, "--resolution", "Fixed", "--agreed-by", "All members")
    assert resolve.exit_code == 1 and "must be reported to the regulator before it is closed" in resolve.output
    owed = {o["what"]: o for o in json.loads(run(root, "deadlines", "--as-of", "2026-11-13", "--json",
                                                 by=None).output)["deadlines"]}
    meeting, regulator = owed["meeting of the parties about the breach"], owed["report to the data protection regulator"]
    assert (meeting["due"], meeting["overdue"]) == ("2026-11-15", False)
    assert (regulator["due"], regulator["overdue"]) == ("2026-11-11", True)
    report = run(root, "review", "run", "--as-of", "2026-11-16", "--out", str(tmp_path / "out"))
    assert f"{incident.id}  OVERDUE by 1 day(s): meeting of the parties" in report.output

    run(root, "incident", "meeting", incident.id, "--date", "2026-11-14", "--attendee", "Chair")
    run(root, "incident", "notified", incident.id, "--date", "2026-11-12", "--reference", "ICO-1")
    assert json.loads(run(root, "deadlines", "--json", by=None).output)["deadlines"] == []
    again = run(root, "incident", "notified", incident.id, "--date", "2026-11-13")
    assert again.exit_code == 1 and "already recorded" in again.output  # what happened is not rewritten


# -- third-party requests ----------------------------------------------------------------------


def request(**changes):
    data = {"received": "2026-11-03", "organisation": "Hartwell Foundation", "requester": "Sam Donor",
            "in_writing": "yes", "data_requested": "Counts of incidents by district", "format": "Table of counts",
            "purpose": "Allocate grants", "destruction_date": "2027-06-30",
            "criteria": {"data_specified": "yes", "proportionate_necessary": "yes", "scope_restricted": "yes",
                         "coordinated": "n/a", "policy_allows": "yes", "secure_channel": "no",
                         "anonymised_prepared": "no", "onward_restrictions": "no", "consulted": "n/a"}}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_request_is_checked_against_the_criteria_and_granted_under_safeguards(make_register, tmp_path):
    root = make_register()
    result = run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", request()))
    assert result.exit_code == 0 and "proceed with conditions" in result.output
    [logged] = store.load_all(root, REQUEST)
    assert logged.criteria.answers["purpose_defined"] is True  # settled by the request's own fields
    grant = ["request", "decide", logged.id, "--grant", "--level", "moderate", "--anonymisation", "aggregated",
             "--onward", "Not to be published", "--date", "2026-11-05"]
    result = run(root, *grant)
    assert result.exit_code == 1 and "1. Password-protected coordination platform" in result.output
    assert run(root, *grant, "--channel", "7").exit_code == 1
    result = run(root, *grant, "--channel", "1")
    assert result.exit_code == 0, result.output
    decided = store.load_record(root, REQUEST, logged.id)
    assert decided.state == "granted" and decided.decision.safeguards.channel.get("en").startswith("Password-protected")
    assert run(root, "request", "decide", logged.id, "--refuse", "--reason", "x").exit_code == 1  # decided already


def test_a_request_without_a_purpose_cannot_be_granted(make_register, tmp_path):
    root = make_register()
    answers = request(purpose=None)
    answers["criteria"].pop("purpose_defined", None)
    assert run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", answers)).exit_code == 0
    [logged] = store.load_all(root, REQUEST)
    assert logged.criteria.outcome == "do_not_proceed" and logged.criteria.reasons == ["purpose_defined"]
    result = run(root, "request", "decide", logged.id, "--grant", "--level", "low", "--channel", "1",
                 "--anonymisation", "none", "--onward", "x")
    assert result.exit_code == 1 and "refuse it" in result.output
    assert run(root, "request", "decide", logged.id, "--refuse").exit_code == 1  # a refusal says why
    assert run(root, "request", "decide", logged.id, "--refuse", "--reason", "No purpose stated").exit_code == 0
    listed = json.loads(run(root, "list", "--kind", "request", "--status", "refused", "--json", by=None).output)
    assert list(listed["records"]) == [logged.id]


# -- validation, listings and export -------------------------------------------------------------

BAD = {
    "disclosures/DIS-2026-0001.yaml": """\
        id: DIS-2026-0001
        kind: disclosure
        date: 2026-13-01
        requester: {organisation: X, name: Y}
        data: {en: d}
        purpose: {en: p}
        decision: disclose
        urgent: true
        recorded_by: Me
        recorded: 2026-11-02
        """,
    "requests/REQ-2026-0001.yaml": """\
        id: REQ-2026-0001
        kind: request
        received: 2026-11-01
        requester: {organisation: X, name: Y}
        in_writing: true
        data_requested: {en: d}
        colour: blue
        recorded_by: Me
        recorded: 2026-11-02
        """,
    "incidents/INC-2026-0001.yaml": """\
        id: INC-2026-0001
        kind: incident
        type: breach
        summary: {en: s}
        severity: high
        reported: 2026-11-01
        reported_by: Me
        self_reported: true
        agreements:
          - ISA-2026-0001
          - ISA-2099-0001
        recorded_by: Me
        recorded: 2026-11-02
        """,
}


def test_every_kind_validates_with_file_and_line(make_register):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A), **BAD})
    result = run(root, "validate", by=None)
    assert result.exit_code == 1
    assert "disclosures/DIS-2026-0001.yaml:3: date:" in result.output
    assert "requests/REQ-2026-0001.yaml:7: colour: unknown field" in result.output
    assert "incidents/INC-2026-0001.yaml:11: agreements[1]: no agreement 'ISA-2099-0001'" in result.output
    assert "1 agreement(s), 1 incident(s) loaded" in result.output
    shown = run(root, "show", "REQ-2026-0001", by=None)
    assert shown.exit_code == 1 and "requests/REQ-2026-0001.yaml:7: colour" in shown.output


def test_listings_and_exports_cover_every_kind_and_csv_is_formula_safe(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    run(root, "disclose", "new", "--answers", answers_file(tmp_path, "d.yaml", disclosure(organisation="=HYPERLINK(1)")))
    run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", request()))
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "i.yaml", breach(A)))
    for kind, column, value in (("disclosure", "requester_organisation", "'=HYPERLINK(1)"),
                                ("request", "requester_organisation", "Hartwell Foundation"),
                                ("incident", "suspended", A)):
        listing = run(root, "list", "--kind", kind, by=None)
        assert listing.exit_code == 0 and f"1 {kind}(s)" in listing.output
        exported = run(root, "export", "--kind", kind, by=None)
        [row] = list(csv.DictReader(io.StringIO(exported.output)))
        assert row[column] == value
        data = json.loads(run(root, "export", "--kind", kind, "--format", "json", by=None).output)
        assert data[0]["kind"] == kind
    assert run(root, "export", "--kind", "incident", "--public", by=None).exit_code == 2
    assert run(root, "list", "--kind", "incident", "--status", "active", by=None).exit_code == 2


# -- what a careless or hostile user might try ----------------------------------------------------


def test_a_breach_holds_a_suspension_it_did_not_make_but_never_lifts_it(three, tmp_path):
    root = three
    assert run(root, "transition", A, "suspended", "--reason", "Audit: data on USB sticks").exit_code == 0
    result = run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A, B)))
    assert "not by a breach: this breach keeps it suspended while it is open" in result.output
    [incident] = store.load_all(root, INCIDENT)
    assert incident.suspended == [B] and incident.held == [A]
    # While the breach is open, the earlier suspension cannot be lifted by hand either.
    before = unchanged(root)
    lifted = run(root, "transition", A, "active")
    assert lifted.exit_code == 1 and f"suspended by the open breach {incident.id}" in lifted.output
    assert unchanged(root) == before
    result = run(root, "incident", "resolve", incident.id, "--resolution", "Fixed", "--agreed-by", "All members")
    assert f"{A}: was suspended before this breach, not by it: left suspended" in result.output
    assert statuses(root) == {A: "suspended", B: "active", C: "active"}
    assert run(root, "transition", A, "active", "--reason", "Audit closed").exit_code == 0  # now for its owner to lift
    assert run(root, "validate", "--strict", by=None).exit_code == 0


def test_a_suspension_is_never_lifted_while_an_incident_file_cannot_be_read(three, tmp_path):
    root = three
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A)))
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "c.yaml", breach(A)))
    first, second = sorted(i.id for i in store.load_all(root, INCIDENT))
    path = root / "incidents" / f"{second}.yaml"
    path.write_text(path.read_text() + "severty: high\n")  # a typo makes the second breach unreadable
    git(root, "commit", "-qam", "hand edit")
    before = unchanged(root)
    result = run(root, "incident", "resolve", first, "--resolution", "Fixed", "--agreed-by", "All members")
    assert result.exit_code == 1 and f"incidents/{second}.yaml cannot be read" in result.output
    assert "severty" in result.output and "Traceback" not in result.output
    assert run(root, "transition", A, "active").exit_code == 1
    assert unchanged(root) == before and statuses(root)[A] == "suspended"
    # Recording a new breach is never blocked by it.
    assert run(root, "incident", "new", "--answers", answers_file(tmp_path, "d.yaml", breach(B))).exit_code == 0


def test_sharing_stopped_by_an_open_breach_cannot_be_resumed_by_hand(three, tmp_path):
    root = three
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach(A)))
    before = unchanged(root)
    result = run(root, "transition", A, "active")
    assert result.exit_code == 1 and "suspended by the open breach INC-" in result.output
    assert unchanged(root) == before
    assert run(root, "transition", A, "terminated", "--reason", "Partner withdrew").exit_code == 0  # ending it is allowed


def test_a_far_future_date_in_a_record_never_crashes_the_daily_run(make_register, tmp_path):
    far = BAD["incidents/INC-2026-0001.yaml"].replace("2026-11-01", "9999-12-28").replace("2026-11-02", "9999-12-31")
    far = far.replace("  - ISA-2099-0001\n", "")
    root = make_register({f"agreements/{A}.yaml": complete_isa(A), "incidents/INC-2026-0001.yaml": far})
    assert run(root, "deadlines", by=None).exit_code == 0
    result = run(root, "review", "run", "--as-of", "2026-11-20", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0 and "Traceback" not in result.output


def test_blank_texts_foreign_languages_and_symlinked_records_are_refused(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    before = unchanged(root)
    blank = answers_file(tmp_path, "d.yaml", disclosure(rationale="   "))
    result = run(root, "disclose", "new", "--answers", blank)
    assert result.exit_code == 1 and "cannot be blank" in result.output
    result = run(root, "disclose", "new", "--lang", "de", "--answers", answers_file(tmp_path, "e.yaml", disclosure()))
    assert result.exit_code == 1 and "not one of the register's languages (en, fr)" in result.output
    urgent_refusal = answers_file(tmp_path, "u.yaml", disclosure(decision="refuse", criteria=None, rationale=None))
    result = run(root, "disclose", "new", "--urgent", "--answers", urgent_refusal)
    assert result.exit_code == 1 and "a refusal is not urgent" in result.output
    assert unchanged(root) == before

    outside = tmp_path / "outside.yaml"
    outside.write_text(complete_isa("ISA-2099-0001"), encoding="utf-8")
    (root / "agreements" / "ISA-2099-0001.yaml").symlink_to(outside)
    result = run(root, "incident", "new", "--answers", answers_file(tmp_path, "b.yaml", breach("ISA-2099-0001")))
    assert result.exit_code == 1 and "symbolic link" in result.output
    assert "status: active" in outside.read_text()  # the file outside the register is untouched


def test_an_urgent_disclosure_made_against_a_blocking_criterion_is_flagged(make_register, tmp_path):
    root = make_register()
    run(root, "disclose", "new", "--urgent", "--answers",
        answers_file(tmp_path, "u.yaml", disclosure(criteria={**ALL_YES, "requester_identity": "no"})))
    result = run(root, "validate", by=None)
    assert result.exit_code == 0
    assert "warning: CASE-02 criteria.outcome: made urgently although the criteria" in result.output
    assert "(requester_identity)" in result.output


def test_hand_edited_criteria_that_do_not_add_up_are_errors(make_register, tmp_path):
    root = make_register()
    run(root, "disclose", "new", "--answers", answers_file(tmp_path, "d.yaml", disclosure()))
    [record] = store.load_all(root, DISCLOSURE)
    path = root / "disclosures" / f"{record.id}.yaml"
    text = path.read_text().replace("necessary: true", "necessary: maybe").replace("legal_gateway: true",
                                                                                   "legal_gateway: false")
    path.write_text(text)
    result = run(root, "validate", by=None)
    assert result.exit_code == 1
    assert f"disclosures/{record.id}.yaml:" in result.output
    assert "criteria.answers.necessary: 'maybe' is not an answer" in result.output
    assert "the answers give do_not_proceed, not proceed" in result.output


def test_a_grant_meets_the_criteria_conditions(make_register, tmp_path):
    root = make_register()
    answers = request(in_writing="no")
    run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", answers))
    [logged] = store.load_all(root, REQUEST)
    grant = ["request", "decide", logged.id, "--grant", "--level", "moderate", "--channel", "1", "--onward", "Panel only"]
    result = run(root, *grant, "--anonymisation", "none")
    assert result.exit_code == 1 and "names and unique identifiers to be removed" in result.output
    result = run(root, *grant, "--anonymisation", "aggregated")
    assert result.exit_code == 1 and "(in_writing)" in result.output and "--conditions-met" in result.output
    assert run(root, *grant, "--anonymisation", "aggregated", "--conditions-met").exit_code == 0
    assert store.load_record(root, REQUEST, logged.id).decision.conditions_met == ["in_writing"]


def test_each_case_can_be_recorded_at_the_terminal(make_register):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    runner = CliRunner()

    def ask(args, lines):
        return runner.invoke(main, ["-R", str(root), *args, "--by", "Olu Officer"], input="\n".join(lines) + "\n")

    # urgent, disclosed at once; the criteria are left for later (a long text ends with an empty line)
    result = ask(["disclose", "new", "--urgent"], [
        "", "2026-11-20", "Testshire Ambulance Service", "Pat Paramedic", "", "", "", "", "",
        "Warning marker", "", "Protect the crew", "", "", "", "1", "", "", "", "", "no"])
    assert result.exit_code == 0, result.output
    assert "Outstanding: criteria and rationale due by 2026-11-23" in result.output
    # a request, its criteria asked after it (the four the request settles are not asked)
    result = ask(["request", "new"], [
        "2026-11-19", "Hartwell Foundation", "Sam Donor", "", "", "yes", "Counts by district", "", "Table",
        "Allocate grants", "", "2027-06-30", "yes", "yes", "yes", "n/a", "yes", "no", "no", "no", "n/a"])
    assert result.exit_code == 0, result.output
    assert "proceed with conditions" in result.output
    # a data incident, in French
    result = ask(["incident", "new", "--lang", "fr"], [
        "2", "Ordinateur portable perdu", "", "3", "", "2026-11-21", "Jo Bloggs", "oui", "", A, "", "", "non"])
    assert result.exit_code == 0, result.output
    [incident] = store.load_all(root, INCIDENT)
    assert incident.summary.get("fr") == "Ordinateur portable perdu" and incident.agreements == [A]
    assert run(root, "validate", by=None).exit_code == 0


def test_changing_a_checklist_rechecks_the_stored_criteria(make_register, tmp_path):
    from isa_toolkit.resources import shipped

    root = make_register()
    run(root, "disclose", "new", "--answers", answers_file(tmp_path, "d.yaml", disclosure()))
    assert run(root, "validate", "--strict", by=None).exit_code == 0  # the check results are now cached
    own = root / "workflows" / "checklists"
    own.mkdir(parents=True)
    text = (shipped("workflows") / "checklists" / "one_off_disclosure.yaml").read_text(encoding="utf-8")
    (own / "one_off_disclosure.yaml").write_text(text.replace("  - id: accurate\n", "  - id: accurate_checked\n"),
                                                 encoding="utf-8")
    result = run(root, "validate", by=None)
    assert result.exit_code == 1
    assert "criteria.answers.accurate: no such item in the one_off_disclosure checklist" in result.output


def test_a_hand_edited_grant_must_keep_to_the_criteria_and_the_classification(make_register, tmp_path):
    root = make_register()
    blocked = request(criteria={**request()["criteria"], "policy_allows": "no"})
    for name, answers in (("b.yaml", blocked), ("c.yaml", request())):
        assert run(root, "request", "new", "--answers", answers_file(tmp_path, name, answers)).exit_code == 0
    ruled_out, conditional = sorted(r.id for r in store.load_all(root, REQUEST))
    for record_id, channel in ((ruled_out, "Shouted across the street"),
                               (conditional, "Password-protected coordination platform open to registered members")):
        path = root / "requests" / f"{record_id}.yaml"
        path.write_text(path.read_text() + (
            "decision:\n  decision: grant\n  date: 2026-11-05\n  by: Olu Officer\n  conditions_met: [destruction]\n"
            f"  safeguards:\n    sensitivity: moderate\n    channel: {{en: {channel}}}\n    anonymisation: none\n"
            "    onward_sharing: {en: Anyone}\n"))
    git(root, "commit", "-qam", "hand edits")
    result = run(root, "validate", by=None)
    assert result.exit_code == 1
    blocked_rel, conditional_rel = (f"requests/{i}.yaml" for i in (ruled_out, conditional))
    assert re.search(rf"{blocked_rel}:\d+: decision\.decision: granted, but the criteria say do not proceed", result.output)
    assert re.search(rf"{blocked_rel}:\d+: decision\.safeguards\.channel: not a channel classification\.yaml allows "
                     "for moderate", result.output)
    assert re.search(rf"{conditional_rel}:\d+: decision\.safeguards\.anonymisation: the criteria ask for names",
                     result.output)
    assert not re.search(rf"{conditional_rel}:\d+: decision\.safeguards\.channel", result.output)  # an allowed one


def test_approval_at_rank_needs_the_approver_and_a_cross_field_problem_names_its_line(make_register, tmp_path):
    root = make_register()
    before = unchanged(root)
    claimed = disclosure(criteria={**ALL_YES, "approved_at_rank": "yes"})
    result = run(root, "disclose", "new", "--answers", answers_file(tmp_path, "d.yaml", claimed))
    assert result.exit_code == 1 and "approval missing: the criteria say the disclosure was approved at the rank" in result.output
    assert unchanged(root) == before
    approved = {**claimed, "approver": "Jane Holloway", "approver_rank": "Inspector"}
    assert run(root, "disclose", "new", "--answers", answers_file(tmp_path, "a.yaml", approved)).exit_code == 0
    # A rule across two fields is placed on the line of the field it names first.
    run(root, "incident", "new", "--answers", answers_file(tmp_path, "i.yaml", breach(type="incident")))
    [incident] = store.load_all(root, INCIDENT)
    path = root / "incidents" / f"{incident.id}.yaml"
    path.write_text(path.read_text().replace("reported: 2026-11-10", "reported: 2026-11-10\noccurred: 2026-11-12"))
    line = path.read_text().splitlines().index("occurred: 2026-11-12") + 1
    result = run(root, "validate", by=None)
    assert f"incidents/{incident.id}.yaml:{line}: occurred: occurred 2026-11-12 is after reported" in result.output


def test_the_log_of_a_record_is_its_own_even_when_another_looks_alike(make_register, tmp_path):
    root = make_register({f"agreements/{A}.yaml": complete_isa(A)})
    for name in ("1.yaml", "2.yaml"):
        assert run(root, "incident", "new", "--answers", answers_file(tmp_path, name, breach(A))).exit_code == 0
    first, second = sorted(i.id for i in store.load_all(root, INCIDENT))
    history = run(root, "log", second, "--json", by=None)
    subjects = [entry["subject"] for entry in json.loads(history.output)["commits"]]
    assert len(subjects) == 1 and subjects[0].startswith(f"{second}: ") and first not in history.output


def test_a_grant_records_the_destruction_date_the_criteria_asked_for(make_register, tmp_path):
    root = make_register()
    undated = request(destruction_date=None)
    assert run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", undated)).exit_code == 0
    [logged] = store.load_all(root, REQUEST)
    assert "destruction_date" in logged.criteria.reasons
    grant = ["request", "decide", logged.id, "--grant", "--level", "moderate", "--channel", "1",
             "--anonymisation", "aggregated", "--onward", "Not to be published", "--date", "2026-11-05"]
    before = unchanged(root)
    result = run(root, *grant)
    assert result.exit_code == 1 and "--destruction-date DATE" in result.output and unchanged(root) == before
    refused = run(root, "request", "decide", logged.id, "--refuse", "--reason", "No", "--level", "high")
    assert refused.exit_code == 2 and "--level set(s) the safeguards of a grant" in refused.output
    assert run(root, *grant, "--destruction-date", "2027-03-31").exit_code == 0
    decided = store.load_record(root, REQUEST, logged.id)
    assert str(decided.destruction_date) == "2027-03-31" and decided.decision.conditions_met == ["destruction_date"]
    assert run(root, "validate", by=None).exit_code == 0


def test_completing_an_urgent_disclosure_records_only_what_is_missing(make_register, tmp_path):
    root = make_register()
    urgent = answers_file(tmp_path, "u.yaml", disclosure(criteria=None, rationale="Life at risk; no time to ask."))
    assert run(root, "disclose", "new", "--urgent", "--answers", urgent).exit_code == 0
    [record] = store.load_all(root, DISCLOSURE)
    assert git(root, "log", "-1", "--format=%s").startswith(f"{record.id}: urgent disclosure to Testshire Ambulance "
                                                            "Service recorded, criteria to follow")
    before = unchanged(root)
    both = answers_file(tmp_path, "c.yaml", {"criteria": ALL_YES, "rationale": "Another reason."})
    result = run(root, "disclose", "complete", record.id, "--answers", both)
    assert result.exit_code == 1 and "the rationale was recorded when the disclosure was made" in result.output
    assert unchanged(root) == before
    # At the terminal, only the criteria are asked for.
    answers = "".join("y\n" if value == "yes" else "n/a\n" for value in ALL_YES.values())
    result = CliRunner().invoke(main, ["-R", str(root), "disclose", "complete", record.id, "--by", "Olu Officer"],
                                input=answers)
    assert result.exit_code == 0, result.output
    assert "Rationale" not in result.output
    assert git(root, "log", "-1", "--format=%s").startswith(f"{record.id}: urgent disclosure completed: criteria recorded")


def test_an_urgent_disclosure_approved_at_rank_records_its_approver_when_completed(make_register, tmp_path):
    root = make_register()
    urgent = answers_file(tmp_path, "u.yaml", disclosure(criteria=None, rationale=None))
    assert run(root, "disclose", "new", "--urgent", "--answers", urgent).exit_code == 0
    [record] = store.load_all(root, DISCLOSURE)
    completion = answers_file(tmp_path, "c.yaml", {"criteria": {**ALL_YES, "approved_at_rank": "yes"},
                                                   "rationale": "Life at risk."})
    result = run(root, "disclose", "complete", record.id, "--answers", completion)
    assert result.exit_code == 1 and "--approver and --approver-rank" in result.output
    result = run(root, "disclose", "complete", record.id, "--answers", completion, "--approver", "Jane Holloway",
                 "--approver-rank", "Inspector")
    assert result.exit_code == 0, result.output
    done = store.load_record(root, DISCLOSURE, record.id)
    assert (done.approval.name, done.approval.rank) == ("Jane Holloway", "Inspector") and not done.outstanding


def test_coverage_and_sharing_follow_the_agreements_history_on_the_day(make_register, tmp_path):
    history = ("history:\n"
               "  - {date: 2026-11-01, from: active, to: suspended, by: Olu Officer, reason: audit}\n"
               "  - {date: 2026-11-10, from: suspended, to: active, by: Olu Officer, reason: audit closed}\n")
    root = make_register({f"agreements/{A}.yaml": complete_isa(A) + history})
    purpose = "Addresses of people at risk, so that visits can be planned"
    during = answers_file(tmp_path, "d.yaml", disclosure(organisation="Testshire Constabulary", purpose=purpose,
                                                         date="2026-11-05"))
    result = run(root, "disclose", "new", "--answers", during)
    assert "isa share ID" not in result.output and "it was suspended on 2026-11-05" in result.output
    after = answers_file(tmp_path, "a.yaml", disclosure(organisation="Testshire Constabulary", purpose=purpose,
                                                        date="2026-11-12"))
    result = run(root, "disclose", "new", "--answers", after)
    assert result.exit_code == 1 and "already covers this recipient" in result.output
    # A move cannot be dated before the last one, so the history stays in order.
    moved = run(root, "transition", A, "suspended", "--date", "2026-11-05", "--reason", "again")
    assert moved.exit_code == 1 and "moved to active on 2026-11-10; a later move cannot be dated before that" in moved.output


def test_a_destruction_date_is_given_only_when_asked_for_and_not_in_the_past(make_register, tmp_path):
    root = make_register()
    for name, answers in (("d.yaml", request()), ("u.yaml", request(destruction_date=None))):
        assert run(root, "request", "new", "--answers", answers_file(tmp_path, name, answers)).exit_code == 0
    dated, undated = sorted(r.id for r in store.load_all(root, REQUEST))
    grant = ["--grant", "--level", "moderate", "--channel", "1", "--anonymisation", "aggregated", "--onward", "No",
             "--date", "2026-11-05"]
    result = run(root, "request", "decide", dated, *grant, "--destruction-date", "2030-01-01")
    assert result.exit_code == 1 and "leave out --destruction-date" in result.output
    result = run(root, "request", "decide", undated, *grant, "--destruction-date", "2026-11-04")
    assert result.exit_code == 1 and "is before the decision (2026-11-05)" in result.output


def test_hand_edited_grants_without_criteria_or_confirmed_conditions_are_errors(make_register, tmp_path):
    root = make_register()
    unwritten = request(in_writing="no")  # a condition on the request itself: put it in writing
    assert run(root, "request", "new", "--answers", answers_file(tmp_path, "r.yaml", unwritten)).exit_code == 0
    assert run(root, "request", "new", "--answers", answers_file(tmp_path, "s.yaml", request())).exit_code == 0
    conditional, plain = sorted(r.id for r in store.load_all(root, REQUEST))
    assert "in_writing" in store.load_record(root, REQUEST, conditional).criteria.reasons
    grant = ("decision:\n  decision: grant\n  date: 2026-11-05\n  by: Olu Officer\n  safeguards:\n"
             "    sensitivity: moderate\n    channel: {en: Password-protected coordination platform open to registered "
             "members}\n    anonymisation: aggregated\n    onward_sharing: {en: No}\n")
    (root / "requests" / f"{conditional}.yaml").write_text((root / "requests" / f"{conditional}.yaml").read_text() + grant)
    text = (root / "requests" / f"{plain}.yaml").read_text()
    criteria = text.index("criteria:")
    end = next(i for i in range(criteria + 1, len(text)) if text[i - 1] == "\n" and text[i] not in " \n")
    (root / "requests" / f"{plain}.yaml").write_text(text[:criteria] + text[end:] + grant)
    git(root, "commit", "-qam", "hand edits")
    result = run(root, "validate", by=None)
    assert re.search(rf"requests/{conditional}\.yaml:\d+: decision\.conditions_met: granted without confirming the "
                     r"criteria's conditions on the request \(in_writing", result.output)
    assert re.search(rf"requests/{plain}\.yaml:\d+: decision: granted, but no criteria are recorded", result.output)
