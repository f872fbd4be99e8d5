"""Outputs (documents, packs, reminders) hold personal data: they never land where git would take them in."""

from __future__ import annotations

from click.testing import CliRunner

from isa_toolkit.cli import main

from .conftest import complete_isa, git

ID = "ISA-2026-0001"


def test_a_new_register_ignores_the_default_output_folders(tmp_path, monkeypatch):
    root = tmp_path / "reg"
    assert CliRunner().invoke(main, ["init", str(root), "--example"]).exit_code == 0
    assert "/documents/" in (root / ".gitignore").read_text()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["render", "ISA-2024-0001", "--format", "docx"])  # into ./documents
    assert result.exit_code == 0, result.output
    assert list((root / "documents").glob("*.docx"))
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_outputs_into_a_tracked_folder_are_refused_and_nothing_is_written(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})  # no .gitignore
    for args in (["render", ID, "--format", "docx", "-o", str(root / "agreements")],
                 ["render", ID, "--format", "docx", "-o", str(root / "out")],
                 ["review", "run", "--out", str(root / "reminders")]):
        result = CliRunner().invoke(main, ["-R", str(root), *args])
        assert result.exit_code == 1 and "inside the register" in result.output and "-o DIR" in result.output
    assert not (root / "out").exists() and not (root / "reminders").exists()
    assert sorted(p.name for p in (root / "agreements").iterdir()) == [f"{ID}.yaml"]
    (root / ".gitignore").write_text("/out/\n")
    ignored = CliRunner().invoke(main, ["-R", str(root), "render", ID, "--format", "docx", "-o", str(root / "out")])
    assert ignored.exit_code == 0, ignored.output
