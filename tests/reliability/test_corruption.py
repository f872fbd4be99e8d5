"""A damaged git repository is reported, never written over: a write reads back what it rests on, `isa validate`
fails on it and `isa doctor` says what is damaged and how to restore it."""

from __future__ import annotations

import os

from click.testing import CliRunner

from isa_toolkit.cli import main

from ..conftest import complete_isa, git

ID = "ISA-2026-0001"
OTHER = "ISA-2026-0002"


def corrupt(root, rev: str) -> None:
    """Overwrite the loose object ``rev`` names with bytes that are not a git object."""
    oid = git(root, "rev-parse", rev).strip()
    path = root / ".git" / "objects" / oid[:2] / oid[2:]
    os.chmod(path, 0o644)
    path.write_bytes(b"not a git object any more")


def state(root):
    return git(root, "rev-parse", "HEAD"), (root / "agreements" / f"{ID}.yaml").read_bytes(), \
        git(root, "status", "--porcelain")


def test_a_write_over_a_corrupt_record_is_refused_and_changes_nothing(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    corrupt(root, f"HEAD:agreements/{ID}.yaml")
    before = state(root)
    result = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org",
                                       "--detail", "New contact"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "repository" in result.output and "is damaged" in result.output and "nothing was written" in result.output
    assert "isa doctor" in result.output and "remote is the backup" in result.output
    assert state(root) == before


def test_a_write_over_a_corrupt_tree_is_refused(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    corrupt(root, "HEAD:agreements")
    result = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org",
                                       "--detail", "New contact"])
    assert result.exit_code == 1 and "is damaged" in result.output


def test_validate_and_doctor_report_a_corrupt_object_of_any_record(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID), f"agreements/{OTHER}.yaml": complete_isa(OTHER)})
    clean = CliRunner().invoke(main, ["-R", str(root), "validate"])
    assert clean.exit_code == 0, clean.output
    corrupt(root, f"HEAD:agreements/{OTHER}.yaml")

    validated = CliRunner().invoke(main, ["-R", str(root), "validate"])
    assert validated.exit_code == 1
    assert ".git: the git repository is damaged" in validated.output and "isa doctor" in validated.output

    doctor = CliRunner().invoke(main, ["-R", str(root), "doctor"])
    assert doctor.exit_code == 1 and "Traceback" not in doctor.output
    line = next(line for line in doctor.output.splitlines() if line.startswith("error: repository"))
    assert git(root, "rev-parse", f"HEAD:agreements/{OTHER}.yaml").strip() in line
    assert "clone it afresh" in line


def test_doctor_on_a_healthy_register_says_each_check_passed(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    result = CliRunner().invoke(main, ["-R", str(root), "doctor", "--json"])
    assert result.exit_code == 0, result.output
    import json

    findings = {f["check"]: f["severity"] for f in json.loads(result.output)["findings"]}
    assert {check: findings[check] for check in ("git", "repository", "interrupted writes", "merge", "git locks",
                                                 "uncommitted changes", "shared copy", "unpushed commits")} == {
        "git": "ok", "repository": "ok", "interrupted writes": "ok", "merge": "ok", "git locks": "ok",
        "uncommitted changes": "ok", "shared copy": "warning", "unpushed commits": "ok"}
    assert {"PDF (Pango)", "fonts", "font subsetting", "LibreOffice"} <= set(findings)
    (root / "agreements" / f"{ID}.yaml").write_text(complete_isa(ID).replace("Two years.", "Three years."))
    edited = CliRunner().invoke(main, ["-R", str(root), "doctor"])
    assert f"warning: uncommitted changes: changed and not committed: agreements/{ID}.yaml" in edited.output
