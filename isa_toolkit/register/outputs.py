"""Where outputs may go: documents, signature packs and reminders hold personal data and are made again from the
records, so they are never written where git would take them into the register."""

from __future__ import annotations

from pathlib import Path

from ..errors import IsaError
from . import vcs
from .locate import REGISTER_FILE


def _register_above(folder: Path) -> Path | None:
    for candidate in [folder, *folder.parents]:
        if (candidate / REGISTER_FILE).is_file() and vcs.git_dir(candidate) is not None:
            return candidate
    return None


def check_output_folder(folder: Path) -> None:
    """Refuse ``folder`` if it lies inside a register's repository and git would track what is written there
    (not ignored). A folder outside any register, or one its ``.gitignore`` ignores, is fine."""
    resolved = Path(folder).resolve()
    root = _register_above(resolved)
    if root is None:
        return
    rel = resolved.relative_to(root).as_posix()
    probe = f"{rel}/isa-output-check" if rel != "." else "isa-output-check"
    if rel != "." and vcs.is_ignored(root, probe):
        return
    raise IsaError(
        f"{folder} is inside the register at {root}, where git would take the files in (they hold personal data and "
        f"are made again from the records, so they do not belong in its history). Write them elsewhere with "
        f"-o DIR (e.g. -o ~/isa-output), or ignore the folder: add the line /{rel if rel != '.' else 'FOLDER'}/ "
        "to the register's .gitignore and commit it")
