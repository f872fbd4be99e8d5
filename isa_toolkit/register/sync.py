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

ATTEMPTS = 8
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


def resolve(root: Path, record_id: str, field_name: str, *, choice: str, value: Any = None) -> merge.Conflict:
    """Settle a conflict the last sync stopped at: ``choice`` is ours, theirs or value (``value`` given)."""
    from .files import write_atomic

    with lock.register_lock(root):
        matching = [c for c in saved_conflicts(root) if c.record == record_id and c.field == field_name]
        if not matching:
            known = ", ".join(f"{c.record} {c.field}" for c in saved_conflicts(root)) or "none"
            raise IsaError(f"no conflict on {record_id} {field_name} is waiting (waiting: {known}); `isa conflicts` "
                           "lists them")
        conflict = matching[0]
        chosen = {"ours": conflict.ours, "theirs": conflict.theirs}.get(choice, value)
        settled = {**resolutions(root), conflict.key: chosen}
        write_atomic(_git_file(root, RESOLUTIONS_FILE), json.dumps(settled, ensure_ascii=False, indent=1) + "\n")
        _save_conflicts(root, [c for c in saved_conflicts(root) if c.key != conflict.key])
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


def sync(root: Path, remote: str = "origin", *, attempts: int = ATTEMPTS, pause_s: float = 0.2) -> SyncResult:
    """Fetch, replay our commits on the remote's, push; repeat on a rejected push, ``attempts`` times at most."""
    check_name(remote)
    url = vcs.remote_url(root, remote)
    if url is None:
        raise IsaError(f"the register has no remote called {remote!r}: add one with `git remote add {remote} URL` "
                       "(the URL of the register's repository on your forge)")
    check_url(url)
    with lock.register_lock(root):
        if set_up_merging(root):
            vcs.commit(root, [ATTRIBUTES_FILE], "Register: records merge field by field (isa sync)")
        branch = check_name(vcs.current_branch(root) or "main", "branch name")
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
                ours = vcs.commits_between(root, upstream, head)
                result.received = vcs.count_between(root, head, upstream)
                if ours:
                    tip, renumbered, conflicts = _replay(root, upstream, ours)
                    if conflicts:
                        _save_conflicts(root, conflicts)
                        result.conflicts = conflicts
                        result.unpushed = len(ours)
                        return result
                    result.renumbered.update(renumbered)
                else:
                    tip = upstream
                if tip != head:
                    vcs.move_to(root, tip)
                if not ours:
                    _save_conflicts(root, [])
                    return result
            sending = _unpushed(root, remote, branch)
            try:
                vcs.push(root, remote, "HEAD", branch)
            except vcs.PushRejected:
                time.sleep(pause_s * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5))  # noqa: S311 - backoff jitter
                continue
            except vcs.Unreachable as exc:
                result.offline = _first_line(str(exc))
                result.unpushed = _unpushed(root, remote, branch)
                return result
            result.pushed = sending
            vcs.fetch(root, remote, branch)  # our copy of the remote's branch now includes what we pushed
            _save_conflicts(root, [])
            result.unpushed = 0
            return result
        raise StoreError(f"others kept pushing to {remote} while we synced: {attempts} tries, each rejected because "
                         "the remote had moved on. Your changes are kept here; run `isa sync` again in a moment")


def _first_line(text: str) -> str:
    from .remote import redact

    return redact(next((line.strip() for line in text.splitlines() if line.strip()), text))


def _replay(root: Path, onto: str, commits: list[str]) -> tuple[str, dict[str, str], list[merge.Conflict]]:
    """Our ``commits`` rebuilt one by one on ``onto``: the new tip, ids renumbered, and conflicts (tip unchanged)."""
    for commit in commits:
        if vcs.is_merge(root, commit):
            raise StoreError(f"commit {commit[:12]} here is a merge, which sync does not replay; push it by hand "
                             "(git pull, then git push) or ask whoever made it")
    settled = resolutions(root)
    tip = onto
    renames: dict[str, str] = {}  # our path -> the path it has now (a renumbered record)
    renumbered: dict[str, str] = {}
    conflicts: list[merge.Conflict] = []
    for commit in commits:
        files: dict[str, bytes | None] = {}
        info = vcs.commit_info(root, commit)
        for change in vcs.changes(root, commit):
            mine = vcs.read_blob(root, commit, change.path) if change.status != "D" else None
            base = vcs.read_blob(root, f"{commit}^", change.path) if change.status != "A" else None
            if change.status == "A" and change.path not in renames:
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
            if target != change.path and mine is not None:
                mine = _with_id(mine, _record_id(target))
            current = files[target] if target in files else vcs.read_blob(root, tip, target)
            if current == base or current == mine:
                files[target] = mine
                continue
            if mine == base:
                continue  # only the remote changed it
            merged, found = _merge_file(target, base, mine, current, settled)
            if found:
                conflicts.extend(found)
            else:
                files[target] = merged
        if conflicts:
            continue
        if files:
            message = info.message
            for old, new in renumbered.items():
                message = message.replace(old, new)
            tip = vcs.build_commit(root, tip, files,
                                   vcs.CommitInfo(message, info.author_name, info.author_email, info.author_date))
    return (onto if conflicts else tip), renumbered, conflicts


def _record_id(path: str) -> str:
    return Path(path).name.removesuffix(RECORD_SUFFIX)


def _with_id(data: bytes, new_id: str) -> bytes:
    text = data.decode("utf-8")
    return yamlio.update(text, {**yamlio.parse(text), "id": new_id}).encode("utf-8")


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
        return path, merge.Conflict(record_id, path, "id", None, record_id, record_id, why)
    prefix, year = match["prefix"], match["year"]
    used = {*vcs.names_in(root, tip, folder), *vcs.names_in(root, "HEAD", folder), *(Path(p).name for p in onto_used)}
    numbers = [int(m["number"]) for m in (_ID_RE.match(n.removesuffix(RECORD_SUFFIX)) for n in used)
               if m and m["prefix"] == prefix and m["year"] == year]
    width = len(match["number"])
    new_id = f"{prefix}-{year}-{max(numbers, default=0) + 1:0{width}d}"
    return f"{folder}/{new_id}{RECORD_SUFFIX}", None


def _merge_file(path: str, base: bytes | None, mine: bytes | None, theirs: bytes | None,
                settled: dict[str, Any]) -> tuple[bytes | None, list[merge.Conflict]]:
    """Both sides changed ``path``: merge it if it is a record or the reminders log, else a conflict."""
    record_id = _record_id(path)
    if mine is None or theirs is None:
        why = "deleted on one side and changed on the other"
        return None, [merge.Conflict(record_id, path, "", None, mine is not None, theirs is not None, why)]
    if path == LOG_FILE:
        text = merge.merge_log_lines((base or b"").decode("utf-8"), mine.decode("utf-8"), theirs.decode("utf-8"))
        return text.encode("utf-8"), []
    kind = _kind_for(path)
    if kind is None:
        return None, [merge.Conflict(path, path, "", None, None, None,
                                     "a file that is not a record changed on both sides: merge it by hand")]
    text, conflicts = merge.merge_text(record_id, path, base.decode("utf-8") if base else None, mine.decode("utf-8"),
                                       theirs.decode("utf-8"), kind, settled)
    return (text.encode("utf-8") if text is not None else None), conflicts


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
    if merged is not None:
        from .files import write_atomic

        write_atomic(ours, merged)
    if conflicts:
        _save_conflicts(root, [*saved_conflicts(root), *conflicts])
    return conflicts
