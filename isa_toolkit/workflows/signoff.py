"""Recording a sign-off: checked against the chain and the lifecycle, bound to the version and document.

A sign-off fills one slot of the chain (:mod:`isa_toolkit.workflows.chain`);
completing a stage moves the agreement along its lifecycle
(:mod:`isa_toolkit.workflows.lifecycle`), each move checked there, so a
register's own lifecycle governs. Activation registers a signed agreement.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import IsaError, did_you_mean
from ..model import Agreement, Settings, Signoff, SignoffChain, Status
from ..model.agreement import closest_organisation, normalise_organisation
from ..register.load import load_chain, load_register
from ..register.store import modify_agreement
from .assess import to_renew
from .chain import SIGNING_STATUSES, Progress, Slot, progress, slots
from .lifecycle import activated, check_move, load_lifecycle, moved, renewed

# -- recording a sign-off ---------------------------------------------------------------


def _find_slot(chain: SignoffChain, agreement: Agreement, role: str, organisation: str | None,
               settings: Settings | None) -> Slot:
    if role not in chain.roles:
        raise IsaError(f"{role!r} is not a role of the sign-off chain.{did_you_mean(role, chain.roles)} The roles "
                       f"are {', '.join(sorted(chain.roles))}")
    candidates = [s for s in slots(chain, agreement, settings) if s.role == role]
    if not role.startswith("partner_") and organisation:
        raise IsaError(f"--organisation is for the partner roles; {role} signs for the register's own organisation")
    if role.startswith("partner_"):
        if not organisation:
            parties = ", ".join(s.organisation or "" for s in candidates)
            raise IsaError(f"say which party signs as {role}: --organisation NAME (one of: {parties})")
        wanted = normalise_organisation(organisation)
        candidates = [s for s in candidates if normalise_organisation(s.organisation or "") == wanted]
        if not candidates:
            names = [p.organisation for p in agreement.parties]
            guess = closest_organisation(organisation, names)
            hint = f" (did you mean {guess!r}?)" if guess else ""
            raise IsaError(f"{organisation!r} is not a party to {agreement.id}{hint}. The parties are "
                           f"{', '.join(names)}")
    # A role may appear in more than one stage: the slot is its first one not yet approved.
    state = progress(chain, agreement, settings)
    by_key = {(s.slot.number, s.slot.role, s.slot.organisation): s for stage in state.stages for s in stage.slots}
    for slot in candidates:
        if not by_key[(slot.number, slot.role, slot.organisation)].approved:
            return slot
    return candidates[0]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SignoffRequest:
    role: str
    name: str
    decision: str  # approve | reject
    organisation: str | None = None
    comment: str | None = None
    date: dt.date | None = None
    version: str | None = None  # the version the signer was given; must be current
    document: Path | None = None
    on_behalf_of: str | None = None  # a delegate signs in the place of this person (the one the chain expects)
    reason: str | None = None  # why the delegate signs


def apply_signoff(agreement: Agreement, request: SignoffRequest, *, chain: SignoffChain, settings: Settings | None,
                  by: str, today: dt.date, lifecycle=None) -> tuple[Agreement, str]:
    """The agreement with the sign-off recorded and its status moved on; refuse with a reason otherwise."""

    date = request.date or today
    if date > today:
        raise IsaError(f"the sign-off date {date} is in the future")
    if not request.name.strip():
        raise IsaError("say who signs: --name NAME")
    version_date = max((a.date for a in agreement.amendments if a.version == agreement.version), default=None)
    if version_date is not None and date < version_date:
        raise IsaError(f"the sign-off date {date} is before version {agreement.version} was made ({version_date})")
    if request.version is not None and request.version != agreement.version:
        raise IsaError(f"version {request.version} is no longer current: {agreement.id} is at version "
                       f"{agreement.version}; the sign-off must be given for the current version")
    if agreement.status not in SIGNING_STATUSES:
        hint = {
            Status.DRAFT: f"assess it and move it on first (isa transition {agreement.id} assessed)",
            Status.SIGNED: f"it is signed at version {agreement.version}; amend it to start a new version",
            Status.ACTIVE: f"it is in force at version {agreement.version}; amend it (or start a review) for a new version",
        }.get(agreement.status, "its status does not take sign-offs")
        raise IsaError(f"{agreement.id} is {agreement.status.value}: {hint}")
    again = to_renew(agreement)
    if request.decision == "approve" and again:
        raise IsaError(f"{agreement.id} version {agreement.version} cannot be approved yet: an amendment changed what "
                       f"its assessments looked at; make again {'; and '.join(again)}")
    if request.decision == "reject" and not (request.comment and request.comment.strip()):
        raise IsaError("a rejection needs a comment saying what must change (--comment TEXT)")

    slot = _find_slot(chain, agreement, request.role, request.organisation, settings)
    state = progress(chain, agreement, settings)
    open_stage = state.open_stage
    mine = next(s for stage in state.stages for s in stage.slots if s.slot == slot)
    if mine.approved:
        current = mine.current
        raise IsaError(f"{slot.label()} has already signed version {agreement.version} "
                       f"({current.name}, {current.date}); a sign-off is given once per version")
    if open_stage is not None and slot.number > open_stage.number:
        raise IsaError(f"stage {slot.number} ({slot.stage.id}) cannot be signed yet: stage {open_stage.number} "
                       f"({open_stage.stage.id}) is waiting for {open_stage.waiting_text()}")
    _check_signer(agreement, request, slot, state)
    earlier = [s.current.date for stage in state.stages if stage.number < slot.number for s in stage.slots if s.current]
    if earlier and date < max(earlier):
        raise IsaError(f"the sign-off date {date} is before the earlier stage was signed ({max(earlier)}); "
                       "stages are signed in order")

    if request.document is not None:
        _check_document(request.document)
    signoff = Signoff(
        stage=slot.number, role=slot.role, name=request.name, organisation=slot.organisation or request.organisation,
        decision=request.decision, comment=request.comment, date=date, version=agreement.version,
        document_fingerprint=agreement.content_fingerprint(),
        document_sha256=sha256_file(request.document) if request.document else None,
        on_behalf_of=request.on_behalf_of.strip() if request.on_behalf_of else None,
        delegation=request.reason.strip() if request.on_behalf_of and request.reason else None,
    )
    updated = agreement.model_copy(update={"signoffs": [*agreement.signoffs, signoff]})
    who = f"{request.name} as {slot.label()} (stage {slot.number}, version {agreement.version})"
    if signoff.on_behalf_of:
        who += f" on behalf of {signoff.on_behalf_of}"
    if request.decision == "reject":
        if agreement.status is Status.UNDER_REVIEW:  # the version in force stays in force
            return updated, f"rejected by {who}"
        return _walk(lifecycle, updated, [Status.DRAFT], chain, by, date, request.comment), f"rejected by {who}; back to draft"

    after = progress(chain, updated, settings)
    status = _status_after(updated, chain, after)
    updated = _walk(lifecycle, updated, _path(updated.status, status, chain), chain, by, date)
    if status is Status.ACTIVE:  # a new version of an agreement in force: renewed
        updated = renewed(updated, date)
    updated = _record_approval(updated, chain, after)
    note = f"; now {status.value}" if status is not agreement.status else ""
    return updated, f"approved by {who}{note}"


SIGNED_COPY_MAGIC = (b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def _check_document(path: Path) -> None:
    """A sign-off's document is a signed copy: a PDF, or a scan of a signed page (PNG, JPEG, TIFF)."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not any(head.lstrip().startswith(magic) for magic in SIGNED_COPY_MAGIC):
        raise IsaError(f"{path.name} is not a signed copy (a PDF, or a scan as PNG, JPEG or TIFF); nothing was recorded. "
                       "A copy sent with isa send is checked and recorded with isa receive ID FILE")


def same_person(a: str, b: str) -> bool:
    """Two ways of writing one name: case, accents, spacing and punctuation aside, in either order ("MARSH Helen",
    as many certificates write it), and with a rank or title before it on one side ("Deputy Chief Constable Ruth
    Adeyemi" is "Ruth Adeyemi"): every word of the shorter name, at least two, is in the longer one."""
    left, right = normalise_organisation(a), normalise_organisation(b)
    if left == right:
        return True
    small, large = sorted((left.split(), right.split()), key=len)
    return len(small) >= 2 and all(small.count(word) <= large.count(word) for word in small)


def _check_signer(agreement: Agreement, request: SignoffRequest, slot: Slot, state: Progress) -> None:
    """Only the person the chain expects signs a slot, unless a delegate signs in their place and says why; and one
    person never fills two slots of the same stage (a stage's signatures are meant to be independent)."""
    expected = slot.expected.name if slot.expected is not None else None
    delegate_for = (request.on_behalf_of or "").strip()
    if delegate_for:
        if not (request.reason and request.reason.strip()):
            raise IsaError("a delegation needs its reason: --reason TEXT (e.g. \"on leave until 3 March; delegated in "
                           "writing on 10 February\")")
        if expected is not None and not same_person(delegate_for, expected):
            raise IsaError(f"{slot.label()} is expected from {expected}, so a delegate signs on behalf of {expected}, "
                           f"not {delegate_for}")
        if same_person(delegate_for, request.name):
            raise IsaError(f"{request.name} cannot sign on their own behalf as a delegate; leave out --on-behalf-of")
    elif request.reason:
        raise IsaError("--reason goes with --on-behalf-of (a delegate signing in someone's place)")
    elif expected is not None and not same_person(request.name, expected):
        raise IsaError(f"{slot.label()} is expected from {expected}, not {request.name}. If {request.name} signs in "
                       f"their place, record the delegation: --on-behalf-of \"{expected}\" --reason TEXT; if the person "
                       "has changed, update the record (isa amend) or register.yaml's contacts first")
    stage = next(stage for stage in state.stages if stage.number == slot.number)
    for other in stage.slots:
        if other.slot != slot and other.current is not None and same_person(other.current.name, request.name):
            raise IsaError(f"{request.name} already signed stage {slot.number} as {other.slot.label()}; one person "
                           f"cannot fill two slots of the same stage, so {slot.label()} needs someone else")


CHAIN_ORDER = (Status.ASSESSED, Status.IN_REVIEW, Status.APPROVED, Status.AUTHORISED, Status.SIGNED)


def _path(current: Status, target: Status, chain: SignoffChain) -> list[Status]:
    """The statuses to pass through on the way to ``target`` (assessed -> in_review -> approved ...).

    Only statuses the chain gives a stage for are passed through: a chain with
    no executive stage goes from approved straight to signed.
    """
    if current is target:
        return []
    if current in CHAIN_ORDER and target in CHAIN_ORDER and CHAIN_ORDER.index(target) > CHAIN_ORDER.index(current):
        mapped = {stage.status for stage in chain.stages if stage.status}
        between = CHAIN_ORDER[CHAIN_ORDER.index(current) + 1 : CHAIN_ORDER.index(target)]
        return [s for s in between if s is Status.IN_REVIEW or s.value in mapped] + [target]
    return [target]


def _walk(lifecycle, agreement: Agreement, steps: list[Status], chain: SignoffChain, by: str, date: dt.date,
          reason: str | None = None) -> Agreement:
    """Make each move in turn, each one checked against the lifecycle (so a register's own lifecycle governs)."""
    for step in steps:
        if lifecycle is not None:
            check_move(lifecycle, agreement, step, chain=chain, reason=reason, automatic=True)
        agreement = moved(agreement, step, by=by, date=date, reason=reason)
    return agreement


def _status_after(agreement: Agreement, chain: SignoffChain, state: Progress) -> Status:
    if state.complete:
        return Status.ACTIVE if agreement.status is Status.UNDER_REVIEW else Status.SIGNED
    if agreement.status is Status.UNDER_REVIEW:
        return Status.UNDER_REVIEW
    status = Status.IN_REVIEW
    for stage in state.stages:
        if not stage.complete:
            break
        if stage.stage.status:
            status = Status(stage.stage.status)
    return status


def _record_approval(agreement: Agreement, chain: SignoffChain, state: Progress) -> Agreement:
    """When the version-approving stage completes, name its signers in the document control."""
    for stage in state.stages:
        if stage.stage.approves_version and stage.complete and agreement.amendments:
            latest = agreement.amendments[-1]
            if latest.version == agreement.version and not latest.approved_by:
                names = ", ".join(s.current.name for s in stage.slots if s.current)
                amendments = [*agreement.amendments[:-1], latest.model_copy(update={"approved_by": names})]
                return agreement.model_copy(update={"amendments": amendments})
    return agreement


def signoff(root: Path, record_id: str, request: SignoffRequest, *, by: str, today: dt.date | None = None):
    """Record a sign-off on the current record (under the lock) and commit it."""
    register = load_register(root, checks=False)
    chain, problems = load_chain(register.root, register.settings)
    if chain is None:
        raise IsaError("the sign-off chain cannot be read: " + "; ".join(str(p) for p in problems))
    lifecycle = load_lifecycle(register.root)
    today = today or dt.date.today()
    return modify_agreement(register.root, record_id,
                            lambda a: apply_signoff(a, request, chain=chain, settings=register.settings, by=by, today=today,
                                                    lifecycle=lifecycle),
                            by=by)


def activate(root: Path, record_id: str, *, by: str, date: dt.date | None = None):
    """Register a signed agreement as active, with its start date and first review date."""
    register = load_register(root, checks=False)
    chain, _ = load_chain(register.root, register.settings)
    lifecycle = load_lifecycle(register.root)
    day = date or dt.date.today()
    if day > dt.date.today():
        raise IsaError(f"the activation date {day} is in the future")

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        check_move(lifecycle, agreement, Status.ACTIVE, chain=chain, settings=register.settings)
        return activated(agreement, day, by=by)

    return modify_agreement(register.root, record_id, edit, by=by)
