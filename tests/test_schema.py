"""JSON Schema of the register's files (isa schema, and what isa init writes for editors) and of answers files:
right for the YAML files as they are written, and refusing what the toolkit refuses."""

from __future__ import annotations

import copy
import functools
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from isa_toolkit.cli import main
from isa_toolkit.register import yamlio
from isa_toolkit.register.schema import BY_NAME, DRAFT, SCHEMA_FOLDER, TARGETS, schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "register"
EXAMPLES = EXAMPLE / "examples"


def validator(value: dict) -> Draft202012Validator:
    Draft202012Validator.check_schema(value)
    return Draft202012Validator(value, format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def record_validator(name: str) -> Draft202012Validator:
    return validator(schema(name))


def errors(name: str, data) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in record_validator(name).iter_errors(data)]


def read(path: Path):
    """A file as the toolkit reads it (dates stay text, only true/false are booleans)."""
    return yamlio.parse(path.read_text(encoding="utf-8"))


def target_of(rel: str) -> str:
    """The schema of a file in a register, by the globs the editor settings map it with."""
    found = [t.name for t in TARGETS for pattern in t.files if Path(rel).match(pattern)]
    assert len(found) == 1, rel
    return found[0]


# -- the schemas ---------------------------------------------------------------------------------------------------


def test_each_schema_is_a_draft_2020_12_schema_with_its_id_and_title():
    from isa_toolkit.cli.schema import NAMES

    assert tuple(BY_NAME) == NAMES == ("agreement", "disclosure", "request", "incident", "register", "classification")
    for name in NAMES:
        value = schema(name)
        Draft202012Validator.check_schema(value)
        assert value["$schema"] == DRAFT == "https://json-schema.org/draft/2020-12/schema"
        assert value["$id"] == f"https://isa-toolkit.example/schema/{name}/1"
        assert value["title"] and value["description"] and value["type"] == "object"
        assert value["additionalProperties"] is False  # an unknown field is an error, as in the model


def test_text_per_language_is_what_the_file_holds():
    value = schema("agreement")
    localized = value["$defs"]["Localized"]
    assert value["properties"]["purpose"]["$ref"] == "#/$defs/Localized"
    assert localized["type"] == "object" and localized["additionalProperties"] is False
    assert "translated_from" in localized["properties"]
    check = Draft202012Validator({**localized, "$defs": value["$defs"]})
    assert check.is_valid({"en": "Text", "fr": "Texte", "translated_from": {"fr": "9c1e0b27d4aa"}})
    assert check.is_valid({"pt-BR": "Texto"})
    for wrong in ("Text", {}, {"translated_from": {"fr": "9c1e0b27d4aa"}}, {"EN": "Text"}, {"en": 12},
                  {"en": "Text", "translated_from": "9c1e0b27d4aa"}, {"en": "bidi \u202e override"}, ["en"]):
        assert not check.is_valid(wrong), wrong


def test_dates_are_strings_and_yes_no_fields_booleans():
    value = schema("agreement")
    start = value["properties"]["start_date"]["anyOf"][0]
    assert start["type"] == "string" and start["format"] == "date" and start["pattern"]
    assert value["$defs"]["DataItem"]["properties"]["personal"] == {"title": "Personal", "type": "boolean"}
    assert value["$defs"]["Transfers"]["properties"]["international"]["type"] == "boolean"
    assert schema("register")["properties"]["require_signed_commits"]["type"] == "boolean"
    assert "Localized" in schema("register")["$defs"] and "Localized" in schema("classification")["$defs"]


# -- files as written ----------------------------------------------------------------------------------------------


def test_every_example_record_and_the_settings_validate():
    files = sorted(p for p in EXAMPLE.rglob("*.yaml") if p.parent != EXAMPLES)
    checked = set()
    for path in files:
        rel = path.relative_to(EXAMPLE).as_posix()
        name = target_of(rel)
        assert errors(name, read(path)) == [], rel
        checked.add(name)
    assert {"agreement", "incident", "register", "classification"} <= checked


def run(root: Path, *args: str):
    result = CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_records_the_toolkit_writes_validate(tmp_path):
    """Every kind of record, as the toolkit writes it from the example answers, is valid under its schema."""
    root = tmp_path / "register"
    assert CliRunner().invoke(main, ["init", str(root), "--example"]).exit_code == 0
    run(root, "disclose", "new", "--answers", str(root / "examples" / "disclosure-answers.yaml"))
    run(root, "disclose", "new", "--urgent", "--answers", str(root / "examples" / "urgent-disclosure-answers.yaml"))
    run(root, "request", "new", "--answers", str(root / "examples" / "request-answers.yaml"))
    run(root, "request", "decide", "REQ-2026-0001", "--refuse", "--reason", "Counts by district could identify people")
    run(root, "incident", "new", "--answers", str(root / "examples" / "breach-answers.yaml"))
    run(root, "new", "--answers", str(root / "examples" / "new-isa-answers.yaml"), "--continue", "--reason",
        "A different flow: adults at risk from fire, not home fire safety visits")
    kinds = set()
    for path in sorted(p for folder in ("agreements", "disclosures", "requests", "incidents")
                       for p in (root / folder).glob("*.yaml")):
        rel = path.relative_to(root).as_posix()
        kinds.add(target_of(rel))
        assert errors(target_of(rel), read(path)) == [], rel
    assert kinds == {"agreement", "disclosure", "request", "incident"}


# -- files broken on purpose: refused by the schema as by the model -------------------------------------------------

AGREEMENT = EXAMPLE / "agreements" / "ISA-2024-0001.yaml"


def _set(data: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(data)
    node = out
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


_DELETE = object()
BROKEN = {
    "a yes/no field written NO": (("data_items", 0, "personal"), "NO"),
    "a yes/no field written yes": (("data_items", 0, "personal"), "yes"),
    "a yes/no field written 1": (("data_items", 0, "personal"), 1),
    "a date that does not exist": (("start_date",), "2026-13-45"),
    "a date written as a number": (("start_date",), 20260331),
    "a missing required field": (("purpose",), _DELETE),
    "an unknown field": (("purpse",), {"en": "A typo"}),
    "text per language written as a plain string": (("purpose",), "Share safeguarding concerns"),
    "text in a language that is not a code": (("title",), {"English": "A title"}),
    "a status that does not exist": (("status",), "alive"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_record_broken_on_purpose_fails_as_the_model_fails_it(case):
    from isa_toolkit.model import Agreement

    path, value = BROKEN[case]
    good = read(AGREEMENT)
    assert errors("agreement", good) == []
    Agreement.model_validate(good)
    broken = _set(good, path, value)
    with pytest.raises(ValidationError):
        Agreement.model_validate(broken)
    assert errors("agreement", broken), case


def test_a_day_out_of_range_fails_without_a_date_format_checker():
    """Editors that do not check formats still see 2026-13-45 refused (the schema's pattern)."""
    broken = _set(read(AGREEMENT), ("start_date",), "2026-13-45")
    assert not Draft202012Validator(schema("agreement")).is_valid(broken)


def test_what_the_model_accepts_the_schema_accepts():
    from isa_toolkit.model import Agreement

    good = read(AGREEMENT)
    for path, value in ((("purpose", "translated_from"), {"en": "000000000000"}),
                        (("data_items", 0, "personal"), False),
                        (("end_date",), "2031-12-31"),
                        (("waivers",), [{"code": "ICO-26", "reason": "Training is the lead partner's"}])):
        changed = _set(good, path, value)
        Agreement.model_validate(changed)
        assert errors("agreement", changed) == [], path


def test_broken_settings_fail():
    settings = read(EXAMPLE / "register.yaml")
    for path, value in ((("require_signed_commits",), "off"), (("languages",), "en"), (("name",), "Register"),
                        (("organistion",), "Typo")):
        assert errors("register", _set(settings, path, value)), path


# -- isa init and isa schema ---------------------------------------------------------------------------------------


def test_init_writes_the_schemas_and_the_editor_settings(tmp_path):
    root = tmp_path / "register"
    result = CliRunner().invoke(main, ["init", str(root), "--organisation", "Northshire County Council"])
    assert result.exit_code == 0, result.output
    settings = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping["./.isa/schema/agreement.schema.json"] == ["agreements/*.yaml"]
    assert mapping["./.isa/schema/register.schema.json"] == ["register.yaml"]
    assert len(mapping) == len(TARGETS)
    for key, globs in mapping.items():
        written = json.loads((root / key).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(written)
        assert written == schema(written["$id"].split("/")[-2]) and globs
    extensions = json.loads((root / ".vscode" / "extensions.json").read_text(encoding="utf-8"))
    assert extensions["recommendations"] == ["redhat.vscode-yaml"]
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert {".vscode/settings.json", ".vscode/extensions.json"} | {f"{SCHEMA_FOLDER}/{t.file_name}" for t in TARGETS} \
        <= set(tracked)
    assert errors("register", read(root / "register.yaml")) == []
    assert errors("classification", read(root / "classification.yaml")) == []
    assert run(root, "validate", "--strict").exit_code == 0


def test_isa_schema_prints_a_valid_json_schema(tmp_path):
    result = CliRunner().invoke(main, ["schema", "agreement"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    Draft202012Validator.check_schema(printed)
    assert printed == schema("agreement")
    listing = CliRunner().invoke(main, ["schema"]).output
    assert all(line.split()[0] in BY_NAME for line in listing.splitlines()) and len(listing.splitlines()) == 6
    result = CliRunner().invoke(main, ["schema", "--output", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(t.file_name for t in TARGETS)
    assert CliRunner().invoke(main, ["schema", "treaty"]).exit_code == 2


# -- answers files -------------------------------------------------------------------------------------------------


@functools.cache
def answers_schemas() -> dict[str, dict]:
    """The schema of each example answers file, from the questionnaire (and checklist) its step reads it with."""
    from isa_toolkit.cases import disclosures, requests
    from isa_toolkit.register.definitions import load_checklist
    from isa_toolkit.workflows.answers_schema import checklist_schema, questionnaire_schema
    from isa_toolkit.workflows.questionnaire import load_questionnaire

    disclosure = questionnaire_schema(load_questionnaire("disclosure"),
                                      checklist=load_checklist(disclosures.CHECKLIST), rationale=True)
    return {
        "new-isa": questionnaire_schema(load_questionnaire("isa")),
        "disclosure": disclosure,
        "urgent-disclosure": disclosure,
        "request": questionnaire_schema(load_questionnaire("request"), checklist=load_checklist(requests.CHECKLIST)),
        "breach": questionnaire_schema(load_questionnaire("incident")),
        "dpia-screening": checklist_schema(load_checklist("dpia_screening")),
        "risk-assessment": checklist_schema(load_checklist("risk_assessment")),
    }


def test_the_extra_keys_of_case_answers_are_those_the_steps_read():
    from isa_toolkit.cases import disclosures, requests

    schemas = answers_schemas()
    extra = {"criteria", "rationale"}
    assert extra & set(schemas["disclosure"]["properties"]) == set(disclosures.EXTRA_KEYS)
    assert extra & set(schemas["request"]["properties"]) == set(requests.EXTRA_KEYS)


def test_every_example_answers_file_validates():
    schemas = answers_schemas()
    files = sorted(EXAMPLES.glob("*-answers.yaml"))
    assert sorted(path.name.removesuffix("-answers.yaml") for path in files) == sorted(schemas)
    for path in files:
        value = schemas[path.name.removesuffix("-answers.yaml")]
        assert value["$schema"] == DRAFT and value["$id"].startswith("https://isa-toolkit.example/schema/answers/")
        found = [e.message for e in validator(value).iter_errors(read(path))]
        assert found == [], path.name


@pytest.mark.parametrize("key, value", [
    ("sharing_type", "weekly"),  # not a choice
    ("start_date", "2026-13-45"),
    ("owner_email", "not an address"),
    ("breach_hours", "seventy-two"),
    ("transfers_international", "maybe"),
    ("purpse", "A typo"),  # no such question
    ("parties", "Northshire Constabulary"),  # a group is a list of items
])
def test_an_answers_file_broken_on_purpose_fails_as_the_intake_fails_it(key, value):
    from isa_toolkit.workflows.intake import check_answers
    from isa_toolkit.workflows.questionnaire import load_questionnaire

    good = read(EXAMPLES / "new-isa-answers.yaml")
    broken = {**good, key: value}
    questionnaire = load_questionnaire("isa")
    assert check_answers(questionnaire, good, "en").problems == []
    assert check_answers(questionnaire, broken, "en").problems, key
    assert [e for e in validator(answers_schemas()["new-isa"]).iter_errors(broken)], key


def test_answers_the_intake_accepts_the_schema_accepts():
    from isa_toolkit.workflows.intake import check_answers
    from isa_toolkit.workflows.questionnaire import load_questionnaire

    good = read(EXAMPLES / "new-isa-answers.yaml")
    questionnaire = load_questionnaire("isa")
    for key, value in (("sharing_type", "Systematic"), ("transfers_international", "Non"), ("breach_hours", "48"),
                       ("areas", "Northshire; Southshire"), ("business_area", 2026.10), ("scope", None)):
        changed = {**good, key: value}
        assert check_answers(questionnaire, changed, "en").problems == [], key
        assert [e.message for e in validator(answers_schemas()["new-isa"]).iter_errors(changed)] == [], key
