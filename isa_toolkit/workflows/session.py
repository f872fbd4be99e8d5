"""An intake at the terminal, saved answer by answer, so that it can be stopped and resumed.

The answers go to a file in the answers-file format (question ids as keys),
kept in the register's git folder where it is never committed: Ctrl-C, a
closed terminal or a "no" at the overlap check loses nothing, and
``isa new --resume FILE`` goes on from the first question not yet answered.
The file is an ordinary answers file too (``isa new --answers FILE``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import IsaError
from ..register import yamlio
from ..register.store import write_atomic
from ..register.vcs import git_dir

FOLDER = "isa-sessions"


def new_session(root: Path, questionnaire: str, now: dt.datetime | None = None) -> Path:
    """A fresh file for a new session's answers (not created until the first answer)."""
    folder = git_dir(root)
    if folder is None:
        raise IsaError(f"{root} is not a git repository; a register must be one (`isa init` makes it so)")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    path = folder / FOLDER / f"{questionnaire}-{stamp}.yaml"
    number = 1
    while path.exists():
        number += 1
        path = folder / FOLDER / f"{questionnaire}-{stamp}-{number}.yaml"
    return path


def save(path: Path, questionnaire: str, lang: str, answers: dict, unfinished: str | None = None) -> None:
    """The answers so far, as an answers file (written whole each time, atomically); ``unfinished`` names a group
    whose items are still being given, so that a resumed intake offers more of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {"questionnaire": questionnaire, "language": lang, **({"unfinished": unfinished} if unfinished else {})}
    write_atomic(path, yamlio.dump({**head, **answers}))
