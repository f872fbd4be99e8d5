"""Loading a register: every problem located, broken files never stopping the others; atomic, committed writes."""

from __future__ import annotations

import subprocess

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.errors import InvalidId, StoreError
from isa_toolkit.model import Status

from .conftest import complete_isa, git

GOOD = "agreements/ISA-2026-0001.yaml"


def _by_path(register, rel):
    return [p for p in register.errors if p.path == rel]


def line_of(start: str) -> int:
    """The line of the complete ISA that starts with ``start`` (1-based)."""
    return next(n for n, line in enumerate(complete_isa("ISA-2026-0002").splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        pytest.param("id: ISA-2026-0002\nkind: isa\ntitle: {en: x\n", 4, "", "not valid YAML", id="malformed"),
        pytest.param(complete_isa("ISA-2026-0002").replace("version: '1.0'\n", "version: '1.0'\nkind: protocol\n"),
                     7, "kind", "duplicate key 'kind' (first given on line 2)", id="duplicate-key"),
        pytest.param(complete_isa("ISA-2026-0002", status="actve"), 7, "status", "'actve' is not allowed", id="unknown-status"),
        pytest.param(complete_isa("ISA-2026-0002").replace("start_date: 2025-01-10", "start_date: 2025-02-30"),
                     line_of("start_date: 2025-01-10"), "start_date", "day value is outside expected range",
                     id="impossible-date"),
        pytest.param(complete_isa("ISA-2026-0002").replace("    personal: true", "    personal: [yes]"),
                     line_of("    personal: true"), "data_items[0].personal", "valid boolean", id="wrong-type"),
        pytest.param(complete_isa("ISA-2026-0002").replace("    role: recipient", "    role: processer"),
                     line_of("    role: recipient"), "parties[1].role", "'processer' is not allowed", id="unknown-role"),
        pytest.param(complete_isa("ISA-2026-0002").replace("areas:", "areaz:"),
                     line_of("areas:"), "areaz", "unknown field", id="unknown-field"),
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


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("!!python/object/apply:os.system ['touch pwned']\n", "tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"),
        ('id: x\nrisk: !!binary "/w=="\n', "tag tag:yaml.org,2002:binary is not allowed"),
        ("id: x\nareas: !!set {a, b}\n", "tag tag:yaml.org,2002:set is not allowed"),
        # An alias bomb: ten levels of ten aliases would be ten billion items once expanded.
        ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)) + "extra: *a9\n",
         "anchors and aliases"),
        ("id: x\nkind: " + "[" * 30000 + "]" * 30000 + "\n", "nested more than 40 levels deep"),
        ("id: x\nkind:\n" + "".join("  " * i + "- \n" for i in range(1, 60)), "nested"),
        ("id: x\nkind: " + "[a, " * 100_000 + "]" * 100_000 + "\n", "nested more than 40 levels deep"),
        ("id: x\npurpose: {en: '" + "x" * (1 << 20) + "'}\n", "larger than 1 MiB"),
    ],
)
def test_hostile_yaml_is_refused_and_others_still_load(make_register, text, words):
    root = make_register({GOOD: complete_isa(), "agreements/ISA-2026-0002.yaml": text})
    register = store.load_register(root)
    assert set(register.agreements) == {"ISA-2026-0001"}
    [problem] = register.errors
    assert problem.path == "agreements/ISA-2026-0002.yaml" and words in problem.message, problem
    assert not (root / "pwned").exists()
    result = CliRunner().invoke(main, ["-R", str(root), "list"])
    assert result.exit_code == 0 and "ISA-2026-0001" in result.output


def test_yaml_1_2_scalars_survive_a_write(make_register):
    """Text that YAML 1.1 would read as a boolean or a number (Norway's code, "yes", 12:30) stays text."""
    root = make_register({GOOD: complete_isa().replace("areas: [Testshire]", "areas: [NO, 'yes', '12:30', '0755']")})
    record = store.load_agreement(root, "ISA-2026-0001")
    assert record.areas == ["NO", "yes", "12:30", "0755"]
    changed = record.model_copy(update={"areas": ["NO", "yes", "12:30", "0755", "off"], "contact": "12:30"})
    store.save_agreement(root, changed, change="areas", by="T")
    again = store.load_agreement(root, "ISA-2026-0001")
    assert again.areas == ["NO", "yes", "12:30", "0755", "off"] and again.contact == "12:30"


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("start_date: 2025-01-10", "start_date: 0", "write dates as YYYY-MM-DD"),
        ("start_date: 2025-01-10", "start_date: 2025-01-10T10:00:00", "write dates as YYYY-MM-DD"),
        ("  interval_months: 12", "  interval_months: true", "valid integer"),
        ("  interval_months: 12", "  interval_months: '12'", "valid integer"),
        ("version: '1.0'", "version: 1.10", "put the value in quotes (YAML reads 1.10 as the number 1.1)"),
    ],
)
def test_values_of_the_wrong_type_are_not_converted(make_register, old, new, words):
    text = complete_isa()
    assert old in text
    root = make_register({GOOD: text.replace(old, new)})
    problems = store.load_register(root).errors
    assert any(words in problem.message for problem in problems), problems


def test_unusual_files_in_the_agreements_folder(make_register, tmp_path):
    root = make_register({GOOD: complete_isa()})
    secret = tmp_path / "secret.yaml"
    secret.write_text("token: hunter2-very-secret\n")
    (root / "agreements/ISA-2026-0002.yaml").symlink_to(secret)
    (root / "agreements/ISA-2026-0003.yaml").mkdir()
    (root / "agreements/notes").mkdir()
    (root / "agreements/README.txt").write_text("notes\n")
    (root / "agreements").joinpath(b"\xff.yaml".decode("utf-8", "surrogateescape")).write_text("id: x\n")
    register = store.load_register(root)
    messages = {p.path: (p.severity.value, p.message) for p in register.problems}
    assert messages["agreements/ISA-2026-0002.yaml"] == ("error", "is a symbolic link; a record must be a plain file in the register")
    assert messages["agreements/ISA-2026-0003.yaml"][0] == "error"
    assert messages["agreements/notes"][0] == "warning" and messages["agreements/README.txt"][0] == "warning"
    assert any("not UTF-8" in m for _, m in messages.values())
    result = CliRunner().invoke(main, ["-R", str(root), "validate", "--json"])
    assert "hunter2" not in result.output and result.exit_code == 1
    assert set(register.agreements) == {"ISA-2026-0001"}


def test_broken_settings_are_reported_and_records_still_load(make_register):
    root = make_register({GOOD: complete_isa()}, settings="name: {en: x}\norganisation: 5\nlanguages: [english]\n")
    register = store.load_register(root)
    assert "ISA-2026-0001" in register.agreements
    located = {(p.line, p.field) for p in register.errors if p.path == "register.yaml"}
    assert located == {(2, "organisation"), (3, "languages")}


# -- ids ------------------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["../x", "../../etc/passwd", "-x", "--help", ".git/config", ".git", "a/b", "a..b", "", "x" * 65,
                                    "ISA-2026-0009\n", "ISA 2026", "ISA-2026-0009.yaml/.."])
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
    from isa_toolkit.register import load

    real_parse = load.parse_record
    monkeypatch.setattr(load, "parse_record", lambda path, rel, kind: parsed.append(rel) or real_parse(path, rel, kind))
    second = store.load_register(root)
    assert parsed == []  # nothing re-parsed
    assert second.index == first.index and second.problems == first.problems
    assert dict(second.agreements.items()) == dict(first.agreements.items())
    assert parsed == []  # records were built from the cache, not from their files
    (root / "agreements/ISA-2026-0002.yaml").write_text(complete_isa("ISA-2026-0002", title="Changed by hand"))
    third = store.load_register(root)
    assert parsed == ["agreements/ISA-2026-0002.yaml"]  # only the changed file is parsed again
    assert str(third.agreements["ISA-2026-0002"].title) == "Changed by hand"
    (root / "agreements/ISA-2026-0002.yaml").unlink()
    assert set(store.load_register(root).agreements) == {"ISA-2026-0001"}


def test_the_cache_is_dropped_when_any_of_the_toolkits_sources_changes():
    from isa_toolkit.register.cache import PACKAGE, sources

    names = {path.relative_to(PACKAGE).as_posix() for path in sources()}
    assert {"model/agreement.py", "model/checklist.py", "register/checks.py", "workflows/lifecycle.py"} <= names
    assert not any(name.startswith("_data/") for name in names)


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


def test_writes_keep_permissions_line_endings_and_byte_order_mark(make_register):
    import os

    text = "\ufeff" + complete_isa().replace("\n", "\r\n")
    root = make_register({})
    (root / "agreements").mkdir()
    (root / GOOD).write_bytes(text.encode("utf-8"))
    os.chmod(root / GOOD, 0o664)
    git(root, "add", GOOD)
    git(root, "commit", "-q", "-m", "crlf record")
    record = store.load_agreement(root, "ISA-2026-0001")
    store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="suspended", by="T")
    data = (root / GOOD).read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\nstatus: suspended\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert oct(os.stat(root / GOOD).st_mode & 0o777) == "0o664"
    changed = [line for line in git(root, "diff", "HEAD~1", "--", GOOD).splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 2


def test_a_failed_commit_restores_the_exact_bytes(make_register):
    import os

    root = make_register({})
    (root / "agreements").mkdir()
    original = ("# hand-written\r\n" + complete_isa().replace("\n", "\r\n")).encode()
    (root / GOOD).write_bytes(original)
    os.chmod(root / GOOD, 0o640)
    git(root, "add", GOOD)
    git(root, "commit", "-q", "-m", "record")
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    record = store.load_agreement(root, "ISA-2026-0001")
    with pytest.raises(StoreError):
        store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="x", by="T")
    assert (root / GOOD).read_bytes() == original
    assert oct(os.stat(root / GOOD).st_mode & 0o777) == "0o640"
    assert git(root, "status", "--porcelain") == ""


def test_uncommitted_changes_to_a_record_are_never_committed_under_another_name(make_register):
    root = make_register({GOOD: complete_isa()})
    (root / GOOD).write_text(complete_isa(title="Edited by hand"))
    record = store.load_agreement(root, "ISA-2026-0001")
    with pytest.raises(StoreError, match="has changes that are not committed"):
        store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="x", by="Bob")
    assert "Edited by hand" in (root / GOOD).read_text()
    assert git(root, "log", "-1", "--format=%s").strip() == "Test register [by Test]"


def test_a_stale_git_lock_is_explained(make_register, monkeypatch):
    from isa_toolkit.register import vcs

    monkeypatch.setattr(vcs, "LOCK_RETRIES", 2)
    root = make_register({GOOD: complete_isa()})
    (root / ".git/index.lock").write_text("")
    record = store.load_agreement(root, "ISA-2026-0001")
    with pytest.raises(StoreError, match="If no git command is running .* remove that file and try again"):
        store.save_agreement(root, record.model_copy(update={"status": Status.SUSPENDED}), change="x", by="T")
    assert (root / GOOD).read_text() == complete_isa()


def test_the_writer_changes_only_what_changed_in_every_example_record():
    """Writing a record back over itself (through the merge) gives the file byte for byte."""
    from isa_toolkit.model import Agreement
    from isa_toolkit.register import yamlio
    from isa_toolkit.resources import shipped

    for path in sorted((shipped("example_register") / "agreements").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        record = Agreement.model_validate(yamlio.parse(text))
        assert yamlio.update(text, store.to_plain(record)) == text, path.name


def test_a_record_that_breaks_after_loading_is_left_out(make_register):
    import os
    import time

    root = make_register({GOOD: complete_isa(), "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002")})
    old = time.time() - 10
    for path in (root / "agreements").glob("*.yaml"):
        os.utime(path, (old, old))
    store.load_register(root)
    register = store.load_register(root)  # warm: records not built yet
    (root / "agreements/ISA-2026-0002.yaml").write_text("id: [\n")
    import sqlite3

    sqlite3.connect(root / ".git/isa-cache.sqlite").execute("DELETE FROM records WHERE rel LIKE '%0002%'").connection.commit()
    assert [a.id for a in register.agreements.values()] == ["ISA-2026-0001"]
