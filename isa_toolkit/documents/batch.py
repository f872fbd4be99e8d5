"""Rendering many agreements at once, on every core, with workers recycled.

WeasyPrint's memory grows a little with each document in a long process, so
each worker renders a bounded number of agreements and is then replaced.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path

from ..errors import IsaError
from ..register.load import load_register
from .render import check_document, languages, render, stale_translations

TASKS_PER_WORKER = 25


def _render_one(job: tuple) -> tuple[str, str | None, list[str]]:
    root, record_id, doc, lang, formats, outdir, fallback = job
    warnings: list[str] = []
    try:
        register = load_register(root, checks=False)
        agreement = register.agreement(record_id)
        lang = lang or register.languages[0]
        doc = check_document(agreement, doc)
        warnings = stale_translations(agreement, languages(lang), register.languages[0], doc)
        render(register, agreement, doc=doc, lang=lang, formats=formats, outdir=Path(outdir), fallback=fallback)
    except IsaError as exc:
        return record_id, str(exc), warnings
    except Exception as exc:  # noqa: BLE001 - one agreement's failure must not stop the batch or show a traceback
        return record_id, f"could not be rendered ({type(exc).__name__}: {exc})", warnings
    return record_id, None, warnings


def render_all(root: Path, ids: list[str], *, doc: str | None, lang: str | None, formats, outdir: Path, fallback: bool,
               progress: Callable[[int], None],
               warn: Callable[[str, str], None] = lambda record_id, field: None) -> list[tuple[str, str]]:
    """Render each agreement; return the ones refused, with the reason. ``warn`` hears of stale translations.

    multiprocessing.Pool recycles its workers reliably (``maxtasksperchild``);
    ProcessPoolExecutor's ``max_tasks_per_child`` can hang when a worker is
    replaced on Python 3.11 and 3.12.
    """
    failures = []
    workers = max(1, min(os.cpu_count() or 1, len(ids)))
    jobs = [(str(root), record_id, doc, lang, tuple(formats), str(outdir), fallback) for record_id in ids]
    # Spawned on every system, whatever ISA_START_METHOD says: WeasyPrint and fork do not mix well, and Windows has
    # no other way. So ``_render_one`` is a top-level function and a job is plain data.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=workers, maxtasksperchild=TASKS_PER_WORKER) as pool:
        for record_id, reason, warnings in pool.imap_unordered(_render_one, jobs):
            if reason:
                failures.append((record_id, reason))
            for field in warnings:
                warn(record_id, field)
            progress(1)
    return sorted(failures)
