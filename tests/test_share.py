"""The decision log: sharing only under an agreement in force."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from isa_toolkit import store
from isa_toolkit.cli import main

from .conftest import complete_isa, git

ID = "ISA-2026-0001"
ARGS = ["--what", "Address of a person at risk", "--to", "Testshire Fire & Rescue", "--purpose", "Home fire safety visit",
        "--consent", "yes", "--date", "2026-11-01", "--by", "Olu Officer"]


def test_a_decision_under_an_agreement_in_force_is_logged(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    before = store.load_agreement(root, ID).content_fingerprint()
    result = CliRunner().invoke(main, ["-R", str(root), "share", ID, *ARGS])
    assert result.exit_code == 0, result.output
    [decision] = store.load_agreement(root, ID).decisions
    assert (decision.to, decision.consent, str(decision.date)) == ("Testshire Fire & Rescue", "yes", "2026-11-01")
    assert git(root, "log", "-1", "--format=%s").startswith(f"{ID}: sharing decision: Address of a person at risk to")
    assert store.load_agreement(root, ID).content_fingerprint() == before  # the log is not signed content


@pytest.mark.parametrize(("status", "words"), [("suspended", "suspended while a breach"), ("draft", "a draft"),
                                                ("in_review", "it is in_review"), ("terminated", "it is terminated")])
def test_a_decision_under_an_agreement_not_in_force_is_refused(make_register, status, words):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID, status=status)})
    head, before = git(root, "rev-parse", "HEAD"), (root / f"agreements/{ID}.yaml").read_bytes()
    result = CliRunner().invoke(main, ["-R", str(root), "share", ID, *ARGS])
    assert result.exit_code == 1 and words in result.output
    assert git(root, "rev-parse", "HEAD") == head and (root / f"agreements/{ID}.yaml").read_bytes() == before
