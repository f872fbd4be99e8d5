"""Checks that run after loading, in a fixed order: register rules, then completeness, then translations.

Each check is a small function ``check_<rule>(context, agreement)`` that yields
``(severity, field, message, code)``; :func:`check_record` places each finding in
the record's file. The context holds the little each check needs to know of the
register, so checks can run in worker processes on a large register.
Register rules are errors (the record contradicts the register: a sign-off by a
role the chain does not have; a waiver of a code there is no such warning for).
Completeness and translation checks are warnings, which ``isa validate --strict``
turns into errors. Every warning has a stable code (``ICO-23``: :mod:`.rules`
says how they are given); a warning the record waives, with its reason, is
shown as waived and not raised by ``--strict``.

The completeness lint follows three reference lists (DESIGN §4): the UK ICO
data sharing code's checklist, the UK Digital Economy Act public register's
fields and Ireland's Data Sharing and Governance Act s.19. An example that
trips it: an ISA whose data items include special-category data but whose
``legal_basis`` has no ``special_category_condition``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from typing import get_args

from pydantic import BaseModel

from .. import __version__
from ..model import Agreement, Localized, SignoffChain
from .problem import Problem, Severity
from .rules import OTHER_RULES, Rule, apply_waivers, waiver_findings
from .yamlio import Locator

Finding = tuple[Severity, str, str, str]  # severity, field, message, code (a warning's rule; "" for an error)

ICO = "ICO data sharing code"
DEA = "DEA public register"
DSGA = "Data Sharing and Governance Act s.19"
HRA = "Human Rights Act 1998 art. 8"
CONFIDENCE = "common-law duty of confidentiality"
PROTOCOL = "humanitarian information sharing protocols"


@dataclass(frozen=True)
class Item:
    """One thing a sound agreement must cover, under its stable warning code."""

    code: str
    field: str
    label: str
    sources: tuple[str, ...]
    kinds: tuple[str, ...]
    present: Callable[[Agreement], bool]


def _has(name: str) -> Callable[[Agreement], bool]:
    return lambda a: getattr(a, name) not in (None, [], {})


def _basis(kind: str) -> Callable[[Agreement], bool]:
    return lambda a: any(b.type == kind for b in a.legal_basis)


def _rights(part: str) -> Callable[[Agreement], bool]:
    return lambda a: a.rights is not None and getattr(a.rights, part) is not None


# Each item's code is fixed (register/rules.py): a new item takes the next free number of its list.
BOTH = ("isa", "protocol")
COMPLETENESS: tuple[Item, ...] = (
    Item("ICO-01", "parties[].designated_officer", "a designated officer (single point of contact) for every party",
         (ICO,), ("isa",), lambda a: all(p.designated_officer for p in a.parties)),
    Item("ICO-02", "parties[].designated_officer.phone", "a telephone number for every party's designated officer",
         (ICO,), ("isa",),
         lambda a: all(p.designated_officer is None or p.designated_officer.phone for p in a.parties)),
    Item("ICO-03", "parties[].data_protection_officer", "the data protection officer of every party", (ICO,), BOTH,
         lambda a: all(p.data_protection_officer for p in a.parties)),
    Item("ICO-04", "parties[].signatory", "a signatory for every party", (ICO,), BOTH,
         lambda a: all(p.signatory for p in a.parties)),
    Item("PRO-01", "definitions", "the definitions of the terms it uses", (PROTOCOL,), ("protocol",),
         _has("definitions")),
    Item("ICO-05", "benefits", "the benefits of sharing", (ICO, DEA), BOTH, _has("benefits")),
    Item("ICO-06", "scope", "the scope of the protocol", (ICO,), ("protocol",), _has("scope")),
    Item("ICO-07", "commitments", "the commitments each signatory makes", (ICO,), ("protocol",), _has("commitments")),
    Item("ICO-08", "data_items", "the exact data items to be shared", (ICO, DEA), ("isa",), _has("data_items")),
    Item("ICO-09", "legal_basis", "a lawful basis (e.g. UK GDPR Art 6)", (ICO,), ("isa",), _basis("lawful_basis")),
    Item("ICO-10", "legal_basis", "the legal power relied on", (ICO, DEA), ("isa",), _basis("legal_power")),
    Item("ICO-11", "legal_basis",
         "a condition for the special-category data shared (e.g. UK GDPR Art 9, DPA 2018 Sch 1)", (ICO,), BOTH,
         lambda a: not any(i.special_category for i in a.data_items) or _basis("special_category_condition")(a)),
    Item("ICO-12", "legal_basis",
         "a condition for the criminal-offence data shared (e.g. UK GDPR Art 10, DPA 2018 Sch 1)", (ICO,), BOTH,
         lambda a: not any(i.criminal_offence for i in a.data_items) or _basis("criminal_offence_condition")(a)),
    Item("DEA-01", "data_items[].transfer_method", "how each data item is transferred (sharing method)", (DEA,),
         ("isa",), lambda a: all(i.transfer_method for i in a.data_items)),
    Item("ICO-13", "data_items[].frequency", "how often each data item is shared", (ICO,), ("isa",),
         lambda a: all(i.frequency for i in a.data_items)),
    Item("ICO-14", "rights.subject_access", "how subject access requests are handled", (ICO,), BOTH,
         _rights("subject_access")),
    Item("ICO-15", "rights.complaints", "how complaints are handled", (ICO,), BOTH, _rights("complaints")),
    Item("ICO-16", "rights.privacy_information", "the privacy information given to individuals", (ICO,), ("isa",),
         _rights("privacy_information")),
    Item("ICO-17", "rights.objection", "how the right to object and individuals' other rights are handled", (ICO,),
         BOTH, _rights("objection")),
    Item("ICO-18", "rights.foi", "how freedom of information requests are handled", (ICO,), BOTH, _rights("foi")),
    Item("ICO-19", "rights.timescales", "the timescales for answering individuals' requests", (ICO,), BOTH,
         _rights("timescales")),
    Item("ICO-20", "transfers", "whether information goes abroad, and if so where and under what safeguard", (ICO,),
         BOTH, _has("transfers")),
    Item("LAW-01", "necessity", "why the sharing is necessary and proportionate", (HRA,), ("isa",),
         _has("necessity")),
    Item("LAW-02", "confidentiality", "how the duty of confidentiality is met", (CONFIDENCE,), ("isa",),
         _has("confidentiality")),
    Item("ICO-21", "audit", "how compliance is audited and monitored", (ICO,), BOTH, _has("audit")),
    Item("ICO-22", "data_quality", "how data quality is kept", (ICO,), ("isa",), _has("data_quality")),
    Item("ICO-23", "retention", "retention periods", (ICO, DEA, DSGA), BOTH, _has("retention")),
    Item("ICO-24", "retention.deletion", "how data is deleted or destroyed", (ICO, DSGA), BOTH,
         lambda a: a.retention is not None and a.retention.deletion is not None),
    Item("ICO-25", "security", "the security measures", (ICO, DSGA), BOTH, _has("security")),
    Item("ICO-26", "training", "the training staff receive", (ICO,), ("isa",), _has("training")),
    Item("ICO-27", "breach_handling", "what happens on a security breach", (ICO,), BOTH, _has("breach_handling")),
    Item("ICO-28", "breach_notification", "who tells the regulator of a breach, within how many hours (72), and how "
         "a party alerts the others", (ICO,), BOTH, _has("breach_notification")),
    Item("ICO-29", "incident_management", "how data incidents are managed", (ICO,), ("protocol",),
         _has("incident_management")),
    Item("ICO-30", "dispute_resolution", "how disputes between the parties are resolved", (ICO,), BOTH,
         _has("dispute_resolution")),
    Item("PRO-02", "endorsement", "who endorsed the protocol", (PROTOCOL,), ("protocol",), _has("endorsement")),
    Item("ICO-31", "termination", "how the agreement is changed or ended", (ICO,), BOTH, _has("termination")),
    Item("ICO-32", "sanctions", "the sanctions for failing to comply", (ICO,), ("isa",), _has("sanctions")),
    Item("DSGA-01", "onward_disclosure", "limits on onward disclosure", (DSGA,), BOTH, _has("onward_disclosure")),
    Item("DSGA-02", "dpia", "a DPIA screening result (DPIA required or not, and why)", (DSGA,), ("isa",),
         lambda a: a.dpia is not None and a.dpia.required is not None),
    Item("DSGA-03", "dpia.summary", "a summary of the DPIA", (DSGA,), ("isa",),
         lambda a: a.dpia is None or not a.dpia.required or a.dpia.summary is not None),
    Item("DEA-02", "contact", "a contact point for the public", (DEA,), ("isa",), _has("contact")),
    Item("DEA-03", "areas", "the areas (places) the sharing covers", (DEA,), BOTH, _has("areas")),
    Item("DEA-04", "start_date", "the start date", (DEA,), BOTH,
         lambda a: not a.status.in_force or a.start_date is not None),
)


def _missing(item: Item) -> str:
    return f"missing {item.label} ({'; '.join(item.sources)})"


# Every warning's code: the completeness items', then the others (register/rules.py); docs/register.md lists them.
RULES: dict[str, Rule] = {
    **{item.code: Rule(item.code, _missing(item), item.kinds) for item in COMPLETENESS},
    **{rule.code: rule for rule in OTHER_RULES},
}


@dataclass(frozen=True)
class CheckContext:
    """What the record checks need to know of the register."""

    languages: tuple[str, ...] | None  # None when register.yaml cannot be read
    chain: SignoffChain | None
    # The checklists case records were answered against, by name (None: not loaded, as no case record needs them).
    checklists: dict | None = None

    @cached_property
    def key(self) -> str:
        """Changes when anything the agreement checks depend on changes (their results are cached under it)."""
        chain = self.chain.model_dump_json() if self.chain else ""
        return hashlib.sha256(f"{self.languages}|{chain}|{__version__}".encode()).hexdigest()[:16]

    @cached_property
    def case_key(self) -> str:
        """The same for the checks of disclosures and requests, which depend on the checklists."""
        lists = "|".join(f"{name}:{c.model_dump_json()}" for name, c in sorted((self.checklists or {}).items()))
        return hashlib.sha256(f"{self.key}|{lists}".encode()).hexdigest()[:16]

    def key_for(self, rel: str) -> str:
        return self.key if rel.startswith("agreements/") else self.case_key


def _warn(code: str, field: str, message: str) -> Finding:
    return Severity.WARNING, field, message, code


def _error(field: str, message: str) -> Finding:
    return Severity.ERROR, field, message, ""


# -- register rules (errors) ----------------------------------------------------


def check_signoff_roles(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """Every sign-off names a role of the register's chain (``processer`` is not one)."""
    if context.chain is None:
        return
    known = context.chain.roles
    for index, signoff in enumerate(agreement.signoffs):
        if signoff.role not in known:
            yield _error(f"signoffs[{index}].role",
                         f"unknown role {signoff.role!r}; the sign-off chain has {', '.join(sorted(known))}")
        if signoff.stage > len(context.chain.stages):
            yield _error(f"signoffs[{index}].stage",
                         f"stage {signoff.stage} does not exist; the chain has {len(context.chain.stages)} stages")


def _version_key(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def check_versions(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """No sign-off or amendment is for a version later than the record's own."""
    current = _version_key(agreement.version)
    for index, signoff in enumerate(agreement.signoffs):
        if _version_key(signoff.version) > current:
            yield _error(f"signoffs[{index}].version",
                         f"sign-off for version {signoff.version}, but the agreement is at {agreement.version}")
    for index, amendment in enumerate(agreement.amendments):
        if _version_key(amendment.version) > current:
            yield _error(f"amendments[{index}].version",
                         f"amendment for version {amendment.version}, but the agreement is at {agreement.version}")


def check_review_dates(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """A review cannot fall due before the last review took place."""
    review = agreement.review
    if review.last and review.due and review.due < review.last:
        yield _error("review.due", f"review due {review.due} is before the last review {review.last}")


def check_signed_content(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """What was signed is what the record says: a sign-off's fingerprint matches the version's content.

    A hand edit that changed a signed agreement without amending it (no new
    version) trips it.
    """
    bound = [(i, s.document_fingerprint) for i, s in enumerate(agreement.signoffs)
             if s.version == agreement.version and s.document_fingerprint]
    if not bound:
        return  # nothing bound to this version's content yet: no need to hash it
    current = agreement.content_fingerprint()
    changed = [i for i, fingerprint in bound if fingerprint != current]
    if changed:
        yield _error(f"signoffs[{changed[0]}].document_fingerprint",
                     f"the content of version {agreement.version} has changed since {len(changed)} sign-off(s) were "
                     "given, so they no longer count: make the change an amendment (isa amend ID --answers FILE "
                     "--detail TEXT), which gives it a new version and its own sign-offs, or restore the signed text "
                     "(git log -p on this file shows what changed)")


# -- completeness (warnings) ----------------------------------------------------


def check_conditions_agreed(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """The risk assessment's conditions are in the agreement the parties sign (``conditions``), as ``isa assess``
    puts them: a record assessed before conditions were part of the agreement, or edited by hand, is warned."""
    assessment = agreement.risk_assessment
    if assessment is None or assessment.outcome != "proceed_with_conditions":
        return
    if list(assessment.conditions) != list(agreement.conditions):
        yield _warn("REC-02", "conditions",
                    "the risk assessment's conditions are not the agreement's own; run the assessment again "
                    f"(isa assess {agreement.id}) so the parties sign what it requires")


RELATED_RE = re.compile(r"^[A-Z][A-Z0-9]{0,9}-\d{4}-\d{4,}$")


def check_related(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """``related`` names other records by their ids (ISP-2025-0001), each once and never the agreement itself.
    (Whether each exists is for the register as a whole: ``isa validate`` reports ids it does not hold.)"""
    seen = set()
    for index, rid in enumerate(agreement.related):
        if rid == agreement.id:
            yield _warn("REF-01", f"related[{index}]",
                        f"{rid} is this agreement itself; name only the others it works with")
        elif not RELATED_RE.match(rid):
            yield _warn("REF-02", f"related[{index}]", f"{rid!r} is not a record id such as ISP-2025-0001")
        elif rid in seen:
            yield _warn("REF-03", f"related[{index}]", f"{rid} is named twice")
        seen.add(rid)


def check_completeness(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """Warn for each reference-list item the agreement does not cover."""
    for item in COMPLETENESS:
        if agreement.kind in item.kinds and not item.present(agreement):
            yield _warn(item.code, item.field, _missing(item))
    if agreement.status.in_force and not any(s.decision == "approve" for s in agreement.signoffs):
        yield _warn("REC-01", "signoffs", "in force but no sign-off is recorded")


# -- translations (warnings) ------------------------------------------------------


def _may_hold_text(annotation) -> bool:
    if annotation is Localized:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool(_text_fields(annotation))
    return any(_may_hold_text(arg) for arg in get_args(annotation))


@cache
def _text_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` that can hold bilingual text, found once per model class."""
    return tuple(name for name, info in model.model_fields.items() if _may_hold_text(info.annotation))


def localized_fields(value, path: str = "") -> Iterator[tuple[str, Localized]]:
    if isinstance(value, Localized):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in _text_fields(type(value)):
            yield from localized_fields(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from localized_fields(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from localized_fields(item, f"{path}.{key}")


def check_translations(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """Every text exists in each of the agreement's languages, and no translation is older than its source."""
    source = context.languages[0] if context.languages else agreement.languages[0]
    unknown = [lang for lang in agreement.languages if context.languages and lang not in context.languages]
    if unknown:
        yield _warn("TR-01", "languages",
                    f"language(s) {', '.join(unknown)} are not among the register's ({', '.join(context.languages)})")
    for path, text in localized_fields(agreement):
        missing = text.missing(agreement.languages)
        if missing:
            languages = ", ".join(agreement.languages)
            yield _warn("TR-02", path, f"no {', '.join(missing)} text (the agreement's languages are {languages})")
        for lang in text.stale(source):
            yield _warn("TR-03", path,
                        f"the {lang} text was translated from an older {source} text; update the translation")


# -- waivers (errors) -----------------------------------------------------------------


def check_waivers(context: CheckContext, agreement: Agreement) -> Iterator[Finding]:
    """Each waiver names a warning checked on this kind of agreement, once (register/rules.py)."""
    for index, message in waiver_findings(agreement.waivers, agreement.kind, RULES):
        yield _error(f"waivers[{index}].code", message)


RECORD_CHECKS = (
    check_waivers,
    check_signoff_roles,
    check_versions,
    check_review_dates,
    check_signed_content,
    check_completeness,
    check_conditions_agreed,
    check_related,
    check_translations,
)


def check_record(context: CheckContext, agreement: Agreement, rel: str,
                 text: Callable[[], str | None] | None = None) -> list[Problem]:
    """Every record check on one agreement, in the fixed order above, as problems in ``rel``; a warning the
    record waives is shown as waived.

    ``text`` gives the file's text when a finding names a field that is in
    the file (``signoffs[8].role``), so the problem carries its line.
    """
    findings = [finding for check in RECORD_CHECKS for finding in check(context, agreement)]
    source = text() if text is not None and any(_in_file(field) for _, field, _, _ in findings) else None
    located = Locator(source) if source is not None else None
    problems = [
        Problem(rel, _line(located, field), field, f"{agreement.id}: {message}", severity, agreement.id, code)
        for severity, field, message, code in findings
    ]
    return apply_waivers(problems, agreement.waivers, RULES)


def _in_file(field: str) -> bool:
    return bool(field) and "[]" not in field


def _line(located: Locator | None, field: str) -> int:
    if located is None or not _in_file(field):
        return 0

    path: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        path.append(int(part[1:-1]) if part.startswith("[") else part)
    line = located.line(tuple(path))
    # A missing field is located at its parent: only a field that is there gets a line.
    return line if line and located.present(path) else 0
