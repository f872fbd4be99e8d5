"""Loading a register: every problem located, broken files never stopping the others; atomic, committed writes."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from isa_toolkit import store
from isa_toolkit.cli import main
from isa_toolkit.errors import InvalidId, StoreError
from isa_toolkit.model import Status

from .conftest import complete_isa, git

GOOD = "agreements/ISA-2026-0001.yaml"


def _by_path(register, rel):
    return [p for p in register.errors if p.path == rel]


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        pytest.param("id: ISA-2026-0002\nkind: isa\ntitle: {en: x\n", 4, "", "not valid YAML", id="malformed"),
        pytest.param(complete_isa("ISA-2026-0002").replace("version: '1.0'\n", "version: '1.0'\nkind: protocol\n"),
                     7, "", "duplicate key 'kind'", id="duplicate-key"),
        pytest.param(complete_isa("ISA-2026-0002", status="actve"), 7, "status", "'actve' is not allowed", id="unknown-status"),
        pytest.param(complete_isa("ISA-2026-0002").replace("start_date: 2025-01-10", "start_date: 2025-02-30"),
                     54, "start_date", "day value is outside expected range", id="impossible-date"),
        pytest.param(complete_isa("ISA-2026-0002").replace("    personal: true", "    personal: [yes]"),
                     32, "data_items[0].personal", "valid boolean", id="wrong-type"),
        pytest.param(complete_isa("ISA-2026-0002").replace("    role: recipient", "    role: processer"),
                     15, "parties[1].role", "'processer' is not allowed", id="unknown-role"),
        pytest.param(complete_isa("ISA-2026-0002").replace("areas:", "areaz:"),
                     24, "areaz", "unknown field", id="unknown-field"),
    ],
)
def test_bad_record_is_located_and_others_still_load(make_register, text, line, field, words):
    root = make_register({GOOD: complete_isa(), "agreements/ISA-2026-0002.yaml": text})
    register = store.load_register(root)

    assert set(register.agreements) == {"ISA-2026-0001"}
    problems = _by_path(register, "agreements/ISA-2026-0002.yaml")
    assert problems, register.problems
    assert any(p.line == line and p.field == field and words in p.message for p in problems), [str(p) for p in problems]

    result = CliRunner().invoke(main, ["-R", str(root), "validate"])
    assert result.exit_code == 1
    assert f"agreements/ISA-2026-0002.yaml:{line}:" in result.output
    assert "Traceback" not in result.output


def test_id_must_match_file_name(make_register):
    root = make_register({"agreements/ISA-2026-0009.yaml": complete_isa("ISA-2026-0001")})
    register = store.load_register(root)
    assert register.agreements == {}
    [problem] = register.errors
    assert (problem.path, problem.line, problem.field) == ("agreements/ISA-2026-0009.yaml", 1, "id")
    assert "differs from the file name" in problem.message


def test_non_mapping_and_non_utf8_files_are_problems(make_register):
    root = make_register({GOOD: complete_isa(), "agreements/ISA-2026-0002.yaml": "- just\n- a list\n"})
    (root / "agreements/ISA-2026-0003.yaml").write_bytes(b"id: \xff\xfe\n")
    register = store.load_register(root)
    messages = {p.path: p.message for p in register.errors}
    assert "mapping of fields" in messages["agreements/ISA-2026-0002.yaml"]
    assert "not UTF-8" in messages["agreements/ISA-2026-0003.yaml"]
    assert set(register.agreements) == {"ISA-2026-0001"}


def test_yaml_is_loaded_safely(make_register):
    evil = "!!python/object/apply:os.system ['touch pwned']\n"
    root = make_register({"agreements/ISA-2026-0002.yaml": evil})
    register = store.load_register(root)
    assert register.errors and "not valid YAML" in register.errors[0].message
    assert not (root / "pwned").exists()


def test_broken_settings_are_reported_and_records_still_load(make_register):
    root = make_register({GOOD: complete_isa()}, settings="name: {en: x}\norganisation: 5\nlanguages: [english]\n")
    register = store.load_register(root)
    assert "ISA-2026-0001" in register.agreements
    located = {(p.line, p.field) for p in register.errors if p.path == "register.yaml"}
    assert located == {(2, "organisation"), (3, "languages")}


# -- ids ------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["../x", "../../etc/passwd", "-x", "--help", ".git/config", ".git", "a/b", "a..b", "", "x" * 65])
def test_unsafe_ids_are_refused_before_anything_is_written(make_register, bad_id):
    root = make_register({GOOD: complete_isa()})
    head = git(root, "rev-parse", "HEAD")
    good = store.load_agreement(root, "ISA-2026-0001")
    with pytest.raises(InvalidId):
        store.save_agreement(root, good.model_copy(update={"id": bad_id}), change="x", by="Test")
    with pytest.raises(InvalidId):
        store.record_path(root, bad_id)
    assert git(root, "status", "--porcelain", "--ignored") == ""
    assert git(root, "rev-parse", "HEAD") == head
    assert not (root.parent / "x.yaml").exists()


def test_unsafe_id_on_the_command_line_is_a_clean_refusal(make_register):
    root = make_register({GOOD: complete_isa()})
    for args in (["show", "../x"], ["log", "--", "-x"], ["show", ".git/config"]):
        result = CliRunner().invoke(main, ["-R", str(root), *args])
        assert result.exit_code == 1, result.output
        assert "Error: record id" in result.output
        assert "Traceback" not in result.output


# -- writing ----------------------------------------------------------------------


def test_a_change_is_one_commit_with_a_structured_message(make_register):
    root = make_register({GOOD: complete_isa()})
    record = store.load_agreement(root, "ISA-2026-0001")
    commit = store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}),
                                  change="suspended\nwhile a breach is investigated", by="Jo Bloggs")
    assert commit
    assert git(root, "log", "-1", "--format=%s").strip() == (
        "ISA-2026-0001: suspended while a breach is investigated [by Jo Bloggs]"
    )
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [GOOD]
    assert git(root, "status", "--porcelain") == ""
    assert store.load_agreement(root, "ISA-2026-0001").status is Status.SUSPENDED


def test_round_trip_save_unchanged_changes_nothing(make_register):
    root = make_register({GOOD: "# kept by hand\n" + complete_isa()})
    head = git(root, "rev-parse", "HEAD")
    register = store.load_register(root)
    for agreement in register.agreements.values():
        assert store.save_agreement(root, agreement, change="saved", by="Test") is None
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "diff", "HEAD") == ""
    assert git(root, "rev-parse", "HEAD") == head


def test_a_change_keeps_comments_and_layout(make_register):
    text = "# Reviewed by the board in 2025.\n" + complete_isa().replace(
        "security:", "# the security clause was agreed with both IT teams\nsecurity:"
    )
    root = make_register({GOOD: text})
    record = store.load_agreement(root, "ISA-2026-0001")
    store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="suspended", by="T")
    diff = git(root, "diff", "HEAD~1", "--", GOOD)
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-status: active", "+status: suspended"]


def test_a_failed_commit_leaves_the_register_as_it_was(make_register):
    root = make_register({GOOD: complete_isa()})
    before = (root / GOOD).read_bytes()
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    record = store.load_agreement(root, "ISA-2026-0001")
    with pytest.raises(StoreError, match="refused by policy"):
        store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="x", by="T")
    with pytest.raises(StoreError):
        store.save_agreement(root, record.model_copy(update={"id": "ISA-2026-0005"}), change="new", by="T")
    assert (root / GOOD).read_bytes() == before
    assert not (root / "agreements/ISA-2026-0005.yaml").exists()
    assert git(root, "status", "--porcelain") == ""
    assert not store.load_register(root).errors


def test_modify_reads_under_the_lock_and_refusal_changes_nothing(make_register):
    root = make_register({GOOD: complete_isa()})
    from isa_toolkit.errors import IsaError

    def refuse(agreement):
        raise IsaError("not allowed")

    head = git(root, "rev-parse", "HEAD")
    with pytest.raises(IsaError):
        store.modify_agreement(root, "ISA-2026-0001", refuse, by="T")
    assert git(root, "rev-parse", "HEAD") == head

    updated, commit = store.modify_agreement(
        root, "ISA-2026-0001", lambda a: (a.model_copy(update={"version": "1.1"}), "version 1.1"), by="T"
    )
    assert commit and updated.version == "1.1"


def test_warm_load_uses_the_cache_and_sees_edits(make_register, monkeypatch):
    root = make_register({GOOD: complete_isa(), "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002")})
    import os
    import time

    old = time.time() - 10
    for path in (root / "agreements").glob("*.yaml"):
        os.utime(path, (old, old))
    first = store.load_register(root)
    assert (root / ".git/isa-cache.sqlite").exists()
    parsed = []
    real_parse = store.parse_agreement
    monkeypatch.setattr(store, "parse_agreement", lambda path, rel: parsed.append(rel) or real_parse(path, rel))
    second = store.load_register(root)
    assert parsed == []  # nothing re-parsed
    assert second.index == first.index and second.problems == first.problems
    assert dict(second.agreements.items()) == dict(first.agreements.items())
    assert parsed == []  # records were built from the cache, not from their files
    (root / "agreements/ISA-2026-0002.yaml").write_text(complete_isa("ISA-2026-0002", title="Changed by hand"))
    third = store.load_register(root)
    assert str(third.agreements["ISA-2026-0002"].title) == "Changed by hand"
    (root / "agreements/ISA-2026-0002.yaml").unlink()
    assert set(store.load_register(root).agreements) == {"ISA-2026-0001"}


def test_register_discovery(make_register, tmp_path, monkeypatch):
    root = make_register({GOOD: complete_isa()})
    nested = root / "agreements"
    assert store.find_register(start=nested) == root.resolve()
    monkeypatch.chdir(nested)
    result = CliRunner().invoke(main, ["list", "--json"], env={"ISA_REGISTER": None})
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["list"], env={"ISA_REGISTER": str(tmp_path / "nowhere")})
    assert result.exit_code == 1 and "is not a register" in result.output
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["list"], env={"ISA_REGISTER": None})
    assert result.exit_code == 1 and "no register here" in result.output


def test_git_fsck_is_clean_after_writes(make_register):
    root = make_register({GOOD: complete_isa()})
    record = store.load_agreement(root, "ISA-2026-0001")
    for version in ("1.1", "1.2", "1.3"):
        store.save_agreement(root, record.model_copy(update={"version": version}), change=f"version {version}", by="T")
    subprocess.run(["git", "fsck", "--strict"], cwd=root, check=True, capture_output=True)
