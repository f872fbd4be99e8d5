"""Every warning of `isa validate` has a stable code, listed in docs/register.md; a record may waive one with a
reason, and `--strict` honours the waiver."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.register.checks import COMPLETENESS, RULES
from isa_toolkit.register.problem import Severity
from isa_toolkit.register.rules import OTHER_RULES

from .conftest import complete_isa

ROOT = Path(__file__).resolve().parent.parent
ID = "ISA-2026-0001"
PATH = f"agreements/{ID}.yaml"

# The codes as they were given. A code is never renumbered or reused: add new ones at the end of their list.
CODES = [
    *(f"ICO-{n:02d}" for n in range(1, 33)),
    "DEA-01", "DEA-02", "DEA-03", "DEA-04",
    "DSGA-01", "DSGA-02", "DSGA-03",
    "LAW-01", "LAW-02",
    "PRO-01", "PRO-02",
    "REC-01", "REC-02",
    "REF-01", "REF-02", "REF-03", "REF-04", "REF-05",
    "TR-01", "TR-02", "TR-03",
    "CASE-01", "CASE-02",
    "GIT-01",
    "REG-01", "REG-02", "REG-03",
]
# What some of them check, so a renumbering cannot go unnoticed.
MEANS = {"ICO-01": "parties[].designated_officer", "ICO-23": "retention", "ICO-32": "sanctions",
         "DEA-02": "contact", "DSGA-01": "onward_disclosure", "LAW-01": "necessity", "PRO-02": "endorsement"}


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


def without_contact(waivers: str = "") -> str:
    """The complete ISA with no public contact point (one warning, DEA-02), and the waivers given."""
    return complete_isa().replace("contact: information.sharing@example.org\n", "") + waivers


# -- the codes ----------------------------------------------------------------------------------------------------


def test_codes_are_unique_and_stable():
    assert sorted(RULES) == sorted(CODES)
    assert len(COMPLETENESS) + len(OTHER_RULES) == len(RULES) == len(set(CODES))  # no code given twice
    by_code = {item.code: item.field for item in COMPLETENESS}
    for code, field in MEANS.items():
        assert by_code[code] == field, code
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]{2,4}-\d{2}", code) and rule.code == code
        assert rule.meaning.strip() and "\n" not in rule.meaning
        assert set(rule.kinds) <= {"isa", "protocol", "disclosure", "incident", "register"}


def test_the_docs_list_every_code_with_its_meaning():
    text = (ROOT / "docs" / "register.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z]+-\d+)` \| ([^|]+) \| ([^|\n]+) \|$", text, re.M)
    listed = {code: (kinds.strip(), meaning.strip()) for code, kinds, meaning in rows}
    assert len(rows) == len(listed), "a code is listed twice"
    assert sorted(listed) == sorted(CODES)
    for code, (kinds, meaning) in listed.items():
        assert kinds == ", ".join(RULES[code].kinds), code
        assert meaning.startswith(RULES[code].meaning), code


def test_every_code_in_the_checks_is_a_rule_and_every_rule_is_used():
    sources = ["register/checks.py", "register/references.py", "register/health.py", "register/load.py"]
    used = set()
    for rel in sources:
        used |= set(re.findall(r'"([A-Z]{2,4}-\d{2})"', (ROOT / "isa_toolkit" / rel).read_text(encoding="utf-8")))
    assert used == set(RULES)


# -- every warning has one -----------------------------------------------------------------------------------------

BARE_ISA = f"""\
id: {ID}
kind: isa
title: {{en: Bare}}
version: '1.0'
status: active
languages: [en, fr, de]
parties:
  - organisation: Testshire Constabulary
    role: discloser
purpose: {{en: To share, fr: Partager, translated_from: {{fr: 000000000000}}}}
related: [{ID}, not an id, ISP-2025-0009, ISP-2025-0009]
"""

BARE_PROTOCOL = """\
id: ISP-2026-0002
kind: protocol
title: {en: Protocol, fr: Protocole}
version: '1.0'
status: draft
languages: [en, fr]
parties:
  - organisation: Testshire Council
    role: signatory
purpose: {en: To work together, fr: Travailler ensemble}
"""

BREACH = f"""\
id: INC-2026-0001
kind: incident
type: breach
summary: {{en: Minutes sent to the wrong address.}}
severity: high
reported: 2026-11-20
reported_by: A coordinator
self_reported: true
agreements: [{ID}]
suspended: [{ID}]
recorded_by: Test Officer
recorded: 2026-11-20
"""

URGENT = """\
id: DIS-2026-0001
kind: disclosure
date: 2026-11-21
urgent: true
requester: {organisation: Testshire Ambulance Service, name: A crew}
data: {en: A warning marker.}
purpose: {en: To protect the crew.}
decision: disclose
agreements_considered: [ISA-2099-0001]
recorded_by: Test Officer
recorded: 2026-11-21
"""


def test_every_warning_has_a_code(make_register):
    root = make_register({PATH: BARE_ISA, "agreements/ISP-2026-0002.yaml": BARE_PROTOCOL,
                          "incidents/INC-2026-0001.yaml": BREACH, "disclosures/DIS-2026-0001.yaml": URGENT})
    problems = store.load_register(root).problems
    assert not [p for p in problems if p.severity is Severity.ERROR], problems
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    assert warnings and all(p.code in RULES for p in warnings), [p for p in warnings if p.code not in RULES]
    seen = {p.code for p in warnings}
    assert {"ICO-01", "ICO-06", "DEA-02", "DSGA-01", "LAW-01", "PRO-01", "REC-01", "REF-01", "REF-02", "REF-03",
            "REF-04", "REF-05", "TR-01", "TR-02", "TR-03", "CASE-01"} <= seen
    for problem in warnings:  # each warning's code is one checked on its kind of record
        kind = {"agreements": None, "incidents": "incident", "disclosures": "disclosure"}[problem.path.split("/")[0]]
        assert (kind or ("protocol" if "ISP" in problem.path else "isa")) in RULES[problem.code].kinds, problem


def test_validate_prints_the_code_and_gives_it_in_json(make_register):
    root = make_register({PATH: without_contact()})
    result = run(root, "validate")
    assert f"{PATH}: warning: DEA-02 contact: {ID}: missing a contact point for the public" in result.output
    data = json.loads(run(root, "validate", "--json").output)
    [problem] = data["problems"]
    assert problem["code"] == "DEA-02" and problem["severity"] == "warning" and data["warnings"] == 1


# -- waivers -------------------------------------------------------------------------------------------------------

WAIVER = """\
waivers:
  # agreed at the partnership board
  - code: DEA-02
    reason: The partners publish one contact point for all their agreements, on the county's website
"""


def test_a_waiver_hides_the_warning_and_strict_passes(make_register):
    root = make_register({PATH: without_contact(WAIVER)})
    register = store.load_register(root)
    assert register.warnings == [] and register.errors == []
    [waived] = register.problems
    assert waived.severity is Severity.WAIVED and waived.code == "DEA-02" and waived.waiver.startswith("The partners")
    result = run(root, "validate", "--strict")
    assert result.exit_code == 0, result.output
    assert f"{PATH}: DEA-02 waived: The partners publish one contact point" in result.output
    assert "warning:" not in result.output and "0 error(s), 0 warning(s)" in result.output
    data = json.loads(run(root, "validate", "--strict", "--json").output)
    assert data["errors"] == data["warnings"] == 0
    [problem] = data["problems"]
    assert problem["severity"] == "waived" and problem["code"] == "DEA-02" and problem["waiver"].startswith("The ")


def test_strict_still_fails_on_a_warning_not_waived(make_register):
    text = without_contact(WAIVER).replace("areas: [Testshire]\n", "")  # DEA-03 too, not waived
    root = make_register({PATH: text})
    result = run(root, "validate", "--strict")
    assert result.exit_code == 1
    assert "DEA-03 areas:" in result.output and "DEA-02 waived:" in result.output


def test_a_waiver_hides_every_warning_of_its_code_and_no_other(make_register):
    text = complete_isa().replace("  fr: Titre en français\n", "").replace(
        "benefits:\n  en: Fewer people hurt at home.\n  fr: Moins de personnes blessées chez elles.\n",
        "benefits:\n  en: Fewer people hurt at home.\n")
    text += "waivers: [{code: TR-02, reason: The French texts follow once the board has agreed the English}]\n"
    problems = store.load_register(make_register({PATH: text})).problems
    assert sorted((p.field, p.severity.value) for p in problems) == [("benefits", "waived"), ("title", "waived")]


def test_a_waiver_is_not_content_and_the_writer_keeps_it(make_register):
    from isa_toolkit.model import Agreement
    from isa_toolkit.register import yamlio

    plain = Agreement.model_validate(yamlio.parse(without_contact()))
    waived = Agreement.model_validate(yamlio.parse(without_contact(WAIVER)))
    assert waived.waivers and waived.content_fingerprint() == plain.content_fingerprint()
    from isa_toolkit.register.merge import NOT_SIGNED_CONTENT

    assert "waivers" in NOT_SIGNED_CONTENT  # nor is it signed content to a sync's merge
    root = make_register({PATH: without_contact(WAIVER)})
    updated, commit = store.modify_agreement(
        root, ID, lambda a: (a.model_copy(update={"business_area": "Public protection"}), "business area set"),
        by="Test Officer")
    assert commit is not None
    text = (root / PATH).read_text(encoding="utf-8")
    assert "business_area: Public protection" in text
    assert "  # agreed at the partnership board\n  - code: DEA-02\n" in text  # as written, comment and all
    assert store.load_agreement(root, ID).waivers == waived.waivers
    # a waiver added by the toolkit is written too, and reads back the same
    more = [*waived.waivers, waived.waivers[0].model_copy(update={"code": "ICO-26", "reason": "Trained by the board"})]
    store.modify_agreement(root, ID, lambda a: (a.model_copy(update={"waivers": more}), "waiver added"),
                           by="Test Officer")
    assert store.load_agreement(root, ID).waivers == more


def test_a_waiver_without_a_reason_is_an_error(make_register):
    root = make_register({PATH: without_contact("waivers:\n  - code: DEA-02\n")})
    result = run(root, "validate")
    assert result.exit_code == 1
    assert re.search(rf"{PATH}:\d+: waivers\[0\]\.reason: ", result.output), result.output
    blank = make_register({PATH: without_contact("waivers:\n  - code: DEA-02\n    reason: '  '\n")})
    [error] = store.load_register(blank).errors
    assert error.field == "waivers[0].reason" and "blank" in error.message


def test_a_waiver_of_a_code_that_does_not_exist_is_an_error(make_register):
    text = without_contact("waivers:\n  - code: DEA-20\n    reason: We think so\n")
    root = make_register({PATH: text})
    register = store.load_register(root)
    [error] = register.errors
    assert error.field == "waivers[0].code" and error.line > 0
    assert "'DEA-20' is not the code of a warning" in error.message and "docs/register.md" in error.message
    assert [p.code for p in register.warnings] == ["DEA-02"]  # nothing was waived
    assert run(root, "validate").exit_code == 1


def test_a_waiver_that_cannot_apply_is_an_error(make_register):
    text = without_contact("waivers:\n"
                           "  - {code: DEA-02, reason: One contact point for all}\n"
                           "  - {code: DEA-02, reason: Said twice}\n"
                           "  - {code: ICO-06, reason: A protocol's scope}\n"
                           "  - {code: GIT-01, reason: Signed elsewhere}\n"
                           "  - {code: CASE-01, reason: Not an agreement's}\n")
    register = store.load_register(make_register({PATH: text}))
    errors = {p.field: p.message for p in register.errors}
    assert sorted(errors) == ["waivers[1].code", "waivers[2].code", "waivers[3].code", "waivers[4].code"]
    assert "waived twice" in errors["waivers[1].code"]
    assert "ICO-06 (missing the scope of the protocol" in errors["waivers[2].code"]
    assert "is not checked on an ISA, so there is nothing to waive" in errors["waivers[2].code"]
    assert "cannot be waived" in errors["waivers[3].code"]
    assert "is not checked on an ISA" in errors["waivers[4].code"]
    assert [p.severity for p in register.problems if p.code == "DEA-02"] == [Severity.WAIVED]


def test_case_records_waive_their_own_warnings(make_register):
    breach = BREACH + "waivers: [{code: CASE-01, reason: Sharing resumed by the board's decision of 2 December}]\n"
    urgent = URGENT + "waivers: [{code: REF-05, reason: The agreement was kept by the other service}]\n"
    root = make_register({PATH: complete_isa(), "incidents/INC-2026-0001.yaml": breach,
                          "disclosures/DIS-2026-0001.yaml": urgent})
    register = store.load_register(root)
    assert register.errors == [] and register.warnings == []
    assert sorted(p.code for p in register.problems if p.severity is Severity.WAIVED) == ["CASE-01", "REF-05"]
    assert run(root, "validate", "--strict").exit_code == 0
    wrong = URGENT + "waivers: [{code: ICO-01, reason: Not a disclosure's}]\n"
    [error] = store.load_register(make_register({"disclosures/DIS-2026-0001.yaml": wrong})).errors
    assert error.field == "waivers[0].code" and "one-off disclosure" in error.message


def test_a_disclosure_waiver_is_not_part_of_its_fingerprint():
    from isa_toolkit.model.disclosure import Disclosure
    from isa_toolkit.register import yamlio

    plain = Disclosure.model_validate(yamlio.parse(URGENT))
    waived = Disclosure.model_validate(yamlio.parse(URGENT + "waivers: [{code: REF-05, reason: Kept elsewhere}]\n"))
    assert waived.fingerprint == plain.fingerprint


def test_the_register_files_own_warnings_have_codes(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)}, classification=False)
    (root / "agreements" / "notes.txt").write_text("not a record")
    (root / "agreements" / "old").mkdir()
    output = run(root, "validate").output
    assert "classification.yaml: warning: REG-01" in output
    assert "agreements/old: warning: REG-02" in output and "agreements/notes.txt: warning: REG-03" in output
