"""The register on disk and in git: finding it, loading and checking every record, writing one change.

Every command starts at :func:`load_register`, which returns the settings,
the records of every kind and every problem found; a step that changes a
record goes through :mod:`.store` (lock, atomic write, one commit). Git runs
only in :mod:`.vcs`. The package imports only the model: a workflow step, a
document or the command line is handed what it loads.
"""

import importlib
from typing import Any

# Where each entry point lives: loaded on first use (PEP 562), so importing one light module of the package (the
# lock, a problem) does not load the models, git and the YAML writer with it.
_ENTRY_POINTS = {
    "record_path": "kinds",
    "Register": "load", "find_register": "load", "load_agreement": "load", "load_all": "load",
    "load_record": "load", "load_register": "load",
    "parse_agreement": "read", "parse_record": "read",
    "create_agreement": "store", "create_record": "store", "modify_agreement": "store", "modify_record": "store",
    "save_agreement": "store", "save_records": "store", "to_plain": "store", "transaction": "store",
}

__all__ = sorted(_ENTRY_POINTS)


def __getattr__(name: str) -> Any:
    if name in _ENTRY_POINTS:
        value = getattr(importlib.import_module(f".{_ENTRY_POINTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
