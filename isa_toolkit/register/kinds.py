"""The kinds of record a register holds, each in its own folder (DESIGN §4).

One table says, for each kind, where its files live, which model validates
them and which fields its index entry keeps; the register loads, checks and
caches (:mod:`.load`) and writes (:mod:`.store`) every kind the same way
through it. A record is a file named after its id, in its kind's folder.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ids import check_id

RECORD_SUFFIX = ".yaml"  # a record is one YAML file, named after its id, in its kind's folder


def _named(reference: str) -> Any:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module, __package__), name)


@dataclass(frozen=True)
class Kind:
    """One kind of record. Its model and index function are named, not imported, so a listing that reads only the
    cache never loads the models (pydantic's start-up is most of a command's)."""

    name: str  # agreement | disclosure | request | incident
    folder: str  # where its files are, relative to the register root
    model_name: str  # "module:Class" of the model that validates it
    index_name: str  # "module:function" making its index entry
    title: str  # how messages name one record: "agreement", "one-off disclosure"

    @property
    def model(self) -> type:
        return _named(self.model_name)

    @property
    def index(self) -> Callable[[Any], dict]:
        return _named(self.index_name)

    def prefix(self, settings, record_kind: str | None = None) -> str:
        """The id prefix for a new record of this kind, from ``register.yaml``'s ``id_prefix``."""
        return getattr(settings.id_prefix, record_kind or self.name)


AGREEMENT = Kind("agreement", "agreements", "..model.agreement:Agreement", ".index:index_entry", "agreement")
DISCLOSURE = Kind("disclosure", "disclosures", "..model.disclosure:Disclosure", ".index:disclosure_entry",
                  "one-off disclosure")
REQUEST = Kind("request", "requests", "..model.request:Request", ".index:request_entry", "third-party request")
INCIDENT = Kind("incident", "incidents", "..model.incident:Incident", ".index:incident_entry", "incident")

KINDS: tuple[Kind, ...] = (AGREEMENT, DISCLOSURE, REQUEST, INCIDENT)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_FOLDER = {kind.folder: kind for kind in KINDS}


def kind_of(record: Any) -> Kind:
    for kind in KINDS:
        if type(record) is kind.model:
            return kind
    raise KeyError(type(record))


def kind_of_path(rel: str) -> Kind | None:
    """The kind of the record at ``rel`` (``disclosures/DIS-2026-0001.yaml``), from its folder."""
    return BY_FOLDER.get(rel.split("/", 1)[0])


def record_path(root: Path, record_id: str, kind: Kind = AGREEMENT) -> Path:
    """``<folder>/<ID>.yaml`` under ``root``; the id is checked before it touches a path."""
    check_id(record_id)
    return root / kind.folder / f"{record_id}{RECORD_SUFFIX}"
