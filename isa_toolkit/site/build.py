"""Building the register site: static HTML pages from the loaded register, for the people who govern it.

The pages are made from the shipped templates in ``templates/site`` only (a register's own templates cannot replace
them: they hold the escaping every record text relies on), with Jinja2's autoescaping on, the site's labels from
the message catalogs (:mod:`isa_toolkit.i18n`), our own stylesheet and script, and nothing fetched from anywhere:
every link is relative, so the folder reads the same from a web server or straight from the disk. The same
register, date and options give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from ..errors import IsaError
from ..i18n import texts, typeset
from ..model import Localized, Status
from ..model.localized import CONTROL_RE
from ..register.export import PUBLIC_FIELDS, case_row, rows
from ..register.load import Register, load_chain
from ..register.outputs import check_output_folder
from ..register.query import history
from ..resources import shipped
from ..review.daily import review_calendar
from ..workflows.chain import progress
from ..workflows.lifecycle import load_lifecycle
from . import charts
from .data import CASE_SECTIONS, case_entries, overview

MARK = ".isa-site"  # in a folder this command made, and so may empty and make again
CALENDAR = "reviews.ics"
ASSETS = ("site.css", "site.js")
_FALLBACK = re.compile(r"^\[([a-z]{2,3}(?:-[A-Z]{2})?)\] ")  # the export's mark of text in another language


@dataclass(frozen=True)
class Built:
    index: Path  # the page to open first
    pages: int
    documents: list[str]  # documents that could not be made, each with its reason


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


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(shipped("templates") / "site")), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                       finalize=_visible)


class _Page:
    """What every template gets for one language: the labels, and the helpers that print record text."""

    def __init__(self, register: Register, lang: str, langs: list[str]):
        self.lang = lang
        self.langs = langs
        self.words = texts(lang, register.root / "templates")
        self.lifecycle = load_lifecycle(register.root)

    def t(self, message: str) -> str:
        """A label of the site in the page's language, typeset as the documents are (French spacing)."""
        return typeset(self.words.gettext(message), self.lang)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return typeset(self.words.ngettext(singular, plural, n), self.lang)

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

    def waited(self, days: int | None) -> str:
        if days is None:
            return self.t("since an unknown day")
        return self.ngettext("waiting {n} day", "waiting {n} days", days).format(n=days)

    def status(self, value: str) -> str:
        try:
            return self.lifecycle.label(Status(value), self.lang)
        except (ValueError, StopIteration):
            return value

    def globals(self) -> dict:
        return {"t": self.t, "ngettext": self.ngettext, "lang": self.lang, "loc": self.loc, "inlang": self.inlang,
                "marked": self.marked, "english": self.english, "status_label": self.status,
                "days": self.days, "waited": self.waited}


def _prepare(out: Path) -> None:
    """Make ``out`` ready for a new site: refused where git would take it into a register, and emptied only when
    it is a site this command made (it holds :data:`MARK`)."""
    check_output_folder(out)
    if out.exists():
        if not out.is_dir():
            raise IsaError(f"{out} is a file; give a folder for the site with -o DIR")
        if any(out.iterdir()) and not (out / MARK).is_file():
            raise IsaError(f"{out} is not empty and is not a site made by isa site, so nothing in it is replaced; "
                           "give an empty or new folder with -o DIR")
        for child in sorted(out.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARK).write_text("Made by isa site: the next build replaces everything in this folder.\n", encoding="utf-8")


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="\n")


def build_site(register: Register, out: Path, *, langs: list[str], public: bool = False, as_of: dt.date,
               with_documents: bool = False) -> Built:
    """Write the site of ``register`` as of ``as_of`` into ``out`` (one folder per language when there are several);
    ``public`` keeps only agreements in force and only the public register's fields (``isa export --public``)."""
    if public and with_documents:
        raise IsaError("--with-documents cannot go with --public: an agreement's documents name its officers and "
                       "signatories, which the public site leaves out")
    out = Path(out)
    _prepare(out)
    env = _environment()
    pages = 0
    failed: list[str] = []
    facts = None if public else overview(register, as_of)
    if not public:
        _write(out / CALENDAR, review_calendar(register, dt.date(2000, 1, 1)))  # the stamp `isa calendar` uses
    for lang in langs:
        tree = out / lang if len(langs) > 1 else out
        page = _Page(register, lang, langs)
        count, problems = _tree(env, register, tree, page, facts, public=public, as_of=as_of,
                                with_documents=with_documents, calendar_up=len(langs) > 1)
        pages += count
        failed += problems
    if len(langs) > 1:
        template = env.get_template("choose.html")
        words = {lang: _Page(register, lang, langs) for lang in langs}
        _write(out / "index.html", template.render(langs=langs, words=words, register_name=_name(register),
                                                   lang=langs[0], t=words[langs[0]].t))
        pages += 1
    return Built(out / "index.html", pages, failed)


def _name(register: Register) -> dict[str, str]:
    return dict(register.settings.name.texts) if register.settings else {"en": register.root.name}


def _tree(env: Environment, register: Register, tree: Path, page: _Page, facts, *, public: bool, as_of: dt.date,
          with_documents: bool, calendar_up: bool) -> tuple[int, list[str]]:
    """One language's pages."""
    for asset in ASSETS:
        _write(tree / "assets" / asset, (shipped("templates") / "site" / asset).read_bytes())
    common = page.globals() | {"register_name": _name(register), "as_of": as_of, "public": public,
                               "langs": page.langs, "calendar": None if public else ("../" if calendar_up else "")
                               + CALENDAR}

    def render(name: str, path: str, **context) -> None:
        depth = path.count("/")
        root = "../" * depth
        switch = [(other, f"{root}../{other}/{path}") for other in page.langs if other != page.lang] \
            if len(page.langs) > 1 else []
        calendar = common["calendar"] and root + common["calendar"]
        text = env.get_template(name).render(**(common | context | {"root": root, "path": path, "switch": switch,
                                                                     "calendar": calendar}))
        _write(tree / path, text)

    count = 0
    failed: list[str] = []
    if public:
        # Exactly what `isa export --public` writes: agreements in force, the public register's fields (not even
        # their status, which is not one of them).
        table = rows(register.agreements.values(), public=True, lang=page.lang)
        intro = page.ngettext("{n} agreement is in force.", "{n} agreements are in force.", len(table)).format(n=len(table))
        render("public_index.html", "index.html", table=table, intro=intro)
        render("public_register.html", "register.html", table=table)
        for row in table:
            render("public_record.html", f"records/{row['id']}.html", row=row, fields=PUBLIC_FIELDS)
        return 2 + len(table), failed

    agreements = [register.index[i] for i in sorted(register.index)]
    chain, _ = load_chain(register.root, register.settings)
    render("index.html", "index.html", facts=facts, records=register.index,
           status_chart=charts.status_bars([(key, page.status(key), n) for key, n in facts.statuses if n],
                                           title=page.t("Agreements by status"),
                                           desc=", ".join(f"{page.status(k)}: {n}" for k, n in facts.statuses if n),
                                           ident="status-chart"),
           review_chart=charts.review_timeline(
               [(r.record_id, r.days_left, f"{r.record_id}: {r.due.isoformat()}") for r in facts.reviews],
               title=page.t("Reviews overdue and due in the next 90 days"),
               desc="; ".join(f"{r.record_id}: {r.due.isoformat()}" for r in facts.reviews) or page.t("None"),
               ident="review-chart", today=page.t("today"), overdue_word=page.t("overdue")) if facts.reviews else None)
    cases = {section: case_entries(register, section) for section in CASE_SECTIONS}
    partners = sorted({p for entry in agreements for p in entry["partners"]}, key=str.casefold)
    owners = {i: (a.owner.name if a.owner else "") for i, a in sorted(register.agreements.items())}
    render("register.html", "register.html", agreements=agreements, cases=cases, partners=partners, owners=owners,
           statuses=[s.value for s in Status], facts=facts)
    count += 2
    for record_id in sorted(register.index):
        agreement = register.agreements[record_id]
        documents, problem = ([], None)
        if with_documents:
            documents, problem = _documents(register, agreement, tree, page.lang)
            if problem:
                failed.append(f"{record_id} ({page.lang}): {problem}")
        render("record.html", f"records/{record_id}.html", a=agreement,
               progress=progress(chain, agreement, register.settings) if chain is not None else None,
               commits=history(register.root, record_id), gaps=facts.gaps.get(record_id, []),
               signatures=facts.signatures.get(record_id), documents=documents, document_problem=problem,
               due=register.index[record_id].get("review_due"))
        count += 1
    for section in CASE_SECTIONS:
        for entry in cases[section]:
            record = register.section(section).records[entry["id"]]
            render("case.html", f"records/{entry['id']}.html", entry=entry, section=section,
                   cells=case_row(record, page.lang), commits=history(register.root, entry["id"]),
                   gaps=facts.gaps.get(entry["id"], []))
            count += 1
    return count, failed


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
