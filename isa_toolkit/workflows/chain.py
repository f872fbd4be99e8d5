"""Where an agreement stands in its sign-off chain: who must sign what, in which order, and who to chase.

The chain is ordered stages (``workflows/signoff_chain.yaml``, or
``signoff_chain`` in ``register.yaml``). Every role of a stage signs, in any
order, before the next stage opens; a partner stage expands to one entry per
party. A sign-off counts only for the version it was given for: when an
amendment makes a new version, earlier sign-offs are *stale* and the chain
starts again. Recording a sign-off is :mod:`isa_toolkit.workflows.signoff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Agreement, Contact, Settings, Signoff, SignoffChain, SignoffStage, Status
from ..model.agreement import normalise_organisation
from ..register.load import load_chain

SIGNING_STATUSES = (Status.ASSESSED, Status.IN_REVIEW, Status.APPROVED, Status.AUTHORISED, Status.UNDER_REVIEW)


@dataclass(frozen=True)
class Slot:
    """One sign-off the chain needs: a role (for a partner stage, one party's)."""

    number: int  # the stage, from 1
    stage: SignoffStage
    role: str
    organisation: str | None = None
    expected: Contact | None = None

    def label(self) -> str:
        return f"{self.role} ({self.organisation})" if self.organisation else self.role

    def matches(self, signoff: Signoff) -> bool:
        if signoff.stage != self.number or signoff.role != self.role:
            return False
        if self.organisation is None:
            return True
        return normalise_organisation(signoff.organisation or "") == normalise_organisation(self.organisation)


@dataclass
class SlotState:
    slot: Slot
    current: Signoff | None  # the latest sign-off for the agreement's current version
    # sign-offs given for earlier versions, or for content the record no longer holds (a hand edit)
    stale: list[Signoff] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.current is not None and self.current.decision == "approve"


@dataclass
class StageState:
    number: int
    stage: SignoffStage
    slots: list[SlotState]

    @property
    def complete(self) -> bool:
        return all(s.approved for s in self.slots)

    @property
    def waiting(self) -> list[SlotState]:
        return [s for s in self.slots if not s.approved]

    def waiting_text(self) -> str:
        """Who the stage waits for: each role (and party), and the person expected to sign when known."""
        return "; ".join(s.slot.label() + (f" from {s.slot.expected.name}" if s.slot.expected else "")
                         for s in self.waiting)


@dataclass
class Progress:
    version: str
    stages: list[StageState]

    @property
    def complete(self) -> bool:
        return all(stage.complete for stage in self.stages)

    @property
    def open_stage(self) -> StageState | None:
        """The first stage not yet complete: the only one that can be signed now."""
        return next((stage for stage in self.stages if not stage.complete), None)


def expected_for(role: str, agreement: Agreement, settings: Settings | None) -> Contact | None:
    """Who is expected to sign for one of the register's own roles: the information asset owner the record names,
    else the person ``contacts`` in ``register.yaml`` gives for the role."""
    if role == "information_asset_owner" and agreement.owner is not None:
        return agreement.owner
    return settings.contacts.get(role) if settings else None


def slots(chain: SignoffChain, agreement: Agreement, settings: Settings | None = None) -> list[Slot]:
    """Every sign-off the chain needs for this agreement, stage by stage."""
    out = []
    for number, stage in enumerate(chain.stages, 1):
        for role in stage.roles:
            out.append(Slot(number, stage, role, None, expected_for(role, agreement, settings)))
        if stage.partners:
            for party in agreement.parties:
                person = party.designated_officer if stage.partners == "designated_officer" else party.signatory
                out.append(Slot(number, stage, f"partner_{stage.partners}", party.organisation, person))
    return out


class _Content:
    """Whether a sign-off was given for what the record says now: one bound to another content (a hand edit
    changed the text without a new version) is stale, like one given for another version. The content is hashed
    only when a sign-off of this version carries a fingerprint."""

    def __init__(self, agreement: Agreement):
        self.agreement = agreement
        self._fingerprint: str | None = None

    def holds(self, signoff) -> bool:
        if not signoff.document_fingerprint:
            return True  # recorded before sign-offs were bound to the content: taken as given
        if self._fingerprint is None:
            self._fingerprint = self.agreement.content_fingerprint()
        return signoff.document_fingerprint == self._fingerprint


def _content_of(agreement: Agreement) -> _Content:
    return _Content(agreement)


def progress(chain: SignoffChain, agreement: Agreement, settings: Settings | None = None) -> Progress:
    """Where the chain stands for the agreement's current version."""
    stages: dict[int, StageState] = {}
    content = _content_of(agreement)
    for slot in slots(chain, agreement, settings):
        mine = [s for s in agreement.signoffs if slot.matches(s)]
        current = [s for s in mine if s.version == agreement.version and content.holds(s)]
        state = SlotState(slot, current[-1] if current else None, [s for s in mine if s not in current])
        stages.setdefault(slot.number, StageState(slot.number, slot.stage, [])).slots.append(state)
    return Progress(agreement.version, [stages[n] for n in sorted(stages)])


@dataclass(frozen=True)
class Waiting:
    agreement_id: str
    title: str
    version: str
    slot: Slot

    @property
    def who(self) -> str:
        """The person to chase when known, else the role."""
        if self.slot.expected is not None:
            return f"{self.slot.expected.name} ({self.slot.label()})"
        return self.slot.label()


def waiting_on(register) -> dict[str, list[Waiting]]:
    """Across the register: every sign-off that could be given now, grouped by who must give it."""
    chain, _ = load_chain(register.root, register.settings)
    if chain is None:
        return {}
    signing = {s.value for s in SIGNING_STATUSES}
    groups: dict[str, list[Waiting]] = {}
    for record_id in sorted(register.index):
        if register.index[record_id]["status"] not in signing:
            continue
        agreement = register.agreements[record_id]
        stage = progress(chain, agreement, register.settings).open_stage
        if stage is None:
            continue
        for state in stage.waiting:
            item = Waiting(record_id, str(agreement.title), agreement.version, state.slot)
            groups.setdefault(item.who, []).append(item)
    return dict(sorted(groups.items()))
