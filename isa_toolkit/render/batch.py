"""Rendering many agreements at once, on every core, with workers recycled.

WeasyPrint's memory grows a little with each document in a long process, so
each worker renders a bounded number of agreements and is then replaced.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ..errors import IsaError

TASKS_PER_WORKER = 25


def _render_one(root: str, record_id: str, doc: str, lang: str | None, formats, outdir: str, fallback: bool) -> str | None:
    from ..store import load_register
    from . import render

    try:
        register = load_register(root, checks=False)
        agreement = register.agreement(record_id)
        render(register, agreement, doc=doc, lang=lang or register.languages[0], formats=formats, outdir=Path(outdir),
               fallback=fallback)
    except IsaError as exc:
        return str(exc)
    return None


def render_all(root: Path, ids: list[str], *, doc: str, lang: str | None, formats, outdir: Path, fallback: bool,
               progress: Callable[[int], None]) -> list[tuple[str, str]]:
    """Render each agreement; return the ones refused, with the reason."""
    failures = []
    workers = max(1, min(os.cpu_count() or 1, len(ids)))
    context = multiprocessing.get_context("spawn")  # WeasyPrint and fork do not mix well
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER) as pool:
        futures = {pool.submit(_render_one, str(root), record_id, doc, lang, formats, str(outdir), fallback): record_id
                   for record_id in ids}
        for future in as_completed(futures):
            reason = future.result()
            if reason:
                failures.append((futures[future], reason))
            progress(1)
    return sorted(failures)
