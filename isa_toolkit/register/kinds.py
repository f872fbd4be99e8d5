"""The kinds of record a register holds, each in its own folder (DESIGN §4).

One table says, for each kind, where its files live, which model validates
them and which fields its index entry keeps; the register loads, checks and
caches (:mod:`.load`) and writes (:mod:`.store`) every kind the same way
through it. A record is a file named after its id, in its kind's folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from ..model import Agreement
from ..model.disclosure import Disclosure
from ..model.incident import Incident
from ..model.request import Request
from .ids import check_id
from .index import disclosure_entry, incident_entry, index_entry, request_entry

RECORD_SUFFIX = ".yaml"  # a record is one YAML file, named after its id, in its kind's folder


@dataclass(frozen=True)
class Kind:
    name: str  # agreement | disclosure | request | incident
    folder: str  # where its files are, relative to the register root
    model: type[BaseModel]
    index: Callable[[BaseModel], dict]
    title: str  # how messages name one record: "agreement", "one-off disclosure"

    def prefix(self, settings, record_kind: str | None = None) -> str:
        """The id prefix for a new record of this kind, from ``register.yaml``'s ``id_prefix``."""
        return getattr(settings.id_prefix, record_kind or self.name)


AGREEMENT = Kind("agreement", "agreements", Agreement, index_entry, "agreement")
DISCLOSURE = Kind("disclosure", "disclosures", Disclosure, disclosure_entry, "one-off disclosure")
REQUEST = Kind("request", "requests", Request, request_entry, "third-party request")
INCIDENT = Kind("incident", "incidents", Incident, incident_entry, "incident")

KINDS: tuple[Kind, ...] = (AGREEMENT, DISCLOSURE, REQUEST, INCIDENT)
BY_NAME = {kind.name: kind for kind in KINDS}
BY_FOLDER = {kind.folder: kind for kind in KINDS}
BY_MODEL = {kind.model: kind for kind in KINDS}


def kind_of(record: BaseModel) -> Kind:
    return BY_MODEL[type(record)]


def kind_of_path(rel: str) -> Kind | None:
    """The kind of the record at ``rel`` (``disclosures/DIS-2026-0001.yaml``), from its folder."""
    return BY_FOLDER.get(rel.split("/", 1)[0])


def record_path(root: Path, record_id: str, kind: Kind = AGREEMENT) -> Path:
    """``<folder>/<ID>.yaml`` under ``root``; the id is checked before it touches a path."""
    check_id(record_id)
    return root / kind.folder / f"{record_id}{RECORD_SUFFIX}"
