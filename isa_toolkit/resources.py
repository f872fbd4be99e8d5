"""Where the shipped templates, workflows and example register live.

In a wheel they are inside the package (``isa_toolkit/_data/``); in a checkout
or an editable install they are the top-level folders beside the package. A
register may carry its own ``workflows/`` and ``templates/`` that override the
shipped files of the same name.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_DATA = PACKAGE / "_data"
_NAMES = {"templates": "templates", "workflows": "workflows", "example_register": "register"}


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``templates``, ``workflows`` or ``example_register``)."""
    installed = _DATA / name
    if installed.is_dir():
        return installed
    return PACKAGE.parent / _NAMES[name]


def workflow_file(relative: str, register_root: Path | None = None) -> Path:
    """A workflow definition: the register's own copy if it has one, else the shipped one."""
    if register_root is not None:
        own = register_root / "workflows" / relative
        if own.is_file():
            return own
    return shipped("workflows") / relative
