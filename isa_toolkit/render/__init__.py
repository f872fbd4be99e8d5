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
from ..model.disclosure import Disclosure
from ..model.localized import LANGUAGE_RE
from ..resources import shipped
from .context import disclosure_context, disclosure_date, document_context, document_date

AGREEMENT_DOCS = ("agreement", "protocol", "signature-pages", "signoff-sheet", "assessment", "review-report")
DOCS = (*AGREEMENT_DOCS, "disclosure")
FORMATS = ("docx", "pdf")
TEMPLATE_OF = {"agreement": "agreement", "protocol": "agreement", "signature-pages": "signature-pages",
               "signoff-sheet": "signoff-sheet", "assessment": "assessment", "review-report": "review-report",
               "disclosure": "disclosure"}


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


def stale_translations(record: Agreement | Disclosure, langs: list[str], source: str) -> list[str]:
    """Fields whose translation in one of ``langs`` was made from an older source text."""
    from ..check import localized_fields

    return [f"{path} ({lang})" for path, text in localized_fields(record) for lang in text.stale(source) if lang in langs]


def check_document(record: Agreement | Disclosure, doc: str | None) -> str:
    """The document asked for, checked against the kind of record (``None``: the record's own document)."""
    is_disclosure = isinstance(record, Disclosure)
    if doc is None:
        return "disclosure" if is_disclosure else "agreement"
    if doc not in DOCS:
        raise IsaError(f"{doc!r} is not a document; choose one of {', '.join(DOCS)}")
    if is_disclosure and doc != "disclosure":
        raise IsaError(f"{record.id} is a one-off disclosure: its document is --doc disclosure (the record and the "
                       f"security statement); --doc {doc} is for agreements")
    if not is_disclosure and doc == "disclosure":
        raise IsaError(f"{record.id} is an agreement; --doc disclosure is for one-off disclosures (isa list --kind "
                       f"disclosure); choose one of {', '.join(AGREEMENT_DOCS)}")
    if doc == "protocol" and record.kind != "protocol":
        raise IsaError(f"{record.id} is an agreement (isa), not a protocol; use --doc agreement")
    return doc


def render(register, record: Agreement | Disclosure, *, doc: str | None = None, lang: str = "en", formats=FORMATS,
           outdir: Path, fallback: bool = False) -> list[Rendered]:
    """Write the document in each format; return the files with their sha-256.

    ``doc`` defaults to the record's own document: the agreement (or protocol)
    for an agreement, the disclosure record and security statement for a
    one-off disclosure.
    """
    from ..store import load_chain

    doc = check_document(record, doc)
    langs = languages(lang)
    broken = [p for p in register.errors if p.path in ("classification.yaml", "register.yaml")]
    if broken:
        raise IsaError(f"{broken[0]}; documents print from these files, so fix them first (isa validate)")
    templates = register.root / "templates"
    if isinstance(record, Disclosure):
        context = disclosure_context(
            record, langs, classification=register.classification, settings=register.settings, templates=templates,
            fallback=fallback, checklists_root=register.root,
        )
        return _write(register, doc, context, formats, outdir, stem=f"{record.id}-{doc}-{lang}",
                      subject=f"{record.id} one-off disclosure", day=disclosure_date(record),
                      fingerprint=record.fingerprint)
    agreement = record
    chain, _ = load_chain(register.root, register.settings)
    context = document_context(
        agreement, langs, classification=register.classification, chain=chain, settings=register.settings,
        templates=templates, fallback=fallback, checklists_root=register.root,
    )
    if doc == "assessment" and not context["doc"]["assessments"]:
        raise IsaError(f"{agreement.id} has no risk assessment or DPIA screening yet (isa assess {agreement.id})")
    if doc == "review-report" and context["doc"]["review"] is None:
        raise IsaError(f"{agreement.id} has no review under way or recorded (isa review start {agreement.id})")
    if doc == "signature-pages" and not context["doc"]["signatories"]:
        raise IsaError(f"{agreement.id} names no signatory for any party, so there is no signature page to make")
    return _write(register, doc, context, formats, outdir, stem=f"{agreement.id}-v{agreement.version}-{doc}-{lang}",
                  subject=f"{agreement.id} version {agreement.version}", day=document_date(agreement),
                  fingerprint=agreement.fingerprint)


def _write(register, doc: str, context: dict, formats, outdir: Path, *, stem: str, subject: str, day,
           fingerprint: str) -> list[Rendered]:
    """Lay the context out in each format and write the files atomically."""
    from ..store import write_atomic

    html_folders = template_folders(register.root, "html")
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
            data = render_docx(template, context, title=context["title"], subject=subject, day=day)
        else:
            raise IsaError(f"{fmt!r} is not a format; choose docx or pdf")
        path = outdir / f"{stem}.{fmt}"
        write_atomic(path, data)
        written.append(Rendered(path, fmt, hashlib.sha256(data).hexdigest(), fingerprint))
    return written
