"""Where the shipped templates, workflows and example register live.

They are the package's own data, found through :mod:`importlib.resources`, so
they are wherever the installer put the package, on any system. In a wheel
they are inside the package (``isa_toolkit/_data/``); in a checkout or an
editable install they are the top-level folders beside the package. A
register may carry its own ``workflows/`` and ``templates/`` that override the
shipped files of the same name.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

_NAMES = {"templates": "templates", "workflows": "workflows", "example_register": "register"}


@cache
def _package_folder() -> Path:
    """The installed package as a folder. Templates are read by libraries that open files by name, so a package
    imported from a zip archive (never how pip or pipx installs it) is refused plainly."""
    folder = files(__package__ or "isa_toolkit")
    if not isinstance(folder, Path):
        raise RuntimeError(f"isa_toolkit is installed as {folder!r}, not as a folder, so its templates cannot be "
                           "read; install it with pip or pipx")
    return folder.resolve()


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``templates``, ``workflows`` or ``example_register``)."""
    package = _package_folder()
    installed = package / "_data" / name
    if installed.is_dir():
        return installed
    return package.parent / _NAMES[name]


def workflow_file(relative: str, register_root: Path | None = None) -> Path:
    """A workflow definition: the register's own copy if it has one, else the shipped one."""
    if register_root is not None:
        own = register_root / "workflows" / relative
        if own.is_file():
            return own
    return shipped("workflows") / relative
