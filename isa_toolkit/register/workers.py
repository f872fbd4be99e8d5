"""Worker processes: how the pools that spread work over the cores start them, on every system.

Loading a large register and building the daily run's e-mails use a pool of
worker processes. On Linux the workers are forked: measured, that is clearly
faster for the sizes these pools see (a spawned worker first starts a fresh
interpreter and imports the toolkit, about a second in all, which a cold load
of a few hundred records or a run of a few hundred e-mails notices:
docs/platforms.md). Everywhere else they are spawned: Windows has no other way,
and macOS makes it the default because a forked process there may crash once
system libraries are loaded. So every worker is a top-level function whose
arguments and results pickle, and the tests run every pool under ``spawn``.

``ISA_START_METHOD`` (``spawn``, ``fork`` or ``forkserver``, where the system
has it) overrides the choice: the tests use it, and it is a way round a system
where the default misbehaves. The batch renderer always spawns (WeasyPrint and
``fork`` do not mix well).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from multiprocessing.context import BaseContext

from ..errors import IsaError

START_METHOD_ENV = "ISA_START_METHOD"


def start_method() -> str:
    """The start method for a pool: ``ISA_START_METHOD`` when set, else ``fork`` on Linux, else ``spawn``."""
    chosen = os.environ.get(START_METHOD_ENV, "").strip()
    if chosen:
        available = multiprocessing.get_all_start_methods()
        if chosen not in available:
            raise IsaError(f"{START_METHOD_ENV}={chosen!r} is not a way this system starts processes; set it to "
                           f"one of {', '.join(available)}, or unset it")
        return chosen
    return "fork" if sys.platform.startswith("linux") else "spawn"


def context() -> BaseContext:
    """The multiprocessing context a pool starts its workers with (see :func:`start_method`)."""
    return multiprocessing.get_context(start_method())
