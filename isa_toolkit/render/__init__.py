"""Documents from templates: DOCX (docxtpl) and PDF (WeasyPrint), in English, French or both.

Only this package touches docxtpl and WeasyPrint. A register's own
``templates/`` folder overrides the shipped templates file by file.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import IsaError
from ..model import Agreement
from ..model.localized import LANGUAGE_RE
from ..resources import shipped
from .context import document_context, document_date

DOCS = ("agreement", "protocol", "signature-pages", "signoff-sheet", "assessment", "review-report")
FORMATS = ("docx", "pdf")
TEMPLATE_OF = {"agreement": "agreement", "protocol": "agreement", "signature-pages": "signature-pages",
               "signoff-sheet": "signoff-sheet", "assessment": "assessment", "review-report": "review-report"}


@dataclass(frozen=True)
class Rendered:
    path: Path
    format: str
    sha256: str
    fingerprint: str


def languages(spec: str) -> list[str]:
    """``en``, ``fr`` or ``en+fr`` (both in one document, in that order)."""
    langs = [part.strip() for part in spec.split("+")]
    if not langs or not all(LANGUAGE_RE.fullmatch(lang) for lang in langs) or len(set(langs)) != len(langs):
        raise IsaError(f"{spec!r} is not a language choice: use en, fr or en+fr")
    return langs


def template_folders(register_root: Path, kind: str) -> list[Path]:
    own = register_root / "templates" / kind
    return [own, shipped("templates") / kind] if own.is_dir() else [shipped("templates") / kind]


def stale_translations(agreement: Agreement, langs: list[str], source: str) -> list[str]:
    """Fields whose translation in one of ``langs`` was made from an older source text."""
    from ..check import localized_fields

    return [f"{path} ({lang})" for path, text in localized_fields(agreement) for lang in text.stale(source) if lang in langs]


def render(register, agreement: Agreement, *, doc: str = "agreement", lang: str = "en", formats=FORMATS,
           outdir: Path, fallback: bool = False) -> list[Rendered]:
    """Write the document in each format; return the files with their sha-256."""
    from ..store import load_chain, write_atomic

    if doc not in DOCS:
        raise IsaError(f"{doc!r} is not a document; choose one of {', '.join(DOCS)}")
    if doc == "protocol" and agreement.kind != "protocol":
        raise IsaError(f"{agreement.id} is an agreement (isa), not a protocol; use --doc agreement")
    langs = languages(lang)
    broken = [p for p in register.errors if p.path in ("classification.yaml", "register.yaml")]
    if broken:
        raise IsaError(f"{broken[0]}; documents print from these files, so fix them first (isa validate)")
    chain, _ = load_chain(register.root, register.settings)
    html_folders = template_folders(register.root, "html")
    context = document_context(
        agreement, langs, classification=register.classification, chain=chain, settings=register.settings,
        templates=register.root / "templates", fallback=fallback, checklists_root=register.root,
    )
    if doc == "assessment" and not context["doc"]["assessments"]:
        raise IsaError(f"{agreement.id} has no risk assessment or DPIA screening yet (isa assess {agreement.id})")
    if doc == "review-report" and context["doc"]["review"] is None:
        raise IsaError(f"{agreement.id} has no review under way or recorded (isa review start {agreement.id})")
    if doc == "signature-pages" and not context["doc"]["signatories"]:
        raise IsaError(f"{agreement.id} names no signatory for any party, so there is no signature page to make")
    stem = f"{agreement.id}-v{agreement.version}-{doc}-{lang}"
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        if fmt == "pdf":
            from .pdf import render_html, write_pdf

            data = write_pdf(render_html(TEMPLATE_OF[doc], context, html_folders), html_folders)
        elif fmt == "docx":
            from .docx import render_docx

            template = next((f / f"{TEMPLATE_OF[doc]}.docx" for f in template_folders(register.root, "docx")
                             if (f / f"{TEMPLATE_OF[doc]}.docx").is_file()), None)
            if template is None:
                raise IsaError(f"no DOCX template {TEMPLATE_OF[doc]}.docx")
            data = render_docx(template, context, title=context["title"], subject=f"{agreement.id} version {agreement.version}",
                               day=document_date(agreement))
        else:
            raise IsaError(f"{fmt!r} is not a format; choose docx or pdf")
        path = outdir / f"{stem}.{fmt}"
        write_atomic(path, data)
        written.append(Rendered(path, fmt, hashlib.sha256(data).hexdigest(), agreement.fingerprint))
    return written
