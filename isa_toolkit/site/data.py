"""What the register site shows, gathered from the same library functions the listings use.

Every number on the overview comes from the function behind the command that prints it: the agreements by status
from :func:`isa_toolkit.register.query.select` (``isa list``), the reviews from
:func:`isa_toolkit.review.daily.due_list` (``isa review due``), the sign-offs pending from
:func:`isa_toolkit.workflows.chain.waiting_on` (``isa pending``), what is owed on case records from
:func:`isa_toolkit.cases.deadlines.owed` (``isa deadlines``) and the gaps from the loaded register's problems
(``isa validate``). Nothing here decides anything of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..cases.deadlines import owed
from ..model import Agreement, Status
from ..register.load import Register, load_chain
from ..register.problem import Severity
from ..register.query import select
from ..review.daily import chased_packs, due_list
from ..workflows.chain import Progress, progress, waiting_on

# The review bands of the overview, in days from the day the site is made as of.
BANDS = (30, 60, 90)
CASE_SECTIONS = ("disclosure", "request", "incident")


@dataclass(frozen=True)
class DueReview:
    record_id: str
    title: dict[str, str]
    due: dt.date
    days_left: int
    owner: str
    officers: list[str]
    band: str  # "overdue", or the first of BANDS the review falls within: "30", "60", "90"
    linked: bool  # the review is of a record that has a page (the classification table has none)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True)
class PendingItem:
    record_id: str
    title: dict[str, str]
    version: str
    stage: int
    stage_title: dict[str, str]
    role: str
    organisation: str | None
    sent: str | None  # the day the pack for this sign-off was sent (isa send)
    chased: list[str]  # the days the daily run chased it
    since: dt.date | None  # since when the sign-off could be given
    days: int | None  # how long it has waited, as of the site's day
    recorded: bool = False  # nothing says when it began: ``since`` is the day the record came into the register


@dataclass(frozen=True)
class PendingGroup:
    who: str
    name: str | None
    role: str
    organisation: str | None
    items: list[PendingItem]


@dataclass(frozen=True)
class Signatures:
    """Where an agreement's current version stands with signed copies (isa send, the daily run's chasers,
    isa receive): the furthest state reached, and the counts behind it."""

    state: str  # none | sent | chased | returned | wet_ink
    sent: int = 0
    chased: int = 0
    returned: int = 0
    wet_ink: int = 0


@dataclass
class Overview:
    as_of: dt.date
    statuses: list[tuple[str, int]]  # every status of the lifecycle, in its order, with how many agreements hold it
    kinds: list[tuple[str, int]]
    total: int
    reviews: list[DueReview]
    pending: list[PendingGroup]
    deadlines: list  # isa_toolkit.cases.deadlines.Owed, most overdue first
    gaps: dict[str, list] = field(default_factory=dict)  # record id (or file) -> its problems
    signatures: dict[str, Signatures] = field(default_factory=dict)

    # The overview lists at most this many records in its long sections (the worst first); each record's own page
    # and the register page hold the rest, so the overview stays small however large the register grows.
    LISTED = 50

    @property
    def gap_codes(self) -> list[tuple[str, str, int]]:
        """(code, severity, records) for every code a problem carries, most records first."""
        found: dict[tuple[str, str], set[str]] = {}
        for key, problems in self.gaps.items():
            for problem in problems:
                found.setdefault((problem.code or "-", problem.severity.value), set()).add(key)
        return sorted(((code, severity, len(keys)) for (code, severity), keys in found.items()),
                      key=lambda row: (row[1] != "error", -row[2], row[0]))

    @property
    def gap_records(self) -> list[tuple[str, int, int]]:
        """(record, errors, warnings), the records with most errors, then most warnings, first."""
        rows = [(key, sum(p.severity.value == "error" for p in problems),
                 sum(p.severity.value == "warning" for p in problems)) for key, problems in self.gaps.items()]
        return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))

    @property
    def signature_counts(self) -> list[tuple[str, int]]:
        """How many agreements' current versions are at each signature state."""
        counts: dict[str, int] = {}
        for mark in self.signatures.values():
            counts[mark.state] = counts.get(mark.state, 0) + 1
        order = ["none", "sent", "chased", "returned", "wet_ink"]
        return [(state, counts[state]) for state in order if state in counts]

    @property
    def awaiting_signatures(self) -> list[tuple[str, Signatures]]:
        """Agreements with copies out for signature (sent or chased, none back yet), most chased first."""
        rows = [(record_id, mark) for record_id, mark in self.signatures.items() if mark.state in ("sent", "chased")]
        return sorted(rows, key=lambda row: (-row[1].chased, -row[1].sent, row[0]))


def status_counts(register: Register) -> tuple[list[tuple[str, int]], list[tuple[str, int]], int]:
    """Agreements by status (every status, in the lifecycle's order) and by kind, as ``isa list`` selects them."""
    entries = select(register)
    by_status = {status.value: 0 for status in Status}
    by_kind = {"isa": 0, "protocol": 0}
    for entry in entries:
        by_status[entry["status"]] = by_status.get(entry["status"], 0) + 1
        by_kind[entry["kind"]] = by_kind.get(entry["kind"], 0) + 1
    return list(by_status.items()), list(by_kind.items()), len(entries)


def reviews(register: Register, as_of: dt.date) -> list[DueReview]:
    """Reviews overdue or due within the last band, most urgent first, as ``isa review due --within 90`` lists."""
    out = []
    for item in due_list(register, as_of, BANDS[-1]):
        entry = register.index.get(item.record_id)
        band = "overdue" if item.days_left < 0 else str(next(b for b in BANDS if item.days_left <= b))
        out.append(DueReview(item.record_id, entry["title"] if entry else {register.languages[0]: item.title},
                             item.due, item.days_left, item.owner, list(item.officers), band, entry is not None))
    return out


def _since(agreement: Agreement, state: Progress | None, stage: int, sent: str | None) -> dt.date | None:
    """Since when a sign-off at ``stage`` could be given: the day its pack was sent, else the day the stage before
    was completed, else the day the agreement entered the status it is in."""
    if sent:
        return dt.date.fromisoformat(sent)
    if state is not None and stage > 1:
        before = [slot.current.date for s in state.stages if s.number < stage for slot in s.slots
                  if slot.current is not None]
        if before:
            return max(before)
    moves = [change.date for change in agreement.history if change.to is agreement.status]
    return max(moves) if moves else None


def pending(register: Register, as_of: dt.date, first_seen: dict[str, dt.date] | None = None) -> list[PendingGroup]:
    """Every sign-off that could be given now, grouped by who must give it (``isa pending``), with how long each
    has waited: when nothing in the record says since when (no pack sent, no stage before, no move recorded), at
    least since the record's first commit, from ``first_seen`` (record id -> day)."""
    groups = waiting_on(register)
    if not groups:
        return []
    chased = chased_packs(register.root)
    chain, _ = load_chain(register.root, register.settings)
    out = []
    for who, items in groups.items():
        rows = []
        for w in items:
            agreement = register.agreements[w.agreement_id]
            sent_day, chases = None, []
            for sent in agreement.sent:
                if (sent.version, sent.stage, sent.role, sent.organisation) == (agreement.version, w.slot.number,
                                                                                w.slot.role, w.slot.organisation):
                    sent_day = sent.date.isoformat()
                    chases = sorted(chased.get((w.agreement_id, sent_day, (sent.email or "").casefold()), []))
                    break
            state = progress(chain, agreement, register.settings) if chain is not None else None
            since = _since(agreement, state, w.slot.number, sent_day)
            seen = (first_seen or {}).get(w.agreement_id)
            recorded = since is None and seen is not None and seen <= as_of  # not on a site made as of an earlier day
            if recorded:
                since = seen
            rows.append(PendingItem(w.agreement_id, register.index[w.agreement_id]["title"], w.version,
                                    w.slot.number, dict(w.slot.stage.title.texts),
                                    w.slot.role, w.slot.organisation, sent_day, chases, since,
                                    (as_of - since).days if since else None, recorded))
        slot = items[0].slot
        out.append(PendingGroup(who, slot.expected.name if slot.expected else None, slot.role, slot.organisation, rows))
    return out


def gaps(register: Register) -> dict[str, list]:
    """The errors and warnings (waived ones left out) of each record, keyed by its id, else its file."""
    out: dict[str, list] = {}
    for problem in sorted(register.problems, key=lambda p: (p.record_id or p.path, p.path, p.line, p.field)):
        if problem.severity is Severity.WAIVED:
            continue
        out.setdefault(problem.record_id or problem.path, []).append(problem)
    return out


def signatures(agreement: Agreement, chased: dict) -> Signatures:
    """The furthest state the current version's signed copies reached: returned (a digital copy checked and kept)
    or wet ink (a scan against the confirmed fingerprint), else chased, else sent, else none."""
    version = agreement.version
    packs = [s for s in agreement.sent if s.version == version]
    chases = sum(1 for s in packs if chased.get((agreement.id, s.date.isoformat(), (s.email or "").casefold())))
    evidence = [s.evidence for s in agreement.signoffs if s.version == version and s.evidence is not None]
    digital = sum(1 for e in evidence if e.kind == "digital")
    wet = sum(1 for e in evidence if e.kind == "wet_ink")
    if wet and not digital:
        state = "wet_ink"
    elif digital or wet:
        state = "returned"
    elif chases:
        state = "chased"
    elif packs:
        state = "sent"
    else:
        state = "none"
    return Signatures(state, len(packs), chases, digital, wet)


def overview(register: Register, as_of: dt.date, first_seen: dict[str, dt.date] | None = None) -> Overview:
    """What the overview shows; ``first_seen`` (record id -> the day of its first commit) dates the sign-offs
    pending that nothing else dates."""
    statuses, kinds, total = status_counts(register)
    chased = chased_packs(register.root)
    marks = {record_id: signatures(agreement, chased) for record_id, agreement in sorted(register.agreements.items())}
    return Overview(as_of, statuses, kinds, total, reviews(register, as_of), pending(register, as_of, first_seen),
                    owed(register, as_of), gaps(register), marks)


def case_entries(register: Register, section: str) -> list[dict]:
    """The index entries of one kind of case record, as ``isa list --kind KIND`` selects them."""
    return select(register, section=section)
