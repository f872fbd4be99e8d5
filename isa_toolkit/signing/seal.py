"""The sealed copy once every signature is in, and verifying any file the register made.

``seal`` makes one final PDF: the agreement as signed, then a completion certificate (for each signatory what was
sent and when, with its sha-256, what came back, with its sha-256, who signed with which certificate and when, any
delegation; the sign-off chain with its dates; the register's commit). Every signed copy as returned is embedded in
it unchanged (PDF/A-3 allows attachments), so each signature can still be checked on its own, and the register
certifies the whole file allowing no change at all, so a later edit shows.

``verify`` says of any file which agreement and version it is, who signed it, whether each signature is intact
and trusted, and whether it matches the register.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IsaError
from ..model import Agreement
from ..register import vcs
from ..register.load import load_chain, load_register
from ..workflows.chain import progress
from .inspect import inspect_pdf
from .keys import load_agreement_for, load_signer, register_certificate, signing_settings
from .send import keep_metadata

SEAL_FIELD = "Seal"


def _signed_copies(root: Path, agreement: Agreement) -> list:
    return [s for s in agreement.signoffs if s.version == agreement.version and s.evidence is not None
            and s.evidence.file]


def seal(root: Path, record_id: str, *, outdir: Path, today: dt.date | None = None) -> tuple[Path, str]:
    """Write ``<ID>-v<version>-sealed.pdf`` for an agreement whose every signature is in; return it and its sha-256."""
    from weasyprint import Attachment

    from ..documents.context import document_context, label
    from ..documents.pdf import render_html, render_pdf
    from ..documents.render import template_folders
    from ..i18n import long_date

    today = today or dt.date.today()
    register, agreement = load_agreement_for(root, record_id)
    settings = register.settings
    chain, _ = load_chain(register.root, settings)
    state = progress(chain, agreement, settings)
    if not state.complete:
        raise IsaError(f"{record_id} version {agreement.version} is not signed by everyone yet: stage "
                       f"{state.open_stage.number} waits for {state.open_stage.waiting_text()} (isa status {record_id})")
    copies = _signed_copies(register.root, agreement)
    name = f"{record_id}-v{agreement.version}-sealed.pdf"
    kept = f"signed/{record_id}/{agreement.version}/{name}"
    if (register.root / kept).exists():
        raise IsaError(f"version {agreement.version} of {record_id} is already sealed ({kept}); a sealed copy is made "
                       f"once, so that every copy handed out verifies (isa verify {kept})")
    for signoff in copies:  # each embedded copy is the one recorded, byte for byte
        path = register.root / signoff.evidence.file
        if path.is_symlink() or not path.is_file() or \
                hashlib.sha256(path.read_bytes()).hexdigest() != signoff.evidence.sha256:
            raise IsaError(f"{signoff.evidence.file}, the copy {signoff.name} returned, is missing or not the one "
                           "recorded; restore it from git before sealing")
    langs = list(agreement.languages)
    context = document_context(
        agreement, langs, classification=register.classification, chain=chain, settings=settings,
        templates=register.root / "templates", checklists_root=register.root, doc="agreement",
        related={rid: register.agreements[rid].title for rid in agreement.related if rid in register.agreements})
    parts = context["docs"]
    first = parts[0]
    sent = {(s.version, s.stage, s.role, s.organisation): s for s in agreement.sent}
    rows = []
    for signoff in copies:
        evidence = signoff.evidence
        out = sent.get((signoff.version, signoff.stage, signoff.role, signoff.organisation))
        how = (f"{evidence.certificate} · {evidence.signing_time or ''}" + (" · trusted" if evidence.trusted else
                                                                        " · certificate not trusted")
               if evidence.kind == "digital" else "signed by hand (scan), not cryptographically verified")
        rows.append({
            "who": signoff.name + (f" (on behalf of {signoff.on_behalf_of}: {signoff.delegation})"
                                   if signoff.on_behalf_of else ""),
            "slot": f"{signoff.role}" + (f" · {signoff.organisation}" if signoff.organisation else ""),
            "sent": long_date(out.date, first["lang"]) if out else "", "sent_sha256": out.sha256 if out else "",
            "returned": Path(evidence.file).name, "returned_sha256": evidence.sha256, "signature": how,
        })
    chain_rows = [{"stage": f"{stage.number}. {first['t'](stage.stage.title.get(first['lang']) or '')}".strip(),
                   "who": ", ".join(s.current.name for s in stage.slots if s.current),
                   "date": ", ".join(sorted({long_date(s.current.date, first["lang"]) for s in stage.slots if s.current}))}
                  for stage in state.stages]
    head = vcs.head(register.root)
    context["completion"] = {
        "lang": first["lang"],
        "heading": label(parts, "Completion certificate"),
        "intro": first["t"]("Every signature of version {version} is in. The signed copies are embedded in this file "
                            "as they came back; the register certifies the whole file, so any later change shows.").format(
            version=agreement.version),
        "labels": {"signatory": label(parts, "Signatory"), "sent": label(parts, "Sent"),
                   "returned": label(parts, "Returned"), "signature": label(parts, "Signature"),
                   "stage": label(parts, "Stage"), "signed_by": label(parts, "Signed by"), "date": label(parts, "Date")},
        "rows": rows, "chain": chain_rows,
        "commit": first["t"]("Register commit {commit}, sealed on {date}.").format(commit=head[:12],
                                                                                   date=long_date(today, first["lang"])),
    }
    moment = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    attachments = [Attachment(file_obj=io.BytesIO((register.root / s.evidence.file).read_bytes()),
                              name=Path(s.evidence.file).name, description=f"{s.name}: signed copy as returned",
                              created=moment, modified=moment, relationship="Source")
                   for s in copies]
    folders = template_folders(register.root, "html")
    pdf, _ = render_pdf(render_html("agreement", context, folders), folders, attachments=attachments)
    sealed = _certify_all(pdf, load_signer(register.root, settings), f"{record_id} version {agreement.version}: sealed")
    # Kept in the register too, and committed: the copy isa verify recognises as the sealed one.
    from ..register.store import commit_new_files, write_atomic

    commit_new_files(register.root, {kept: sealed},
                     f"{record_id}: sealed version {agreement.version} ({len(copies)} signed "
                     f"cop{'y' if len(copies) == 1 else 'ies'} embedded) [by the register]")
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / name
    write_atomic(path, sealed)
    return path, hashlib.sha256(sealed).hexdigest()


def _certify_all(pdf: bytes, signer, reason: str) -> bytes:
    """Certified by the register, allowing no change at all (DocMDP level 1)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = keep_metadata(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    meta = signers.PdfSignatureMetadata(field_name=SEAL_FIELD, certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES,
                                        reason=reason, md_algorithm="sha256")
    return signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()


@dataclass
class Verified:
    """What a file is, as far as the register can tell."""

    kind: str  # sealed | returned | sent | unknown
    record_id: str | None = None
    version: str | None = None
    current: bool = False  # the version the register holds now
    signatures: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return self.kind != "unknown" and all(s["intact"] and s["valid"] for s in self.signatures)


def verify(root: Path, file: Path) -> Verified:
    """Which agreement and version ``file`` is, who signed it, whether each signature is intact and trusted, and
    whether it matches the register."""
    register = load_register(root, checks=False)
    settings = register.settings
    config = signing_settings(settings)
    if file.stat().st_size > config.max_return_mib << 20:
        raise IsaError(f"{file.name} is larger than {config.max_return_mib} MiB and was not read")
    data = file.read_bytes()
    if not data.lstrip()[:5] == b"%PDF-":
        raise IsaError(f"{file.name} is not a PDF")
    roots = [register.root / rel for rel in config.trust_roots]
    own_path = register.root / config.certificate
    roots += [own_path] if own_path.is_file() else []
    report = inspect_pdf(file, roots)
    signatures = report["signatures"]
    own = register_certificate(register.root, settings)
    own_sha = hashlib.sha256(own.dump()).hexdigest() if own is not None else None
    result = Verified("unknown", signatures=signatures)
    if not signatures:
        result.notes.append("no digital signature: if it is a scan signed by hand, its fingerprint is printed on it")
        return result
    first = signatures[0]
    by_register = first["certifies"] and first["certificate_sha256"] == own_sha
    if not by_register:
        result.notes.append("not certified by this register: it is not a copy the register sent or sealed")
        return result
    digest = hashlib.sha256(data).hexdigest()
    prefix = hashlib.sha256(data[:first["end"]]).hexdigest()
    if first["field"] == SEAL_FIELD:
        for kept in sorted((register.root / "signed").glob("*/*/*-sealed.pdf")):
            if hashlib.sha256(kept.read_bytes()).hexdigest() == prefix:
                record_id, version = kept.parent.parent.name, kept.parent.name
                result.kind, result.record_id, result.version = "sealed", record_id, version
                agreement = register.agreements.get(record_id)
                result.current = agreement is not None and agreement.version == version
                result.notes.append(f"the sealed copy kept as {kept.relative_to(register.root).as_posix()}")
                for signoff in (agreement.signoffs if agreement is not None else []):
                    evidence = signoff.evidence
                    if signoff.version == version and evidence is not None:
                        how = ("signed digitally, " + ("trusted" if evidence.trusted else "certificate not trusted")
                               if evidence.kind == "digital" else "signed by hand (a scan)")
                        result.notes.append(f"{signoff.name} ({signoff.role}"
                                            + (f", {signoff.organisation}" if signoff.organisation else "")
                                            + f"): {how}, copy embedded as {Path(evidence.file).name}")
                if prefix != digest or not (first["intact"] and first["valid"]):
                    result.notes.append("CHANGED after it was sealed: this is not the sealed copy as made")
                return result
    for agreement in register.agreements.values():
        for sent in agreement.sent:
            if sent.sha256 in (prefix, digest):
                result.kind = "sent" if sent.sha256 == digest else "returned"
                result.record_id, result.version = agreement.id, sent.version
                result.current = sent.version == agreement.version
                result.notes.append(f"sent to {sent.name} on {sent.date} for {sent.role}"
                                    + (f" ({sent.organisation})" if sent.organisation else ""))
                recorded = [s for s in agreement.signoffs if s.evidence and s.evidence.sha256 == digest]
                result.notes.append("recorded as the signed copy of " + recorded[0].name if recorded else
                                    "not recorded yet (isa receive)" if result.kind == "returned" else
                                    "as sent, not signed")
                if not (first["docmdp_ok"] and first["modification_level"] in ("NONE", "LTA_UPDATES", "FORM_FILLING")):
                    result.notes.append("CHANGED after the register certified it, other than by signing")
                return result
    result.notes.append("certified by this register, but matches no copy it recorded")
    return result
