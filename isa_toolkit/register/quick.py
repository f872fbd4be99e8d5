"""A listing straight from the cache: index entries of an unchanged register, with no model built.

``isa list`` needs only each record's index entry. When every record file is
exactly as the cache last saw it (same size, timestamps and inode, the same
toolkit), the entries are read from the cache and the models (and pydantic
behind them, most of a command's start-up) are never loaded. Anything else (a
changed, new or removed file, an old cache, no cache) returns None, and the
caller loads the register in full, which brings the cache up to date.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, vcs
from .kinds import BY_FOLDER, KINDS, RECORD_SUFFIX
from .locate import REGISTER_FILE

_LANGUAGES = re.compile(r"(?m)^languages:[ \t]*(?:\[([^\]\n]*)\]|\n((?:[ \t]*-[ \t]*\S+[ \t]*\n)+))")


@dataclass
class QuickSection:
    index: dict[str, dict] = field(default_factory=dict)


@dataclass
class QuickRegister:
    """What a listing reads of the register (the same names as :class:`.load.Register` uses for them)."""

    root: Path
    languages: list[str]
    sections: dict[str, QuickSection]
    unreadable: list[str]

    @property
    def index(self) -> dict[str, dict]:
        return self.sections["agreement"].index

    def section(self, name: str) -> QuickSection:
        return self.sections[name]


def _languages(root: Path) -> list[str] | None:
    """``languages`` from register.yaml as plain text (a flow or block list); None when it is written otherwise."""
    try:
        text = (root / REGISTER_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = _LANGUAGES.search(text)
    if match is None:
        return ["en"] if not re.search(r"(?m)^languages:", text) else None
    items = match.group(1).split(",") if match.group(1) is not None else \
        [line.strip()[1:] for line in match.group(2).splitlines()]
    found = [item.strip().strip("'\"") for item in items if item.strip()]
    return found if found and all(re.fullmatch(r"[a-z]{2,3}", item) for item in found) else None


def quick_register(root: Path) -> QuickRegister | None:
    """The register's index entries from the cache, or None when the cache cannot vouch for every file."""
    gd = vcs.git_dir(root)
    languages = _languages(root)
    if gd is None or languages is None or not (gd / cache.CACHE_FILE).is_file():
        return None
    files: dict[str, str] = {}
    for kind in KINDS:
        folder = root / kind.folder
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return None  # reported by the full load
        if not folder.is_dir():
            continue
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.name.startswith("."):
                    continue
                if not entry.name.endswith(RECORD_SUFFIX) or entry.is_symlink() or not entry.is_file():
                    return None  # something the full load has a word for
                files[f"{kind.folder}/{entry.name}"] = cache.stat_key(entry.stat())
    try:
        db = sqlite3.connect(f"{(gd / cache.CACHE_FILE).as_uri()}?mode=ro", uri=True, timeout=2)
    except sqlite3.Error:
        return None
    try:
        with contextlib.closing(db):
            stored = db.execute("SELECT value FROM meta WHERE name = 'model'").fetchone()
            if stored is None or stored[0] != cache.model_key():
                return None
            rows = {rel: (stat, record_id, entry) for rel, stat, record_id, entry in
                    db.execute("SELECT rel, stat, record_id, entry FROM records")}
    except sqlite3.Error:
        return None
    if set(rows) != set(files) or any(rows[rel][0] != stat for rel, stat in files.items()):
        return None
    import json

    sections = {kind.name: QuickSection() for kind in KINDS}
    unreadable = []
    for rel in sorted(files):
        _, record_id, entry = rows[rel]
        if record_id is None or entry is None:
            unreadable.append(rel)
            continue
        sections[BY_FOLDER[rel.split("/", 1)[0]].name].index[record_id] = json.loads(entry)
    return QuickRegister(root, languages, sections, unreadable)
