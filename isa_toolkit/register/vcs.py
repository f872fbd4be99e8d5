"""The register's git repository: the only module that runs git.

Commands go through GitPython's command wrapper (one ``git`` process per
command, no shell). User text never reaches git as an option: paths come after
``--`` and the message is the value of ``-m``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import StoreError

FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "isa-toolkit",
    "GIT_AUTHOR_EMAIL": "isa-toolkit@localhost",
    "GIT_COMMITTER_NAME": "isa-toolkit",
    "GIT_COMMITTER_EMAIL": "isa-toolkit@localhost",
}
LOCK_RETRIES = 20


def _git(root: Path):
    import git  # GitPython; imported here so read-only commands start fast

    return git.cmd.Git(str(root))


def git_dir(root: Path) -> Path | None:
    """The repository's git folder, found without running git (None when not a repository)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:"):].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return None


@cache
def _identity_env(root: str) -> tuple[tuple[str, str], ...]:
    """Fallback author/committer for a machine where git knows no identity."""
    import git

    try:
        _git(Path(root)).execute(["git", "var", "GIT_COMMITTER_IDENT"])
        return ()
    except git.GitCommandError:
        return tuple(FALLBACK_IDENTITY.items())


# How git says the disk is full: the system's words, or its own ("sha1 file ... write error. Out of diskspace").
DISK_FULL = ("No space left on device", "Out of diskspace", "Disk quota exceeded")


class DiskFull(StoreError):
    """The disk the register is on is full (or the user's quota is used up)."""


class RepositoryDamaged(StoreError):
    """An object of the register's git repository cannot be read back whole."""


RESTORE_ADVICE = ("Restore the register from its shared copy: the git remote is the backup (clone it afresh and copy "
                  "across any change not yet pushed), or from your own backups. Until then, do not change the "
                  "register by hand")


def _run(root: Path, args: list[str], *, what: str) -> str:
    """Run ``git args`` in ``root``; retry while another git process holds the index lock."""
    import git

    env = dict(_identity_env(str(root)))
    for attempt in range(LOCK_RETRIES):
        try:
            return _git(root).execute(["git", *args], env=env or None, strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            stderr = (exc.stderr or "").strip()
            if any(words in stderr for words in DISK_FULL):
                # Never taken for a locked index: retrying cannot help, and the cause must be said as it is.
                raise DiskFull(f"the disk holding {root} is full: git could not {what}. Free some space there and "
                               "try again; nothing was changed") from None
            if "index.lock" in stderr:
                if attempt + 1 < LOCK_RETRIES:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                lock = (git_dir(root) or root / ".git") / "index.lock"
                raise StoreError(
                    f"git could not {what}: its lock file {lock} stays in place. If no git command is running "
                    f"in {root} (one may have been stopped part-way), remove that file and try again"
                ) from None
            raise StoreError(f"git could not {what}: {stderr or exc}") from None
        except git.GitCommandNotFound:
            raise StoreError("git is not installed or not on PATH; install git and try again") from None
    raise StoreError(f"git could not {what}: the index stayed locked")  # pragma: no cover


def user_name(folder: Path) -> str | None:
    """git's ``user.name`` as seen from ``folder`` (the repository's own setting, else the user's), or None."""
    import git

    try:
        name = _git(folder).execute(["git", "config", "--get", "user.name"]).strip()
    except (git.GitCommandError, git.GitCommandNotFound):
        return None
    return name or None


def init(root: Path) -> None:
    _run(root, ["init", "-q", "--initial-branch=main"], what="create the repository")


def commit(root: Path, paths: list[str], message: str) -> str:
    """Stage ``paths`` (relative to ``root``) and commit only them; return the commit id.

    Other changes a person has staged are left out of the commit.
    """
    _run(root, ["add", "--all", "--", *paths], what="stage the change")
    _run(root, ["commit", "-q", "-m", message, "--", *paths], what="commit the change")
    return _run(root, ["rev-parse", "HEAD"], what="read the new commit").strip()


def head(root: Path) -> str:
    """The commit the register is at."""
    return _run(root, ["rev-parse", "HEAD"], what="read the register's commit").strip()


def commit_all(root: Path, message: str) -> str:
    """Commit everything in the working tree (used once, when a register is created)."""
    _run(root, ["add", "--all"], what="stage the register")
    _run(root, ["commit", "-q", "-m", message], what="commit the register")
    return _run(root, ["rev-parse", "HEAD"], what="read the new commit").strip()


def has_uncommitted_changes(root: Path, path: str) -> bool:
    """Whether ``path`` differs from the last commit (in the index or the working tree)."""
    return bool(_run(root, ["status", "--porcelain", "--untracked-files=no", "--", path], what="read the status").strip())


def check_objects(root: Path, paths: list[str]) -> None:
    """Read back what a write rests on, the last commit's tree and each of ``paths`` as committed, and refuse
    (:class:`RepositoryDamaged`) if git cannot: a write never goes on over a damaged repository."""
    targets = [f"HEAD:{path}" for path in paths] or ["HEAD^{tree}"]
    for target in targets:
        status, _, stderr = _git(root).execute(["git", "cat-file", "-p", target], with_extended_output=True,
                                               with_exceptions=False, stdout_as_string=False)
        if status == 0:
            continue
        stderr = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else str(stderr)
        if target != "HEAD^{tree}" and ("does not exist in" in stderr or "exists on disk, but not in" in stderr):
            targets.append("HEAD^{tree}")  # not committed yet: the tree is what the write rests on
            continue
        said = next((line for line in stderr.splitlines() if line.strip()), "no reason given")
        raise RepositoryDamaged(f"the register's git repository at {root} is damaged, so nothing was written: git "
                                f"could not read {target} back ({said.strip()}). Run `isa doctor` to see all that is damaged. "
                                f"{RESTORE_ADVICE}")


@dataclass(frozen=True)
class FsckResult:
    ok: bool
    problems: list[str]


def fsck(root: Path) -> FsckResult:
    """Check every object of the repository (``git fsck --full``): what is missing or damaged, in git's words."""
    status, stdout, stderr = _git(root).execute(
        ["git", "fsck", "--full", "--no-progress", "--no-dangling", "--strict"],
        with_extended_output=True, with_exceptions=False)
    lines = [line.strip() for line in f"{stdout}\n{stderr}".splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Checking ", "notice: "))]
    return FsckResult(status == 0 and not any(line.startswith(("error", "missing", "broken", "fatal", "bad"))
                                              for line in lines), lines)


def restore_from_head(root: Path, paths: list[str]) -> None:
    """Make each of ``paths`` in the index and the working tree what the last commit has (gone, if it has none)."""
    listed = _run(root, ["ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *paths], what="read the last commit")
    committed = [path for path in paths if path in set(listed.split("\0"))]
    fresh = [path for path in paths if path not in committed]
    if committed:
        _run(root, ["checkout", "-q", "HEAD", "--", *committed], what="put the files back as committed")
    if fresh:
        _run(root, ["rm", "-q", "--cached", "--ignore-unmatch", "--", *fresh], what="unstage the new files")
        for path in fresh:
            (root / path).unlink(missing_ok=True)


def changed_files(root: Path, paths: list[str]) -> list[str]:
    """Files under ``paths`` that differ from the last commit (staged, changed or new), relative to ``root``."""
    out = _run(root, ["status", "--porcelain", "-z", "--untracked-files=all", "--", *paths], what="read the status")
    return sorted({entry[3:] for entry in out.split("\0") if len(entry) > 3 and not entry[3:].endswith(".tmp")})


def remotes(root: Path) -> list[str]:
    """The names of the repository's remotes (``origin``...)."""
    return _run(root, ["remote"], what="read the remotes").split()


def unstage(root: Path, paths: list[str]) -> None:
    """Take ``paths`` out of the index again (undo the staging of a failed change)."""
    _run(root, ["reset", "-q", "--", *paths], what="unstage the change")


@dataclass(frozen=True)
class LogEntry:
    commit: str
    date: str
    author: str
    subject: str

    def as_dict(self) -> dict:
        return {"commit": self.commit, "date": self.date, "author": self.author, "subject": self.subject}


def log(root: Path, path: str) -> list[LogEntry]:
    """Commits that changed ``path``, newest first.

    Records are never renamed (the file is named after the id), so renames are not followed: ``--follow`` would
    take a new record that looks like an older one for a copy of it and list the older one's history.
    """
    out = _run(
        root,
        ["log", "--no-renames", "--format=%H%x1f%aI%x1f%an%x1f%s%x1e", "--", path],
        what="read the history",
    )
    entries = []
    for chunk in out.split("\x1e"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        commit_id, date, author, subject = chunk.split("\x1f", 3)
        entries.append(LogEntry(commit_id, date, author, subject))
    return entries
