"""Every problem is located: a raw control character or bytes that are not UTF-8, in a record or an answers
file, at its file, line and field (not "position 2077"); a key given twice in a JSON answers file (which the json
module would keep the last of, silently) at its line and field, as in YAML."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main

from ..conftest import complete_isa

GOOD, BAD = "ISA-2026-0001", "ISA-2026-0002"
BAD_PATH = f"agreements/{BAD}.yaml"


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args])


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.mark.parametrize(("before", "after", "field"), [
    ("  en: Home fire safety visits", "  en: Home fire\x07 safety visits", "title.en"),
    ("  en: Home fire safety visits", "  en: Home \x00fire safety visits", "title.en"),
    ("  - name: {en: Address, fr: Adresse}", "  - name: {en: Addr\x1bess, fr: Adresse}", "data_items[0].name.en"),
    ("    role: recipient", "    role: recip\x7fient", "parties[1].role"),
], ids=["bell-in-title", "nul-in-title", "escape-in-a-list-item", "delete-in-a-party"])
def test_a_raw_control_character_in_a_record_is_located(make_register, before, after, field):
    text = complete_isa(BAD).replace(before, after)
    root = make_register({f"agreements/{GOOD}.yaml": complete_isa(GOOD), BAD_PATH: text})
    result = run(root, "validate")
    assert result.exit_code == 1
    code = next(char for char in after if ord(char) < 0x20 or ord(char) == 0x7F)
    expected = f"{BAD_PATH}:{line_of(text, after)}: {field}: holds U+{ord(code):04X}, a control character, at column "
    assert expected in result.output, result.output
    assert "position" not in result.output and "Traceback" not in result.output
    problems = json.loads(run(root, "validate", "--json").output)["problems"]
    assert any(p["record_id"] == BAD and p["field"] == field for p in problems), problems


def test_bytes_that_are_not_utf8_are_located(make_register, tmp_path):
    text = complete_isa(BAD)
    data = text.encode("utf-8").replace(b"Fewer people hurt", b"Fewer \xff people hurt")
    root = make_register({f"agreements/{GOOD}.yaml": complete_isa(GOOD)})
    (root / BAD_PATH).write_bytes(data)
    result = run(root, "validate")
    assert result.exit_code == 1
    expected = f"{BAD_PATH}:{line_of(text, 'Fewer people')}: benefits.en: not UTF-8 text: byte 0xFF at column 13"
    assert expected in result.output, result.output

    answers = tmp_path / "answers.yaml"
    answers.write_bytes(b"language: en\ntitle: Caf\xe9 visits\n")
    refused = run(root, "new", "--answers", str(answers))
    assert refused.exit_code == 1
    assert f"{answers}:2: title: not UTF-8 text: byte 0xE9 at column 11" in refused.output, refused.output
    assert "save it as UTF-8" in refused.output and "Traceback" not in refused.output


def test_a_raw_control_character_in_an_answers_file_is_located(make_register, tmp_path):
    root = make_register()
    answers = tmp_path / "answers.yaml"
    answers.write_text("language: en\nparties:\n  - organisation: Testshire\x07 Council\n", encoding="utf-8")
    result = run(root, "new", "--answers", str(answers))
    assert result.exit_code == 1
    expected = f"{answers}:3: parties[0].organisation: holds U+0007, a control character, at column 28"
    assert expected in result.output, result.output
    assert "position" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("text", "line", "field", "first"), [
    ('{\n  "language": "en",\n  "title": "One",\n  "title": "Two"\n}\n', 4, "title", 3),
    ('{\n\t"language": "en",\n\t"parties": [\n\t\t{"organisation": "A", "role": "discloser"},\n'
     '\t\t{"organisation": "B",\n\t\t "role": "recipient", "role": "discloser"}\n\t]\n}\n', 6, "parties[1].role", 6),
    ('{"language": "en", "title": "One", "\\u0074itle": "Two"}', 1, "title", 1),
], ids=["top-level", "in-a-group-item", "same-key-escaped"])
def test_a_duplicate_key_in_a_json_answers_file_is_refused_at_its_line(make_register, tmp_path, text, line, field,
                                                                      first):
    root = make_register()
    answers = tmp_path / "answers.json"
    answers.write_text(text, encoding="utf-8")
    result = run(root, "new", "--answers", str(answers))
    assert result.exit_code == 1
    expected = f"{answers}:{line}: {field}: duplicate key '{field.split('.')[-1]}' (first given on line {first})"
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    # As in a YAML answers file, which was refused at its line already.
    same = tmp_path / "answers.yaml"
    same.write_text("language: en\ntitle: One\ntitle: Two\n", encoding="utf-8")
    assert f"{same}:3: title: duplicate key 'title' (first given on line 2)" in run(root, "new", "--answers", str(same)).output
