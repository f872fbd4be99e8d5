"""Building the register site: static HTML pages from the loaded register, for the people who govern it.

The pages are made from the shipped templates in ``templates/site`` only (a register's own templates cannot replace
them: they hold the escaping every record text relies on), with Jinja2's autoescaping on, the site's labels from
the message catalogs (:mod:`isa_toolkit.i18n`), our own stylesheet and script, and nothing fetched from anywhere:
every link is relative, so the folder reads the same from a web server or straight from the disk. The same
register, date and options give the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import glob
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from ..errors import IsaError
from ..i18n import texts, typeset
from ..model import Localized, Status
from ..model.localized import CONTROL_RE
from ..register import collector
from ..register.export import PUBLIC_FIELDS, case_row, rows
from ..register.load import Register, load_chain
from ..register.outputs import check_output_folder
from ..register.query import histories
from ..resources import shipped
from ..review.daily import chased_packs, review_calendar
from ..workflows.chain import progress
from ..workflows.lifecycle import load_lifecycle
from . import charts
from .data import CASE_SECTIONS, case_entries, gaps, overview, signatures

MARK = ".isa-site"  # in a folder this command made, and so may empty and make again
MARK_TEXT = "Made by isa site: the next build replaces everything in this folder.\n"
OLD = ".isa-site-old-"  # beside the site folder: the previous build's pages, while they are deleted
CALENDAR = "reviews.ics"
ASSETS = ("site.css", "site.js")
_FALLBACK = re.compile(r"^\[([a-z]{2,3}(?:-[A-Z]{2})?)\] ")  # the export's mark of text in another language


@dataclass(frozen=True)
class Built:
    index: Path  # the page to open first
    pages: int
    documents: list[str]  # documents that could not be made, each with its reason
    notes: list[str] = field(default_factory=list)  # anything else the user should know (left behind, and where)


def site_languages(spec: str) -> list[str]:
    """``en``, ``fr`` or ``both`` (English and French, each in its own folder)."""
    return ["en", "fr"] if spec == "both" else [spec]


def _visible(value):
    """Every value a page prints: a character that would make the text read in another order than the record holds
    it (a bidirectional override) or is not text is shown by its code, never acted on."""
    if isinstance(value, str) and CONTROL_RE.search(value):
        shown = CONTROL_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
        return Markup(shown) if isinstance(value, Markup) else shown  # noqa: S704 - was markup already
    return value


def _environment(helpers: dict | None = None) -> Environment:
    """The templates' environment; ``helpers`` (a language's :meth:`_Page.globals`) are its globals, so the macros
    see them without being imported "with context" (which would compile them again for every page)."""
    env = Environment(loader=FileSystemLoader(str(shipped("templates") / "site")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      finalize=_visible)
    env.globals.update(helpers or {})
    return env


class _Page:
    """What every template gets for one language: the labels, and the helpers that print record text."""

    def __init__(self, root: Path, lang: str, langs: list[str]):
        self.lang = lang
        self.langs = langs
        self.words = texts(lang, root / "templates")
        self.lifecycle = load_lifecycle(root)
        self._labels: dict[tuple, str] = {}  # every page asks for the same hundred labels: each is typeset once

    def t(self, message: str) -> str:
        """A label of the site in the page's language, typeset as the documents are (French spacing)."""
        key = (message,)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = typeset(self.words.gettext(message), self.lang)
        return found

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        key = (singular, plural, n)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = typeset(self.words.ngettext(singular, plural, n), self.lang)
        return found

    def loc(self, value) -> Markup:
        """Record text in the page's language, else in the record's first language that has it, marked with its
        ``lang`` so a reader (and a screen reader) knows."""
        found = value.texts if isinstance(value, Localized) else dict(value or {})
        text = found.get(self.lang)
        if text and text.strip():
            return escape(text)
        for other, text in found.items():
            if other != "translated_from" and isinstance(text, str) and text.strip():
                return Markup('<span lang="{}">{}</span>').format(other, text)
        return Markup("")

    def inlang(self, value, lang: str) -> str:
        """Record text in one given language ("" when it has none)."""
        if value is None:
            return ""
        found = value.texts if isinstance(value, Localized) else dict(value)
        return found.get(lang) or ""

    def marked(self, text: str) -> Markup:
        """A cell of the export, whose text in another language starts ``[en] ``: that part marked with its lang."""
        match = _FALLBACK.match(text or "")
        if match is None:
            return escape(text or "")
        return Markup('<span lang="{}">{}</span>').format(match.group(1), text[match.end():])

    def english(self, text: str) -> Markup:
        """A text the toolkit writes in English only (a problem's message, what is owed): marked as English on a page
        in another language."""
        if self.lang == "en":
            return escape(text)
        return Markup('<span lang="en">{}</span>').format(text)

    def days(self, days: int) -> str:
        """How far a date is from the site's day: late, today, or to come."""
        if days < 0:
            return self.ngettext("{n} day late", "{n} days late", -days).format(n=-days)
        if days == 0:
            return self.t("today")
        return self.ngettext("in {n} day", "in {n} days", days).format(n=days)

    def waited(self, days: int | None, at_least: bool = False) -> str:
        if days is None:
            return self.t("since an unknown day")
        if at_least:
            return self.ngettext("waiting at least {n} day", "waiting at least {n} days", days).format(n=days)
        return self.ngettext("waiting {n} day", "waiting {n} days", days).format(n=days)

    def named(self, kind: str, code: str) -> str:
        """A code of the record (a sign-off role, a party's role, a controller, a legal basis, a sensitivity level)
        in words, in the page's language, as the documents name it; a code no table knows, with spaces."""
        from ..documents import context

        table = {"role": context.ROLE_NAMES, "party": context.ROLE, "controller": context.CONTROLLER,
                 "basis": context.BASIS, "level": context.LEVEL}[kind]
        value = getattr(code, "value", code)
        return self.t(table[value]) if value in table else str(value).replace("_", " ")

    def status(self, value: str) -> str:
        try:
            return self.lifecycle.label(Status(value), self.lang)
        except (ValueError, StopIteration):
            return value

    def globals(self) -> dict:
        return {"t": self.t, "ngettext": self.ngettext, "lang": self.lang, "loc": self.loc, "inlang": self.inlang,
                "marked": self.marked, "english": self.english, "status_label": self.status, "named": self.named,
                "days": self.days, "waited": self.waited}


def _prepare(out: Path) -> Path | None:
    """Make ``out`` ready for a new site: refused where git would take it into a register, and emptied only when
    it is a site this command made (it holds :data:`MARK`, which stays in place throughout).

    What it held is moved into a hidden folder beside it (never inside it: a folder published whole must not carry
    an earlier build, private perhaps, along), returned for :func:`_discard` to delete while the new pages are
    made: deleting 10,000 pages takes a while. Where no folder can be made beside it, the pages are deleted here."""
    check_output_folder(out)
    _discard_leftovers(out)
    if not out.exists():
        out.mkdir(parents=True)
        (out / MARK).write_text(MARK_TEXT, encoding="utf-8")
        return None
    if not out.is_dir():
        raise IsaError(f"{out} is a file; give a folder for the site with -o DIR")
    children = sorted(child for child in out.iterdir() if child.name != MARK)
    if children and not (out / MARK).is_file():
        raise IsaError(f"{out} is not empty and is not a site made by isa site, so nothing in it is replaced; "
                       "give an empty or new folder with -o DIR")
    (out / MARK).write_text(MARK_TEXT, encoding="utf-8")
    if not children:
        return None
    old = None
    try:
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}{OLD}", dir=out.parent))
        (old / MARK).write_text(MARK_TEXT, encoding="utf-8")  # so that a later build knows it may delete it
        for child in children:
            child.rename(old / child.name)
        return old
    except OSError:  # no folder may be made beside it, another file system, a file held open: delete in place
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    try:
        for child in children:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            elif child.exists() or child.is_symlink():
                child.unlink()
    except OSError as exc:
        raise IsaError(f"the previous site in {out} could not be deleted ({exc.strerror or exc}: "
                       f"{exc.filename or out}); close any program using it and try again") from None
    return None


def _discard_leftovers(out: Path) -> None:
    """Earlier builds' pages moved beside ``out`` and not deleted (a build stopped part-way): each holds
    :data:`MARK`, so it is a folder this command made."""
    if out.parent.is_dir():
        for folder in out.parent.glob(f".{glob.escape(out.name)}{OLD}*"):
            if folder.is_dir() and not folder.is_symlink() and (folder / MARK).is_file():
                shutil.rmtree(folder, ignore_errors=True)


def _discard(old: Path | None) -> str | None:
    """Delete the earlier build moved aside; what could not be deleted, said."""
    if old is None:
        return None
    shutil.rmtree(old, ignore_errors=True)
    if old.exists():  # a file some program holds open (Windows): it goes with the next build
        return f"the previous build, moved to {old}, could not be deleted whole; the next build tries again"
    return None


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="\n")


# A register this large has its pages made by a worker process per core (forked on Linux, spawned elsewhere:
# register/workers.py); a smaller one is quicker made in this process than by starting workers.
PARALLEL_PAGES = 300


@dataclass(frozen=True)
class _Job:
    """One page to make: a template, where it goes under its language's folder, and what it shows."""

    lang: str
    template: str
    path: str
    context: dict


@dataclass
class _Work:
    """What every page of a build shares: where each language's pages go, what every template gets in each
    language, and the pages themselves. Handed to each worker once (inherited when forked, pickled when spawned)."""

    root: Path
    langs: list[str]
    trees: dict[str, Path]
    common: dict[str, dict]  # per language, the context every page gets (the helpers are added where it renders)
    jobs: list[_Job]
    chain: object = None  # the sign-off chain, for the sign-off progress each agreement's page draws
    settings: object = None
    chased: dict = field(default_factory=dict)  # the daily run's chasers (review.daily.chased_packs)


class _Renderer:
    """Renders :class:`_Job` pages of one build: the templates compiled once, the labels typeset once per language."""

    def __init__(self, work: _Work):
        self.work = work
        self.pages = {lang: _Page(work.root, lang, work.langs) for lang in work.langs}
        self.envs = {lang: _environment(page.globals()) for lang, page in self.pages.items()}

    def render(self, job: _Job) -> None:
        page = self.pages[job.lang]
        depth = job.path.count("/")
        root = "../" * depth
        switch = [(other, f"{root}../{other}/{job.path}") for other in page.langs if other != page.lang] \
            if len(page.langs) > 1 else []
        common = self.work.common[job.lang]
        calendar = common["calendar"] and root + common["calendar"]
        context = job.context
        if job.template == "record.html":  # worked out here, so that the workers share the work
            a = context["a"]
            context = context | {"progress": progress(self.work.chain, a, self.work.settings)
                                 if self.work.chain is not None else None,
                                 "signatures": signatures(a, self.work.chased)}
        text = self.envs[job.lang].get_template(job.template).render(
            **(common | context | {"root": root, "path": job.path, "switch": switch, "calendar": calendar}))
        _write(self.work.trees[job.lang] / job.path, text)


_WORKER: _Renderer | None = None


def _start_worker(work: _Work) -> None:
    global _WORKER
    gc.disable()  # pages make no reference cycles, and a collection would touch (so copy) every inherited object
    _WORKER = _Renderer(work)


def _render_range(start: int, stop: int, jobs: list[_Job] | None = None) -> int:
    """Worker: the build's pages ``start:stop`` (inherited when the worker was forked), or ``jobs`` (sent with the
    task when it was spawned)."""
    assert _WORKER is not None
    for job in jobs if jobs is not None else _WORKER.work.jobs[start:stop]:
        _WORKER.render(job)
    return stop - start


def _render_all(work: _Work, meanwhile) -> None:
    """Every page of ``work.jobs``: here when they are few, else by a worker process per core, while this process
    runs ``meanwhile`` (the overview, the calendar and the pages of many records each). A worker's failure is
    raised here; a worker that dies (out of memory, killed) stops the build with a message, never a wait."""
    count = min(os.cpu_count() or 1, 8)
    if len(work.jobs) < PARALLEL_PAGES or count < 2:
        renderer = _Renderer(work)
        for job in work.jobs:
            renderer.render(job)
        meanwhile()
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from ..register import workers

    forked = workers.start_method() == "fork"
    size = max(1, -(-len(work.jobs) // (count * 4)))
    ranges = [(i, min(i + size, len(work.jobs))) for i in range(0, len(work.jobs), size)]
    # A forked worker inherits every page; a spawned one is sent only its own, with each task.
    shared = work if forked else dataclasses.replace(work, jobs=[])
    freeze = forked and gc.get_freeze_count() == 0  # a caller's own frozen objects are left as they are
    if freeze:
        gc.freeze()  # a forked worker then shares the register's objects with this process instead of copying them
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=workers.context(), initializer=_start_worker,
                                 initargs=(shared,)) as pool:
            futures = [pool.submit(_render_range, first, last, None if forked else work.jobs[first:last])
                       for first, last in ranges]
            try:
                meanwhile()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
            for future in futures:
                future.result()
    except BrokenProcessPool:
        raise IsaError("a worker process making the site's pages stopped before it was done (out of memory, or "
                       "stopped from outside), so the site is not complete; run isa site again") from None
    finally:
        if freeze:
            gc.unfreeze()


@collector.paused()
def build_site(register: Register, out: Path, *, langs: list[str], public: bool = False, as_of: dt.date,
               with_documents: bool = False) -> Built:
    """Write the site of ``register`` as of ``as_of`` into ``out`` (one folder per language when there are several);
    ``public`` keeps only agreements in force and only the public register's fields (``isa export --public``).

    The page of each record is made from the record alone (its problems, its history and the chain), so those
    pages are made by the workers while this process gathers the overview and makes the pages of many records."""
    if public and with_documents:
        raise IsaError("--with-documents cannot go with --public: an agreement's documents name its officers and "
                       "signatories, which the public site leaves out")
    out = Path(out)
    if not public:  # read first, so that a register git cannot read leaves the previous site as it was
        chain, _ = load_chain(register.root, register.settings)
        problems = gaps(register)
        cases = {section: case_entries(register, section) for section in CASE_SECTIONS}
        commits = histories(register.root)
    old = _prepare(out)
    failed: list[str] = []
    notes: list[str | None] = []
    trees = {lang: (out / lang if len(langs) > 1 else out) for lang in langs}
    common: dict[str, dict] = {}
    jobs: list[_Job] = []  # a page per record
    pages = {lang: _Page(register.root, lang, langs) for lang in langs}
    for lang in langs:
        for asset in ASSETS:
            _write(trees[lang] / "assets" / asset, (shipped("templates") / "site" / asset).read_bytes())
        common[lang] = {"register_name": _name(register), "as_of": as_of, "public": public, "langs": langs,
                        "calendar": None if public else ("../" if len(langs) > 1 else "") + CALENDAR}
    if public:
        first: list[_Job] = []
        for lang in langs:
            _public_jobs(register, pages[lang], first, jobs)
        work = _Work(register.root, langs, trees, common, jobs)

        def public_meanwhile() -> None:
            renderer = _Renderer(work)
            for job in first:
                renderer.render(job)
            notes.append(_discard(old))

        _render_all(work, public_meanwhile)
        return _finish(register, out, langs, len(first) + len(jobs), failed, notes)

    for lang in langs:
        failed += _record_jobs(register, pages[lang], problems, cases, commits, trees[lang], jobs,
                               with_documents=with_documents)
    work = _Work(register.root, langs, trees, common, jobs, chain, register.settings, chased_packs(register.root))
    made = []

    def meanwhile() -> None:
        first_seen = {record_id: dt.date.fromisoformat(entries[-1].date[:10])
                      for record_id, entries in commits.items() if entries}
        facts = overview(register, as_of, first_seen)
        renderer = _Renderer(work)
        for lang in langs:
            for job in _register_jobs(register, pages[lang], facts, cases):
                renderer.render(job)
                made.append(job)
        _write(out / CALENDAR, review_calendar(register, dt.date(2000, 1, 1)))  # the stamp `isa calendar` uses
        notes.append(_discard(old))

    _render_all(work, meanwhile)
    return _finish(register, out, langs, len(made) + len(jobs), failed, notes)


def _finish(register: Register, out: Path, langs: list[str], pages: int, failed: list[str],
            notes: list[str | None]) -> Built:
    """The page to choose a language from, when there are several."""
    if len(langs) > 1:
        env = _environment()
        template = env.get_template("choose.html")
        words = {lang: _Page(register.root, lang, langs) for lang in langs}
        _write(out / "index.html", template.render(langs=langs, words=words, register_name=_name(register),
                                                   lang=langs[0], t=words[langs[0]].t))
        pages += 1
    return Built(out / "index.html", pages, failed, [note for note in notes if note])


def _name(register: Register) -> dict[str, str]:
    return dict(register.settings.name.texts) if register.settings else {"en": register.root.name}


def _public_jobs(register: Register, page: _Page, first: list[_Job], jobs: list[_Job]) -> None:
    """The public site: exactly what `isa export --public` writes, agreements in force with the public register's
    fields (not even their status, which is not one of them)."""
    table = rows(register.agreements.values(), public=True, lang=page.lang)
    intro = page.ngettext("{n} agreement is in force.", "{n} agreements are in force.", len(table)).format(n=len(table))
    first.append(_Job(page.lang, "public_index.html", "index.html", {"table": table, "intro": intro}))
    first.append(_Job(page.lang, "public_register.html", "register.html", {"table": table}))
    for row in table:
        jobs.append(_Job(page.lang, "public_record.html", f"records/{row['id']}.html",
                         {"row": row, "fields": PUBLIC_FIELDS}))


def _register_jobs(register: Register, page: _Page, facts, cases: dict[str, list[dict]]) -> list[_Job]:
    """The full site's overview and register pages in one language."""
    lang = page.lang
    agreements = [register.index[i] for i in sorted(register.index)]
    index = _Job(lang, "index.html", "index.html", {
        "facts": facts, "records": register.index,
        "status_chart": charts.status_bars([(key, page.status(key), n) for key, n in facts.statuses if n],
                                           title=page.t("Agreements by status"),
                                           desc=", ".join(f"{page.status(k)}: {n}" for k, n in facts.statuses if n),
                                           ident="status-chart"),
        "review_chart": charts.review_timeline(
            [(r.record_id, r.days_left, f"{r.record_id}: {r.due.isoformat()}") for r in facts.reviews],
            title=page.t("Reviews overdue and due in the next 90 days"),
            desc="; ".join(f"{r.record_id}: {r.due.isoformat()}" for r in facts.reviews) or page.t("None"),
            ident="review-chart", today=page.t("today"), overdue_word=page.t("overdue")) if facts.reviews else None})
    partners = sorted({p for entry in agreements for p in entry["partners"]}, key=str.casefold)
    owners = {i: (a.owner.name if a.owner else "") for i, a in sorted(register.agreements.items())}
    table = _Job(lang, "register.html", "register.html", {
        "agreements": agreements, "cases": cases, "partners": partners, "owners": owners,
        "statuses": [s.value for s in Status], "facts": facts})
    return [index, table]


def _record_jobs(register: Register, page: _Page, problems: dict[str, list], cases: dict[str, list[dict]],
                 commits: dict[str, list], tree: Path, jobs: list[_Job], *, with_documents: bool) -> list[str]:
    """A page per record in one language; returns the documents that could not be made."""
    failed: list[str] = []
    lang = page.lang
    built = dict(register.agreements.items())  # in one pass: a record at a time is several times slower
    for record_id in sorted(register.index):
        agreement = built[record_id]
        documents, problem = ([], None)
        if with_documents:
            documents, problem = _documents(register, agreement, tree, lang)
            if problem:
                failed.append(f"{record_id} ({lang}): {problem}")
        jobs.append(_Job(lang, "record.html", f"records/{record_id}.html", {
            "a": agreement, "commits": commits.get(record_id, []), "gaps": problems.get(record_id, []),
            "documents": documents, "document_problem": problem, "due": register.index[record_id].get("review_due")}))
    for section in CASE_SECTIONS:
        records = dict(register.section(section).records.items())
        for entry in cases[section]:
            record = records[entry["id"]]
            jobs.append(_Job(lang, "case.html", f"records/{entry['id']}.html", {
                "entry": entry, "section": section, "cells": case_row(record, lang),
                "commits": commits.get(entry["id"], []), "gaps": problems.get(entry["id"], [])}))
    return failed


def _documents(register: Register, agreement, tree: Path, lang: str) -> tuple[list[tuple[str, str]], str | None]:
    """The agreement's own document, in the page's language if it has it (else its first), made into
    ``documents/<ID>/``: each file as ``(format, path from the site's language folder)``, or why none was made."""
    from ..documents.render import render

    doc_lang = lang if lang in agreement.languages else agreement.languages[0]
    folder = tree / "documents" / agreement.id
    try:
        made = render(register, agreement, lang=doc_lang, outdir=folder)
    except IsaError as exc:
        return [], str(exc)
    except OSError as exc:  # e.g. Pango missing for the PDF: said, and the site still made
        return [], str(exc)
    return [(item.format, item.path.relative_to(tree).as_posix()) for item in made], None
