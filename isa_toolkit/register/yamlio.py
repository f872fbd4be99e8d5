"""Reading and writing the register's YAML safely.

Reading uses PyYAML's C parser with a stricter *safe* constructor:

- YAML 1.2 scalars, as the writer (ruamel.yaml) uses: only ``true``/``false``
  are booleans, so ``NO`` (Norway) or ``yes`` stay text, and ``12:30`` is not
  a number;
- no implicit dates: ``2026-02-30`` is left as text for the model to report
  with its field name;
- no duplicate keys (a silent overwrite hides data), no anchors or aliases
  (a record has no use for them, and they can blow up into huge values), no
  explicit tags (``!!binary``, ``!!set``, ``!!python/...``);
- a size and nesting limit, so one hostile file cannot exhaust the machine.

Writing goes through ruamel.yaml's round-trip mode, merging the new data into
the file as it stands so that comments and layout a person wrote by hand
survive a change made by the toolkit. Each text is written in a style that
reads back exactly as it was (:func:`_styled`): every text the model accepts,
tabs, U+2028 and spaces at either end included, is read back the same.

A character the reader refuses (a raw control character, bytes that are not
UTF-8) is reported at its line, column and field, not at a byte offset.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Hashable
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

try:  # the C parser is ten times faster; the pure-Python one gives the same results
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

MAX_BYTES = 1 << 20  # a record is a few kilobytes; a megabyte is not a record


def read_bounded(path, what: str = "record") -> str:
    """The file's text, read only once its size is known to be within ``MAX_BYTES`` (and never more than that plus
    one byte, should it grow meanwhile): a file of hundreds of megabytes is refused unread, not read then refused.
    Raises YamlError (too large), UnicodeDecodeError or OSError."""
    import os

    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size > MAX_BYTES:
            raise YamlError(f"the file is larger than {MAX_BYTES >> 20} MiB, which no {what} needs", 0)
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise YamlError(f"the file is larger than {MAX_BYTES >> 20} MiB, which no {what} needs", 0)
    return data.decode("utf-8")
MAX_DEPTH = 40
# Many openers in a row ("[[[[", "{ {", "- - - -") are the cheap way to nest deeply.
_DEEP_RE = re.compile(rf"(?:[\[{{]\s*){{{MAX_DEPTH}}}|(?:-[ \t]+){{{MAX_DEPTH}}}")
_NULL, _BOOL, _INT, _FLOAT, _STR, _SEQ, _MAP = (
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "str", "seq", "map")
)


class YamlError(Exception):
    """A file that is not valid YAML (or breaks our stricter rules), with its line (and field, when known)."""

    def __init__(self, message: str, line: int, field: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        super().__init__(key)
        self.key = key
        self.line = line


class RecordLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The register's safe loader (see the module docstring for its rules)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Written out for the few tags a record may hold: no aliases means no
        # shared or recursive objects, so no need for PyYAML's two-step build.
        if node in self.constructed_objects:
            raise YamlError("anchors and aliases (&name, *name, <<) are not allowed in a record; write the value out",
                            node.start_mark.line + 1)
        self.constructed_objects[node] = None
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _MAP or tag == _SEQ:
            self.depth = getattr(self, "depth", 0) + 1
            if self.depth > MAX_DEPTH:
                raise YamlError(f"nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
            try:
                if tag == _MAP:
                    return self.construct_mapping(node)
                return [self.construct_object(child) for child in node.value]
            finally:
                self.depth -= 1
        if tag == _INT:
            return int(node.value)
        if tag == _BOOL:
            return node.value.lower() == "true"
        if tag == _NULL:
            return None
        if tag == _FLOAT:
            return self.construct_yaml_float(node)
        raise YamlError(f"the tag {tag} is not allowed in a record; remove it", node.start_mark.line + 1)

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise YamlError(f"expected a mapping, found {node.id}", node.start_mark.line + 1)
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node)
            if not isinstance(key, Hashable):
                raise YamlError("a mapping key must be a plain value", key_node.start_mark.line + 1)
            if key in mapping:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            mapping[key] = self.construct_object(value_node)
        return mapping


def _resolvers() -> dict:
    """YAML 1.2 core schema scalars (what ruamel.yaml writes), not PyYAML's YAML 1.1 ones."""
    table: dict = {}
    rules = [
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         "-+0123456789."),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ]
    for tag, pattern, first in rules:
        regexp = re.compile(pattern)
        for char in first:
            table.setdefault(char, []).append((tag, regexp))
    return table


RecordLoader.yaml_implicit_resolvers = _resolvers()


def parse(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlError` with a 1-based line."""
    if len(text) > MAX_BYTES:
        raise YamlError(f"the file is larger than {MAX_BYTES >> 20} MiB, which no record needs", 0)
    deep = _DEEP_RE.search(text)
    if deep:
        raise YamlError(f"nested more than {MAX_DEPTH} levels deep", text.count("\n", 0, deep.start()) + 1)
    if text.count("[") + text.count("{") > 500:  # rare in a record: measure the nesting before the parser recurses
        check_flow_depth(text)
    try:
        return yaml.load(text, Loader=RecordLoader)  # noqa: S506 - RecordLoader is a SafeLoader
    except YamlError:
        raise
    except _DuplicateKey as exc:
        raise _duplicate_error(text, exc) from None
    except RecursionError:
        raise YamlError(f"nested too deeply (more than {MAX_DEPTH} levels)", 0) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(text, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = exc.problem or exc.context or "not valid YAML"
        raise YamlError(f"not valid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}", 0) from None


# What YAML lets a file hold as it is (YAML 1.2 "c-printable"); anything else must be written as an escape.
_UNPRINTABLE_RE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> YamlError:
    """A character YAML cannot hold (a raw control character), at its line and in its field rather than at a
    byte offset."""
    index = exc.position
    if _BaseLoader is not yaml.SafeLoader:  # libyaml counts bytes of the UTF-8 text
        index = len(text.encode("utf-8")[: exc.position].decode("utf-8", errors="ignore"))
    if not (0 <= index < len(text)) or not _UNPRINTABLE_RE.match(text, index):
        found = _UNPRINTABLE_RE.search(text)
        index = found.start() if found else min(max(index, 0), len(text))
    code = ord(text[index]) if index < len(text) else exc.character
    line, column = text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
    what = "a control character" if code < 0x20 or 0x7F <= code <= 0x9F else "a character that is not text"
    message = f"holds U+{code:04X}, {what}, at column {column}: a YAML file cannot hold it as it is; remove it"
    return YamlError(message, line, field_at(text, index))


def decode_error(exc: UnicodeDecodeError) -> YamlError:
    """Bytes that are not UTF-8, at their line and column (and in their field) rather than at a byte offset."""
    data = bytes(exc.object)
    before = data[: exc.start].decode("utf-8", errors="replace")
    line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
    message = (f"not UTF-8 text: byte 0x{data[exc.start]:02X} at column {column} ({exc.reason}); save the file as "
               "UTF-8, or retype the text around it")
    return YamlError(message, line, field_at(data.decode("utf-8", errors="replace"), len(before)))


def field_at(text: str, index: int) -> str:
    """The field whose value (or key) holds the character at ``index`` ("" when none does, e.g. a comment).

    Characters YAML cannot hold are first replaced by a letter, which changes no structure, so a file refused
    for one still shows where it is.
    """
    cleaned = _UNPRINTABLE_RE.sub("x", text)
    try:
        root = yaml.compose(cleaned, Loader=RecordLoader)  # noqa: S506
    except (yaml.YAMLError, RecursionError):
        return ""
    found = _field_path(root, (), index)
    return _path_text(found) if found else ""


def _field_path(node: Any, path: tuple, index: int) -> tuple | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            child = (*path, key if isinstance(key, str) else "?")
            if key_node.start_mark.index <= index < key_node.end_mark.index:
                return child
            if value_node.start_mark.index <= index < max(value_node.end_mark.index, value_node.start_mark.index + 1):
                return _field_path(value_node, child, index) or child
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            if item.start_mark.index <= index < max(item.end_mark.index, item.start_mark.index + 1):
                return _field_path(item, (*path, position), index) or (*path, position)
    return None


def check_flow_depth(text: str) -> None:
    depth, quote, line = 0, "", 1
    for char in text:
        if char == "\n":
            line += 1
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlError(f"nested more than {MAX_DEPTH} levels deep", line)
        elif char in "]}":
            depth = max(0, depth - 1)


class DuplicateKeyError(YamlError):
    def __init__(self, message: str, line: int, field: str):
        super().__init__(message, line, field)


def _duplicate_error(text: str, exc: _DuplicateKey) -> YamlError:
    """Say where the duplicate is: its field path and the line of the first occurrence."""
    message = f"duplicate key {exc.key!r}; remove one of them"
    try:
        root = yaml.compose(text, Loader=RecordLoader)  # noqa: S506
    except yaml.YAMLError:
        return YamlError(message, exc.line)
    found = _find_duplicate(root, (), exc.line)
    if found is None:
        return YamlError(message, exc.line)
    path, first = found
    field = _path_text(path)
    return DuplicateKeyError(f"duplicate key {exc.key!r} (first given on line {first}); remove one of them",
                             exc.line, field)


def _find_duplicate(node: Any, path: tuple, line: int) -> tuple[tuple, int] | None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = getattr(key_node, "value", None)
            if isinstance(key, str):
                if key in seen and key_node.start_mark.line + 1 == line:
                    return (*path, key), seen[key]
                seen.setdefault(key, key_node.start_mark.line + 1)
            found = _find_duplicate(value_node, (*path, key), line)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found = _find_duplicate(item, (*path, index), line)
            if found:
                return found
    return None


def _path_text(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def first_key(text: str) -> str | None:
    """The first key of a mapping document (None when it is not one)."""
    try:
        node = yaml.compose(text, Loader=RecordLoader)  # noqa: S506
    except (yaml.YAMLError, RecursionError):
        return None
    if isinstance(node, yaml.MappingNode) and node.value and isinstance(node.value[0][0], yaml.ScalarNode):
        return node.value[0][0].value
    return None


def locate(text: str, path: tuple[str | int, ...]) -> int:
    """The 1-based line of the node at ``path`` (or of its deepest existing parent)."""
    return Locator(text).line(path)


class Locator:
    """One file's text read once, for locating many fields in it (a record with a dozen findings is composed
    once, not a dozen times)."""

    def __init__(self, text: str):
        self.text = text
        try:
            self.node = yaml.compose(text, Loader=RecordLoader)  # noqa: S506
        except (yaml.YAMLError, RecursionError):
            self.node = None  # a JSON answers file is located by jsontext.locate when this reader refuses it
        self._data: Any = None
        self._parsed = False

    def line(self, path: tuple[str | int, ...]) -> int:
        return _line_in(self.node, path) if self.node is not None else 0

    def present(self, path) -> bool:
        """Whether the file holds a value (not empty) at ``path``."""
        if not self._parsed:
            self._parsed = True
            try:
                self._data = parse(self.text)
            except YamlError:
                self._data = None
        node = self._data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return False
        return node not in (None, [], {})


def _line_in(node: Any, path: tuple[str | int, ...]) -> int:
    line = node.start_mark.line + 1
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    line = key_node.start_mark.line + 1
                    child = value_node
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


def number_sources(text: str) -> dict[tuple, str]:
    """Each plain scalar read as a number, by its path, as written in the file (``2026.10``, which reads as the
    number 2026.1): for an answer that is text, whatever it looks like."""
    try:
        root = yaml.compose(text, Loader=RecordLoader)  # noqa: S506
    except (yaml.YAMLError, RecursionError):
        return {}
    found: dict[tuple, str] = {}

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                walk(value_node, (*path, getattr(key_node, "value", None)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))
        elif isinstance(node, yaml.ScalarNode) and not node.style and node.tag in (_INT, _FLOAT):
            found[path] = node.value

    walk(root, ())
    return found


# -- writing ------------------------------------------------------------------


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    # Never wrap a line: not one a person wrote, and not a long text (ruamel.yaml can break a double-quoted line
    # where reading it back adds a space).
    rt.width = 1 << 30
    rt.allow_unicode = True
    rt.preserve_quotes = True
    rt.representer.ignore_aliases = lambda data: True  # the same value twice is written out twice, never as *alias
    return rt


# Characters a text cannot be written with as it is and read back the same: the line breaks other than \n
# (YAML reads \r, NEL, U+2028 and U+2029 as line breaks, folded or normalised), the byte-order mark, and what
# YAML cannot hold unescaped. A text holding one is written double-quoted, where each is an escape (\r, \L ...).
_ESCAPE_RE = re.compile("[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


def _literal_ok(text: str) -> bool:
    """Whether ``text`` reads back exactly from a literal block (``|``) as ruamel.yaml writes one.

    Not when it starts with a space, a tab or an empty line (the block would need an indentation indicator, and
    a tab there is refused by the reader), when a line ends in white space (kept, but invisible and lost to any
    editor that trims lines), or when it ends with more than one line break.
    """
    if not text or text[0] in " \t\n" or text.endswith("\n\n") or _ESCAPE_RE.search(text):
        return False
    return all(line == line.rstrip(" \t") for line in text.split("\n"))


def _styled(new: Any, old: Any = None) -> Any:
    """``new`` (plain data) with each text given the style it is written in, so that it reads back exactly.

    ruamel.yaml keeps the style of the value a text replaces (a literal block stays one) even where that style
    cannot hold the new text (a first line starting with a tab, a NEL or a U+2028 in a block), and writes NEL
    and the line separators unescaped in quotes. So: a text with a character only an escape can hold is
    double-quoted; one replacing a block stays a literal block when it can be one, else is double-quoted; one
    replacing a single-quoted text stays single-quoted on one line; any other is left to ruamel.yaml.
    """
    if isinstance(new, dict):
        return {key: _styled(value) for key, value in new.items()}
    if isinstance(new, list):
        return [_styled(value) for value in new]
    if not isinstance(new, str) or isinstance(new, ScalarString):
        return new
    if _ESCAPE_RE.search(new):
        return DoubleQuotedScalarString(new)
    if isinstance(old, (LiteralScalarString, FoldedScalarString)):
        return LiteralScalarString(new) if _literal_ok(new) else DoubleQuotedScalarString(new)
    if isinstance(old, SingleQuotedScalarString) and "\n" not in new:
        return SingleQuotedScalarString(new)
    if isinstance(old, ScalarString):
        return DoubleQuotedScalarString(new)
    return new


def dump(data: Any) -> str:
    """Serialise plain data (dicts, lists, str, int, bool, date) in the register's style."""
    stream = io.StringIO()
    _yaml().dump(_styled(data), stream)
    return stream.getvalue()


def _merge(old: Any, new: Any) -> Any:
    """Merge ``new`` into the round-trip node ``old``, keeping what did not change as it was."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [key for key in old if key not in new]:
            del old[key]
        for position, (key, value) in enumerate(new.items()):
            if key in old:
                merged = _merge(old[key], value)
                if merged is not old[key]:
                    old[key] = merged
            else:
                old.insert(position, key, _styled(value))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        for index in range(min(len(old), len(new))):
            merged = _merge(old[index], new[index])
            if merged is not old[index]:
                old[index] = merged
        del old[len(new):]
        old.extend(_styled(new[len(old):]))
        return old
    if type(new) is not bool and type(old) is not bool and old == new:
        return old  # keeps the original quoting and style
    if isinstance(old, dt.date) and isinstance(new, str) and old.isoformat() == new:
        return old  # the same day, read as text by the record reader: keep it a plain date
    if old is new or (type(old) is type(new) and old == new):
        return old
    return _styled(new, old)


def update(text: str, new: dict) -> str:
    """``text`` (a YAML mapping) changed to hold ``new``, comments and layout kept."""
    rt = _yaml()
    document = rt.load(text)
    if not isinstance(document, CommentedMap):
        return dump(new)
    _merge(document, new)
    stream = io.StringIO()
    rt.dump(document, stream)
    return stream.getvalue()
