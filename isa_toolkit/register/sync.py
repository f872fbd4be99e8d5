"""Sharing a register through a git remote: fetch, replay our own commits on top, push; never force.

``sync`` holds the register lock throughout, so it never interleaves with a
local write. Our commits since the remote's branch are replayed one by one
on top of it, each keeping its message, author and date; the replay is built
with git's plumbing in a private index, so the working tree is touched only
once, when the whole replay has succeeded.

For each file a replayed commit changed:

- the remote did not change it since: our version is taken;
- a record both changed: :mod:`.merge` merges it field by field; a field both
  changed differently is a conflict, and the sync stops with nothing changed
  (``isa conflicts`` shows it, ``isa resolve`` settles it, the next sync uses
  that choice);
- ``reminders.log``: the union of both, in date order;
- a record we created under an id the remote has meanwhile given to another
  record: ours is renumbered to the next free id, unless a copy of it has been
  sent for signature or it has sign-offs (its number is printed on a document
  someone holds), in which case it is a conflict for a person.

A push the remote rejects (someone pushed first) is followed by a new fetch
and replay, up to :data:`ATTEMPTS` times with growing pauses. An unreachable
remote leaves our commits in place, counted as not yet pushed.
"""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IsaError, StoreError
from . import lock, merge, vcs, yamlio
from .kinds import KINDS, RECORD_SUFFIX, Kind
from .remote import check_name, check_url

ATTEMPTS = 12
MAX_PAUSE_S = 5.0  # the longest wait between two tries
CONFLICTS_FILE = "isa-conflicts.json"  # in the git folder: never committed
RESOLUTIONS_FILE = "isa-resolutions.json"
LOG_FILE = "reminders.log"
_ID_RE = re.compile(r"^(?P<prefix>[A-Z][A-Z0-9]*)-(?P<year>\d{4})-(?P<number>\d+)$")


@dataclass
class SyncResult:
    remote: str
    branch: str
    pushed: int = 0  # our commits now on the remote
    received: int = 0  # the remote's commits we did not have
    unpushed: int = 0  # our commits the remote does not have yet
    offline: str = ""  # why the remote could not be reached
    attempts: int = 0
    renumbered: dict[str, str] = field(default_factory=dict)
    conflicts: list[merge.Conflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.offline and not self.conflicts

    def as_dict(self) -> dict:
        return {"remote": self.remote, "branch": self.branch, "pushed": self.pushed, "received": self.received,
                "unpushed": self.unpushed, "offline": self.offline or None, "attempts": self.attempts,
                "renumbered": self.renumbered, "conflicts": [c.as_dict() for c in self.conflicts]}


class SyncConflict(IsaError):
    pass


def _kind_for(path: str) -> Kind | None:
    folder, _, name = path.partition("/")
    if "/" in name or not name.endswith(RECORD_SUFFIX):
        return None
    for kind in KINDS:
        if kind.folder == folder:
            return kind
    return None


def _git_file(root: Path, name: str) -> Path:
    gd = vcs.git_dir(root)
    if gd is None:
        raise StoreError(f"{root} is not a git repository; a register must be one")
    return gd / name


def saved_conflicts(root: Path) -> list[merge.Conflict]:
    """The conflicts the last sync stopped at (empty when it did not stop)."""
    try:
        data = json.loads(_git_file(root, CONFLICTS_FILE).read_text(encoding="utf-8"))
        return [merge.Conflict.from_dict(item) for item in data]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return []


def _save_conflicts(root: Path, conflicts: list[merge.Conflict]) -> None:
    from .files import write_atomic

    path = _git_file(root, CONFLICTS_FILE)
    if conflicts:
        write_atomic(path, json.dumps([c.as_dict() for c in conflicts], ensure_ascii=False, indent=1) + "\n")
    else:
        path.unlink(missing_ok=True)


def resolutions(root: Path) -> dict[str, Any]:
    try:
        data = json.loads(_git_file(root, RESOLUTIONS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}


WHOLE_FILE = "file"  # the FIELD a person names to settle a whole-file conflict


def resolve(root: Path, record_id: str, field_name: str, *, choice: str, value: Any = None) -> merge.Conflict:
    """Settle a conflict the last sync stopped at: ``choice`` is ours, theirs or value (``value`` given); a
    whole-file conflict is named by the field ``file`` and settled by ours or theirs."""
    from .files import write_atomic

    with lock.register_lock(root):
        waiting = saved_conflicts(root)
        wanted = "" if field_name == WHOLE_FILE else field_name
        matching = [c for c in waiting if c.record == record_id and c.field == wanted]
        if not matching:
            known = ", ".join(f"{c.record} {c.field or WHOLE_FILE}" for c in waiting) or "none"
            raise IsaError(f"no conflict on {record_id} {field_name} is waiting (waiting: {known}); `isa conflicts` "
                           "lists them")
        conflict = matching[0]
        if conflict.settle == merge.BY_HAND:
            raise IsaError(f"{record_id} {field_name}: {conflict.why}. This one is settled in the record itself: "
                           f"edit {conflict.path} in this copy as it should be (or give one of the two records a new "
                           "id: rename its file and its id: line), commit it (git commit -a), then run `isa sync`")
        if conflict.settle == merge.FILE:
            if choice not in ("ours", "theirs"):
                raise IsaError(f"{conflict.path} conflicts as a whole file: keep this copy's (--ours) or take the "
                               "remote's (--theirs)")
            chosen: Any = {"take": choice}
        else:
            chosen = {"ours": conflict.ours, "theirs": conflict.theirs}.get(choice, value)
        settled = {**resolutions(root), conflict.key: chosen}
        write_atomic(_git_file(root, RESOLUTIONS_FILE), json.dumps(settled, ensure_ascii=False, indent=1) + "\n")
        _save_conflicts(root, [c for c in waiting if c.key != conflict.key])
        return conflict


def _unpushed(root: Path, remote: str, branch: str) -> int:
    upstream = vcs.resolve(root, f"refs/remotes/{remote}/{branch}")
    return vcs.count_between(root, upstream, "HEAD") if upstream else vcs.count_all(root)


def status(root: Path, remote: str = "origin") -> SyncResult:
    """What the last fetch knows: our commits not yet pushed and the remote's not yet here (no network)."""
    check_name(remote)
    branch = vcs.current_branch(root)
    result = SyncResult(remote, branch, unpushed=_unpushed(root, remote, branch))
    upstream = vcs.resolve(root, f"refs/remotes/{remote}/{branch}")
    if upstream is not None:
        result.received = vcs.count_between(root, "HEAD", upstream)
    result.conflicts = saved_conflicts(root)
    return result


def _ready(root: Path) -> str:
    """The branch to sync, once nothing a person left under way stands in the way."""
    under_way = vcs.merge_in_progress(root)
    if under_way is not None:
        raise IsaError(f"{under_way} is under way in this copy of the register, so it cannot be synced: finish it "
                       "(git status says how) or undo it (e.g. git merge --abort), then run `isa sync` again")
    branch = vcs.current_branch(root)
    if not branch:
        raise IsaError("this copy of the register is not on a branch (a detached HEAD): go back to it with "
                       "`git switch main`, then run `isa sync` again")
    check_name(branch, "branch name")
    if vcs.changed_files(root, [ATTRIBUTES_FILE]) or set_up_merging(root):
        vcs.commit(root, [ATTRIBUTES_FILE], "Register: records merge field by field (isa sync)")
    return branch


def sync(root: Path, remote: str = "origin", *, attempts: int = ATTEMPTS, pause_s: float = 0.2) -> SyncResult:
    """Fetch, replay our commits on the remote's, push; repeat on a rejected push, ``attempts`` times at most."""
    check_name(remote)
    url = vcs.remote_url(root, remote)
    if url is None:
        raise IsaError(f"the register has no remote called {remote!r}: add one with `git remote add {remote} URL` "
                       "(the URL of the register's repository on your forge)")
    check_url(url)
    with lock.register_lock(root):
        branch = _ready(root)
        result = SyncResult(remote, branch)
        for attempt in range(1, attempts + 1):
            result.attempts = attempt
            try:
                vcs.fetch(root, remote, branch)
            except vcs.Unreachable as exc:
                result.offline = _first_line(str(exc))
                result.unpushed = _unpushed(root, remote, branch)
                return result
            upstream = vcs.resolve(root, f"refs/remotes/{remote}/{branch}")
            head = vcs.resolve(root, "HEAD")
            if upstream is not None and head is not None:
                if not vcs.shares_history(root, upstream, head):
                    raise IsaError(f"{remote} holds a history unrelated to this register's (another repository?): "
                                   f"nothing was sent. Check the remote's URL (git remote get-url {remote})")
                result.received = vcs.count_between(root, head, upstream)
                if vcs.is_ancestor(root, head, upstream):  # nothing of ours to send: take theirs
                    if head != upstream:
                        vcs.move_to(root, upstream)
                    _settled_all(root)
                    return result
                if not vcs.is_ancestor(root, upstream, head):  # both moved on: replay ours on theirs
                    tip, renumbered, conflicts = _replay(root, upstream, vcs.commits_between(root, upstream, head))
                    if conflicts:
                        _save_conflicts(root, conflicts)
                        result.conflicts = conflicts
                        result.unpushed = vcs.count_between(root, upstream, head)
                        return result
                    result.renumbered.update(renumbered)
                    vcs.move_to(root, tip)
                # else the remote is behind us: our commits go as they are (ids and signatures kept)
            sending = _unpushed(root, remote, branch)
            try:
                vcs.push(root, remote, "HEAD", branch)
            except vcs.PushRejected:
                pause = min(MAX_PAUSE_S, pause_s * (2 ** (attempt - 1)))
                time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, so racing clones fall apart
                continue
            except vcs.Unreachable as exc:
                result.offline = _first_line(str(exc))
                result.unpushed = _unpushed(root, remote, branch)
                return result
            result.pushed = sending
            result.unpushed = 0
            try:
                vcs.fetch(root, remote, branch)  # our copy of the remote's branch now includes what we pushed
            except StoreError:
                pass  # the push went through; the next sync brings the copy up to date
            _settled_all(root)
            return result
        raise StoreError(f"others kept pushing to {remote} while we synced: {attempts} tries, each rejected because "
                         "the remote had moved on. Your changes are kept here; run `isa sync` again in a moment")


def _settled_all(root: Path) -> None:
    """Nothing is waiting: forget the conflicts and the choices made for them."""
    _save_conflicts(root, [])
    _git_file(root, RESOLUTIONS_FILE).unlink(missing_ok=True)


def _first_line(text: str) -> str:
    from .remote import redact

    return redact(next((line.strip() for line in text.splitlines() if line.strip()), text))


def _replay(root: Path, onto: str, commits: list[str]) -> tuple[str, dict[str, str], list[merge.Conflict]]:
    """Our ``commits`` rebuilt one by one on ``onto``: the new tip, ids renumbered, and the conflicts of the first
    commit that has any (then the tip is ``onto``: nothing changes)."""
    for commit in commits:
        if vcs.is_merge(root, commit):
            raise StoreError(f"commit {commit[:12]} here is a merge, which sync does not replay onto the remote's "
                             "newer commits; push it by hand (git pull, then git push) or ask whoever made it")
    settled = resolutions(root)
    tip = onto
    renames: dict[str, str] = {}  # our path -> the path it has now (a renumbered record)
    renumbered: dict[str, str] = {}
    for commit in commits:
        files: dict[str, tuple[bytes, str] | None] = {}
        conflicts: list[merge.Conflict] = []
        for change in vcs.changes(root, commit):
            mine = vcs.read_blob(root, commit, change.path) if change.status != "D" else None
            base = vcs.read_blob(root, f"{commit}^", change.path) if change.status != "A" else None
            if change.status == "A" and change.path not in renames and _kind_for(change.path) is not None:
                taken = vcs.read_blob(root, tip, change.path)
                if taken is not None and taken != mine:  # the remote gave this id to another record meanwhile
                    latest = vcs.read_blob(root, commits[-1], change.path) or mine or b""  # sent or signed since?
                    new_path, problem = _renumber(root, tip, change.path, latest, onto_used=files)
                    if problem is not None:
                        conflicts.append(problem)
                        continue
                    renames[change.path] = new_path
                    renumbered[_record_id(change.path)] = _record_id(new_path)
            target = renames.get(change.path, change.path)
            if renumbered and mine is not None and _kind_for(target) is not None:
                mine = _renamed_ids(mine, renumbered)  # our commits knew only our records by those ids
            current = files[target][0] if files.get(target) else (
                None if target in files else vcs.read_blob(root, tip, target))
            if current == base or current == mine:
                files[target] = (mine, change.mode) if mine is not None else None
                continue
            if mine == base:
                continue  # only the remote changed it
            merged, found = _merge_file(target, base, mine, current, settled)
            if found:
                conflicts.extend(found)
            else:
                files[target] = (merged, change.mode) if merged is not None else None
        if conflicts:
            return onto, renumbered, conflicts  # the first commit that needs a person: stop there
        if not files:
            continue
        info = vcs.commit_info(root, commit)
        message = info.message
        for old, new in renumbered.items():
            message = re.sub(rf"\b{re.escape(old)}\b", new, message)
        tip = vcs.build_commit(root, tip, files,
                               vcs.CommitInfo(message, info.author_name, info.author_email, info.author_date))
    return tip, renumbered, []


def _renamed_ids(data: bytes, renumbered: dict[str, str]) -> bytes:
    """A record of ours with each renumbered id written as its new one (its own id, and the references to it)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    for old, new in renumbered.items():
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    return text.encode("utf-8")


def _record_id(path: str) -> str:
    return Path(path).name.removesuffix(RECORD_SUFFIX)


def _renumber(root: Path, tip: str, path: str, mine: bytes, onto_used: dict) -> tuple[str, merge.Conflict | None]:
    """The next free id for our record whose id the remote took, or a conflict when its number must not change."""
    record_id = _record_id(path)
    folder = path.rsplit("/", 1)[0]
    try:
        data = yamlio.parse(mine.decode("utf-8"))
    except (yamlio.YamlError, UnicodeDecodeError):
        data = {}
    match = _ID_RE.match(record_id)
    if not isinstance(data, dict) or data.get("sent") or data.get("signoffs") or match is None:
        why = ("the remote gave this id to another record, and ours has been sent for signature or signed, so its "
               "number is on a document and must not change: decide which record keeps it")
        return path, merge.Conflict(record_id, path, "id", None, record_id, record_id, why, merge.BY_HAND)
    prefix, year = match["prefix"], match["year"]
    used = {*vcs.names_in(root, tip, folder), *vcs.names_in(root, "HEAD", folder), *(Path(p).name for p in onto_used)}
    numbers = [int(m["number"]) for m in (_ID_RE.match(n.removesuffix(RECORD_SUFFIX)) for n in used)
               if m and m["prefix"] == prefix and m["year"] == year]
    width = len(match["number"])
    new_id = f"{prefix}-{year}-{max(numbers, default=0) + 1:0{width}d}"
    return f"{folder}/{new_id}{RECORD_SUFFIX}", None


def _merge_file(path: str, base: bytes | None, mine: bytes | None, theirs: bytes | None,
                settled: dict[str, Any]) -> tuple[bytes | None, list[merge.Conflict]]:
    """Both sides changed ``path``: merge it if it is a record or the reminders log, else a conflict (a whole-file
    conflict a person settled takes the side they chose; None as the merged content removes the file)."""
    record_id = _record_id(path) if _kind_for(path) is not None else path
    conflict = None
    if mine is None or theirs is None:
        conflict = merge.Conflict(record_id, path, "", None, "kept and changed" if mine is not None else "deleted",
                                  "kept and changed" if theirs is not None else "deleted",
                                  "deleted on one side and changed on the other", merge.FILE)
    elif path == LOG_FILE:
        try:
            text = merge.merge_log_lines((base or b"").decode("utf-8"), mine.decode("utf-8"), theirs.decode("utf-8"))
            return text.encode("utf-8"), []
        except UnicodeDecodeError:
            conflict = merge.Conflict(path, path, "", None, None, None, "the log is not UTF-8 text on one side",
                                      merge.FILE)
    elif _kind_for(path) is None:
        conflict = merge.Conflict(path, path, "", None, None, None,
                                  "a file that is not a record changed on both sides", merge.FILE)
    else:
        try:
            text, conflicts = merge.merge_text(record_id, path, base.decode("utf-8") if base else None,
                                               mine.decode("utf-8"), theirs.decode("utf-8"), _kind_for(path), settled)
        except UnicodeDecodeError:
            conflicts, text = [merge.Conflict(record_id, path, "", None, None, None,
                                              "one version is not UTF-8 text", merge.FILE)], None
        if not conflicts:
            return (text.encode("utf-8") if text is not None else None), []
        if len(conflicts) > 1 or conflicts[0].settle != merge.FILE:
            return None, conflicts
        conflict = conflicts[0]
    choice = settled.get(conflict.key)
    if isinstance(choice, dict) and choice.get("take") in ("ours", "theirs"):
        return (mine if choice["take"] == "ours" else theirs), []
    return None, [conflict]


# -- the merge driver, for merges git makes itself (git pull, a merge on the forge's side is not one) -------------

DRIVER = "isa-record"
ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTES_MARK = "# isa-toolkit: records merge field by field"


def attributes_text() -> str:
    lines = [f"{ATTRIBUTES_MARK}, the reminders log as a union (see docs/team.md)"]
    lines += [f"{kind.folder}/*{RECORD_SUFFIX} merge={DRIVER}" for kind in KINDS]
    lines.append(f"{LOG_FILE} merge={DRIVER}")
    return "\n".join(lines) + "\n"


def set_up_merging(root: Path) -> bool:
    """Register the record merge driver in this clone's git config, and write ``.gitattributes`` if it lacks our
    lines (True when the file changed, to be committed)."""
    import shlex
    import sys

    command = f"{shlex.quote(sys.executable)} -m isa_toolkit merge-driver %O %A %B %P"
    vcs.config_set(root, f"merge.{DRIVER}.name", "isa-toolkit: records field by field, logs as unions")
    vcs.config_set(root, f"merge.{DRIVER}.driver", command)
    path = root / ATTRIBUTES_FILE
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if ATTRIBUTES_MARK in current:
        return False
    path.write_text(current + ("\n" if current and not current.endswith("\n") else "") + attributes_text(),
                    encoding="utf-8")
    return True


def merge_driver(root: Path, base: Path, ours: Path, theirs: Path, name: str) -> list[merge.Conflict]:
    """What git's merge runs for a record: merge ``ours`` with ``theirs`` into ``ours``; the conflicts left (also
    saved for ``isa conflicts``)."""
    read = [p.read_bytes() if p.exists() and p.stat().st_size else None for p in (base, ours, theirs)]
    merged, conflicts = _merge_file(name, read[0], read[1], read[2], resolutions(root))
    if merged is not None and not conflicts:
        from .files import write_atomic

        write_atomic(ours, merged)
    if conflicts:
        _save_conflicts(root, [*saved_conflicts(root), *conflicts])
    return conflicts
