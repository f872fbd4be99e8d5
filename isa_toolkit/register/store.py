"""Writing to the register: one change, under the lock, atomically, as one commit.

A write takes the register lock, reads the record as it is now, lets the
step change it (or refuse, changing nothing), writes the file atomically
(temporary file, fsync, rename), commits exactly that file, and on any
failure puts the file back as it was. Two ``isa`` processes writing at once
therefore queue on the lock instead of racing for git's ``index.lock``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InvalidRecord, StoreError
from ..model import Agreement
from . import journal, lock, vcs, yamlio
from .files import write_atomic
from .ids import check_id, make_id
from .kinds import AGREEMENT, KINDS, RECORD_SUFFIX, Kind, kind_of, record_path
from .load import load_record
from .read import problems_from_validation

__all__ = ["write_atomic", "register_lock"]  # with the functions below: what the rest of the toolkit writes through


def to_plain(model: BaseModel) -> dict:
    """The record as plain YAML-ready data: only the fields that were set, in model order."""
    return _plain(model.model_dump(mode="python", exclude_unset=True))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def register_lock(root: Path, timeout: float | None = None) -> contextlib.AbstractContextManager[None]:
    """Hold the register's write lock; once held, clear what a writer stopped part-way left behind."""
    return lock.register_lock(root, timeout, on_acquire=_after_a_stopped_writer)


def _after_a_stopped_writer(root: Path) -> None:
    recovery = put_back_stopped_write(root)
    if recovery is not None:
        lock.reporter().recovered(recovery.describe())


def put_back_stopped_write(root: Path) -> journal.Recovery | None:
    """Put back a write that was stopped part-way and remove its temporary files (hold the lock)."""
    recovery = journal.recover(root)
    for kind in KINDS:
        folder = root / kind.folder
        if folder.is_dir() and not folder.is_symlink():
            for leftover in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    gd = vcs.git_dir(root)
    if gd is not None:
        for leftover in gd.glob(f".{journal.JOURNAL_FILE}.*.tmp"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return recovery


_SPACE_RE = re.compile(r"\s+")


def commit_message(record_id: str, change: str, by: str) -> str:
    """``ISA-2026-0003: <what changed> [by NAME]`` on one line."""
    change = _SPACE_RE.sub(" ", change).strip() or "changed"
    by = _SPACE_RE.sub(" ", by).strip()
    return f"{record_id}: {change} [by {by}]" if by else f"{record_id}: {change}"

BOM = "\ufeff"


@dataclass
class _Write:
    """One file about to be written: where, what it held and what it will hold."""

    path: Path
    rel: str
    old_bytes: bytes | None
    new_text: str


def _read_back(kind: Kind, text: str):
    try:
        return kind.model.model_validate(yamlio.parse(text.removeprefix(BOM)))
    except (yamlio.YamlError, ValidationError):
        return None


def _prepare(root: Path, record) -> _Write | None:
    """Check ``record`` and make the text of its file; None when the file already says exactly that."""
    kind = kind_of(record)
    path = record_path(root, record.id, kind)
    rel = f"{kind.folder}/{path.name}"
    if (root / kind.folder).is_symlink():
        raise StoreError(f"{kind.folder} is a symbolic link; records are written only into plain folders of the register")
    if path.is_symlink():
        raise StoreError(f"{rel} is a symbolic link; records are written only as plain files in the register")
    under_way = vcs.merge_in_progress(root)
    if under_way is not None:
        raise StoreError(f"{under_way} is under way in this copy of the register, so nothing can be written: "
                         "undo it with `git merge --abort` (or `git rebase --abort`) and use `isa sync`, which shows "
                         "conflicts field by field; or finish it by hand (git status says how)")
    old_bytes = path.read_bytes() if path.exists() else None
    vcs.check_objects(root, [rel] if old_bytes is not None else [])  # what this write rests on reads back whole
    if old_bytes is not None and vcs.has_uncommitted_changes(root, rel):
        raise StoreError(
            f"{rel} has changes that are not committed (edited by hand, or left by an interrupted write); "
            f"commit them (git commit {rel}) or discard them (git checkout HEAD -- {rel}, which undoes a staged "
            "change too), then try again"
        )
    new_data = to_plain(record)
    try:  # the step built the record without validation (model_copy): check it now, field by field
        kind.model.model_validate(new_data)
    except ValidationError as exc:
        raise InvalidRecord(f"{record.id}: the change would make the record invalid; nothing was written",
                            problems_from_validation(exc, rel, None, record.id)) from None
    if old_bytes is not None:
        old_text = old_bytes.decode("utf-8")
        if _read_back(kind, old_text) == record:
            return None  # nothing changed: leave the file (and its comments) alone
        new_text = yamlio.update(old_text.removeprefix(BOM).replace("\r\n", "\n"), new_data)
        # Keep the file's own conventions: a byte-order mark, Windows line endings.
        if "\r\n" in old_text:
            new_text = new_text.replace("\n", "\r\n")
        if old_text.startswith(BOM):
            new_text = BOM + new_text
    else:
        new_text = yamlio.dump(new_data)
    if len(new_text.encode("utf-8")) > yamlio.MAX_BYTES:
        raise InvalidRecord(f"{record.id}: the record would be larger than {yamlio.MAX_BYTES >> 20} MiB, which no "
                            f"{kind.title} needs; shorten the longest texts. Nothing was written")
    # What we are about to write must read back as the record we were given.
    if _read_back(kind, new_text) != record:
        raise StoreError(f"{record.id}: the changed record would not read back as it should, so nothing was written; "
                         "this is a fault in the toolkit: please report it with the record")
    return _Write(path, rel, old_bytes, new_text)


def _keep_originals(writes: list[_Write]) -> dict[Path, Path]:
    """A hard link to each file about to be replaced: putting it back then needs no free space (a full disk is
    when a write fails)."""
    kept = {}
    for write in writes:
        if write.old_bytes is not None and write.path.exists():
            backup = write.path.with_name(f".{write.path.name}.orig.tmp")
            with contextlib.suppress(FileNotFoundError):
                backup.unlink()
            try:
                os.link(write.path, backup)
            except OSError:
                continue  # no hard links here: restored by writing the old bytes
            kept[write.path] = backup
    return kept


def _drop(kept: dict[Path, Path]) -> None:
    for backup in kept.values():
        with contextlib.suppress(FileNotFoundError):
            backup.unlink()


def _restore(writes: list[_Write], kept: dict[Path, Path] | None = None) -> None:
    kept = kept or {}
    for write in writes:
        if write.old_bytes is None:
            with contextlib.suppress(FileNotFoundError):
                write.path.unlink()
        elif write.path in kept:
            os.replace(kept.pop(write.path), write.path)
        else:
            write_atomic(write.path, write.old_bytes)
    _drop(kept)


def _attachments(root: Path, files: dict[str, bytes]) -> list[_Write]:
    """New files committed with a record (a signed copy as returned): never replacing one, never through a link."""
    writes = []
    for rel, data in files.items():
        path = root / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise StoreError(f"{rel} is not a path inside the register")
        if path.exists() or path.is_symlink():
            raise StoreError(f"{rel} already exists; a file kept as evidence is never replaced")
        folder = root
        for part in Path(rel).parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                raise StoreError(f"{rel} would be written through a symbolic link; evidence is kept in plain folders")
        writes.append(_Write(path, rel, None, data))  # type: ignore[arg-type] - bytes, written as they are
    return writes


def _apply(root: Path, writes: list[_Write], message: str, author: str | None = None) -> str:
    """Write the files and commit them, journalled so that a writer stopped part-way is put back at the next lock;
    on any failure here, every file is put back now. Hold the lock."""
    journal.begin(root, [journal.Intent(w.rel, journal.digest(w.old_bytes), journal.digest(_encoded(w.new_text)))
                         for w in writes], message)
    done: list[_Write] = []
    kept = _keep_originals(writes)
    try:
        for write in writes:
            write.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(write.path, write.new_text)
            done.append(write)
        commit = vcs.commit(root, [w.rel for w in writes], message, author=author)
    except BaseException:
        _restore(done, kept)
        with contextlib.suppress(StoreError):
            vcs.unstage(root, [w.rel for w in writes])
        journal.end(root)  # only once everything is back: if putting back failed, the next lock finishes it
        raise
    journal.end(root)
    _drop(kept)
    return commit


def _encoded(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _write_locked(root: Path, records: list, message: str, attachments: dict[str, bytes] | None = None,
                  author: str | None = None) -> str | None:
    """Write every record (and the new files ``attachments`` gives) and commit them together, or leave every file
    as it was. Hold the lock."""
    writes = [w for w in (_prepare(root, record) for record in records) if w is not None]
    if not writes:
        return None
    writes += _attachments(root, attachments or {})
    return _apply(root, writes, message, author)


def commit_new_files(root: Path, files: dict[str, bytes], message: str) -> str:
    """Write new files (never replacing one, never through a link) and commit them, under the lock; all or
    nothing."""
    with register_lock(root):
        vcs.check_objects(root, [])
        return _apply(root, _attachments(root, files), message)


def save_agreement(root: Path, record: Agreement, *, change: str, by: str) -> str | None:
    """Write ``record`` and commit it; return the commit id (None when nothing changed)."""
    return save_records(root, [record], subject=record.id, change=change, by=by)


def save_records(root: Path, records: list, *, subject: str, change: str, by: str) -> str | None:
    """Write several records (of any kinds) in one commit, ``SUBJECT: change [by NAME]``; all or nothing."""
    for record in records:
        check_id(record.id)
    with register_lock(root):
        return _write_locked(root, records, commit_message(subject, change, by), author=by)


def modify_agreement(
    root: Path, record_id: str, edit: Callable[[Agreement], tuple[Agreement, str]], *, by: str,
    attachments: dict[str, bytes] | None = None,
) -> tuple[Agreement, str | None]:
    """Read, change and write one agreement under the lock, so no other writer's change is lost (with
    ``attachments``, new files committed in the same commit: a signed copy kept as evidence)."""
    return modify_record(root, AGREEMENT, record_id, edit, by=by, attachments=attachments)


def modify_record(root: Path, kind: Kind, record_id: str, edit: Callable[[Any], tuple[Any, str]], *,
                  by: str, attachments: dict[str, bytes] | None = None) -> tuple[Any, str | None]:
    """Read, change and write one record under the lock, so no other writer's change is lost.

    ``edit`` gets the current record and returns the new record and a
    description of the change (the commit message); it may raise an
    :class:`~isa_toolkit.errors.IsaError` to refuse, leaving everything as it was.
    """
    check_id(record_id)
    with register_lock(root):
        current = load_record(root, kind, record_id)
        updated, change = edit(current)
        if updated.id != record_id or kind_of(updated) is not kind:
            raise InvalidRecord(f"a change may not alter the id or kind of {record_id}")
        return updated, _write_locked(root, [updated], commit_message(record_id, change, by), attachments, by)


@contextlib.contextmanager
def transaction(root: Path) -> Iterator[Callable[..., str | None]]:
    """Hold the lock for a change that reads several records and writes them together.

    Yields ``write(records, subject=..., change=..., by=...)``; read with
    :func:`load_record` inside the block so what is written rests on what is
    on disk now.
    """
    with register_lock(root):
        def write(records: list, *, subject: str, change: str, by: str) -> str | None:
            for record in records:
                check_id(record.id)
            return _write_locked(root, records, commit_message(subject, change, by), author=by)

        yield write


def next_id(root: Path, prefix: str, year: int, kind: Kind = AGREEMENT) -> str:
    """The next free id ``PREFIX-YEAR-NNNN`` (call it holding the lock, so two writers never get the same one)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{year:04d}-(\d+){re.escape(RECORD_SUFFIX)}$")
    highest = 0
    folder = root / kind.folder
    if folder.is_dir():
        with os.scandir(folder) as listing:
            for entry in listing:
                match = pattern.fullmatch(entry.name)
                if match:
                    highest = max(highest, int(match.group(1)))
    return make_id(prefix, year, highest + 1)


def create_agreement(
    root: Path, build: Callable[[str], Agreement], *, prefix: str, year: int, change: str, by: str
) -> Agreement:
    """Allocate the next id, build the record with it and commit it, all under the lock."""
    return create_record(root, AGREEMENT, build, prefix=prefix, year=year, change=change, by=by)


def create_record(root: Path, kind: Kind, build: Callable[[str], Any], *, prefix: str, year: int,
                  change: str | Callable[[Any], str], by: str, also: Callable[[Any], tuple[Any, list]] | None = None) -> Any:
    """Allocate the next id, build the record with it and commit it, all under the lock.

    ``also``, given the new record, returns it (perhaps completed) and other
    records to write in the same commit (a breach suspending the agreements
    it affects); it runs under the lock, so what it reads is current.
    """
    with register_lock(root):
        record = build(next_id(root, prefix, year, kind))
        check_id(record.id)
        if kind_of(record) is not kind:
            raise InvalidRecord(f"{record.id} is not a {kind.title}")
        if record_path(root, record.id, kind).exists():
            raise StoreError(f"{record.id} already exists; nothing was written")
        others: list = []
        if also is not None:
            record, others = also(record)
        message = change(record) if callable(change) else change
        _write_locked(root, [record, *others], commit_message(record.id, message, by), author=by)
        return record
