"""The register's health, as ``isa doctor`` checks it: the git repository whole, no write left half-done, no stale
lock, nothing uncommitted, a copy elsewhere.

Each finding says what is wrong and what to do. Taking the register lock puts
back a write that was stopped part-way (see :mod:`.journal`), so the doctor
does that first and says so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError
from . import journal, lock, vcs
from .kinds import KINDS
from .problem import Problem, Severity
from .store import put_back_stopped_write

STALE_GIT_LOCK_S = 60.0


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity | None  # None: the check passed
    message: str

    def __str__(self) -> str:
        tag = "ok" if self.severity is None else self.severity.value
        return f"{tag}: {self.check}: {self.message}"

    def as_dict(self) -> dict:
        return {"check": self.check, "severity": self.severity.value if self.severity else "ok",
                "message": self.message}


def _ok(check: str, message: str) -> Finding:
    return Finding(check, None, message)


def check_repository(root: Path) -> Finding:
    result = vcs.fsck(root)
    if result.ok:
        return _ok("repository", "every object of the git repository reads back whole (git fsck)")
    shown = "; ".join(result.problems[:5]) + (f"; and {len(result.problems) - 5} more" if len(result.problems) > 5 else "")
    return Finding("repository", Severity.ERROR, f"the git repository is damaged: {shown or 'git fsck failed'}. "
                   f"{vcs.RESTORE_ADVICE}")


UNDO_MERGE = ("undo the merge with `git merge --abort` and run `isa sync`, which shows each conflict by field "
              "(`isa conflicts`) and lets you settle it (`isa resolve`)")


def repository_problems(root: Path) -> list[Problem]:
    """The repository's own problems as ``isa validate`` reports them (errors: a damaged register, or one a merge
    left half-done, is not valid)."""
    if vcs.git_dir(root) is None:
        return []  # a folder of records not (yet) in git: nothing to check here
    problems = [Problem(path, 0, "", f"a git merge left this file with a conflict: {UNDO_MERGE}")
                for path in vcs.unmerged_paths(root)]
    finding = check_repository(root)
    if finding.severity is not None:
        problems.append(Problem(".git", 0, "", finding.message + " (`isa doctor` says more)"))
    return problems


def check_merge(root: Path) -> Finding:
    under_way = vcs.merge_in_progress(root)
    if under_way is None:
        return _ok("merge", "no git merge or rebase left under way")
    unmerged = vcs.unmerged_paths(root)
    files = f" ({len(unmerged)} file(s) with a conflict: {', '.join(unmerged[:5])})" if unmerged else ""
    return Finding("merge", Severity.ERROR, f"{under_way} is under way{files}, so the toolkit writes nothing: "
                   f"{UNDO_MERGE}")


SIGNOFF_SUBJECT = re.compile(r"^(?P<id>[A-Z][A-Z0-9]*-\d{4}-\d+): (approved|rejected) by ")


def unsigned_signoffs(root: Path) -> list[Problem]:
    """Sign-offs recorded in commits git cannot show as validly signed (when the settings require signed commits)."""
    if vcs.git_dir(root) is None:
        return []
    problems = []
    for entry in vcs.log_all(root, [kind.folder for kind in KINDS]):
        match = SIGNOFF_SUBJECT.match(entry.subject)
        if match and entry.signature not in ("G", "U"):
            problems.append(Problem(
                f"agreements/{match['id']}.yaml", 0, "signoffs",
                f"the sign-off in commit {entry.commit[:12]} ({entry.subject[:60]}) is {entry.signed}, and the "
                "register requires signed commits (require_signed_commits): sign commits (git config "
                "commit.gpgsign true, with a key your forge knows) and record sign-offs again if they must be "
                "shown as signed", Severity.WARNING, match["id"], "GIT-01"))
    return problems


def check_interrupted_write(root: Path, recovery: journal.Recovery | None) -> Finding:
    if recovery is None:
        return _ok("interrupted writes", "no change was left half-done")
    if recovery.left:
        return Finding("interrupted writes", Severity.WARNING, recovery.describe() + ". Look at the files left alone "
                       "with `git diff`, then commit them or discard them with `git checkout HEAD -- FILE`")
    return Finding("interrupted writes", Severity.WARNING, recovery.describe())


def check_git_locks(root: Path) -> Finding:
    gd = vcs.git_dir(root) or root / ".git"
    now = time.time()
    stale = [lock for lock in [gd / "index.lock", gd / "HEAD.lock", *(gd / "refs").rglob("*.lock")]
             if lock.exists() and now - lock.stat().st_mtime > STALE_GIT_LOCK_S]
    if not stale:
        return _ok("git locks", "no lock file left behind by a stopped git command")
    names = ", ".join(str(lock) for lock in stale)
    return Finding("git locks", Severity.ERROR, f"lock file(s) left by a git command that stopped part-way: {names}. "
                   "If no git command is running in the register, remove them (rm FILE) and run `isa doctor` again")


def check_uncommitted(root: Path) -> Finding:
    folders = [kind.folder for kind in KINDS] + ["register.yaml", "classification.yaml"]
    changed = vcs.changed_files(root, sorted(set(folders)))
    if not changed:
        return _ok("uncommitted changes", "every record is as committed")
    shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
    return Finding("uncommitted changes", Severity.WARNING, f"changed and not committed: {shown}. The toolkit will not "
                   "write over them: commit them (git commit FILE) or discard them (git checkout HEAD -- FILE)")


def check_remote(root: Path) -> Finding:
    remotes = vcs.remotes(root)
    if remotes:
        return _ok("shared copy", f"the register has a git remote ({', '.join(remotes)}), its backup")
    return Finding("shared copy", Severity.WARNING, "the register has no git remote, so no copy anywhere else: a lost "
                   "or damaged disk loses it. Add one on your forge: git remote add origin URL, then git push -u "
                   "origin main")


MIN_GIT = (2, 30)  # protocol.allow, merge-base --is-ancestor, check-ignore --no-index, ls-files -z -u


def check_git() -> Finding:
    version = vcs.git_version()
    if version is None:
        return Finding("git", Severity.ERROR, "git is not installed or not on PATH: install it (docs/install.md)")
    shown = ".".join(str(part) for part in version)
    if version[:2] < MIN_GIT:
        return Finding("git", Severity.ERROR, f"git {shown} is older than {MIN_GIT[0]}.{MIN_GIT[1]}, which the toolkit "
                       "needs: upgrade it (docs/install.md)")
    return _ok("git", f"git {shown}")


def check_unpushed(root: Path) -> Finding:
    if not vcs.remotes(root) or "origin" not in vcs.remotes(root):
        return _ok("unpushed commits", "no remote called origin to push to (see shared copy)")
    from .sync import status

    try:
        state = status(root)
    except StoreError as exc:
        return Finding("unpushed commits", Severity.WARNING, f"cannot tell: {exc}")
    if state.unpushed:
        return Finding("unpushed commits", Severity.WARNING, f"{state.unpushed} commit(s) here are not on the remote "
                       "yet (as of the last sync): run `isa sync` to send them")
    return _ok("unpushed commits", "every commit here is on the remote (as of the last sync)")


def examine(root: Path, recovery: journal.Recovery | None) -> list[Finding]:
    """Every check, in the order a person would want them fixed; call holding the lock, after recovering."""
    return [check_git(), check_repository(root), check_interrupted_write(root, recovery), check_merge(root),
            check_git_locks(root), check_uncommitted(root), check_remote(root), check_unpushed(root)]


def diagnose(root: Path) -> list[Finding]:
    """Take the lock (waiting for a writer to finish), put back a stopped write, and run every check."""
    with lock.register_lock(root):
        try:
            recovery = put_back_stopped_write(root)
        except StoreError as exc:
            return [Finding("interrupted writes", Severity.ERROR,
                            f"a change stopped part-way could not be put back: {exc}")
                    if finding.check == "interrupted writes" else finding for finding in examine(root, None)]
        return examine(root, recovery)
