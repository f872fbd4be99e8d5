"""Agreements: Information Sharing Agreements (``kind: isa``) and Protocols (``kind: protocol``).

The field names follow the product design (DESIGN §4). A record is immutable:
a change makes a new record (``model_copy(update=...)``) that the store writes.
Cross-record and register-dependent rules (sign-off roles, classification
levels in use, completeness) are checks in :mod:`isa_toolkit.register.checks`, not here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import unicodedata
from enum import Enum
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from .localized import META_KEY, Localized, bad_character, check_languages

VERSION_PATTERN = r"^\d+\.\d+$"
# One address, nothing that could break out of an email header (no spaces, newlines, commas or brackets).
EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: Any) -> Any:
    """Dates are written YYYY-MM-DD; a number or a date-and-time is not read as a date."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"{value} is a date and time; write only the date, as YYYY-MM-DD (e.g. 2026-03-31)")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        return value.strip()  # a day that does not exist (2026-13-45) is refused by pydantic, naming the part
    found = f"{value!r}"[:40] if isinstance(value, str) else str(value)[:40]
    raise ValueError(f"{found} is not a date; write dates as YYYY-MM-DD, e.g. 2026-03-31")


Day = Annotated[dt.date, BeforeValidator(_iso_date)]


def _plain_text(value: str) -> str:
    bad = bad_character(value)
    if bad:
        raise ValueError(bad)
    if not value.strip():
        raise ValueError("is blank")
    return value


# Free text that is not per language (names, references): no control characters, not blank.
Text = Annotated[str, AfterValidator(_plain_text)]


_LINE_BREAK = re.compile("[\n\r\u2028\u2029]")  # U+2028 and U+2029 are line breaks too


def _one_line(value: str) -> str:
    if _LINE_BREAK.search(value):
        raise ValueError("must be on one line")
    return value


def _answer_texts(value: dict[str, Any]) -> dict[str, Any]:
    for key, answer in value.items():
        if isinstance(answer, str):
            bad = bad_character(answer)
            if bad:
                raise ValueError(f"the answer to {key} {bad}")
    return value


# A checklist's answers by item id (yes/no, n/a, or text): text answers print in documents, so they are plain text.
Answers = Annotated[dict[str, Any], AfterValidator(_answer_texts)]


# A name or short phrase: Text on one line (a name with a line break would read as two in a log or a commit).
Line = Annotated[str, AfterValidator(_plain_text), AfterValidator(_one_line)]


_APOSTROPHES = re.compile("['\u2018\u2019\u201b\u02bc\u02bb\u0060\u00b4\u2032]")


@lru_cache(maxsize=16384)  # asked again and again for the same few names (every sign-off against every slot)
def normalise_organisation(name: str) -> str:
    """An organisation's name for comparison: case, accents, apostrophes, hyphens and other punctuation,
    "&"/"and", a leading "The" and repeated spaces ignored.

    ``"The Norfolk  County Council."`` and ``"norfolk county council"`` compare
    equal, as do ``St Edmund's`` and ``St Edmunds`` (an apostrophe of any kind
    joins its letters) and ``Anglia-Ruskin`` and ``Anglia Ruskin``; names in
    any script keep their letters. Every comparison of party names uses it.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " and ")
    text = re.sub(r"[\W_]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def closest_organisation(name: str, names) -> str | None:
    """The one of ``names`` that ``name`` most likely misspells ("Constabulry"), for a "did you mean" (None when
    none is close)."""
    wanted = normalise_organisation(name)
    forms = {normalise_organisation(candidate): candidate for candidate in names if candidate}
    match = difflib.get_close_matches(wanted, list(forms), n=1, cutoff=0.8)
    return forms[match[0]] if match else None
Count = Annotated[int, Strict()]  # a whole number as written: true or "12" is not 1 or 12

# Words a person may mean as yes or no, only to say which of true/false to write instead.
_YES_WORDS = {"yes", "y", "on", "oui", "o", "1", "true"}
_NO_WORDS = {"no", "n", "off", "non", "0", "false"}


def not_a_boolean(value: str | float) -> str:
    """Why ``value`` (text or a number) is not a yes/no value in a record, and what to write instead."""
    if isinstance(value, str):
        word = value.strip().casefold()
        instead = "true" if word in _YES_WORDS else "false" if word in _NO_WORDS else "true or false"
        what = "text in quotes" if word in ("true", "false") else "text"
        return (f"{value[:40]!r} is {what}, not a yes/no value: a record takes only true or false (YAML 1.2), "
                f"without quotes; write {instead}")
    instead = "true" if value == 1 else "false" if value == 0 else "true or false"
    return f"{value} is a number, not a yes/no value: a record takes only true or false; write {instead}"


def _only_true_or_false(value: Any) -> Any:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        raise ValueError(not_a_boolean(value))
    return value  # true or false; anything else (a list, nothing) pydantic refuses as not a boolean


# A yes/no field: true or false only. NO, off, "yes", 1 or "true" are refused, never read as a boolean (pydantic
# alone would take them).
Flag = Annotated[bool, BeforeValidator(_only_true_or_false)]


class Frozen(BaseModel):
    """Base of every record part: immutable, and unknown fields are errors (typos show)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

class Status(str, Enum):
    DRAFT = "draft"
    ASSESSED = "assessed"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    AUTHORISED = "authorised"
    SIGNED = "signed"
    ACTIVE = "active"
    REVIEW_DUE = "review_due"
    UNDER_REVIEW = "under_review"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"

    @property
    def in_force(self) -> bool:
        """Sharing may take place under the agreement (it is live and not suspended)."""
        return self in (Status.ACTIVE, Status.REVIEW_DUE, Status.UNDER_REVIEW)

class Level(str, Enum):
    """Sensitivity levels, lowest first (seed 001): see ``classification.yaml``."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        return _LEVEL_RANKS[self]


_LEVEL_RANKS = {level: number for number, level in enumerate(Level)}  # asked for every data item of every record


class Contact(Frozen):
    name: Line
    title: Line | None = None
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN)
    phone: Line | None = None
    language: str | None = None

class Party(Frozen):
    organisation: Line
    role: Literal["discloser", "recipient", "both", "signatory"]
    controller: Literal["controller", "joint_controller", "processor"] = "controller"
    designated_officer: Contact | None = None
    # The party's data protection officer, whom individuals and the regulator may contact (ICO).
    data_protection_officer: Contact | None = None
    signatory: Contact | None = None

class LegalBasis(Frozen):
    """One legal ground: a lawful basis, a condition for special/criminal data, or a legal power."""

    type: Literal["lawful_basis", "special_category_condition", "criminal_offence_condition", "legal_power"]
    reference: Line
    detail: Localized | None = None

class DataItem(Frozen):
    name: Localized
    description: Localized | None = None
    personal: Flag
    special_category: Flag = False
    criminal_offence: Flag = False
    sensitivity: Level
    anonymisation: Literal["none", "pseudonymised", "anonymised", "aggregated"] = "none"
    frequency: Localized | None = None
    transfer_method: Localized | None = None

class Retention(Frozen):
    period: Localized
    deletion: Localized | None = None

class Rights(Frozen):
    """Individuals' rights and transparency."""

    subject_access: Localized | None = None
    complaints: Localized | None = None
    privacy_information: Localized | None = None
    objection: Localized | None = None  # the right to object, and other rights (rectification, erasure ...)
    foi: Localized | None = None  # requests under freedom of information law for the agreement or the data
    timescales: Localized | None = None  # how quickly each party answers (one month for subject access ...)

class Transfers(Frozen):
    """Whether shared information leaves the country it is held in, and if so where to and under what safeguard."""

    international: Flag
    where: Localized | None = None
    safeguard: Localized | None = None  # adequacy regulations, standard clauses (IDTA) ...

    @model_validator(mode="after")
    def _where_and_how(self) -> Transfers:
        if self.international and (self.where is None or self.safeguard is None):
            raise ValueError("an international transfer names where the information goes (where) and the safeguard "
                             "that protects it (safeguard)")
        return self

class BreachNotification(Frozen):
    """Who tells the regulator of a reportable personal data breach, how soon, and how a party alerts the others."""

    # Who tells the regulator (a party, or a role such as "the lead partner's data protection officer"); left out,
    # each controller tells it of a breach of the data it controls.
    regulator: Localized | None = None
    within_hours: Count = Field(default=72, ge=1, le=720)
    route: Localized  # how a party that finds a breach tells the others: whom, by what means

class Definition(Frozen):
    """A term the agreement uses, and what it means here."""

    term: Localized
    meaning: Localized

class Screening(Frozen):
    """The DPIA screening checklist as answered: what triggered the result, by whom and when."""

    checklist: str = "dpia_screening"
    answers: Answers = {}
    triggers: list[str] = []
    rationale: Localized | None = None
    by: Line
    date: Day
    # Set by an amendment that changed what the screening looked at (data items, parties, purpose): why it must
    # be run again. The lifecycle and the sign-off chain wait until it is.
    needs_renewal: Text | None = None


class Dpia(Frozen):
    required: Flag | None = None
    reason: Localized | None = None
    reference: Text | None = None
    summary: Localized | None = None
    screening: Screening | None = None

class RiskAssessment(Frozen):
    checklist: str = "risk_assessment"
    answers: Answers = {}
    rationale: Localized | None = None
    outcome: Literal["proceed", "proceed_with_conditions", "do_not_proceed"]
    reasons: list[str] = []  # the items that decided the outcome
    conditions: list[Localized] = []
    by: Line
    date: Day
    needs_renewal: Text | None = None  # as for the DPIA screening: why the assessment must be made again

class SignatureEvidence(Frozen):
    """How a sign-off given by signing a copy was checked: the copy as returned (kept in the register), what it
    was sent as, and for a digital signature who the certificate names, when they signed and whether the
    certificate is trusted (an intact signature by an untrusted certificate is recorded as such)."""

    kind: Literal["digital", "wet_ink"]
    file: Text | None = None  # where the returned copy is kept: signed/<ID>/<version>/...
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    sent_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    signer: Line
    certificate: Text | None = None  # the certificate's subject
    signing_time: str | None = None  # as the signature reports it (ISO 8601)
    trusted: Flag = False  # the certificate leads to one of the register's trust roots


class Signoff(Frozen):
    stage: Count = Field(ge=1)
    role: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    name: Line
    organisation: Line | None = None
    decision: Literal["approve", "reject"]
    comment: Text | None = None
    date: Day
    version: str = Field(pattern=VERSION_PATTERN)
    document_fingerprint: str | None = None
    document_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Signed by a delegate in the place of the person the chain expects: whom for, and why (both recorded).
    on_behalf_of: Line | None = None
    delegation: Text | None = None
    evidence: SignatureEvidence | None = None  # a returned copy, checked and kept (isa receive)

class Sent(Frozen):
    """One copy sent for signature or approval: to whom, for which version and slot, and the sha-256 of the exact PDF
    sent (certified by the register), which a returned copy's first revision must match byte for byte."""

    version: str = Field(pattern=VERSION_PATTERN)
    stage: Count = Field(ge=1)
    role: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    organisation: Line | None = None
    name: Line
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN)
    language: str
    field: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")  # the signature field made for them
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    date: Day
    by: Line
    emailed: Flag = False  # delivered through the register's mail server (else handed over by the officer)
    # Chasing is logged with the review reminders (reminders.log), each step once: see isa pending.


class ReviewFinding(Frozen):
    """What one stakeholder said in a review: is the agreement still required, and what has changed."""

    stakeholder: Line
    still_required: Flag
    changes: Localized | None = None
    by: Line
    date: Day


class Review(Frozen):
    interval_months: Count = Field(default=12, ge=1, le=60)
    last: Day | None = None
    due: Day | None = None
    started: Day | None = None  # the review now under way began on this day
    findings: list[ReviewFinding] = []

class SharingDecision(Frozen):
    """One decision to share under the agreement (seed 004): what, to whom, why, and on what footing."""

    date: Day
    what: Line
    to: Line
    purpose: Text
    consent: Literal["yes", "no", "not-applicable"]
    by: Line
    rationale: Text | None = None


class StatusChange(Frozen):
    """One move in the agreement's lifecycle: when, from what, to what, by whom and why."""

    date: Day
    from_status: Status = Field(alias="from")
    to: Status
    by: Line
    reason: Text | None = None

    model_config = Frozen.model_config | {"populate_by_name": True, "serialize_by_alias": True}


class OverlapNote(Frozen):
    """Why this agreement was drafted although the intake found others for the same partner and a similar purpose."""

    agreements: list[str] = Field(min_length=1)  # the ids the intake showed
    reason: Text
    by: Line
    date: Day


class Amendment(Frozen):
    version: str = Field(pattern=VERSION_PATTERN)
    detail: Text
    author: Line
    date: Day
    approved_by: Line | None = None

class Waiver(Frozen):
    """A warning of ``isa validate`` that the record sets aside on purpose, by its code (``ICO-23``), and why.

    ``isa validate`` lists it as waived rather than as a warning, and ``--strict`` does not fail on it. Whether the
    code is one the checks give is for the register to say (``register/rules.py``): an unknown code is an error there.
    A waiver is record-keeping, not content: it is not part of what is signed.
    """

    code: Line
    reason: Text


AUDIENCE_ANSWERS = ("on_request", "anonymised")


def _audience_answer(value: Any) -> Any:
    if isinstance(value, bool) or value in AUDIENCE_ANSWERS or not isinstance(value, (str, int, float)):
        return value
    if isinstance(value, str) and value.strip().casefold() not in _YES_WORDS | _NO_WORDS:
        raise ValueError(f"{value[:40]!r} is not allowed here; use true, false, on_request or anonymised")
    raise ValueError(not_a_boolean(value).replace("write true or false", "write true, false, on_request or anonymised"))


# What one audience may receive: true, false, on request, or anonymised (a NO or "yes" is refused like a Flag's).
AudienceAnswer = Annotated[bool | Literal["on_request", "anonymised"], BeforeValidator(_audience_answer)]


class MatrixRow(Frozen):
    information_type: Localized
    level: Level | None = None
    audiences: dict[str, AudienceAnswer]

class SharingMatrix(Frozen):
    """Which information type may go to which audience (seeds 001, 002)."""

    audiences: dict[str, Localized]
    rows: list[MatrixRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows_name_known_audiences(self) -> SharingMatrix:
        for index, row in enumerate(self.rows):
            unknown = sorted(set(row.audiences) - set(self.audiences))
            if unknown:
                raise ValueError(f"rows[{index}] names unknown audience(s): {', '.join(unknown)}")
        return self

class Agreement(Frozen):
    """An ISA (one specific flow between named parties) or an ISP (umbrella protocol)."""

    id: str
    kind: Literal["isa", "protocol"]
    title: Localized
    version: str = Field(pattern=VERSION_PATTERN)
    status: Status
    languages: list[str] = Field(default=["en"], min_length=1)
    sharing_type: Literal["systematic", "one-off"] = "systematic"
    owner: Contact | None = None
    business_area: Line | None = None
    parties: list[Party] = Field(min_length=1)
    purpose: Localized
    benefits: Localized | None = None
    scope: Localized | None = None
    commitments: list[Localized] = []
    areas: list[Text] = []
    legal_basis: list[LegalBasis] = []
    data_items: list[DataItem] = []
    sharing_matrix: SharingMatrix | None = None
    data_quality: Localized | None = None
    retention: Retention | None = None
    security: Localized | None = None
    # The conditions the risk assessment set ("proceed with conditions"): part of what the parties sign, so part of
    # the content and its fingerprint. Set by ``isa assess``, never by hand.
    conditions: list[Localized] = []
    training: Localized | None = None
    rights: Rights | None = None
    breach_handling: Localized | None = None
    incident_management: Localized | None = None
    dispute_resolution: Localized | None = None
    onward_disclosure: Localized | None = None
    sanctions: Localized | None = None
    termination: Localized | None = None
    principles: list[Localized] = []
    definitions: list[Definition] = []
    transfers: Transfers | None = None  # international transfers (none, or where and under what safeguard)
    breach_notification: BreachNotification | None = None
    necessity: Localized | None = None  # why sharing is necessary and proportionate (Human Rights Act 1998 art. 8)
    confidentiality: Localized | None = None  # how the common-law duty of confidentiality is met
    audit: Localized | None = None  # audit and compliance monitoring
    endorsement: Localized | None = None  # who endorsed a protocol, and when
    related: list[str] = []  # ids of the register's other agreements and protocols this one works with
    contact: Text | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    dpia: Dpia | None = None
    risk_assessment: RiskAssessment | None = None
    signoffs: list[Signoff] = []
    review: Review = Review()
    amendments: list[Amendment] = []
    history: list[StatusChange] = []
    decisions: list[SharingDecision] = []  # the log of sharing decisions made under the agreement
    overlap: OverlapNote | None = None  # drafted past an overlap the intake found, and why
    sent: list[Sent] = []  # copies sent for signature (isa send): record-keeping, not content
    waivers: list[Waiver] = []  # warnings set aside on purpose, each with its reason: record-keeping, not content

    @field_validator("languages")
    @classmethod
    def _languages_unique(cls, value: list[str]) -> list[str]:
        return check_languages(value)

    @model_validator(mode="after")
    def _parties_distinct(self) -> Agreement:
        seen: dict[str, str] = {}
        for party in self.parties:
            key = normalise_organisation(party.organisation)
            if key in seen:
                raise ValueError(f"parties {seen[key]!r} and {party.organisation!r} are the same organisation; "
                                 "list each party once")
            seen[key] = party.organisation
        return self

    @model_validator(mode="after")
    def _dates_in_order(self) -> Agreement:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self

    # -- derived facts -------------------------------------------------------

    @property
    def partners(self) -> list[str]:
        return [party.organisation for party in self.parties]

    @property
    def fingerprint(self) -> str:
        """The short form of :meth:`content_fingerprint` shown on documents and in listings."""
        return self.content_fingerprint().removeprefix("sha256:")[:12]

    def status_on(self, day: dt.date) -> Status:
        """The status the agreement had at the end of ``day``, from its lifecycle history.

        Before its first recorded move it had that move's starting status; with no history, the current one.
        """
        status = None
        for change in sorted(self.history, key=lambda c: c.date):  # stable: moves of one day keep their order
            if change.date > day:
                return status if status is not None else change.from_status
            status = change.to
        return self.status

    def status_before_suspension(self) -> Status | None:
        for change in reversed(self.history):
            if change.to is Status.SUSPENDED:
                return change.from_status
        return None

    @property
    def classification_level(self) -> Level | None:
        """The highest sensitivity among the data items (None when there are none)."""
        levels = [item.sensitivity for item in self.data_items]
        return max(levels, key=lambda level: level.rank) if levels else None

    def content_fingerprint(self) -> str:
        """Hash of what the agreement says, the thing a sign-off approves.

        Status, sign-offs, review dates, history, assessments, waivers of warnings and the dates it is
        in force (set when it is activated or terminated) are not content: recording a
        sign-off must not change what was signed. Fields left at their default
        and the ``translated_from`` bookkeeping are left out too, so a new
        optional field in a later toolkit does not change existing fingerprints.
        """
        content = _without_sources(self.model_dump(
            mode="json",
            exclude={"status": True, "signoffs": True, "review": True, "amendments": True, "risk_assessment": True,
                     "history": True, "decisions": True, "overlap": True, "sent": True, "start_date": True,
                     "end_date": True, "waivers": True,
                     "dpia": {"screening"}},
            exclude_defaults=True,
        ))
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _without_sources(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_sources(v) for k, v in value.items() if k != META_KEY}
    if isinstance(value, list):
        return [_without_sources(v) for v in value]
    return value
