"""The decision log: sharing only under an agreement in force."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main

from .conftest import complete_isa, git

ID = "ISA-2026-0001"
ARGS = ["--what", "Address of a person at risk", "--to", "Testshire Council", "--purpose", "Home fire safety visit",
        "--consent", "yes", "--date", "2026-11-01", "--by", "Olu Officer"]


def test_a_decision_under_an_agreement_in_force_is_logged(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    before = store.load_agreement(root, ID).content_fingerprint()
    result = CliRunner().invoke(main, ["-R", str(root), "share", ID, *ARGS])
    assert result.exit_code == 0, result.output
    [decision] = store.load_agreement(root, ID).decisions
    assert (decision.to, decision.consent, str(decision.date)) == ("Testshire Council", "yes", "2026-11-01")
    assert "rationale" not in (root / f"agreements/{ID}.yaml").read_text()  # nothing written that was not given
    shown = CliRunner().invoke(main, ["-R", str(root), "show", ID]).output
    assert "Sharing decisions (isa share):" in shown and "Address of a person at risk to Testshire Council" in shown
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


def share(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), "share", ID, *args])


def unchanged(root):
    return git(root, "rev-parse", "HEAD"), (root / f"agreements/{ID}.yaml").read_bytes()


@pytest.mark.parametrize("status", ["active", "review_due", "under_review"])
def test_an_agreement_in_force_or_under_review_can_be_shared_under(make_register, status):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID, status=status)})
    assert share(root, *ARGS).exit_code == 0


def test_a_decision_dated_when_the_agreement_was_not_in_force_is_refused(make_register):
    history = ("history:\n"
               "  - {date: 2026-10-01, from: active, to: suspended, by: Olu Officer, reason: breach INC-2026-0001}\n"
               "  - {date: 2026-10-20, from: suspended, to: active, by: Olu Officer, reason: breach resolved}\n")
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID) + history})
    before = unchanged(root)
    dated = [a if a != "2026-11-01" else "2026-10-05" for a in ARGS]
    result = share(root, *dated)
    assert result.exit_code == 1 and "on 2026-10-05: it was suspended on 2026-10-05" in result.output
    early = [a if a != "2026-11-01" else "2025-01-01" for a in ARGS]
    result = share(root, *early)
    assert result.exit_code == 1 and "it came into force on 2025-01-10, after 2025-01-01" in result.output
    future = [a if a != "2026-11-01" else "2099-01-01" for a in ARGS]
    assert "in the future" in share(root, *future).output
    assert unchanged(root) == before
    assert share(root, *[a if a != "2026-11-01" else "2026-10-25" for a in ARGS]).exit_code == 0  # in force again


def test_sharing_with_someone_outside_the_agreement_is_refused(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    before = unchanged(root)
    outside = [a if a != "Testshire Council" else "Daily Gazette newspaper" for a in ARGS]
    result = share(root, *outside)
    assert result.exit_code == 1 and "'Daily Gazette newspaper' is not a party to ISA-2026-0001" in result.output
    assert "isa disclose new" in result.output and unchanged(root) == before
    # The party, written differently or as a unit of it, is the party; words of its name in another order are not.
    for name in ("testshire council", "The Testshire Council Housing Team"):
        assert share(root, *[a if a != "Testshire Council" else name for a in ARGS]).exit_code == 0, name
    for name in ("Council Testshire", "Not Testshire Council", "Testshire"):
        assert share(root, *[a if a != "Testshire Council" else name for a in ARGS]).exit_code == 1, name


def test_a_part_of_a_party_named_in_brackets_is_that_party():
    from isa_toolkit.cases.share import is_party
    from isa_toolkit.model import Agreement
    from isa_toolkit.register.yamlio import parse

    agreement = Agreement.model_validate(parse(complete_isa(ID).replace(
        "organisation: Testshire Council", "organisation: Testshire County Council (Children's Services)")))
    for name, expected in (("Children's Services", True), ("Testshire County Council", True),
                           ("testshire county council (children's services)", True), ("County Council", False),
                           ("Testshire Services", False), ("Children's", False)):
        assert is_party(agreement, name) is expected, name


def test_sharing_without_consent_needs_a_rationale_and_names_stay_on_one_line(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    before = unchanged(root)
    without = [a if a != "yes" else "no" for a in ARGS]
    result = share(root, *without)
    assert result.exit_code == 1 and "sharing without consent needs its reason recorded: add --rationale" in result.output
    for option, value, words in (("--by", "Olu\nCo-authored-by: x", "--by: must be on one line"),
                                 ("--what", "An address\u0007", "--what: holds the control character U+0007"),
                                 ("--what", "   ", "--what: is blank")):
        args = [*ARGS[:ARGS.index(option)], option, value, *ARGS[ARGS.index(option) + 2:]] if option in ARGS else [*ARGS, option, value]
        result = share(root, *args)
        assert result.exit_code == 1 and words in result.output and "Traceback" not in result.output, result.output
    assert unchanged(root) == before
    result = share(root, *without, "--rationale", "Asking would alert the person who poses the risk")
    assert result.exit_code == 0
    assert store.load_agreement(root, ID).decisions[0].rationale == "Asking would alert the person who poses the risk"
