"""Reading and writing the register's YAML safely.

Reading uses PyYAML's C parser with the *safe* constructor, refuses duplicate
keys (a silent overwrite hides data), and leaves dates as text so that an
impossible date is reported by the model with its field name rather than by
the parser. Writing goes through ruamel.yaml's round-trip mode, merging the new
data into the file as it stands so that comments and layout a person wrote by
hand survive a change made by the toolkit.
"""

from __future__ import annotations

import io
from collections.abc import Hashable
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

try:  # the C parser is ten times faster; the pure-Python one gives the same results
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class YamlError(Exception):
    """A file that is not valid YAML (or breaks our stricter rules), with its line."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


class RecordLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader: no duplicate keys, no implicit timestamps."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise YamlError("a mapping key must be a plain value", key_node.start_mark.line + 1)
            if key in mapping:
                raise YamlError(
                    f"duplicate key {key!r} (first on an earlier line); remove one of them",
                    key_node.start_mark.line + 1,
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def parse(text: str) -> Any:
    """Parse one YAML document; raise :class:`YamlError` with a 1-based line."""
    try:
        return yaml.load(text, Loader=RecordLoader)  # noqa: S506 - RecordLoader is a SafeLoader
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        reason = exc.problem or exc.context or "not valid YAML"
        raise YamlError(f"not valid YAML: {reason}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}", 0) from None


def locate(text: str, path: tuple[str | int, ...]) -> int:
    """The 1-based line of the node at ``path`` (or of its deepest existing parent)."""
    try:
        node = yaml.compose(text, Loader=RecordLoader)  # noqa: S506
    except yaml.YAMLError:
        return 0
    if node is None:
        return 0
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


# -- writing ------------------------------------------------------------------


def _yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096  # never re-wrap a line a person wrote
    rt.allow_unicode = True
    rt.preserve_quotes = True
    return rt


def dump(data: Any) -> str:
    """Serialise plain data (dicts, lists, str, int, bool, date) in the register's style."""
    stream = io.StringIO()
    _yaml().dump(data, stream)
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
                old.insert(position, key, value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        for index in range(min(len(old), len(new))):
            merged = _merge(old[index], new[index])
            if merged is not old[index]:
                old[index] = merged
        del old[len(new):]
        old.extend(new[len(old):])
        return old
    if type(new) is not bool and type(old) is not bool and old == new:
        return old  # keeps the original quoting and style
    if old is new or (type(old) is type(new) and old == new):
        return old
    return new


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
