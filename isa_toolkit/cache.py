"""A cache of parsed records, so a warm query does not re-parse unchanged YAML.

Parsing YAML is by far the slowest part of loading a large register, so each
file's validated content is kept in the git folder (never committed), keyed by
the file's size, timestamps and inode, as git keys its own index. A file
changed within the last second is not cached (its timestamp could still be
shared with a later change), and the whole cache is dropped when the toolkit's
model changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from . import __version__, vcs
from .model import Agreement
from .problem import Problem

CACHE_DIR = "isa-cache"
CACHE_FILE = "agreements.json"
RACY_NS = 1_000_000_000


def _model_key() -> str:
    """Changes whenever the toolkit version or the model's source changes."""
    digest = hashlib.sha256(__version__.encode())
    folder = Path(__file__).resolve().parent / "model"
    for path in sorted(folder.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _stat_key(stat: os.stat_result) -> list[int]:
    return [stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino]


def record_data(agreement: Agreement) -> dict:
    """The record as JSON-able data that validates back to an equal record."""
    return agreement.model_dump(mode="json", exclude_unset=True)


_ADAPTER = TypeAdapter(dict[str, Agreement])


def models_from_data(data: dict[str, dict]) -> dict[str, Agreement]:
    """Validate cached data back into records, all at once (pydantic's fast path)."""
    if not data:
        return {}
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError:
        out = {}
        for rel, item in data.items():
            try:
                out[rel] = Agreement.model_validate(item)
            except ValidationError:
                continue  # dropped: the caller re-reads it from its file next time
        return out


class RecordCache:
    def __init__(self, path: Path | None, key: str, entries: dict):
        self.path = path
        self.key = key
        self.entries = entries
        self.dirty = False
        self.started_ns = time.time_ns()

    @classmethod
    def open(cls, root: Path) -> "RecordCache":
        gd = vcs.git_dir(root)
        key = _model_key()
        if gd is None:
            return cls(None, key, {})
        path = gd / CACHE_DIR / CACHE_FILE
        entries: dict = {}
        try:
            with open(path, encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored.get("key") == key and isinstance(stored.get("entries"), dict):
                entries = stored["entries"]
        except (OSError, ValueError):
            pass  # no cache yet, or an unreadable one: start afresh
        return cls(path, key, entries)

    def get(self, rel: str, stat: os.stat_result) -> tuple[dict | None, list[Problem]] | None:
        entry = self.entries.get(rel)
        if entry is None or entry[0] != _stat_key(stat):
            return None
        return entry[1], [Problem.from_dict(p) for p in entry[2]]

    def put(self, rel: str, stat: os.stat_result, data: dict | None, problems: list[Problem]) -> None:
        if stat.st_mtime_ns >= self.started_ns - RACY_NS:
            self.entries.pop(rel, None)
            return
        self.entries[rel] = [_stat_key(stat), data, [p.as_dict() for p in problems]]
        self.dirty = True

    def keep_only(self, rels) -> None:
        for rel in [rel for rel in self.entries if rel not in rels]:
            del self.entries[rel]
            self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        from .store import write_atomic

        try:
            write_atomic(self.path, json.dumps({"key": self.key, "entries": self.entries}, separators=(",", ":")))
        except OSError:
            pass  # a read-only repository still loads, only more slowly
        self.dirty = False
