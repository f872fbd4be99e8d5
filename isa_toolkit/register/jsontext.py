"""JSON answers files, read under the rules YAML files are (JSON is YAML 1.2): bounded size and depth, no
duplicate keys, and every problem at its line.

The ``json`` module keeps the last of two equal keys without a word, and its values carry no position. A short
scan of the (already parsed, so valid) text, made only when it is needed, gives each key's and value's line and
a number as it is written (``2026.10``, which ``json`` reads as 2026.1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .yamlio import MAX_BYTES, DuplicateKeyError, YamlError, _path_text, check_flow_depth

# A JSON part: a string, a structural character, or a literal (number, true, false, null).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.S)


class _Duplicate(Exception):
    pass


def parse(text: str) -> Any:
    """The document; :class:`~isa_toolkit.register.yamlio.YamlError` (with its line) for a duplicate key or a
    document too large or too deep. ``json.JSONDecodeError`` for text that is not JSON."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"the file is larger than {MAX_BYTES >> 20} MiB, which no answers file needs", 0)
    if text.count("[") + text.count("{") > 500:
        check_flow_depth(text)

    def pairs(items: list[tuple[str, Any]]) -> dict:
        out: dict = {}
        for key, value in items:
            if key in out:
                raise _Duplicate(key)
            out[key] = value
        return out

    try:
        return json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise YamlError("nested too deeply", 0) from None
    except _Duplicate as exc:
        raise _duplicate_error(text, exc.args[0]) from None


def _duplicate_error(text: str, key: str) -> YamlError:
    for path, line, first in duplicates(text):
        return DuplicateKeyError(f"duplicate key {path[-1]!r} (first given on line {first}); remove one of them",
                                 line, _path_text(path))
    return YamlError(f"duplicate key {key!r}; remove one of them", 0)  # pragma: no cover - the scan finds it


def scan(text: str) -> Iterator[tuple[tuple, int, str, bool]]:
    """``(path, line, part, is_key)`` for each key, value and opening bracket of a JSON document, in order."""
    stack: list[dict] = []
    line, last = 1, 0

    def value_path() -> tuple:
        if not stack:
            return ()
        top = stack[-1]
        return (*top["path"], top["key"] if top["object"] else top["index"])

    for match in _TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        part = match.group()
        top = stack[-1] if stack else None
        if part in ("{", "["):
            path = value_path()
            yield path, line, part, False
            stack.append({"path": path, "object": part == "{", "key": None, "index": 0, "want_key": part == "{"})
        elif part in ("}", "]"):
            if stack:
                stack.pop()
        elif part == ",":
            if top is not None:
                if top["object"]:
                    top["want_key"] = True
                else:
                    top["index"] += 1
        elif part == ":":
            continue
        elif top is not None and top["object"] and top["want_key"]:
            try:
                key = json.loads(part)
            except ValueError:
                key = part
            top["key"], top["want_key"] = key, False
            yield (*top["path"], key), line, part, True
        else:
            yield value_path(), line, part, False


def duplicates(text: str) -> Iterator[tuple[tuple, int, int]]:
    """``(path, line, first line)`` of each key given twice in the same object (a key's path names its object:
    the same path twice is the same key twice)."""
    seen: dict[tuple, int] = {}
    for path, line, _token, is_key in scan(text):
        if not is_key:
            continue
        if path in seen:
            yield path, line, seen[path]
        else:
            seen[path] = line


def locate(text: str, path: tuple) -> int:
    """The 1-based line of the key or value at ``path`` (or of its deepest parent found), 0 when none is."""
    best, depth = 0, -1
    for found, line, _token, _is_key in scan(text):
        if found == tuple(path):
            return line
        if len(found) > depth and found == tuple(path[: len(found)]):
            best, depth = line, len(found)
    return best


def number_sources(text: str) -> dict[tuple, str]:
    """Each number value by its path, as written in the file (``2026.10``, ``1e3``)."""
    return {path: part for path, _line, part, is_key in scan(text)
            if not is_key and part[:1] in "-0123456789"}
