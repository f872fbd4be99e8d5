"""A write stopped part-way (killed, power lost) is put back by the next writer, with no manual step; a change
that is not the toolkit's own is still refused, with a command that really clears it.

The kill test stops concurrent writers with SIGKILL at random moments, N times (``ISA_KILL_TEST_N``, 100 in
CI), half of them with their git children (a power cut), then checks: git fsck clean, every record as committed,
nothing blocked, the register valid, and the next write works."""

from __future__ import annotations

import multiprocessing
import os
import random
import shlex
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.register import journal, lock
from isa_toolkit.register.kinds import AGREEMENT

from ..conftest import complete_isa, git

ID = "ISA-2026-0001"

# A writer that stops, and says so, just before git commits its change (the record written and staged).
STOPPED_BEFORE_COMMIT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from isa_toolkit import register as store
    from isa_toolkit.register import vcs

    root, record_id = Path(sys.argv[1]), sys.argv[2]
    real_run = vcs._run
    def run(root, args, **kwargs):
        if args[0] == "commit":
            sys.stdout.write("paused\\n"); sys.stdout.flush()
            time.sleep(60)
        return real_run(root, args, **kwargs)
    vcs._run = run

    def change(agreement):
        return agreement.model_copy(update={"version": "7.7"}), "the stopped change"

    store.modify_agreement(root, record_id, change, by="writer")
    """
)


def stop_a_writer_before_commit(root, record_id: str = ID) -> None:
    writer = subprocess.Popen([sys.executable, "-c", STOPPED_BEFORE_COMMIT, str(root), record_id],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "paused", writer.stderr.read()
    os.kill(writer.pid, signal.SIGKILL)
    writer.communicate(timeout=30)


def amend(root, *args: str):
    return CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--set", "contact=new@example.org",
                                     "--detail", "New contact", *args])


def test_the_next_command_puts_back_a_stopped_write_and_says_so(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    head = git(root, "rev-parse", "HEAD")
    stop_a_writer_before_commit(root)
    assert "agreements/" in git(root, "diff", "--cached", "--name-only")  # staged, not committed: blocked before
    assert (root / ".git" / journal.JOURNAL_FILE).exists()

    result = amend(root)
    assert result.exit_code == 0, result.output
    assert "stopped part-way" in result.output and "the stopped change" in result.output
    assert git(root, "rev-parse", "HEAD~1").strip() == head.strip()  # the stopped change never landed
    assert "version: 7.7" not in (root / "agreements" / f"{ID}.yaml").read_text()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_hand_edit_after_a_stopped_write_is_left_alone_and_the_printed_command_clears_it(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    stop_a_writer_before_commit(root)
    path = root / "agreements" / f"{ID}.yaml"
    path.write_text(path.read_text().replace("Two years.", "Three years."))  # someone edits it since

    refused = amend(root)
    assert refused.exit_code == 1
    assert "left alone (changed since): agreements/" in refused.output
    assert "Three years." in path.read_text()  # the person's edit is not thrown away
    command = refused.output.split("discard them (", 1)[1].split(",", 1)[0]
    subprocess.run(shlex.split(command), cwd=root, check=True, capture_output=True)
    done = amend(root)
    assert done.exit_code == 0, done.output
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_new_record_from_a_stopped_write_is_removed(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    new = root / "agreements" / "ISA-2026-0002.yaml"
    new.write_text(complete_isa("ISA-2026-0002"))
    git(root, "add", "agreements/ISA-2026-0002.yaml")  # written and staged, then the writer died
    journal.begin(root, [journal.Intent("agreements/ISA-2026-0002.yaml", None, journal.digest(new.read_bytes()))],
                  "ISA-2026-0002: created")
    assert store.load_register(root, use_cache=False).agreements.get("ISA-2026-0002") is not None

    result = CliRunner().invoke(main, ["-R", str(root), "doctor"])
    assert "put back as the last commit has it: agreements/ISA-2026-0002.yaml" in result.output, result.output
    assert not new.exists()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_lock_file_left_by_a_killed_git_is_cleared(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    stop_a_writer_before_commit(root)
    (root / ".git" / "index.lock").write_bytes(b"")  # as if git died with the writer, mid-commit
    result = amend(root)
    assert result.exit_code == 0, result.output
    assert not (root / ".git" / "index.lock").exists()


def test_a_git_lock_older_than_the_stopped_write_is_not_the_toolkits_to_remove(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    lock = root / ".git" / "index.lock"
    lock.write_bytes(b"")
    os.utime(lock, (time.time() - 3600, time.time() - 3600))
    stop = root / "agreements" / f"{ID}.yaml"
    journal.begin(root, [journal.Intent(f"agreements/{ID}.yaml", journal.digest(stop.read_bytes()), "0" * 64)], "x")
    result = amend(root)
    assert result.exit_code == 1 and "index.lock" in result.output and "remove that file" in result.output
    assert lock.exists()
    doctor = CliRunner().invoke(main, ["-R", str(root), "doctor"])
    assert doctor.exit_code == 1 and "error: git locks" in doctor.output


# The kill test.

IDS = [f"ISA-2026-000{n}" for n in range(1, 5)]


def _writer(folder: str, seed: int) -> None:
    """Change records without end: one at a time, or two in one commit."""
    from pathlib import Path

    root = Path(folder)

    class Counting(lock.Reporter):
        def recovered(self, what: str) -> None:  # a stopped writer's change was put back
            with open(root.parent / "recoveries.log", "a") as log:
                log.write(what + "\n")

    lock.set_reporter(Counting())
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        token = f"{seed}.{n}"
        chosen = rng.sample(IDS, rng.choice([1, 1, 2]))
        with store.transaction(root) as write:
            records = [store.load_record(root, AGREEMENT, record_id) for record_id in chosen]
            write([r.model_copy(update={"version": token}) for r in records], subject=chosen[0],
                  change=f"version {token}", by=f"writer {seed}")


def start(context, root, seed: int):
    """A writer in its own process group (so a "power cut" can take its git children with it)."""
    process = context.Process(target=_writer, args=(str(root), seed), daemon=True)
    process.start()
    os.setpgid(process.pid, process.pid)
    return process


@pytest.mark.slow
def test_random_kills_of_concurrent_writers_lose_nothing_and_block_nothing(make_register, tmp_path):
    kills = int(os.environ.get("ISA_KILL_TEST_N", "20"))
    root = make_register({f"agreements/{record_id}.yaml": complete_isa(record_id) for record_id in IDS})
    context = multiprocessing.get_context("fork")
    rng = random.Random(19)
    writers = []
    try:
        for seed in range(3):
            writers.append(start(context, root, seed))
        seed = 3
        for _ in range(kills):
            time.sleep(rng.uniform(0.02, 0.3))
            victim = rng.randrange(len(writers))
            holder = lock.read_holder(root / ".git" / lock.HOLDER_FILE).pid  # most often, the one writing now
            if rng.random() < 0.7 and holder in [w.pid for w in writers]:
                victim = [w.pid for w in writers].index(holder)
            pid = writers[victim].pid
            if rng.random() < 0.5:
                os.killpg(pid, signal.SIGKILL)  # a power cut: the writer and the git it runs
            else:
                os.kill(pid, signal.SIGKILL)
            writers[victim].join()
            writers[victim] = start(context, root, seed)
            seed += 1
    finally:
        for writer in writers:
            if writer.pid is not None:
                os.killpg(writer.pid, signal.SIGKILL)
                writer.join()
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    assert commits > kills // 4  # the writers did get work done between the kills
    log = root.parent / "recoveries.log"
    recoveries = len(log.read_text().splitlines()) if log.exists() else 0
    print(f"{kills} kills, {commits} commits, {recoveries} stopped writes put back")
    if kills >= 50:  # most kills strike the writer holding the lock, so some surely stopped a write part-way
        assert recoveries > 0

    # The next write works with no manual step, for every record.
    for record_id in IDS:
        store.modify_agreement(root, record_id, lambda a: (a.model_copy(update={"version": "9.0"}), "after"), by="T")
    subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=root, check=True, capture_output=True)
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (root / ".git" / journal.JOURNAL_FILE).exists()
    register = store.load_register(root, use_cache=False)
    assert not register.errors and sorted(register.agreements) == IDS
    validated = CliRunner().invoke(main, ["-R", str(root), "validate"])
    assert validated.exit_code == 0, validated.output
    for record_id in IDS:  # each commit of the storm holds a whole record that reads back
        for commit in git(root, "rev-list", "HEAD", "--", f"agreements/{record_id}.yaml").split()[:50]:
            copy = tmp_path / f"{record_id}.yaml"
            copy.write_text(git(root, "show", f"{commit}:agreements/{record_id}.yaml"))
            record, problems = store.parse_agreement(copy, f"agreements/{record_id}.yaml")
            assert record is not None and not problems, problems
