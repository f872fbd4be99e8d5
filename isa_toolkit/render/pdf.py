"""PDF documents: Jinja2 HTML templates (autoescaped) laid out by WeasyPrint.

WeasyPrint is given a URL fetcher that serves only ``file:`` URLs inside the
template folders and ``data:`` URLs: a template (or, through a bug, an answer)
that points at ``http://...`` or ``file:///etc/passwd`` is refused, and the
document with it. Output is deterministic: no clock time goes into the file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

import jinja2

from ..errors import IsaError

PDF_VARIANT = "pdf/a-3b"  # for archiving: fonts embedded, colour profile included


class RefusedResource(IsaError):
    """A document tried to load something from outside its template folder."""


def environment(folders: list[Path]) -> jinja2.Environment:
    """Sandboxed: a register's own template can lay out the record, never reach Python or the shell."""
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True,  # answers are data: & < > " ' print as text, never as markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_html(template: str, context: dict, folders: list[Path]) -> str:
    try:
        return environment(folders).get_template(f"{template}.html").render(**context)
    except jinja2.TemplateNotFound:
        raise IsaError(f"no template {template}.html in {', '.join(map(str, folders))}") from None
    except jinja2.TemplateError as exc:  # includes the sandbox's SecurityError
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise IsaError(f"the template {template}.html cannot be used{where}: {exc}") from None


def _fetcher(folders: list[Path]):
    """A WeasyPrint URL fetcher serving only files inside ``folders``, and data: URLs; it keeps what it refused."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = [f.resolve() for f in folders]

    class Fetcher(URLFetcher):
        refused: list[str] = []

        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file" and not parsed.netloc:
                path = Path(unquote(parsed.path)).resolve()
                if path.is_file() and any(path.is_relative_to(folder) for folder in allowed):
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _mime(path)})
            self.refused.append(url)
            raise ValueError(f"refused: {url} is outside the template folder")

    fetcher = Fetcher(allowed_protocols=("file", "data"), allow_redirects=False)
    fetcher.refused = []
    return fetcher


def _mime(path: Path) -> str:
    return {".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
            ".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}.get(
        path.suffix.lower(), "application/octet-stream")


def write_pdf(html: str, folders: list[Path]) -> bytes:
    """Lay out ``html`` (its relative links resolved in the first template folder) as a PDF."""
    from weasyprint import HTML

    fetcher = _fetcher(folders)
    logger = logging.getLogger("weasyprint")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)  # refused fetches are reported below, with what to do
    try:
        base = next((f for f in folders if (f / "document.css").is_file()), folders[0])
        pdf = HTML(string=html, base_url=str(base.resolve()) + "/", url_fetcher=fetcher).write_pdf(
            pdf_variant=PDF_VARIANT)
    finally:
        logger.setLevel(previous)
    if fetcher.refused:
        raise RefusedResource(
            "the document refers to something outside the template folder, which is never fetched: "
            + ", ".join(sorted(set(fetcher.refused))) + "; remove the reference from the template"
        )
    return pdf
