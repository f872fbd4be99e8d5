"""PDF documents: Jinja2 HTML templates (autoescaped) laid out by WeasyPrint.

WeasyPrint is given a URL fetcher that serves only ``file:`` URLs inside the
template folders and ``data:`` URLs: a template (or, through a bug, an answer)
that points at ``http://...`` or ``file:///etc/passwd`` is refused, and the
document with it. Output is deterministic: no clock time goes into the file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2
from jinja2.loaders import split_template_path

from ..errors import IsaError


class RefusedResource(IsaError):
    """A document tried to load something from outside its template folder."""


class ConfinedLoader(jinja2.FileSystemLoader):
    """Loads templates only from inside their folders: a symlink (file or folder) that leads out is refused.

    An ``{% include %}`` of ``passwd.html -> /etc/passwd`` would otherwise print that file into the document.
    """

    def __init__(self, folders: list[Path]):
        super().__init__([str(f) for f in folders], followlinks=False)
        self.folders = [f.resolve() for f in folders]

    def get_source(self, environment, template):
        from .template_limits import check_source, check_source_size

        for folder in self.searchpath:  # the file the loader will read, measured first
            path = Path(folder, *split_template_path(template))
            if path.is_file():
                check_source_size(path)
                break
        source, filename, uptodate = super().get_source(environment, template)
        check_source(Path(filename), source)
        if not inside(Path(filename), self.folders):
            raise RefusedResource(f"the template {template} leads outside the template folder (a symbolic link to "
                                  f"{Path(filename).resolve()}); templates are read only from their own folder")
        return source, filename, uptodate


def inside(path: Path, folders: list[Path]) -> bool:
    """``path``, with every symbolic link followed, is a file within one of ``folders`` (already resolved)."""
    real = path.resolve()
    return real.is_file() and any(real.is_relative_to(folder) for folder in folders)


def environment(folders: list[Path]) -> jinja2.Environment:
    """Sandboxed: a register's own template can lay out the record, never reach Python or the shell; and limited
    (:mod:`.template_limits`): it cannot build huge texts or run without end. Make one for each document."""
    from .template_limits import LimitedEnvironment

    return LimitedEnvironment(
        loader=ConfinedLoader(folders),
        autoescape=True,  # answers are data: & < > " ' print as text, never as markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_html(template: str, context: dict, folders: list[Path]) -> str:
    """The HTML of the document ``template`` for ``context``; any error of the template (its syntax, a name the
    context lacks, an operation refused, a limit reached) is refused with the file, the line and what to do."""
    from .template_limits import template_refusal

    name = f"{template}.html"
    try:
        page = environment(folders).get_template(name)
        name = page.filename or name  # the file itself, so a message says whose template it is
        return page.render(**context)
    except jinja2.TemplateNotFound as exc:
        missing = f"{template}.html" if exc.name in (None, f"{template}.html") else f"{exc.name} (used by {template}.html)"
        raise IsaError(f"no template {missing} in {', '.join(map(str, folders))}") from None
    except IsaError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a template's code raises is the template's error, located
        raise template_refusal(exc, name) from None


def _fetcher(folders: list[Path]):
    """A WeasyPrint URL fetcher serving only files inside ``folders``, and data: URLs; it keeps what it refused.

    Relative links resolve against the first folder (the register's own templates when it has them); a file
    that folder lacks is looked up in the next ones, as templates are, so a register's template can use its own
    logo and the shipped stylesheet at once.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = [f.resolve() for f in folders]

    class Fetcher(URLFetcher):
        refused: list[str] = []

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file" and not parsed.netloc:
                found = _look_up(Path(unquote(parsed.path)), allowed)
                if found is not None:
                    return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": _mime(found)})
            self.refused.append(url)
            raise ValueError(f"refused: {url} is outside the template folder")

    fetcher = Fetcher(allowed_protocols=("file", "data"), allow_redirects=False)
    fetcher.refused = []
    return fetcher


def _look_up(path: Path, folders: list[Path]) -> Path | None:
    """The file a link names, in the first folder that has it, or None when it leads outside them all."""
    lexical = Path(os.path.normpath(path))
    for folder in folders:
        if lexical.is_relative_to(folder):
            relative = lexical.relative_to(folder)
            for candidate in (f / relative for f in folders):
                if inside(candidate, folders):
                    return candidate.resolve()
            return None
    return None


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
            ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}.get(
        path.suffix.lower(), "application/octet-stream")


@dataclass(frozen=True)
class LaidOutPage:
    """A page of a laid-out document: its size and its anchors (element id -> the element's box, left, bottom,
    right, top), in PDF points measured from the page's bottom-left corner, as PDF coordinates are."""

    width: float
    height: float
    anchors: dict[str, tuple[float, float, float, float]]


def write_pdf(html: str, folders: list[Path]) -> bytes:
    """Lay out ``html`` (its relative links resolved in the first template folder) as a PDF."""
    return render_pdf(html, folders)[0]


def render_pdf(html: str, folders: list[Path], attachments: list | None = None) -> tuple[bytes, list[LaidOutPage]]:
    """The PDF, and where each page's anchors (elements with an id) fell: a signature field goes on its block.
    ``attachments``: WeasyPrint attachments embedded in the file (PDF/A-3 allows them), e.g. signed copies."""
    try:
        from weasyprint import DEFAULT_OPTIONS, HTML
    except OSError as exc:  # WeasyPrint loads Pango when it is imported
        raise IsaError(f"PDF output needs the Pango libraries, which could not be loaded ({exc}). Install them "
                       "(docs/install.md; `isa doctor` says what this machine lacks), or make DOCX only: --format "
                       "docx") from None

    from . import pdf_tags

    pdf_tags.install()  # each element's language on its structure element (PDF/UA)
    fetcher = _fetcher(folders)
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # refused fetches are reported below, with what to do
    try:
        options = {**DEFAULT_OPTIONS, "pdf_variant": pdf_tags.PDF_VARIANT, "attachments": attachments or []}
        document = HTML(string=html, base_url=str(folders[0].resolve()) + "/", url_fetcher=fetcher).render(**options)
        pdf = document.write_pdf(None, 1, pdf_tags.finish, **options)
    finally:
        logger.setLevel(previous)
    if fetcher.refused:
        raise RefusedResource(
            "the document refers to something outside the template folder, which is never fetched: "
            + ", ".join(sorted(set(fetcher.refused))) + "; remove the reference from the template"
        )
    points = 0.75  # CSS pixels (1/96 in) to PDF points (1/72 in)
    pages = [LaidOutPage(page.width * points, page.height * points,
                         {name: (x1 * points, (page.height - y2) * points, x2 * points, (page.height - y1) * points)
                          for name, (x1, y1, x2, y2) in page.anchors.items()})
             for page in document.pages]
    return pdf, pages
