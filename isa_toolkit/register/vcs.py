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


def _run(root: Path, args: list[str], *, what: str, env: dict[str, str] | None = None,
         config: list[str] | None = None) -> str:
    """Run ``git [config] args`` in ``root`` (``config``: our own ``-c`` settings); retry while another git process
    holds the index lock."""
    import git

    env = {**dict(_identity_env(str(root))), **(env or {})}
    for attempt in range(LOCK_RETRIES):
        try:
            return _git(root).execute(["git", *(config or []), *args], env=env or None,
                                      strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            stderr = (exc.stderr or "").strip()
            if any(words in stderr for words in DISK_FULL):
                # Never taken for a locked index: retrying cannot help, and the cause must be said as it is.
                raise DiskFull(f"the disk holding {root} is full: git could not {what}. Free some space there and "
                               "try again; nothing was changed") from None
            if "index.lock" in stderr:
                lock = (git_dir(root) or root / ".git") / "index.lock"
                if attempt + 1 < LOCK_RETRIES and not _stale(lock):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                raise StoreError(
                    f"git could not {what}: its lock file {lock} stays in place. If no git command is running "
                    f"in {root} (one may have been stopped part-way), remove that file and try again"
                ) from None
            raise StoreError(f"git could not {what}: {stderr or exc}") from None
        except git.GitCommandNotFound:
            raise StoreError("git is not installed or not on PATH; install git and try again") from None
    raise StoreError(f"git could not {what}: the index stayed locked")  # pragma: no cover


STALE_INDEX_LOCK_S = 10.0  # git holds index.lock for moments; one this old was left by a stopped command


def _stale(lock: Path) -> bool:
    try:
        return time.time() - lock.stat().st_mtime > STALE_INDEX_LOCK_S
    except FileNotFoundError:
        return False


def git_version() -> tuple[int, ...] | None:
    """The installed git's version (None when there is no git)."""
    import re
    import subprocess

    try:
        out = subprocess.run(["git", "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(part) for part in match.groups() if part is not None) if match else None


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


def author_env(root: Path, author: str | None) -> dict[str, str]:
    """The commit's author: the officer acting (``author``, with git's ``user.email`` if set), never the login
    name. A name with a control character (a newline) is refused: it would forge other lines of the commit."""
    if not author or not author.strip():
        return {}
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in author) or any(ch in author for ch in "<>"):
        raise StoreError(f"the officer's name {author!r} holds a line break, a control character or '<' '>', "
                         "which a commit's author cannot; give the name on one line (--by or ISA_USER)")
    return {"GIT_AUTHOR_NAME": author.strip(), "GIT_AUTHOR_EMAIL": _user_email(str(root))}


@cache
def _user_email(root: str) -> str:
    """git's ``user.email`` for the register (read once a process), else the toolkit's own address."""
    import git

    try:
        email = _git(Path(root)).execute(["git", "config", "--get", "user.email"]).strip()
    except (git.GitCommandError, git.GitCommandNotFound):
        email = ""
    return email or FALLBACK_IDENTITY["GIT_AUTHOR_EMAIL"]


def commit(root: Path, paths: list[str], message: str, author: str | None = None) -> str:
    """Stage ``paths`` (relative to ``root``) and commit only them, as ``author`` (the officer); return the commit id.

    Other changes a person has staged are left out of the commit.
    """
    env = author_env(root, author)
    _run(root, ["add", "--all", "--", *paths], what="stage the change")
    _run(root, ["commit", "-q", "-m", message, "--", *paths], what="commit the change", env=env)
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


def is_ignored(root: Path, path: str) -> bool:
    """Whether git's ignore rules (``.gitignore`` and the like) leave ``path`` out, tracked files aside."""
    status, _, _ = _git(root).execute(["git", "check-ignore", "-q", "--no-index", "--", path],
                                      with_extended_output=True, with_exceptions=False)
    return status == 0


def remotes(root: Path) -> list[str]:
    """The names of the repository's remotes (``origin``...)."""
    return _run(root, ["remote"], what="read the remotes").split()


def unstage(root: Path, paths: list[str]) -> None:
    """Take ``paths`` out of the index again (undo the staging of a failed change)."""
    _run(root, ["reset", "-q", "--", *paths], what="unstage the change")


# git's %G? letters: whether a commit carries a signature, and what git could tell of it.
SIGNATURE_STATES = {"G": "good", "U": "good, unknown key", "X": "good, expired", "Y": "good, expired key",
                    "R": "good, revoked key", "E": "cannot be checked", "B": "bad", "N": "unsigned"}


@dataclass(frozen=True)
class LogEntry:
    commit: str
    date: str
    author: str
    subject: str
    signature: str = "N"  # git's %G? letter

    @property
    def signed(self) -> str:
        return SIGNATURE_STATES.get(self.signature, "unsigned")

    def as_dict(self) -> dict:
        return {"commit": self.commit, "date": self.date, "author": self.author, "subject": self.subject,
                "signature": self.signed}


def log_all(root: Path, paths: list[str]) -> list[LogEntry]:
    """Every commit that changed one of ``paths`` (folders or files), newest first."""
    return _log(root, paths)


def log(root: Path, path: str) -> list[LogEntry]:
    """Commits that changed ``path``, newest first.

    Records are never renamed (the file is named after the id), so renames are not followed: ``--follow`` would
    take a new record that looks like an older one for a copy of it and list the older one's history.
    """
    return _log(root, [path])


def _log(root: Path, paths: list[str]) -> list[LogEntry]:
    out = _run(
        root,
        ["log", "--no-renames", "--format=%H%x1f%aI%x1f%an%x1f%G?%x1f%s%x1e", "--", *paths],
        what="read the history",
    )
    entries = []
    for chunk in out.split("\x1e"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        commit_id, date, author, signature, subject = chunk.split("\x1f", 4)
        entries.append(LogEntry(commit_id, date, author, subject, signature))
    return entries


def log_by_file(root: Path, folders: list[str]) -> dict[str, list[LogEntry]]:
    """Every commit that changed a file under ``folders``, by the file's path (relative to ``root``), newest first:
    what :func:`log` gives for each file, for a whole register in one pass of ``git log`` (one ``git log`` per
    record is a process each, about 5 ms: a minute for 10,000 records).

    On a straight history (``isa sync`` replays, never merges) the one pass is exact. Where someone merged by hand,
    git's own reading of one file's history may leave out a side's commits whose change the merge did not keep, so
    the files either side of a merge changed are read again one by one, as :func:`log` reads them."""
    try:
        out = _run(
            root,
            ["log", "--no-renames", "--relative", "--name-only", "--diff-merges=dense-combined",
             "--format=%x1d%H%x1f%P%x1f%aI%x1f%an%x1f%G?%x1f%s", "--", *folders],
            what="read the history", config=["-c", "core.quotePath=false"],
        )
    except StoreError as exc:
        if "diff-merges" not in str(exc):
            raise
        found = ".".join(map(str, git_version() or ())) or "an older one"
        raise StoreError(f"git 2.31 or later is needed to read the register's history (this is git {found}); "
                         "install a newer git (docs/install.md)") from None
    by_file: dict[str, list[LogEntry]] = {}
    merges: list[list[str]] = []
    for chunk in out.split("\x1d"):
        if not chunk.strip():
            continue
        header, _, names = chunk.partition("\n")
        commit_id, parents, date, author, signature, subject = header.split("\x1f", 5)
        if len(parents.split()) > 1:
            merges.append(parents.split())
        entry = LogEntry(commit_id, date, author, subject, signature)
        for name in dict.fromkeys(names.split("\n")):  # a merge may list a file once per parent
            if name:
                by_file.setdefault(name, []).append(entry)
    for name in sorted(_merged_files(root, merges, folders)):
        by_file[name] = log(root, name)
    return by_file


def _merged_files(root: Path, merges: list[list[str]], folders: list[str]) -> set[str]:
    """The files under ``folders`` that some side of a merge changed since the sides parted."""
    changed: set[str] = set()
    for parents in merges:
        base = _run(root, ["merge-base", "--octopus", *parents], what="read the history").strip()
        for parent in parents:
            if base:
                names = _run(root, ["diff", "--no-renames", "--relative", "--name-only", base, parent, "--",
                                    *folders], what="read the history", config=["-c", "core.quotePath=false"])
            else:  # histories with nothing in common: every file of the side
                names = _run(root, ["ls-tree", "-r", "--name-only", "--full-tree", parent, "--", *folders],
                             what="read the history", config=["-c", "core.quotePath=false"])
            changed.update(name for name in names.split("\n") if name)
    return changed


# -- remotes and history, for sync (names and URLs are checked by .remote before they get here) ----------------


class Unreachable(StoreError):
    """The remote could not be reached (offline, refused, or the credentials were not accepted)."""


class PushRejected(StoreError):
    """The remote has commits we have not seen (someone pushed first): fetch and replay again."""


_UNREACHABLE = ("Could not resolve host", "unable to access", "Connection refused", "Connection timed out",
                "Could not read from remote repository", "does not appear to be a git repository",
                "Authentication failed", "Permission denied", "Network is unreachable", "not found",
                "terminal prompts disabled", "could not read Username", "No such file or directory")


def _remote_run(root: Path, args: list[str], *, what: str) -> str:
    """A git call that talks to a remote: only https, ssh and file allowed, no prompt for a password, and no
    password or token from a URL in what it reports."""
    from .remote import PROTOCOL_GUARD, redact

    try:
        return _run(root, args, what=what, config=PROTOCOL_GUARD,
                    env={"GIT_TERMINAL_PROMPT": "0", "GIT_PROTOCOL_FROM_USER": "0", "GIT_ASKPASS": "true",
                         "SSH_ASKPASS": "true", "GIT_SSH_VARIANT": "ssh"})
    except DiskFull:
        raise
    except StoreError as exc:
        text = redact(str(exc))
        moved_on = ("[rejected]", "non-fast-forward", "fetch first")  # someone pushed first
        raced = ("cannot lock ref", "failed to update ref", "but expected")  # someone is pushing right now
        if any(words in text for words in moved_on) and "[remote rejected]" not in text \
                or any(words in text for words in raced):
            raise PushRejected(text) from None
        if any(words in text for words in _UNREACHABLE):
            raise Unreachable(text) from None
        raise StoreError(text) from None


def remote_url(root: Path, name: str) -> str | None:
    out = _run(root, ["config", "--get", f"remote.{name}.url"], what="read the remote") if name in remotes(root) else ""
    return out.strip() or None


def add_remote(root: Path, name: str, url: str) -> None:
    _run(root, ["remote", "add", name, url], what="add the remote")


def current_branch(root: Path) -> str:
    out = _run(root, ["symbolic-ref", "-q", "--short", "HEAD"], what="read the branch")
    return out.strip()


def fetch(root: Path, remote: str, branch: str) -> bool:
    """Bring the remote's ``branch`` here as ``refs/remotes/REMOTE/BRANCH``; False when the remote has no such
    branch yet (a new, empty repository)."""
    try:
        _remote_run(root, ["fetch", "-q", "--no-tags", "--no-recurse-submodules", remote,
                           f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"], what=f"fetch from {remote}")
    except StoreError as exc:
        if "couldn't find remote ref" in str(exc):
            return False
        raise
    return True


def push(root: Path, remote: str, commit: str, branch: str) -> None:
    """Push ``commit`` to the remote's ``branch``, never forced: a remote that moved on rejects it."""
    _remote_run(root, ["push", "-q", "--no-recurse-submodules", remote, f"{commit}:refs/heads/{branch}"],
                what=f"push to {remote}")


def clone(url: str, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    _remote_run(folder.parent, ["clone", "-q", "--no-recurse-submodules", "--", url, str(folder)],
                what=f"clone {url}")


def resolve(root: Path, rev: str) -> str | None:
    """The commit id ``rev`` names, or None when it names nothing."""
    status, out, _ = _git(root).execute(["git", "rev-parse", "-q", "--verify", f"{rev}^{{commit}}"],
                                        with_extended_output=True, with_exceptions=False)
    return out.strip() if status == 0 and out.strip() else None


def commits_between(root: Path, upstream: str, tip: str) -> list[str]:
    """The commits on ``tip`` not on ``upstream``, oldest first (first parents only)."""
    out = _run(root, ["rev-list", "--reverse", "--first-parent", f"{upstream}..{tip}"], what="list the commits")
    return out.split()


def is_merge(root: Path, commit: str) -> bool:
    return len(_run(root, ["rev-list", "--parents", "-n", "1", commit], what="read a commit").split()) > 2


@dataclass(frozen=True)
class Change:
    status: str  # A, M or D
    path: str
    mode: str = "100644"  # the file's mode in the commit (100755 an executable, 120000 a link)


def changes(root: Path, commit: str) -> list[Change]:
    """The files ``commit`` added, modified or deleted against its parent (renames as delete and add)."""
    out = _run(root, ["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", "--raw", "--root", commit],
               what="read a commit's changes")
    fields = out.split("\0")
    found = []
    for i in range(0, len(fields) - 1, 2):
        meta = fields[i].split()
        if len(meta) >= 5:  # :old-mode new-mode old-sha new-sha status
            found.append(Change(meta[4][:1], fields[i + 1], meta[1] if meta[1] != "000000" else meta[0][1:]))
    return found


def read_blob(root: Path, commit: str, path: str) -> bytes | None:
    """The file at ``path`` in ``commit``, byte for byte (None when it has none)."""
    status, out, _ = _git(root).execute(["git", "cat-file", "blob", f"{commit}:{path}"], with_extended_output=True,
                                        with_exceptions=False, stdout_as_string=False,
                                        strip_newline_in_stdout=False)
    return out if status == 0 else None


def parent_of(root: Path, commit: str) -> str | None:
    return resolve(root, f"{commit}^")


def is_ancestor(root: Path, older: str, newer: str) -> bool:
    status, _, _ = _git(root).execute(["git", "merge-base", "--is-ancestor", older, newer],
                                      with_extended_output=True, with_exceptions=False)
    return status == 0


def shares_history(root: Path, one: str, other: str) -> bool:
    status, out, _ = _git(root).execute(["git", "merge-base", one, other], with_extended_output=True,
                                        with_exceptions=False)
    return status == 0 and bool(out.strip())


def merge_in_progress(root: Path) -> str | None:
    """What git operation a person left under way here (a merge, rebase, cherry-pick...), else None."""
    gd = git_dir(root)
    if gd is None:
        return None
    for marker, what in (("MERGE_HEAD", "a merge (git pull or git merge)"), ("rebase-merge", "a rebase"),
                         ("rebase-apply", "a rebase"), ("CHERRY_PICK_HEAD", "a cherry-pick"),
                         ("REVERT_HEAD", "a revert")):
        if (gd / marker).exists():
            return what
    return None


def unmerged_paths(root: Path) -> list[str]:
    """Files a merge left with a conflict in the index."""
    out = _run(root, ["ls-files", "-u", "-z"], what="read the index")
    return sorted({entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry})


@dataclass(frozen=True)
class CommitInfo:
    message: str
    author_name: str
    author_email: str
    author_date: str


def commit_info(root: Path, commit: str) -> CommitInfo:
    out = _run(root, ["log", "-1", "--format=%an%x00%ae%x00%aI%x00%B", commit], what="read a commit")
    name, email, date, message = out.split("\0", 3)
    return CommitInfo(message.rstrip("\n"), name, email, date)


def build_commit(root: Path, parent: str, files: dict[str, tuple[bytes, str] | None], info: CommitInfo) -> str:
    """A new commit on ``parent`` with ``files`` changed (content and mode; None: removed), made without touching
    the index or the working tree (a private index in the git folder); the author and date are kept from ``info``,
    and it is signed if git is set to sign commits (``commit.gpgSign``)."""
    gd = git_dir(root) or root / ".git"
    index = gd / "isa-sync-index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        _run(root, ["read-tree", parent], what="read the tree", env=env)
        for path, data in files.items():
            if data is None:
                _run(root, ["update-index", "--force-remove", "--", path], what="remove a file", env=env)
            else:
                content, mode = data
                blob = _hash_object(root, content)
                _run(root, ["update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}"], what="add a file",
                     env=env)
        tree = _run(root, ["write-tree"], what="write the tree", env=env).strip()
    finally:
        index.unlink(missing_ok=True)
    if tree == _run(root, ["rev-parse", f"{parent}^{{tree}}"], what="read the tree").strip():
        return parent  # the change is already there: no empty commit
    author = {"GIT_AUTHOR_NAME": info.author_name, "GIT_AUTHOR_EMAIL": info.author_email,
              "GIT_AUTHOR_DATE": info.author_date}
    return _run(root, ["commit-tree", tree, "-p", parent, "-m", info.message], what="make the commit",
                env=author).strip()


def _hash_object(root: Path, data: bytes) -> str:
    import tempfile

    gd = git_dir(root) or root / ".git"
    with tempfile.NamedTemporaryFile(dir=gd, prefix=".isa-blob.", suffix=".tmp", delete=False) as handle:
        handle.write(data)
    try:
        return _run(root, ["hash-object", "-w", "--", handle.name], what="store a file").strip()
    finally:
        Path(handle.name).unlink(missing_ok=True)


def move_to(root: Path, commit: str) -> None:
    """Move the branch, index and working tree to ``commit``, keeping any unrelated change a person has made
    (refused, changing nothing, if one of their changes is to a file the move changes)."""
    _run(root, ["reset", "-q", "--keep", commit], what="move the register to the synced commit")


def count_all(root: Path) -> int:
    return int(_run(root, ["rev-list", "--count", "HEAD"], what="count the commits").strip() or 0)


def names_in(root: Path, commit: str, folder: str) -> list[str]:
    """The names of the files in ``folder`` at ``commit``."""
    status, out, _ = _git(root).execute(["git", "ls-tree", "-z", "--name-only", f"{commit}:{folder}"],
                                        with_extended_output=True, with_exceptions=False)
    return [name for name in out.split("\0") if name] if status == 0 else []


def count_between(root: Path, upstream: str, tip: str) -> int:
    return int(_run(root, ["rev-list", "--count", f"{upstream}..{tip}"], what="count the commits").strip() or 0)


def config_set(root: Path, key: str, value: str) -> None:
    _run(root, ["config", key, value], what=f"set {key}")
