"""Rendering one record's document: the template, the languages, the formats, the file names and fingerprints.

The engines are :mod:`.docx` (docxtpl) and :mod:`.pdf` (WeasyPrint), imported only
when a format is made. A register's own ``templates/`` folder overrides the
shipped templates file by file.
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
    """The register's own ``templates/<kind>`` (if it has one), then the shipped one.

    The register's folder must lie inside the register: one that is a symbolic link elsewhere is refused, since
    everything inside a template folder may be read into a document.
    """
    own = register_root / "templates" / kind
    if not own.is_dir():
        return [shipped("templates") / kind]
    if not own.resolve().is_relative_to(register_root.resolve()):
        raise IsaError(f"templates/{kind} is a symbolic link to {own.resolve()}, outside the register; documents read "
                       "templates only from the register itself (or the shipped ones): replace the link by a folder")
    return [own, shipped("templates") / kind]


def stale_translations(record: Agreement | Disclosure, langs: list[str], source: str, doc: str | None = None) -> list[str]:
    """Fields the document prints whose translation in one of ``langs`` was made from an older source text."""
    from ..register.checks import localized_fields
    from .context import prints

    return [f"{path} ({lang})" for path, text in localized_fields(record) if prints(doc, path)
            for lang in text.stale(source) if lang in langs]


def check_document(record: Agreement | Disclosure, doc: str | None) -> str:
    """The document asked for, checked against the kind of record (``None``: the record's own document)."""
    is_disclosure = isinstance(record, Disclosure)
    if doc is None:
        return "disclosure" if is_disclosure else "protocol" if record.kind == "protocol" else "agreement"
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
    from ..register.load import load_chain

    doc = check_document(record, doc)
    langs = languages(lang)
    broken = [p for p in register.errors if p.path in ("classification.yaml", "register.yaml")]
    if broken:
        raise IsaError(f"{broken[0]}; documents print from these files, so fix them first (isa validate)")
    templates = register.root / "templates"
    if isinstance(record, Disclosure):
        context = disclosure_context(
            record, langs, classification=register.classification, settings=register.settings, templates=templates,
            fallback=fallback, checklists_root=register.root, doc=doc,
        )
        return _write(register, doc, context, formats, outdir, stem=f"{record.id}-{doc}-{lang}",
                      subject=f"{record.id} · {context['title']}", day=disclosure_date(record),
                      fingerprint=record.fingerprint)
    agreement = record
    chain, _ = load_chain(register.root, register.settings)
    context = document_context(
        agreement, langs, classification=register.classification, chain=chain, settings=register.settings,
        templates=templates, fallback=fallback, checklists_root=register.root, doc=doc,
        related={rid: register.agreements[rid].title for rid in agreement.related if rid in register.agreements},
    )
    if doc == "assessment" and not context["doc"]["assessments"]:
        raise IsaError(f"{agreement.id} has no risk assessment or DPIA screening yet (isa assess {agreement.id})")
    if doc == "review-report" and context["doc"]["review"] is None:
        raise IsaError(f"{agreement.id} has no review under way or recorded (isa review start {agreement.id})")
    if doc == "signature-pages" and not context["doc"]["signatories"]:
        raise IsaError(f"{agreement.id} names no signatory for any party, so there is no signature page to make")
    return _write(register, doc, context, formats, outdir, stem=f"{agreement.id}-v{agreement.version}-{doc}-{lang}",
                  subject=f"{agreement.id} · {_labels(context, 'Version')} {agreement.version}", day=document_date(agreement),
                  fingerprint=agreement.fingerprint)


def _labels(context: dict, message: str) -> str:
    """A label in each of the document's languages: ``Version / Version``."""
    return " / ".join(dict.fromkeys(part["t"](message) for part in context["docs"]))


def _write(register, doc: str, context: dict, formats, outdir: Path, *, stem: str, subject: str, day,
           fingerprint: str) -> list[Rendered]:
    """Lay the context out in each format and write the files atomically."""
    from ..register.store import write_atomic

    made = {}
    for fmt in formats:  # every format is made before any is written: a refusal leaves no file behind
        if fmt == "pdf":
            from .pdf import render_html, write_pdf

            html_folders = template_folders(register.root, "html")
            made[fmt] = write_pdf(render_html(TEMPLATE_OF[doc], context, html_folders), html_folders)
        elif fmt == "docx":
            from .docx import docx_template, render_docx

            template = docx_template(template_folders(register.root, "docx"), TEMPLATE_OF[doc])
            made[fmt] = render_docx(template, context, title=context["title"], subject=subject, day=day)
        else:
            raise IsaError(f"{fmt!r} is not a format; choose docx or pdf")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IsaError(f"cannot create the folder {outdir}: {exc.strerror}") from None
    paths = {fmt: outdir / f"{stem}.{fmt}" for fmt in made}
    taken = [path for path in paths.values() if path.is_dir()]
    if taken:
        raise IsaError(f"{taken[0]} is a folder; remove it or write elsewhere (-o DIR)")
    written = []
    for fmt, data in made.items():
        path = paths[fmt]
        write_atomic(path, data)
        written.append(Rendered(path, fmt, hashlib.sha256(data).hexdigest(), fingerprint))
    return written
