"""Reading one register file: YAML into a record, each problem located as ``path:line: field: message``.

A pydantic error's location is mapped back to the line of the offending field
by composing the YAML again, only when there is an error; a rule across
fields that names its field first is placed on that field's line.
"""

from __future__ import annotations

import dataclasses
import re
import reprlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InvalidRecord, RecordNotFound, did_you_mean
from ..model import Agreement, Classification
from . import yamlio
from .ids import is_safe_id
from .kinds import AGREEMENT, RECORD_SUFFIX, Kind, record_path
from .locate import CLASSIFICATION_FILE
from .problem import Problem, Severity


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('parties', 1, 'role')`` -> ``parties[1].role``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out

_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 3, 3, 50, 50, 40


def _short(value: Any) -> str:
    """A value as a short, bounded text for a message (never the whole of a large value)."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_message(error: dict) -> str:
    """One pydantic error as a sentence an officer can act on (what is wrong, what to write instead)."""
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_short(value)} is not allowed here; use one of {expected}"
    message = error["msg"]
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "expected text, found a number; put the value in quotes (YAML reads 1.10 as the number 1.1)"
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif value is not None and not isinstance(value, (dict, list)):
        message = f"{message} (found {_short(value)})"
    return message


def problems_from_validation(
    exc: ValidationError, rel: str, text: str | None, record_id: str = ""
) -> list[Problem]:
    """Each pydantic error as a ``Problem`` with the line of the offending field."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        message = error_message(error)
        if not loc and text is not None:
            loc = _field_named_in(message, text)  # a rule across fields names the field it is about first
        line = yamlio.locate(text, loc) if text is not None else 0
        problems.append(Problem(rel, line, format_loc(loc), message, Severity.ERROR, record_id))
    return problems

_LEADING_FIELD = re.compile(r"^([a-z_]+(?:\.[a-z_]+|\[\d+\])*)\b")


def _field_named_in(message: str, text: str) -> tuple:
    """The field a record-level message starts with (``occurred 2026-11-29 is after reported ...``), when the
    file has it, so the problem is placed on its line; otherwise no field."""
    match = _LEADING_FIELD.match(message)
    if not match:
        return ()
    loc = tuple(int(part) if part.isdigit() else part for part in re.findall(r"[a-z_]+|\d+", match.group(1)))
    root, line = yamlio.locate(text, ()), yamlio.locate(text, loc[:1])
    return loc if line != root or yamlio.first_key(text) == loc[0] else ()


def read_yaml(path: Path, rel: str) -> tuple[Any, str | None, list[Problem]]:
    """Parse ``path``; problems instead of exceptions."""
    try:
        text = yamlio.read_bounded(path)
    except UnicodeDecodeError as exc:
        located = yamlio.decode_error(exc)
        return None, None, [Problem(rel, located.line, located.field, located.message)]
    except OSError as exc:
        return None, None, [Problem(rel, 0, "", f"cannot be read: {exc.strerror}")]
    except yamlio.YamlError as exc:
        return None, None, [Problem(rel, 0, "", exc.message)]
    try:
        return yamlio.parse(text), text, []
    except yamlio.YamlError as exc:
        return None, text, [Problem(rel, exc.line, exc.field, exc.message)]


def parse_agreement(path: Path, rel: str) -> tuple[Agreement | None, list[Problem]]:
    """Read and validate one agreement file."""
    return parse_record(path, rel, AGREEMENT)


def parse_record(path: Path, rel: str, kind: Kind) -> tuple[Any, list[Problem]]:
    """Read and validate one record file of ``kind``."""
    data, text, problems = read_yaml(path, rel)
    stem = path.name[: -len(RECORD_SUFFIX)]
    if problems:
        return None, [dataclasses.replace(problem, record_id=stem) for problem in problems]
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "", "a record must be a mapping of fields (id: ..., ...)", record_id=stem)]
    record_id = data.get("id")
    problems = []
    if not is_safe_id(stem):
        problems.append(Problem(rel, 0, "", f"file name {stem!r} is not a safe record id; rename the file"))
    if record_id != stem:
        line = yamlio.locate(text, ("id",))
        problems.append(
            Problem(rel, line, "id", f"id {_short(record_id)} differs from the file name {stem!r}; they must match", record_id=stem)
        )
    try:
        record = kind.model.model_validate(data)
    except ValidationError as exc:
        return None, problems + problems_from_validation(exc, rel, text, stem)
    if problems:
        return None, problems
    return record, []


# -- one file, without loading the register (moved from .load, which re-exports them) --------------

def _load_model_file(root: Path, name: str, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    path = root / name
    if path.is_symlink():
        return None, [Problem(name, 0, "", "is a symbolic link; it must be a plain file in the register")]
    if not path.is_file():
        return None, []
    data, text, problems = read_yaml(path, name)
    if problems:
        return None, problems
    try:
        return model.model_validate(data if data is not None else {}), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, name, text)


def load_classification(root: Path) -> Classification | None:
    """The register's classification table, or None when it has none (or it cannot be read)."""
    classification, _ = _load_model_file(root, CLASSIFICATION_FILE, Classification)
    return classification


def load_agreement(root: Path, record_id: str) -> Agreement:
    """Read one agreement without loading the rest of the register."""
    return load_record(root, AGREEMENT, record_id)


def load_record(root: Path, kind: Kind, record_id: str):
    """Read one record of ``kind`` without loading the rest of the register."""
    path = record_path(root, record_id, kind)
    if path.is_symlink() or (root / kind.folder).is_symlink():
        raise InvalidRecord(f"{kind.folder}/{path.name} is a symbolic link; a record must be a plain file in the "
                            "register, so it is not read")
    if not path.is_file():
        listing = "" if kind is AGREEMENT else f" --kind {kind.name}"
        folder = root / kind.folder
        known = [p.stem for p in folder.glob(f"*{RECORD_SUFFIX}")] if folder.is_dir() else []
        raise RecordNotFound(f"no {kind.title} {record_id!r} in {root}.{did_you_mean(record_id, known)} "
                             f"`isa list{listing}` shows the ids")
    record, problems = parse_record(path, f"{kind.folder}/{path.name}", kind)
    if record is None:
        raise InvalidRecord(f"{record_id} cannot be read; fix the problems below and try again", problems)
    return record
