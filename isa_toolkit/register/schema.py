"""JSON Schema of the register's files, made from the models, for editors and other tools.

One schema per kind of record (an agreement, isa or protocol; a one-off
disclosure; a third-party request; an incident), one for ``register.yaml``
and one for ``classification.yaml``. Each is pydantic's
(``Model.model_json_schema()``) put right for the YAML files as they are
written: text per language is a mapping of language code to text with the
optional ``translated_from`` bookkeeping (one definition, ``Localized``), a
date is a string ``YYYY-MM-DD`` (format ``date``, and a pattern an editor
checks without date formats), a yes/no field is a boolean.

The schemas declare draft 2020-12 but keep to what draft 7 reads the same
way (``$defs`` reached by JSON pointer, nothing beside a ``$ref`` but notes),
so the YAML language server (VS Code's redhat.vscode-yaml, draft 7 at heart)
checks files against them as the toolkit does. ``isa init`` writes them into
the register (``.isa/schema/``) with the editor settings that use them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Classification, Settings
from ..model.localized import json_schema as localized_schema
from .kinds import KINDS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_URI = "https://isa-toolkit.example/schema"
VERSION = 1  # the schemas' own version, in their $id: raised when a file valid under one is no longer valid
SCHEMA_FOLDER = ".isa/schema"
SUFFIX = ".schema.json"
# A date as a record writes it; a day that does not exist (2026-02-30) is left to the format and the toolkit.
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
LOCALIZED = "Localized"


@dataclass(frozen=True)
class Target:
    """One schema: its name (``isa schema NAME``), the model it is made from, its title and the files it covers."""

    name: str
    model: type
    title: str
    files: tuple[str, ...]  # glob patterns relative to the register root

    @property
    def file_name(self) -> str:
        return f"{self.name}{SUFFIX}"

    @property
    def uri(self) -> str:
        return f"{BASE_URI}/{self.name}/{VERSION}"


_TITLES = {
    "agreement": "An agreement: an information sharing agreement (kind: isa) or a protocol (kind: protocol)",
    "disclosure": "A one-off disclosure of personal data, outside any agreement",
    "request": "A third-party request for information",
    "incident": "A data incident or a breach of an agreement",
}

TARGETS: tuple[Target, ...] = (
    *(Target(kind.name, kind.model, _TITLES[kind.name], (f"{kind.folder}/*.yaml",)) for kind in KINDS),
    Target("register", Settings, "The register's settings (register.yaml)", ("register.yaml",)),
    Target("classification", Classification, "The sensitivity classification (classification.yaml)",
           ("classification.yaml",)),
)
BY_NAME = {target.name: target for target in TARGETS}


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema named ``name`` (one of :data:`TARGETS`), ready to write out."""
    target = BY_NAME[name]
    raw = target.model.model_json_schema()
    definitions = dict(raw.pop("$defs", {}))
    localized = localized_schema()
    body = _rewrite(raw, localized)
    definitions = {key: _rewrite(value, localized) for key, value in definitions.items()}
    if _uses_localized(body) or _uses_localized(definitions):
        definitions[LOCALIZED] = {"title": "Text per language", **localized}
    out: dict[str, Any] = {"$schema": DRAFT, "$id": target.uri, "title": target.title}
    description = body.pop("description", None)
    body.pop("title", None)
    out["description"] = " ".join((description or target.title).split()) + \
        f" Made by isa-toolkit from its model {target.model.__name__}; the files: {', '.join(target.files)}."
    out.update(body)
    if definitions:
        out["$defs"] = dict(sorted(definitions.items()))
    return out


def schemas() -> dict[str, dict[str, Any]]:
    """Every schema by name."""
    return {target.name: schema(target.name) for target in TARGETS}


def dumps(value: dict[str, Any]) -> str:
    """A schema (or settings) as the file holds it: indented JSON, a line feed at the end."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path, names: list[str] | None = None) -> list[Path]:
    """Write the schemas (all, or those named) into ``folder`` as ``<name>.schema.json``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or [target.name for target in TARGETS]:
        path = folder / BY_NAME[name].file_name
        path.write_text(dumps(schema(name)), encoding="utf-8")
        written.append(path)
    return written


def editor_files() -> dict[str, str]:
    """What ``isa init`` writes for editors, by path in the register: the schemas, and VS Code's settings mapping
    each schema to the register's files (through the YAML language server, whose extension it recommends)."""
    files = {f"{SCHEMA_FOLDER}/{target.file_name}": dumps(schema(target.name)) for target in TARGETS}
    settings = {
        "yaml.schemas": {f"./{SCHEMA_FOLDER}/{target.file_name}": list(target.files) for target in TARGETS},
        "yaml.validate": True,
        "yaml.completion": True,
        "yaml.hover": True,
    }
    files[".vscode/settings.json"] = dumps(settings)
    files[".vscode/extensions.json"] = dumps({"recommendations": ["redhat.vscode-yaml"]})
    return files


# -- putting pydantic's schema right for the YAML files ------------------------------------------------------------


def _is_localized(node: dict, localized: dict) -> bool:
    """The schema Localized gives (a field's own title or description aside)."""
    return all(node.get(key) == value for key, value in localized.items() if key != "description")


def _rewrite(node: Any, localized: dict) -> Any:
    """``node`` with each per-language text a reference to the one ``Localized`` definition and each date given
    the pattern of a date as written."""
    if isinstance(node, list):
        return [_rewrite(item, localized) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_localized(node, localized):
        rest = {key: value for key, value in node.items()
                if key not in localized or (key == "description" and value != localized[key])}
        return {"$ref": f"#/$defs/{LOCALIZED}", **rest}  # what is left: a title, a default (notes, not rules)
    out = {key: _rewrite(value, localized) for key, value in node.items()}
    if out.get("type") == "string" and out.get("format") == "date" and "pattern" not in out:
        out["pattern"] = DATE_PATTERN
    return out


def _uses_localized(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == f"#/$defs/{LOCALIZED}" or any(_uses_localized(v) for v in node.values())
    if isinstance(node, list):
        return any(_uses_localized(item) for item in node)
    return False
