"""What was signed is what counts: a change to the content made by hand, without an amendment, makes the
sign-offs given for the earlier content stale everywhere (the chain, the lifecycle, the status, validation)."""

from __future__ import annotations

from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main

from ..conftest import git
from ..test_signoff import DEFAULT_CHAIN, ID, PATH, expected, record


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args])


def test_a_hand_edit_after_signing_leaves_the_signatures_stale_and_activation_refused(make_register):
    root = make_register({PATH: record()})
    for role, organisation in DEFAULT_CHAIN:
        args = ["signoff", ID, "--role", role, "--name", expected(role, organisation), "--approve", "--date",
                "2026-10-15"]
        assert run(root, *args + (["--organisation", organisation] if organisation else [])).exit_code == 0
    assert store.load_agreement(root, ID).status.value == "signed"
    # The retention period changed by hand and committed, with no amendment and no new version.
    path = root / PATH
    path.write_text(path.read_text().replace("period: {en: Two years., fr: Deux ans.}",
                                             "period: {en: Ten years., fr: Dix ans.}"))
    git(root, "commit", "-qam", "longer retention")
    refused = run(root, "activate", ID)
    assert refused.exit_code == 1, refused.output
    assert "Traceback" not in refused.output
    assert "given for text the record no longer holds" in refused.output and "isa amend" in refused.output
    assert store.load_agreement(root, ID).status.value == "signed"
    status = run(root, "status", ID)
    assert "as it read before a change made without an amendment" in status.output
    assert "All sign-offs are in" not in status.output
    validated = run(root, "validate")
    assert validated.exit_code == 1
    line = next(line for line in validated.output.splitlines() if "no longer count" in line)
    assert line.startswith(f"{PATH}:") and "isa amend" in line and "restore the signed text" in line
    # Restoring the signed text makes the signatures count again.
    git(root, "revert", "--no-edit", "HEAD")
    assert run(root, "validate").exit_code == 0
    assert run(root, "activate", ID).exit_code == 0
