"""Workflow definitions on disk: the register's own copy if it has one, else the shipped one.

Questionnaires, checklists and the lifecycle are YAML files under
``workflows/``; a register overrides a shipped file, or adds one, by putting a
file of the same name in its own ``workflows/``. Reading one gives the model
or every problem in it, located, naming the question or item it is in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRecord, IsaError, did_you_mean
from ..model.agreement import Frozen
from ..model.checklist import QUESTION_ID, Checklist
from ..resources import shipped
from .problem import Problem
from .read import problems_from_validation, read_yaml

CHECKLISTS = "checklists"


def _with_question_ids(problems: list[Problem], data: Any) -> list[Problem]:
    """Name the question (or checklist item) a problem is in, e.g. ``question 'retention': ...``."""
    out = []
    for problem in problems:
        match = re.match(r"^(questions|items)\[(\d+)\](?:\.questions\[(\d+)\])?", problem.field)
        label = ""
        if match and isinstance(data, dict):
            try:
                question = data[match.group(1)][int(match.group(2))]
                label = f"{'question' if match.group(1) == 'questions' else 'item'} {question.get('id')!r}"
                if match.group(3) is not None:
                    label += f", sub-question {question['questions'][int(match.group(3))].get('id')!r}"
            except (KeyError, IndexError, TypeError, AttributeError):
                label = ""
        message = f"{label}: {problem.message}" if label else problem.message
        out.append(Problem(problem.path, problem.line, problem.field, message, problem.severity, problem.record_id))
    return out


def load_definition(path: Path, rel: str, model: type[Frozen]) -> Any:
    """Read and validate one workflow definition; raise :class:`InvalidRecord` listing every problem."""
    data, text, problems = read_yaml(path, rel)
    if not problems:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = _with_question_ids(problems_from_validation(exc, rel, text), data)
    raise InvalidRecord(f"the workflow definition {rel} is not valid; fix it and try again", problems)


def definition_path(folder: str, name: str, register_root: Path | None) -> tuple[Path, str]:
    """The register's own definition if it has one, else the shipped one; and how to name it in messages."""
    if not re.fullmatch(QUESTION_ID, name):
        raise IsaError(f"{name!r} is not a {folder[:-1]} name (lower-case letters, digits and _)")
    if register_root is not None:
        own = register_root / "workflows" / folder / f"{name}.yaml"
        if own.is_file():
            return own, f"workflows/{folder}/{name}.yaml"
    path = shipped("workflows") / folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(names(folder, register_root))
        raise IsaError(f"no {folder[:-1]} named {name!r}.{did_you_mean(name, known)} Available: "
                       f"{', '.join(known) or 'none'}")
    return path, f"(shipped) workflows/{folder}/{name}.yaml"


def names(folder: str, register_root: Path | None) -> set[str]:
    found = {p.stem for p in (shipped("workflows") / folder).glob("*.yaml")}
    if register_root is not None:
        found |= {p.stem for p in (register_root / "workflows" / folder).glob("*.yaml")}
    return found


def load_checklist(name: str, register_root: Path | None = None) -> Checklist:
    """The checklist ``name``: the register's own definition, else the shipped one."""
    path, rel = definition_path(CHECKLISTS, name, register_root)
    return load_definition(path, rel, Checklist)
