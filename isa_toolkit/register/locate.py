"""Finding the register a command works on, without loading anything of it."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import RegisterNotFound

REGISTER_FILE = "register.yaml"
CLASSIFICATION_FILE = "classification.yaml"

__all__ = ["CLASSIFICATION_FILE", "REGISTER_FILE", "find_register"]


def find_register(explicit: str | os.PathLike | None = None, start: Path | None = None) -> Path:
    """The register root: ``explicit`` (``-R`` or ``ISA_REGISTER``), else the nearest folder upwards with ``register.yaml``."""
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / REGISTER_FILE).is_file():
            raise RegisterNotFound(
                f"{root} is not a register (no {REGISTER_FILE}); create one with `isa init {root}`"
            )
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / REGISTER_FILE).is_file():
            return folder
    raise RegisterNotFound(
        f"no register here: neither {here} nor a folder above it holds {REGISTER_FILE}; "
        "pass -R PATH, set ISA_REGISTER, or create one with `isa init PATH`"
    )
