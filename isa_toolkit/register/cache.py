"""A cache of parsed records, so a warm query does not re-parse unchanged YAML.

Parsing YAML is by far the slowest part of loading a large register, so for
each file the cache keeps its index entry, its problems, the results of the
record checks and its validated content, in an SQLite database in the git
folder (never committed). A row is keyed by the file's size, timestamps and
inode, as git keys its own index. A file changed within the last second is not
cached (a later change could share its timestamp); the whole cache is dropped
when the toolkit's model changes, and check results when the register's
settings, chain or classification change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import __version__
from . import vcs
from .problem import Problem

CACHE_FILE = "isa-cache.sqlite"
RACY_NS = 1_000_000_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rel TEXT PRIMARY KEY,
    stat TEXT NOT NULL,
    record_id TEXT,
    entry TEXT,
    problems TEXT NOT NULL,
    checks_key TEXT,
    checks TEXT,
    data TEXT
);
"""


PACKAGE = Path(__file__).resolve().parent.parent  # the whole isa_toolkit package


def sources() -> list[Path]:
    """Every source file of the toolkit: a change to any of them (the model's above all) may change what a
    cached record, problem or check result would be."""
    return [path for path in sorted(PACKAGE.rglob("*.py")) if "_data" not in path.relative_to(PACKAGE).parts]


@cache
def model_key() -> str:
    """Changes whenever the toolkit's code changes (its version, or any of its sources)."""
    digest = hashlib.sha256(__version__.encode())
    for path in sources():
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stat_key(stat: os.stat_result) -> str:
    return f"{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_size}:{stat.st_ino}"


def record_data(record: Any) -> dict:
    """The record as JSON-able data that validates back to an equal record."""
    return record.model_dump(mode="json", exclude_unset=True)


@cache
def _adapter(model: type) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(dict[str, model])


def models_from_data(data: dict[str, dict], model: type | None = None) -> dict[str, Any]:
    """Validate stored data back into records of one kind (agreements unless ``model`` says), all at once
    (pydantic's fast path)."""
    if not data:
        return {}
    from pydantic import ValidationError

    if model is None:
        from ..model import Agreement

        model = Agreement
    try:
        return _adapter(model).validate_python(data)
    except ValidationError:
        out = {}
        for key, item in data.items():
            with contextlib.suppress(ValidationError):
                out[key] = model.model_validate(item)
        return out


def _problems(text: str | None) -> list[Problem]:
    if not text or text == "[]":  # the usual case, and worth skipping the parser for
        return []
    return [Problem.from_dict(p) for p in json.loads(text)]


def _dump_problems(problems: list[Problem]) -> str:
    return json.dumps([p.as_dict() for p in problems], separators=(",", ":"))


@dataclass
class Row:
    stat: str
    record_id: str | None
    entry: dict | None
    problems: list[Problem]
    checks_key: str | None
    checks: list[Problem] | None


class RecordCache:
    """The cache of one register; every method is a no-op when there is no database."""

    def __init__(self, db: sqlite3.Connection | None):
        self.db = db
        self.started_ns = time.time_ns()

    @classmethod
    def open(cls, root: Path) -> RecordCache:
        gd = vcs.git_dir(root)
        if gd is None:
            return cls(None)
        try:
            db = sqlite3.connect(gd / CACHE_FILE, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            key = model_key()
            stored = db.execute("SELECT value FROM meta WHERE name = 'model'").fetchone()
            if stored is None or stored[0] != key:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM records")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('model', ?)", (key,))
                db.execute("COMMIT")
            db.execute("BEGIN")
        except (sqlite3.Error, OSError):
            return cls(None)  # an unreadable or locked cache: load without it, only more slowly
        return cls(db)

    @classmethod
    def disabled(cls) -> RecordCache:
        return cls(None)

    def rows(self) -> dict[str, Row]:
        if self.db is None:
            return {}
        try:
            found = self.db.execute(
                "SELECT rel, stat, record_id, entry, problems, checks_key, checks FROM records"
            ).fetchall()
        except sqlite3.Error:
            return {}
        return {
            rel: Row(stat, record_id, json.loads(entry) if entry else None, _problems(problems), checks_key,
                     _problems(checks) if checks is not None else None)
            for rel, stat, record_id, entry, problems, checks_key, checks in found
        }

    def data(self, rels: list[str]) -> dict[str, dict]:
        if self.db is None or not rels:
            return {}
        out: dict[str, dict] = {}
        try:
            for start in range(0, len(rels), 500):
                chunk = rels[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for rel, data in self.db.execute(f"SELECT rel, data FROM records WHERE rel IN ({marks})", chunk):  # noqa: S608
                    if data:
                        out[rel] = json.loads(data)
        except sqlite3.Error:
            return {}
        return out

    def put(self, rel: str, stat: os.stat_result, record_id: str | None, entry: dict | None,
            problems: list[Problem], data: str | None) -> None:
        if self.db is None:
            return
        try:
            if stat.st_mtime_ns >= self.started_ns - RACY_NS:
                self.db.execute("DELETE FROM records WHERE rel = ?", (rel,))
                return
            self.db.execute(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)",
                (rel, stat_key(stat), record_id, json.dumps(entry) if entry else None, _dump_problems(problems),
                 data),
            )
        except (sqlite3.Error, UnicodeError, ValueError):
            self._give_up()

    def put_checks(self, rel: str, checks_key: str, problems: list[Problem]) -> None:
        if self.db is None:
            return
        try:
            self.db.execute("UPDATE records SET checks_key = ?, checks = ? WHERE rel = ?",
                            (checks_key, _dump_problems(problems), rel))
        except (sqlite3.Error, UnicodeError, ValueError):
            self._give_up()

    def forget(self, rels) -> None:
        if self.db is None:
            return
        try:
            self.db.executemany("DELETE FROM records WHERE rel = ?", [(rel,) for rel in rels])
        except (sqlite3.Error, UnicodeError, ValueError):
            self._give_up()

    def close(self) -> None:
        if self.db is None:
            return
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("COMMIT")
        self.db.close()
        self.db = None

    def _give_up(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("ROLLBACK")
            self.db.close()
        self.db = None
