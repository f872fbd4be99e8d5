"""A signed copy coming back: checked against what was sent, then recorded as the signatory's sign-off.

A digitally signed PDF is accepted only when:

* its first revision is, byte for byte, a PDF the register sent for this agreement's current version (the
  sha-256 recorded by ``isa send``), certified by the register;
* everything after that revision kept to the certification's permissions (filling in and signing only), so a page
  changed and then signed over is refused, though the signer's own signature over it is intact;
* the signature in the field made for that signatory is intact and valid, and its certificate names the signatory
  (or a delegation is recorded).

Whether the signer's certificate leads to one of the register's trust roots is reported beside it: intact but not
trusted is not the same as broken. A scan (a PDF or image with no digital signature) is recorded as a wet-ink
signature against the fingerprint the officer reads off the page and confirms. The returned file is kept under
``signed/<ID>/<version>/`` and committed with the sign-off; anything refused changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import IsaError
from ..model import Agreement
from ..model.agreement import Sent, SignatureEvidence
from ..register.load import load_chain
from ..register.store import modify_agreement
from ..workflows.lifecycle import load_lifecycle
from ..workflows.signoff import SignoffRequest, apply_signoff, same_person
from .inspect import inspect_pdf
from .keys import load_agreement_for, register_certificate, signing_settings
from .send import CERTIFICATION_FIELD

IMAGES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg", b"II*\x00": "tif", b"MM\x00*": "tif"}
ALLOWED_AFTER = ("NONE", "LTA_UPDATES", "FORM_FILLING")  # what may follow the certified revision


@dataclass(frozen=True)
class Received:
    agreement: Agreement
    sent: Sent | None  # the pack the copy was sent as
    evidence: list[SignatureEvidence]  # each signature recorded from it
    stored: str  # where the file is kept in the register
    commit: str | None


def _kind(head: bytes) -> str | None:
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    return next((kind for magic, kind in IMAGES.items() if head.startswith(magic)), None)


def _match_sent(register, record_id: str, prefix_sha: str) -> tuple[Agreement, Sent]:
    """The agreement and pack a certified revision was sent as; refuse a copy of another agreement or version."""
    agreement = register.agreements[record_id]
    for sent in agreement.sent:
        if sent.sha256 == prefix_sha:
            if sent.version != agreement.version:
                raise IsaError(f"this is the copy of version {sent.version} sent to {sent.name} on {sent.date}; "
                               f"{record_id} is now at version {agreement.version}, so a signature on the old "
                               "version cannot be recorded: send the current version (isa send)")
            return agreement, sent
    for other in register.agreements.values():
        if other.id != record_id and any(s.sha256 == prefix_sha for s in other.sent):
            raise IsaError(f"this is a copy sent for {other.id}, not {record_id}; receive it for {other.id}")
    raise IsaError(f"this PDF is not a copy the register sent for {record_id}: its certified first revision matches "
                   "no pack recorded by isa send (a different or modified document); nothing was recorded")


def receive(root: Path, record_id: str, file: Path, *, by: str, signatory: str | None = None,
            fingerprint: str | None = None, on_behalf_of: str | None = None, reason: str | None = None,
            today: dt.date | None = None) -> Received:
    """Check ``file`` as a returned copy of ``record_id`` and record it; refuse with the reason otherwise."""
    today = today or dt.date.today()
    register, _ = load_agreement_for(root, record_id)
    settings = register.settings
    config = signing_settings(settings)
    size = file.stat().st_size
    if size > config.max_return_mib << 20:
        raise IsaError(f"{file.name} is {size >> 20} MiB, more than the {config.max_return_mib} MiB a returned copy may "
                       "be (register.yaml's signing.max_return_mib); it was not read")
    with open(file, "rb") as handle:
        data = handle.read()
    kind = _kind(data[:16])
    if kind is None:
        raise IsaError(f"{file.name} is neither a PDF nor a scanned image (PNG, JPEG, TIFF); nothing was recorded")
    agreement = register.agreements[record_id]
    root = register.root  # absolute
    report = inspect_pdf(file, [root / rel for rel in config.trust_roots] + _own(root, settings), data) \
        if kind == "pdf" else {"signatures": []}
    signatures = report["signatures"]
    digest = hashlib.sha256(data).hexdigest()
    if not signatures:
        evidence, sent, _ = _wet_ink(agreement, fingerprint, on_behalf_of or signatory, digest, kind,
                                     signer=signatory if on_behalf_of else None)
        found = [(sent, evidence)]
    else:
        if fingerprint is not None:
            raise IsaError("--fingerprint is for a scan signed by hand; this PDF is signed digitally, so its own "
                           "signature says which version it is")
        sent, found = _digital(register, agreement, record_id, data, signatures, digest, settings)
        agreement = register.agreements[record_id]
    # Each signature is the sign-off of the slot its field was made for, by the person that slot expects (a
    # delegate only with --on-behalf-of); one already recorded is left as it is.
    recorded = {(s.version, s.stage, s.role, s.organisation): s for s in agreement.signoffs
                if s.decision == "approve"}
    for owner, evidence in found:  # a signature already recorded must be the very signer recorded
        earlier = recorded.get((owner.version, owner.stage, owner.role, owner.organisation))
        if earlier is not None and evidence.kind == "digital" and not same_person(evidence.signer, earlier.name):
            raise IsaError(f"the signature in {owner.field} is by {evidence.signer}, but {earlier.name}'s signature is "
                           "recorded for that field: this is not the copy they signed; nothing was recorded")
    todo = [(owner, evidence) for owner, evidence in found
            if (owner.version, owner.stage, owner.role, owner.organisation) not in recorded]
    if not todo:
        raise IsaError(f"every signature in {file.name} is already recorded; nothing new to record")
    for owner, evidence in todo:
        if evidence.kind == "digital" and not same_person(evidence.signer, owner.name) \
                and not (on_behalf_of and same_person(on_behalf_of, owner.name)):
            raise IsaError(f"the signature in {owner.field} is by {evidence.signer} (certificate: "
                           f"{evidence.certificate}), but that field is {owner.name}'s; record it only as a delegation: "
                           f"--on-behalf-of \"{owner.name}\" --reason TEXT. Nothing was recorded")
    first_owner = todo[0][0]
    stored = (f"signed/{record_id}/{agreement.version}/{_stem(first_owner.role, first_owner.organisation)}-"
              f"{digest[:12]}.{kind}")
    chain, _ = load_chain(register.root, settings)
    lifecycle = load_lifecycle(register.root)

    def edit(current: Agreement) -> tuple[Agreement, str]:
        if current.version != agreement.version:
            raise IsaError(f"{record_id} changed to version {current.version} meanwhile; nothing was recorded")
        changes = []
        for owner, evidence in todo:
            delegate = on_behalf_of if on_behalf_of and same_person(on_behalf_of, owner.name) else None
            name = evidence.signer
            request = SignoffRequest(role=owner.role, name=name, decision="approve", organisation=owner.organisation,
                                     date=today, version=current.version, on_behalf_of=delegate,
                                     reason=reason if delegate else None)
            current, change = apply_signoff(current, request, chain=chain, settings=settings, by=by, today=today,
                                            lifecycle=lifecycle)
            last = current.signoffs[-1].model_copy(update={"document_sha256": digest, "evidence": evidence.model_copy(
                update={"file": stored})})
            current = current.model_copy(update={"signoffs": [*current.signoffs[:-1], last]})
            changes.append(change)
        how = "signed digitally" if todo[0][1].kind == "digital" else "signed by hand (scan)"
        return current, f"{how}, returned copy kept as {stored}: {'; '.join(changes)}"

    updated, commit = modify_agreement(register.root, record_id, edit, by=by, attachments={stored: data})
    return Received(updated, sent, [evidence.model_copy(update={"file": stored}) for _, evidence in todo], stored,
                    commit)


def _own(root: Path, settings) -> list[Path]:
    path = root / signing_settings(settings).certificate
    return [path] if path.is_file() else []


def _stem(role: str, organisation: str | None) -> str:
    import re

    text = f"{role}-{organisation}" if organisation else role
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _digital(register, agreement: Agreement, record_id: str, data: bytes, signatures: list[dict], digest: str,
             settings) -> tuple[Sent, list[tuple[Sent, SignatureEvidence]]]:
    """The pack the copy was sent as, and each signatory's signature in it (the copy may have passed from one
    signatory to the next: each signs in their own field)."""
    certification = signatures[0]
    own = register_certificate(register.root, settings)
    own_sha = hashlib.sha256(own.dump()).hexdigest() if own is not None else None
    if (certification["field"] != CERTIFICATION_FIELD or not certification["certifies"]
            or certification["certificate_sha256"] != own_sha):
        raise IsaError("this PDF was not certified by the register: its first signature is not the register's "
                       "certification, so it is not a copy isa send made; nothing was recorded")
    if not (certification["intact"] and certification["valid"]):
        raise IsaError("the register's certification on this PDF is broken: the sent copy was altered; nothing was "
                       "recorded")
    agreement, sent = _match_sent(register, record_id, hashlib.sha256(data[:certification["end"]]).hexdigest())
    if not certification["docmdp_ok"] or certification["modification_level"] not in ALLOWED_AFTER:
        raise IsaError(f"the copy sent to {sent.name} was changed after the register certified it, other than by "
                       f"filling in and signing ({certification['modification_level']}); a changed document cannot be "
                       "recorded as signed. Send it again (isa send) if the signatory needs a fresh copy")
    slots = {s.field: s for s in agreement.sent if s.version == sent.version and s.stage == sent.stage}
    found = []
    for signed in signatures[1:]:
        owner = slots.get(signed["field"])
        if owner is None:
            raise IsaError(f"the copy holds a signature in {signed['field']!r}, a field the register did not make; "
                           "nothing was recorded")
        if not (signed["intact"] and signed["valid"]):
            raise IsaError(f"the signature in {signed['field']} (for {owner.name}) is broken: the file was changed "
                           "after it was signed, or the signature does not verify; nothing was recorded")
        if not (signed["common_name"] or "").strip():
            raise IsaError(f"the certificate that signed {signed['field']} names no person (it has no common name: "
                           f"{signed['subject']}), so it cannot stand for {owner.name}'s signature; nothing was recorded")
        found.append((owner, SignatureEvidence(
            kind="digital", sha256=digest, sent_sha256=sent.sha256, certificate=signed["subject"][:500],
            signer=signed["common_name"].strip()[:200], signing_time=signed["signing_time"],
            trusted=signed["trusted"])))
    if not found:
        raise IsaError(f"no one has signed the copy sent to {sent.name} (the field made for them is {sent.field}); "
                       "nothing was recorded")
    return sent, found


def _wet_ink(agreement: Agreement, fingerprint: str | None, whose: str | None, digest: str, kind: str, *,
             signer: str | None = None):
    """A scan with no digital signature: the officer confirms the fingerprint printed on the page, and says whose
    signature it is (``whose``: the person or party, when more than one pack awaits a return; ``signer``: the
    delegate who signed in that person's place)."""
    if fingerprint is None:
        raise IsaError("this file carries no digital signature: if it is a scan of a page signed by hand, read the "
                       "fingerprint printed at the foot of the page and confirm it with --fingerprint SHORT")
    if fingerprint.strip().lower() != agreement.fingerprint:
        raise IsaError(f"the fingerprint {fingerprint.strip()} is not that of {agreement.id} version {agreement.version} "
                       f"({agreement.fingerprint}): the scan is of another version or document; nothing was recorded")
    waiting = [s for s in agreement.sent if s.version == agreement.version
               and not any(o.version == s.version and o.role == s.role and o.organisation == s.organisation
                           and o.decision == "approve" for o in agreement.signoffs)]
    if whose is not None:
        waiting = [s for s in waiting if same_person(s.name, whose)
                   or (s.organisation and same_person(s.organisation, whose))]
    if len(waiting) != 1:
        names = ", ".join(s.name for s in waiting) or "no one"
        raise IsaError(f"say whose signature the scan is with --signatory NAME (awaiting a return: {names})")
    sent = waiting[0]
    evidence = SignatureEvidence(kind="wet_ink", sha256=digest, sent_sha256=sent.sha256, certificate=None,
                                 signer=signer or sent.name, signing_time=None, trusted=False)
    return evidence, sent, (sent.role, sent.organisation, sent.name)
