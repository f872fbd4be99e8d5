"""Creating a register: settings, classification, the example records if asked, a git repository, forge CI files,
and the JSON Schemas of its files with the editor settings that use them."""

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
        _editor_files(path)
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


def _editor_files(root: Path) -> None:
    """The JSON Schemas of the register's files (``.isa/schema/``) and VS Code's settings that check each file
    against its schema as an officer edits it (the YAML extension, which it recommends): committed with the
    register, so every clone has them (see docs/register.md)."""
    from .schema import editor_files

    for rel, text in editor_files().items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _forge_files(root: Path) -> None:
    """The scheduled review run for GitHub and GitLab, ready to use (see docs/review.md and docs/team.md).

    Both install the toolkit named by their one ``ISA_TOOLKIT`` variable: :func:`_toolkit_requirement`, written as
    a JSON string, which YAML reads as the same string whatever it holds.
    """
    import json
    import re

    forge = shipped("templates") / "forge"
    line = f"  ISA_TOOLKIT: {json.dumps(_toolkit_requirement())}"
    targets = {"github-review.yml": root / ".github" / "workflows" / "isa-review.yml"}
    if not (root / ".gitlab-ci.yml").exists():
        targets["gitlab-review.yml"] = root / ".gitlab-ci.yml"
    for template, target in targets.items():
        text, count = re.subn(r"(?m)^  ISA_TOOLKIT: .*$", lambda _: line, (forge / template).read_text("utf-8"))
        if count != 1:
            raise IsaError(f"the shipped {template} has no single ISA_TOOLKIT line to fill in; reinstall the toolkit")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


# Characters no pip requirement or URL needs, and a shell or the forge's own expansion ($VAR, ${{ }}) would read.
_UNSAFE = r"[;`$'\"\\|<>\x00-\x1f\x7f]"


def _toolkit_requirement() -> str:
    """What the forge's run installs, pinned, never the bare name from a package index.

    ``$ISA_TOOLKIT_REQUIREMENT`` when set (checked); else where the running toolkit came from (PEP 610
    ``direct_url.json``): its VCS URL at the installed commit, or its archive URL; else (an editable or local
    install) a placeholder that the run's first step refuses with what to set.
    """
    import json
    import os
    import re
    from importlib import metadata

    from .. import __version__

    given = os.environ.get("ISA_TOOLKIT_REQUIREMENT")
    if given is not None:
        given, allowed = given.strip(), ("give a git URL with a tag or commit, e.g. "
                                         "isa-toolkit @ git+https://host/group/isa-toolkit@v1.2.0, or a wheel's path")
        if not given or "\n" in given or "\r" in given:
            raise IsaError(f"ISA_TOOLKIT_REQUIREMENT must be one line: {allowed}")
        if re.search(_UNSAFE, given) or given.startswith("-"):
            raise IsaError(f"ISA_TOOLKIT_REQUIREMENT {given!r} holds what a shell, pip or the forge would read as a "
                           f"command, an option or a variable (; ` $ quotes \\ | < > a control character, a leading "
                           f"-); refused: {allowed}")
        if len(given) > 1000 or not ("/" in given or given.endswith(".whl")):
            raise IsaError(f"ISA_TOOLKIT_REQUIREMENT {given!r} is not a URL or a path, so pip would fetch it by name "
                           f"from a package index, where anyone may publish that name; {allowed}")
        return given
    try:
        dist = metadata.distribution("isa-toolkit")
        version, origin = dist.version, json.loads(dist.read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        version, origin = __version__, {}
    url = origin.get("url") if isinstance(origin, dict) else None
    found = None
    if isinstance(url, str) and url.startswith(("https://", "ssh://")):  # a file:// one is not there on the forge
        vcs_info, archive = origin.get("vcs_info"), origin.get("archive_info")
        sub = origin.get("subdirectory")
        if isinstance(vcs_info, dict) and vcs_info.get("commit_id"):
            found = f"isa-toolkit @ {vcs_info.get('vcs', 'git')}+{url}@{vcs_info['commit_id']}"
            found += f"#subdirectory={sub}" if isinstance(sub, str) and sub else ""
        elif isinstance(archive, dict):
            hashes = archive.get("hashes")
            sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
            found = f"isa-toolkit @ {url}" + (f"#sha256={sha256}" if isinstance(sha256, str) and "#" not in url else "")
    if found is None or re.search(_UNSAFE, found):
        return f"isa-toolkit @ git+https://REPLACE-WITH-YOUR-TOOLKIT-REPOSITORY@v{version}"
    return found
