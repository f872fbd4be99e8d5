"""Sending for signature: one pack per signatory of the stage whose turn it is.

A pack is the agreement as a PDF certified by the register (a certification signature that allows only form
filling and signing, DocMDP "fill forms") with an empty signature field on the signatory's own block, the DOCX to
read, and an e-mail in the signatory's language saying what to sign, by when and how to return it. The sha-256 of
each PDF sent is recorded against the version and the signatory, and committed: a returned copy's certified first
revision must be that file, byte for byte (:mod:`isa_toolkit.signing.receive`).

At the chain's signature stage the field goes on the party's signature block; at an approval stage before it, the
copy (still marked as a draft) ends with an approval block for each approver, and the field goes there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from ..errors import IsaError
from ..i18n import long_date, texts, typeset
from ..model import Agreement, Contact, Settings
from ..model.agreement import Sent
from ..register.load import load_chain
from ..register.store import modify_agreement, write_atomic
from ..review.reminders import clean_header
from ..workflows.chain import SIGNING_STATUSES, Slot, progress
from .keys import load_agreement_for, load_signer, signing_settings

CERTIFICATION_FIELD = "Certification"


@dataclass(frozen=True)
class Sending:
    """What ``send`` did: the packs (new, or sent before), and the slots no one is named for, who get none."""

    packs: list
    unnamed: list[str]


@dataclass(frozen=True)
class Pack:
    slot: Slot
    person: Contact
    language: str
    field: str
    pdf: Path
    docx: Path
    eml: Path
    sha256: str
    already: Sent | None = None  # sent before: nothing new was made


def _key(slot: Slot) -> tuple:
    return slot.number, slot.role, slot.organisation


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "party"


def _stage(agreement: Agreement, chain, settings: Settings | None, wanted: int | None):
    state = progress(chain, agreement, settings)
    open_stage = state.open_stage
    if agreement.status not in SIGNING_STATUSES or open_stage is None:
        raise IsaError(f"{agreement.id} is {agreement.status.value}: nothing waits for a signature (isa status "
                       f"{agreement.id})")
    if wanted is not None and wanted != open_stage.number:
        raise IsaError(f"stage {wanted} is not the one whose turn it is: stage {open_stage.number} "
                       f"({open_stage.stage.id}) waits for {open_stage.waiting_text()}")
    return open_stage, open_stage.waiting


def _pack_context(register, agreement: Agreement, chain, stage, waiting, langs: list[str]) -> tuple[dict, dict]:
    """The documents' context for the stage, and each waiting slot's signature field name."""
    from ..documents.context import document_context, label, signature_field

    context = document_context(
        agreement, langs, classification=register.classification, chain=chain, settings=register.settings,
        templates=register.root / "templates", checklists_root=register.root, doc="agreement",
        related={rid: register.agreements[rid].title for rid in agreement.related if rid in register.agreements})
    signatures = context["signatures"]
    fields = {}
    if signatures["signable"] and all(s.slot.role == "partner_signatory" for s in waiting):
        by_party = {block["organisation"]: block for block in signatures["blocks"]}
        for state in waiting:
            block = by_party.get(state.slot.organisation)
            if block is None:
                raise IsaError(f"{state.slot.organisation} has no signature block in {agreement.id}")
            fields[_key(state.slot)] = block["field"]
        return context, fields
    # An approval stage: the copy stays marked as a draft, and ends with an approval block for each approver.
    from ..documents.context import ROLE_NAMES

    parts = context["docs"]
    blocks = []
    # A field's number is its slot's place in the stage, so a slot keeps its field whoever else has signed.
    place = {_key(other.slot): n for n, other in enumerate(stage.slots, 1)}
    for state in waiting:
        slot = state.slot
        n = place[_key(slot)]
        role = ROLE_NAMES.get(slot.role, slot.role.replace("_", " "))
        blocks.append({
            "organisation": slot.organisation or (register.settings.organisation if register.settings else ""),
            "name": slot.expected.name, "title": slot.expected.title or "", "field": signature_field(n),
            "on_behalf": label(parts, "Approves as {role}", role=" / ".join(
                dict.fromkeys(part["t"](role) for part in parts))),
        })
        fields[_key(slot)] = signature_field(n)
    signatures.update({
        "signable": True, "blocks": blocks,
        "heading": label(parts, "Approval of this version"),
        "intro": [{"lang": part["lang"], "text": part["t"](
            "By signing, each approver approves version {version} of this document, identified by its fingerprint "
            "{fingerprint}, at stage {stage} of its sign-off chain: {title}.").format(
                version=agreement.version, fingerprint=agreement.fingerprint, stage=stage.number,
                title=part["t"](stage.stage.title.get(part["lang"]) or next(iter(stage.stage.title.texts.values()))))}
            for part in parts],
    })
    return context, fields


def keep_metadata(writer):
    """The writer, made to leave the document's metadata as it is. pyHanko would rewrite the XMP metadata (its
    modification date) in its own serialisation, which loses the shape of the PDF/A extension schema that declares
    PDF/UA, so the certified copy would no longer pass as PDF/A; the metadata describes the document, which the
    certification does not change."""
    writer._update_meta = lambda: None  # pyHanko's hook for it, called as each revision is written
    return writer


def _certify(pdf: bytes, boxes: list[tuple[str, int, tuple, str]], signer, reason: str) -> bytes:
    """The PDF with an empty signature field on each box (``(field, page, box, whose)``: every signatory of the stage, so
    that one copy can pass from one to the next) and the register's certification over it, allowing only form
    filling and signing afterwards."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = keep_metadata(IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False))
    for name, page_index, box, _ in boxes:
        fields.append_signature_field(writer, fields.SigFieldSpec(sig_field_name=name, on_page=page_index, box=box))
    # Each field says whose it is (its tooltip, which screen readers speak and isa sign reads).
    whose = {name: person for name, _, _, person in boxes}
    for name, _, ref in fields.enumerate_sig_fields(writer, filled_status=False):
        if name in whose:
            field = ref.get_object()
            field["/TU"] = generic.TextStringObject(f"Signature of {whose[name]}")
            writer.update_container(field)
    meta = signers.PdfSignatureMetadata(field_name=CERTIFICATION_FIELD, certify=True,
                                        docmdp_permissions=fields.MDPPerm.FILL_FORMS, reason=reason,
                                        md_algorithm="sha256")
    out = signers.PdfSigner(meta, signer=signer).sign_pdf(writer)
    return out.getvalue()


def _email(agreement: Agreement, person: Contact, lang: str, *, role: str, organisation: str | None, stage,
           signing: bool, pdf: tuple[str, bytes], docx: tuple[str, bytes], deadline: dt.date, officer: Contact | None,
           sender: str, today: dt.date, templates: Path) -> EmailMessage:
    gettext = texts(lang, templates).gettext  # the register's catalog, the shipped one behind it, as reminders do

    def t(message: str) -> str:
        return typeset(gettext(message), lang)

    title = agreement.title.get(lang) or next(iter(agreement.title.texts.values()))
    title = " ".join(title.split())
    values = {"title": title, "id": agreement.id, "version": agreement.version, "fingerprint": agreement.fingerprint,
              "role": t(role), "organisation": organisation or "", "deadline": long_date(deadline, lang),
              "stage": stage.number, "officer": officer.name if officer else "", "email": (officer.email or "")
              if officer else ""}
    subject = (t("For your signature: {title} ({id}, version {version})") if signing else
               t("For your approval: {title} ({id}, version {version})")).format(**values)
    lines = [t("Dear {name},").format(name=" ".join(person.name.split())), "",
             (t("Please sign {title} ({id}), version {version}, for {organisation}.") if signing and organisation else
              t("Please approve {title} ({id}), version {version}, as {role} (stage {stage} of its sign-off chain)."))
             .format(**values),
             t("The PDF attached is the copy to sign: the register certified it, and its fingerprint is {fingerprint}."
               ).format(**values), "",
             t("To sign digitally, open the PDF in a reader that signs with a certificate and sign in the signature "
               "field on your block. Change nothing else: a copy changed other than by signing is refused."), "",
             t("To sign by hand, print the page with your block, sign it, scan it and return the scan; the fingerprint "
               "printed at the foot of each page identifies the version."), "",
             (t("Please return it by {deadline} to {officer} ({email}), who records it against this version.") if officer
              else t("Please return it by {deadline} to the information sharing officer who sent it.")).format(**values),
             t("The DOCX attached is for reading and comments; it is not the copy to sign."), "", "-- ",
             t("The information sharing register")]
    message = EmailMessage()
    message["From"] = sender
    # Names and titles come from records: made safe for a header (one line, no encoded-word) before use.
    message["To"] = Address(display_name=clean_header(person.name), addr_spec=person.email)
    if officer and officer.email:
        message["Reply-To"] = Address(display_name=clean_header(officer.name), addr_spec=officer.email)
    message["Subject"] = clean_header(subject)
    message["Date"] = format_datetime(dt.datetime.combine(today, dt.time(8, 0), tzinfo=dt.UTC))
    digest = hashlib.sha256(pdf[1]).hexdigest()
    message["Message-ID"] = f"<{digest[:32]}@isa-toolkit>"
    message.set_content("\n".join(lines))
    message.add_attachment(pdf[1], maintype="application", subtype="pdf", filename=pdf[0])
    message.add_attachment(docx[1], maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename=docx[0])
    message["Content-Language"] = lang  # after the parts are made, which would otherwise drop it
    for depth, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"=_isa_{digest[depth * 8:depth * 8 + 16]}_{depth}")
    return message


def send(root: Path, record_id: str, *, outdir: Path, stage: int | None = None, deliver: bool = False, by: str,
         today: dt.date | None = None) -> Sending:
    """Make (and with ``deliver``, e-mail) a pack for each signatory still waiting at the open stage; record and
    commit what was sent. A signatory already sent a pack for this version and stage gets none again; a slot no
    one is named for gets none, and is listed so the officer can name someone or collect that signature by hand."""
    from ..documents.docx import docx_template, render_docx
    from ..documents.pdf import render_html, render_pdf
    from ..documents.render import template_folders

    today = today or dt.date.today()
    register, agreement = load_agreement_for(root, record_id)
    settings = register.settings
    chain, _ = load_chain(register.root, settings)
    open_stage, everyone = _stage(agreement, chain, settings, stage)
    waiting = [s for s in everyone if s.slot.expected is not None]
    unnamed = [s.slot.label() for s in everyone if s.slot.expected is None]
    earlier = {(s.version, s.stage, s.role, s.organisation): s for s in agreement.sent}
    signing = all(s.slot.role == "partner_signatory" for s in waiting)
    packs: list[Pack] = []
    to_make = [s for s in waiting if (agreement.version, s.slot.number, s.slot.role, s.slot.organisation) not in earlier]
    for state in waiting:
        done = earlier.get((agreement.version, state.slot.number, state.slot.role, state.slot.organisation))
        if done is not None:
            packs.append(Pack(state.slot, state.slot.expected, done.language, done.field, outdir, outdir, outdir,
                              done.sha256, already=done))
    if not to_make:
        return Sending(packs, unnamed)
    config = signing_settings(settings)
    signer = load_signer(register.root, settings)
    langs = list(agreement.languages)
    context, fields = _pack_context(register, agreement, chain, open_stage, waiting, langs)
    html_folders = template_folders(register.root, "html")
    pdf, pages = render_pdf(render_html("agreement", context, html_folders), html_folders)
    template = docx_template(template_folders(register.root, "docx"), "agreement")
    from ..documents.context import document_date

    docx = render_docx(template, context, title=context["title"], subject=f"{agreement.id} · {agreement.version}",
                       day=document_date(agreement))
    officer = settings.contacts.get("information_sharing_officer") if settings else None
    sender = settings.smtp.sender if settings and settings.smtp else (officer.email if officer and officer.email
                                                                       else "isa-toolkit@localhost")
    deadline = today + dt.timedelta(days=config.chase.first_after_days)
    outdir.mkdir(parents=True, exist_ok=True)
    made: list[tuple[Pack, EmailMessage]] = []
    boxes = []
    for state in waiting:  # every named signatory's field, in every copy
        field = fields[_key(state.slot)]
        where = next(((n, page.anchors[field]) for n, page in enumerate(pages) if field in page.anchors), None)
        if where is None:
            raise IsaError(f"the template puts no signature box for {state.slot.label()} (an element with id "
                           f"{field!r}); a register's own agreement.html needs the signature blocks of the shipped one")
        boxes.append((field, where[0], tuple(round(value, 2) for value in where[1]), state.slot.expected.name))
    for state in to_make:
        slot, person = state.slot, state.slot.expected
        if not person.email:
            raise IsaError(f"{person.name} ({slot.label()}) has no e-mail address to send the pack to; add it to "
                           "the record or to register.yaml's contacts")
        field = fields[_key(slot)]
        lang = person.language if person.language in langs else langs[0]
        certified = _certify(pdf, boxes, signer, reason=f"{agreement.id} version {agreement.version}, sent to "
                                                        f"{person.name} for {slot.label()}")
        stem = f"{agreement.id}-v{agreement.version}-stage{slot.number}-{_slug(slot.organisation or slot.role)}"
        pdf_path, docx_path, eml_path = (outdir / f"{stem}.pdf", outdir / f"{stem}.docx", outdir / f"{stem}.eml")
        message = _email(agreement, person, lang, role=_role_name(slot.role), organisation=slot.organisation,
                         stage=open_stage, signing=signing, pdf=(pdf_path.name, certified),
                         docx=(docx_path.name, docx), deadline=deadline, officer=officer, sender=sender, today=today,
                         templates=register.root / "templates")
        write_atomic(pdf_path, certified)
        write_atomic(docx_path, docx)
        write_atomic(eml_path, bytes(message))
        made.append((Pack(slot, person, lang, field, pdf_path, docx_path, eml_path,
                          hashlib.sha256(certified).hexdigest()), message))
    def edit(current: Agreement) -> tuple[Agreement, str]:
        if current.version != agreement.version:
            raise IsaError(f"{record_id} changed to version {current.version} while the packs were made; send again")
        again = [pack.person.name for pack, _ in made if any(
            (s.version, s.stage, s.role, s.organisation) == (current.version, pack.slot.number, pack.slot.role,
                                                              pack.slot.organisation) for s in current.sent)]
        if again:
            raise IsaError(f"a pack for {', '.join(again)} was sent meanwhile (another isa send); nothing was recorded")
        entries = [Sent(version=current.version, stage=pack.slot.number, role=pack.slot.role,
                        organisation=pack.slot.organisation, name=pack.person.name, email=pack.person.email,
                        language=pack.language, field=pack.field, sha256=pack.sha256, date=today, by=by)
                   for pack, _ in made]
        names = ", ".join(pack.person.name for pack, _ in made)
        return current.model_copy(update={"sent": [*current.sent, *entries]}), \
            f"sent for signature, stage {open_stage.number} (version {current.version}): {names}"

    # Recorded first: a pack e-mailed but not recorded could never be received.
    modify_agreement(register.root, record_id, edit, by=by)
    if deliver:
        if settings is None or settings.smtp is None:
            raise IsaError("there is no smtp section in register.yaml, so the packs cannot be e-mailed; they are "
                           f"recorded and their .eml files are in {outdir}: send them yourself")
        from ..review.daily import smtp_send

        emailed: set[str] = set()
        failures = smtp_send(settings, [(pack, bytes(message)) for pack, message in made],
                             lambda pack: emailed.add(pack.sha256), address=lambda pack: pack.person.email)

        def note(current: Agreement) -> tuple[Agreement, str]:
            sent = [s.model_copy(update={"emailed": True}) if s.sha256 in emailed else s for s in current.sent]
            return current.model_copy(update={"sent": sent}), f"{len(emailed)} pack(s) e-mailed"

        if emailed:
            modify_agreement(register.root, record_id, note, by=by)
        if failures:
            reasons = "; ".join(f"{pack.person.name}: {why}" for pack, why in failures)
            raise IsaError(f"the packs are recorded and written to {outdir}, but some could not be e-mailed "
                           f"({reasons}); send those .eml files yourself")
    return Sending(packs + [pack for pack, _ in made], unnamed)


def _role_name(role: str) -> str:
    from ..documents.context import ROLE_NAMES

    return ROLE_NAMES.get(role, role.replace("_", " ").capitalize())
