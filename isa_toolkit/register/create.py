"""Creating a register: settings, classification, the example records if asked, a git repository, forge CI files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from ..errors import IsaError
from ..model import Localized, Settings
from ..resources import shipped
from . import vcs, yamlio
from .load import AGREEMENTS, CLASSIFICATION_FILE, REGISTER_FILE
from .remote import check_url
from .store import to_plain
from .sync import set_up_merging

_IGNORE = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", ".isa-cache")
# What commands write by default when run in the register's folder: documents, packs, reminders, a site. They
# hold personal data and are made again from the records, so they are never committed by accident.
GITIGNORE = """\
# Outputs made from the records (isa render, send, review run, site): not part of the register.
/documents/
/packs/
/reminders/
/site/
/demo-output/
*.tmp
"""


def init_register(path: Path, *, example: bool, organisation: str | None, by: str, remote: str | None = None) -> Path:
    """Create a register at ``path`` (a new or empty folder) and commit it.

    With ``example`` it holds the example records; otherwise the settings for
    ``organisation``, the default classification and no records. With
    ``remote`` (a URL, checked first) it is the ``origin`` the register syncs with.
    """
    path = Path(path)
    if remote is not None:
        check_url(remote)
    if (path / REGISTER_FILE).exists():
        raise IsaError(f"{path} is already a register; use it with `isa -R {path} validate`")
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise IsaError(f"{path} exists and is not an empty folder; choose a new folder for the register")
    if not example and not organisation:
        raise IsaError("say whose register it is: isa init PATH --organisation \"Northshire Council\"")
    created = not path.exists()
    existed_before = set() if created else set(path.iterdir())
    try:
        if example:
            shutil.copytree(shipped("example_register"), path, ignore=_IGNORE, dirs_exist_ok=True)
        else:
            path.mkdir(parents=True, exist_ok=True)
            settings = Settings(
                name=Localized(texts={"en": f"{organisation} information sharing register"}),
                organisation=organisation,
                languages=["en"],
                created=dt.date.today(),
            )
            (path / REGISTER_FILE).write_text(yamlio.dump(to_plain(settings)), encoding="utf-8")
            shutil.copyfile(shipped("example_register") / CLASSIFICATION_FILE, path / CLASSIFICATION_FILE)
            (path / AGREEMENTS).mkdir(exist_ok=True)
            (path / AGREEMENTS / ".gitkeep").write_text("", encoding="utf-8")
        _forge_files(path)
        (path / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        vcs.init(path)
        set_up_merging(path)
        if remote is not None:
            vcs.add_remote(path, "origin", remote)
        vcs.commit_all(path, f"Register created [by {by}]")
    except BaseException:
        # Leave no half-made register: remove the folder, or what we put in the empty one we were given.
        if created:
            shutil.rmtree(path, ignore_errors=True)
        else:
            for item in set(path.iterdir()) - existed_before:
                if item.is_dir():
                    shutil.rmtree(item, ignore_errors=True)
                else:
                    item.unlink(missing_ok=True)
        raise
    return path.resolve()


def _forge_files(root: Path) -> None:
    """The scheduled review run for GitHub and GitLab, ready to use (see docs/review.md)."""
    forge = shipped("templates") / "forge"
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(forge / "github-review.yml", workflows / "isa-review.yml")
    if not (root / ".gitlab-ci.yml").exists():
        shutil.copyfile(forge / "gitlab-review.yml", root / ".gitlab-ci.yml")
