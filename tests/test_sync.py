"""A register shared by a team through a git remote: real bare repositories, several clones, nothing lost."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main

from .conftest import complete_isa, git

ID = "ISA-2026-0001"
SHARE = ["--what", "Address of a person at risk", "--to", "Testshire Council", "--consent", "yes"]
ANSWERS = Path(__file__).parent.parent / "register" / "examples" / "new-isa-answers.yaml"


def isa(root: Path, *args: str):
    return CliRunner().invoke(main, ["-R", str(root), *args])


@pytest.fixture
def team(tmp_path, make_register):
    """A bare remote holding a register, and a function that makes another officer's clone of it."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    git(remote, "config", "core.logAllRefUpdates", "always")  # the remote's reflog shows any forced update
    first = make_register({f"agreements/{ID}.yaml": complete_isa(ID),
                           "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002", title="Second")})
    git(first, "remote", "add", "origin", str(remote))
    assert isa(first, "sync").exit_code == 0
    clones = []

    def clone(name: str) -> Path:
        folder = tmp_path / name
        result = CliRunner().invoke(main, ["clone", str(remote), str(folder)])
        assert result.exit_code == 0, result.output
        clones.append(folder)
        return folder

    return remote, clone


def records(root: Path) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted((root / "agreements").glob("*.yaml"))}


def test_sync_sends_and_receives_and_says_so(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    assert isa(a, "share", ID, *SHARE, "--purpose", "From A", "--by", "A").exit_code == 0
    result = isa(a, "sync")
    assert result.exit_code == 0 and "1 commit(s) sent, 0 received" in result.output, result.output
    result = isa(b, "sync")
    assert result.exit_code == 0 and "0 commit(s) sent, 1 received" in result.output, result.output
    assert records(a) == records(b)
    status = isa(b, "sync", "--status", "--json")
    assert json.loads(status.output)["unpushed"] == 0


def test_two_clones_drafting_offline_get_two_ids_and_a_sent_number_never_changes(team, tmp_path):
    remote, clone = team
    a, b = clone("a"), clone("b")
    for root in (a, b):
        made = isa(root, "new", "--answers", str(ANSWERS), "--continue", "--reason", "Another flow",
                   "--by", f"Officer {root.name}")
        assert made.exit_code == 0, made.output
    assert "ISA-2026-0003" in records(a) and "ISA-2026-0003" in records(b)
    assert isa(a, "sync").exit_code == 0
    result = isa(b, "sync")
    assert result.exit_code == 0, result.output
    assert "Renumbered ISA-2026-0003 -> ISA-2026-0004" in result.output
    assert isa(a, "sync").exit_code == 0
    assert records(a) == records(b) and sorted(records(a)) == [ID, "ISA-2026-0002", "ISA-2026-0003", "ISA-2026-0004"]
    assert "id: ISA-2026-0004" in records(b)["ISA-2026-0004"]
    assert git(b, "log", "-1", "--format=%s", "--", "agreements/ISA-2026-0004.yaml").startswith("ISA-2026-0004:")

    # A draft whose copy went out for signature keeps its number: a person decides.
    for root in (a, b):
        assert isa(root, "new", "--answers", str(ANSWERS), "--continue", "--reason", "Again",
                   "--by", f"Officer {root.name}").exit_code == 0
    path = b / "agreements" / "ISA-2026-0005.yaml"
    record = store.load_agreement(b, "ISA-2026-0005")
    sent = {"version": record.version, "stage": 1, "role": "partner_signatory",
            "name": "Helen Marsh", "language": "en", "field": "sig1", "sha256": "0" * 64, "date": "2026-11-02",
            "by": "O"}
    store.save_agreement(b, record.model_validate({**store.to_plain(record), "sent": [sent]}), change="sent",
                         by="O")
    assert isa(a, "sync").exit_code == 0
    stopped = isa(b, "sync")
    assert stopped.exit_code == 1 and "ISA-2026-0005 id" in stopped.output and "must not change" in stopped.output
    assert "id: ISA-2026-0005" in path.read_text()  # nothing renamed


def test_the_same_field_changed_twice_is_a_conflict_for_a_person(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    # Different fields outside the signed content merge.
    assert isa(a, "review", "start", ID, "--by", "A").exit_code == 0
    assert isa(b, "share", ID, *SHARE, "--purpose", "From B", "--by", "B").exit_code == 0
    assert isa(a, "sync").exit_code == 0 and isa(b, "sync").exit_code == 0 and isa(a, "sync").exit_code == 0
    merged = store.load_agreement(b, ID)
    assert merged.review.started is not None and merged.decisions[-1].purpose == "From B"

    # Signed content changed on both sides never merges, even in different fields.
    for root, field, value in ((a, "contact", "a@example.org"), (b, "retention.period", "Five years.")):
        text = (root / "agreements" / f"{ID}.yaml").read_text()
        if field == "contact":
            text = text.replace("contact: information.sharing@example.org", f"contact: {value}")
        else:
            text = text.replace("Two years.", value)
        (root / "agreements" / f"{ID}.yaml").write_text(text)
        git(root, "commit", "-q", "-am", f"{ID}: {field}")
    assert isa(a, "sync").exit_code == 0
    before = records(b)
    stopped = isa(b, "sync")
    assert stopped.exit_code == 1, stopped.output
    assert f"{ID} contact: signed content changed on both sides" in stopped.output
    assert "theirs: 'a@example.org'" in stopped.output
    assert records(b) == before  # nothing overwritten
    shown = isa(b, "conflicts", "--json")
    fields = {c["field"] for c in json.loads(shown.output)["conflicts"]}
    assert fields == {"contact", "retention"}
    assert isa(b, "resolve", ID, "contact", "--theirs").exit_code == 0
    assert isa(b, "resolve", ID, "retention", "--ours").exit_code == 0
    done = isa(b, "sync")
    assert done.exit_code == 0, done.output
    final = store.load_agreement(b, ID)
    assert final.contact == "a@example.org" and "Five years." in final.retention.period.get("en")
    assert isa(a, "sync").exit_code == 0 and records(a) == records(b)


def test_offline_commits_are_kept_counted_and_sent_later(team, tmp_path):
    remote, clone = team
    a = clone("a")
    moved = tmp_path / "elsewhere.git"
    remote.rename(moved)  # the forge is unreachable
    assert isa(a, "share", ID, *SHARE, "--purpose", "Offline", "--by", "A").exit_code == 0
    result = isa(a, "sync")
    assert result.exit_code == 1 and "could not be reached" in result.output
    assert "1 commit(s) not pushed yet, kept here" in result.output
    assert "1 commit(s) not pushed" in isa(a, "sync", "--status").output
    assert "warning: unpushed commits: 1 commit(s) here are not on the remote" in isa(a, "doctor").output
    moved.rename(remote)
    assert isa(a, "sync").exit_code == 0
    assert git(remote, "log", "-1", "--format=%s").startswith(f"{ID}: sharing decision")


@pytest.mark.parametrize("url", ["ext::sh -c touch% /tmp/pwned-isa", "--upload-pack=touch /tmp/pwned-isa",
                                 "-u/tmp/x", "../../x", "fd::17", "http://example.org/r.git", "a\nb"])
def test_hostile_remotes_are_refused_before_git_sees_them(make_register, tmp_path, url):
    marker = Path("/tmp/pwned-isa")
    marker.unlink(missing_ok=True)
    folder = tmp_path / "copy"
    result = CliRunner().invoke(main, ["clone", url, str(folder)])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output  # 2: read as an option, and refused
    assert not folder.exists() and not marker.exists()
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--organisation", "X", "--remote", url])
    assert result.exit_code in (1, 2) and not (tmp_path / "new").exists()

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    config = (root / ".git" / "config").read_bytes()
    assert isa(root, "sync", "--remote", url).exit_code != 0
    assert (root / ".git" / "config").read_bytes() == config
    git(root, "config", "remote.origin.url", url)  # set by hand: still refused at sync
    refused = isa(root, "sync")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert not marker.exists()


def test_a_newline_in_the_officer_name_never_reaches_git(make_register, monkeypatch):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    head = git(root, "rev-parse", "HEAD")
    result = isa(root, "share", ID, *SHARE, "--purpose", "P", "--by", "Eve\nGIT_AUTHOR_NAME=x")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert git(root, "rev-parse", "HEAD") == head


def test_the_merge_driver_merges_a_git_pull(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    assert isa(a, "review", "start", ID, "--by", "A").exit_code == 0
    assert isa(b, "share", ID, *SHARE, "--purpose", "From B", "--by", "B").exit_code == 0
    assert isa(a, "sync").exit_code == 0
    pulled = subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], cwd=b,
                            capture_output=True, text=True)
    assert pulled.returncode == 0, pulled.stderr
    merged = store.load_agreement(b, ID)
    assert merged.review.started is not None and merged.decisions[-1].purpose == "From B"


@pytest.mark.slow
def test_three_clones_thirty_changes_each_synced_in_random_order_lose_nothing(team):
    remote, clone = team
    clones = [clone(name) for name in ("a", "b", "c")]
    rng = random.Random(16)
    expected_purposes = set()
    for n in range(30):
        for number, root in enumerate(clones):
            step = rng.choice(["draft", "share", "share-other"])
            if step == "draft":
                made = isa(root, "new", "--answers", str(ANSWERS), "--continue", "--reason", f"flow {number}.{n}",
                           "--by", f"officer {number}")
                assert made.exit_code == 0, made.output
            else:
                purpose = f"clone {number} change {n}"
                expected_purposes.add(purpose)
                target = ID if step == "share" else "ISA-2026-0002"
                assert isa(root, "share", target, *SHARE, "--purpose", purpose, "--by", f"officer {number}").exit_code == 0
    drafts = sum(len(records(root)) - 2 for root in clones)
    for _ in range(2):
        for root in rng.sample(clones, len(clones)):
            result = isa(root, "sync")
            assert result.exit_code == 0, result.output
    assert len({json.dumps(records(root), sort_keys=True) for root in clones}) == 1  # every clone the same
    final = records(clones[0])
    assert len(final) == 2 + drafts  # no record lost, no id shared
    register = store.load_register(clones[0], use_cache=False)
    assert not register.errors
    logged = {d.purpose for record_id in (ID, "ISA-2026-0002") for d in register.agreements[record_id].decisions}
    assert logged == expected_purposes
    subprocess.run(["git", "fsck", "--strict"], cwd=remote, check=True, capture_output=True)
    reflog = (remote / "logs" / "refs" / "heads" / "main").read_text()
    assert "forced-update" not in reflog
    # Each recorded update of the remote's branch moved it forwards.
    for line in reflog.splitlines():
        old, new = line.split()[:2]
        if set(old) != {"0"}:
            assert git(remote, "merge-base", "--is-ancestor", old, new) == ""


RACER = textwrap.dedent(
    """
    import random, sys, time
    from pathlib import Path
    from isa_toolkit import register as store
    from isa_toolkit.register import sync

    root, n = Path(sys.argv[1]), sys.argv[2]
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()
    for round in range(25):
        def change(agreement, round=round):
            from isa_toolkit.model.agreement import SharingDecision
            import datetime as dt
            decision = SharingDecision(what="Address", to="Testshire Council", purpose=f"racer {n} round {round}",
                                       consent="yes", date=dt.date(2026, 11, 1), by=f"racer {n}")
            return agreement.model_copy(update={"decisions": [*agreement.decisions, decision]}), f"round {round}"
        store.modify_agreement(root, "ISA-2026-0001", change, by=f"racer {n}")
        time.sleep(random.uniform(0, 0.2))  # an officer's moment between saving and syncing
        result = sync.sync(root)
        assert result.ok, result.as_dict()
    """
)


@pytest.mark.slow
def test_four_clones_syncing_at_the_same_moment_all_land(team):
    remote, clone = team
    clones = [clone(f"racer{n}") for n in range(4)]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(root), str(n)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "ISA_USER": f"racer {n}"}) for n, root in enumerate(clones)]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready"
    for racer in racers:
        racer.stdin.write("go\n")
        racer.stdin.flush()
    for racer in racers:
        _, stderr = racer.communicate(timeout=600)
        assert racer.returncode == 0, stderr
    for root in clones:
        assert isa(root, "sync").exit_code == 0
    decisions = store.load_agreement(clones[0], ID).decisions
    assert {d.purpose for d in decisions} == {f"racer {n} round {r}" for n in range(4) for r in range(25)}


def test_sync_auto_sends_each_change_as_it_is_committed(team):
    remote, clone = team
    a = clone("a")
    settings = a / "register.yaml"
    settings.write_text(settings.read_text() + "sync: auto\n")
    git(a, "commit", "-q", "-am", "Register: sync auto")
    result = isa(a, "share", ID, *SHARE, "--purpose", "Auto", "--by", "A")
    assert result.exit_code == 0 and "Synced with origin/main: 2 sent" in result.output, result.output
    assert git(remote, "log", "-1", "--format=%s").startswith(f"{ID}: sharing decision")
    listing = isa(a, "list")  # a command that commits nothing does not sync
    assert "Synced" not in listing.output


def test_a_register_requiring_signed_commits_warns_of_an_unsigned_signoff(make_register):
    from .conftest import SETTINGS

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID, status="in_review")},
                         settings=SETTINGS + "require_signed_commits: true\n")
    path = root / "agreements" / f"{ID}.yaml"
    path.write_text(path.read_text() + "# approved\n")
    git(root, "commit", "-q", "-am", f"{ID}: approved by Sam Khan as information_security_manager")
    result = isa(root, "validate")
    assert f"agreements/{ID}.yaml: warning: GIT-01 signoffs: the sign-off in commit" in result.output
    assert "is unsigned" in result.output and "require_signed_commits" in result.output
    shown = json.loads(isa(root, "log", ID, "--json").output)["commits"]
    assert all(entry["signature"] == "unsigned" for entry in shown)


# What a review of the sync found, each kept from coming back.

def test_files_go_to_the_remote_byte_for_byte_and_unchanged_commits_keep_their_ids(team):
    remote, clone = team
    a = clone("a")
    (a / "reminders.log").write_text('{"date": "2026-12-01", "key": "k1", "record": "X", "status": "sent"}\n')
    (a / "signed").mkdir()
    (a / "signed" / "copy.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n\n")
    (a / "tools.sh").write_text("#!/bin/sh\n")
    (a / "tools.sh").chmod(0o755)
    git(a, "add", ".")
    git(a, "commit", "-q", "-m", "files")
    head = git(a, "rev-parse", "HEAD")
    assert isa(a, "sync").exit_code == 0
    assert git(a, "rev-parse", "HEAD") == head == git(remote, "rev-parse", "main")  # sent as it was
    b = clone("b")
    assert (b / "reminders.log").read_bytes() == (a / "reminders.log").read_bytes()
    assert (b / "signed" / "copy.pdf").read_bytes() == b"%PDF-1.7\n%%EOF\n\n"
    # Replayed onto newer commits, the bytes and modes still hold.
    assert isa(b, "share", ID, *SHARE, "--purpose", "B", "--by", "B").exit_code == 0
    assert isa(b, "sync").exit_code == 0
    (a / "signed" / "copy2.pdf").write_bytes(b"binary\x00\n")
    git(a, "add", ".")
    git(a, "commit", "-q", "-m", "another copy")
    assert isa(a, "sync").exit_code == 0
    assert git(remote, "cat-file", "blob", "main:signed/copy2.pdf").encode() == b"binary\x00\n"
    assert "100755" in git(remote, "ls-tree", "main", "tools.sh")


def test_a_reminders_log_begun_in_two_clones_is_joined(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    (a / "reminders.log").write_text('{"date": "2026-12-01", "key": "a", "record": "X", "status": "sent"}\n')
    (b / "reminders.log").write_text('{"date": "2026-11-30", "key": "b", "record": "X", "status": "sent"}\n')
    for root in (a, b):
        git(root, "add", "reminders.log")
        git(root, "commit", "-q", "-m", "reminders")
    assert isa(a, "sync").exit_code == 0
    result = isa(b, "sync")
    assert result.exit_code == 0, result.output
    assert [line[10:20] for line in (b / "reminders.log").read_text().splitlines()] == ["2026-11-30", "2026-12-01"]


def test_a_record_deleted_here_and_changed_there_is_settled_by_a_person(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    assert isa(a, "share", ID, *SHARE, "--purpose", "A", "--by", "A").exit_code == 0
    assert isa(a, "sync").exit_code == 0
    git(b, "rm", "-q", f"agreements/{ID}.yaml")
    git(b, "commit", "-q", "-m", "removed")
    stopped = isa(b, "sync")
    assert stopped.exit_code == 1 and f"{ID} file: deleted on one side and changed on the other" in stopped.output
    assert isa(b, "resolve", ID, "file", "--value", "x").exit_code == 1
    assert isa(b, "resolve", ID, "file", "--theirs").exit_code == 0
    done = isa(b, "sync")
    assert done.exit_code == 0, done.output
    assert (b / "agreements" / f"{ID}.yaml").exists()
    assert not (b / ".git" / "isa-resolutions.json").exists()  # forgotten once nothing waits


def test_a_renumbered_record_takes_the_references_to_it_along(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    for root in (a, b):
        assert isa(root, "new", "--answers", str(ANSWERS), "--continue", "--reason", "x", "--by",
                   f"Officer {root.name}").exit_code == 0
    path = b / "agreements" / "ISA-2026-0002.yaml"
    path.write_text(path.read_text().replace("status: active", "status: active\nrelated:\n- ISA-2026-0003", 1))
    git(b, "commit", "-q", "-am", "ISA-2026-0002: related to ISA-2026-0003")
    assert isa(a, "sync").exit_code == 0
    result = isa(b, "sync")
    assert result.exit_code == 0 and "Renumbered ISA-2026-0003 -> ISA-2026-0004" in result.output, result.output
    assert store.load_agreement(b, "ISA-2026-0002").related == ["ISA-2026-0004"]
    assert git(b, "log", "-1", "--format=%s", "--", "agreements/ISA-2026-0002.yaml").strip().endswith("ISA-2026-0004")


def test_a_git_pull_that_stops_at_a_conflict_is_reported_and_writes_wait(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    for root, value in ((a, "a@example.org"), (b, "b@example.org")):
        path = root / "agreements" / f"{ID}.yaml"
        path.write_text(path.read_text().replace("contact: information.sharing@example.org", f"contact: {value}"))
        git(root, "commit", "-q", "-am", f"{ID}: contact")
    assert isa(a, "sync").exit_code == 0
    pulled = subprocess.run(["git", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main"], cwd=b,
                            capture_output=True, text=True)
    assert pulled.returncode != 0
    validated = isa(b, "validate")
    assert validated.exit_code == 1 and f"agreements/{ID}.yaml: a git merge left this file with a conflict" in \
        validated.output
    doctor = isa(b, "doctor")
    assert doctor.exit_code == 1 and "error: merge: a merge (git pull or git merge) is under way" in doctor.output
    refused = isa(b, "share", ID, *SHARE, "--purpose", "B", "--by", "B")
    assert refused.exit_code == 1 and "git merge --abort" in refused.output
    assert isa(b, "sync").exit_code == 1
    git(b, "merge", "--abort")
    stopped = isa(b, "sync")
    assert stopped.exit_code == 1 and f"{ID} contact" in stopped.output


def test_two_equal_entries_in_a_log_stay_two(team):
    remote, clone = team
    a, b = clone("a"), clone("b")
    assert isa(a, "share", ID, *SHARE, "--purpose", "A", "--by", "A").exit_code == 0
    for _ in range(2):
        assert isa(b, "share", ID, *SHARE, "--purpose", "Strategy meeting", "--by", "B").exit_code == 0
    assert isa(a, "sync").exit_code == 0 and isa(b, "sync").exit_code == 0
    purposes = [d.purpose for d in store.load_agreement(b, ID).decisions]
    assert purposes.count("Strategy meeting") == 2 and purposes.count("A") == 1


def test_a_dpia_and_another_signed_field_changed_apart_go_to_a_person():
    import yaml

    from isa_toolkit.register.kinds import AGREEMENT
    from isa_toolkit.register.merge import merge_data

    base = yaml.safe_load(complete_isa(ID))
    base = json.loads(json.dumps(base, default=str))
    ours = {**base, "dpia": {**(base.get("dpia") or {}), "summary": {"en": "Revised."}}}
    theirs = {**base, "contact": "x@example.org"}
    merged = merge_data(ID, "agreements/x.yaml", base, ours, theirs, AGREEMENT)
    assert {c.field for c in merged.conflicts} == {"dpia", "contact"}
    screening = {**base, "dpia": {**(base.get("dpia") or {}), "screening": {"answers": {}}}}
    assert "dpia" not in {c.field for c in merge_data(ID, "x", base, screening, theirs, AGREEMENT).conflicts}


def test_a_remote_with_an_unrelated_history_is_refused(team, tmp_path):
    remote, clone = team
    a = clone("a")
    other = tmp_path / "other.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(other))
    seed = tmp_path / "seed"
    git(tmp_path, "init", "-q", "--initial-branch=main", str(seed))
    (seed / "README").write_text("another project\n")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "other")
    git(seed, "push", "-q", str(other), "main")
    git(a, "remote", "set-url", "origin", str(other))
    assert isa(a, "share", ID, *SHARE, "--purpose", "A", "--by", "A").exit_code == 0
    refused = isa(a, "sync")
    assert refused.exit_code == 1 and "unrelated" in refused.output
    assert git(other, "log", "--oneline", "main").count("\n") == 1


def test_a_copy_cloned_before_the_merge_setup_syncs_after_another_pushes_it(tmp_path, make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    remote = tmp_path / "plain.git"
    git(tmp_path, "init", "-q", "--bare", "--initial-branch=main", str(remote))
    git(root, "push", "-q", str(remote), "main")  # pushed by plain git: no .gitattributes yet
    a, b = tmp_path / "a", tmp_path / "b"
    assert CliRunner().invoke(main, ["clone", str(remote), str(a)]).exit_code == 0
    git(tmp_path, "clone", "-q", str(remote), str(b))
    assert isa(b, "sync").exit_code == 0  # b's first sync sets up and pushes .gitattributes
    result = isa(a, "sync")
    assert result.exit_code == 0, result.output
    assert git(a, "status", "--porcelain") == ""
