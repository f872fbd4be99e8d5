"""What a document template receives: the record's content in one language, ready to print.

Templates never reach into the record model: they get plain values (text,
lists, labels already translated), so the same context feeds the HTML (PDF)
and the DOCX templates. Free text comes from the record in the document's
language; fixed text from the message catalog (:mod:`isa_toolkit.i18n`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import IsaError
from ..i18n import long_date, translator, typeset
from ..model import Agreement, Classification, Localized, Status
from ..model.dates import review_due
from ..model.disclosure import Disclosure
from ..register.checks import localized_fields
from ..register.definitions import load_checklist
from ..workflows.chain import progress
from .clauses import THIRD_PARTY_CHECKLIST, agreement_clauses

# Fixed labels, written in English; the catalog translates them.
ROLE = {"discloser": "Discloser", "recipient": "Recipient", "both": "Discloser and recipient", "signatory": "Signatory"}
CONTROLLER = {"controller": "Controller", "joint_controller": "Joint controller", "processor": "Processor"}
BASIS = {
    "lawful_basis": "Lawful basis",
    "legal_power": "Legal power",
    "special_category_condition": "Condition for special-category data",
    "criminal_offence_condition": "Condition for criminal-offence data",
}
LEVEL = {"low": "Low", "moderate": "Moderate", "high": "High", "severe": "Severe"}
ANONYMISATION = {"none": "None", "pseudonymised": "Pseudonymised", "anonymised": "Anonymised", "aggregated": "Aggregated"}
ROLE_NAMES = {
    "information_asset_owner": "Information asset owner",
    "designated_officer": "Designated officer",
    "information_compliance_manager": "Information compliance manager",
    "information_security_manager": "Information security manager",
    "partner_designated_officer": "Partner's designated officer",
    "head_of_information_management": "Head of information management",
    "executive": "Executive",
    "partner_signatory": "Partner's signatory",
}
OUTCOME = {"proceed": "Proceed", "proceed_with_conditions": "Proceed with conditions", "do_not_proceed": "Do not proceed"}
# What a document says of an agreement that is not in force: (a word for the running header, a sentence on top).
STATUS_NOTE = {
    "draft": ("Draft", "Not yet agreed, and not in force."),
    "assessed": ("Draft", "Not yet agreed, and not in force."),
    "in_review": ("Draft for approval", "Under review and approval; not in force."),
    "approved": ("Draft for approval", "Under review and approval; not in force."),
    "authorised": ("For signature", "In force once every party has signed it and it is registered."),
    "signed": ("Signed", "Signed by every party; in force once registered."),
    "suspended": ("Suspended", "No information may be shared under it until the suspension is lifted."),
    "terminated": ("Terminated", "No longer in force."),
    "rejected": ("Rejected", "Not in force."),
}
# Where a document may be signed: the chain's last stage, and an agreement signed or in force (whose copy a party
# may sign again). Any other status marks every page and replaces the signature blocks by "not for signature".
SIGNABLE = ("authorised", "signed", "active", "review_due", "under_review")
DRAFTS = ("draft", "assessed", "in_review", "approved")


def watermark_word(status: str) -> str | None:
    """The word across every page of a document that must not be taken for the signable copy (None: none)."""
    if status in SIGNABLE:
        return None
    return "Draft" if status in DRAFTS else STATUS_NOTE.get(status, ("Draft", ""))[0]


DOCUMENTS = ("agreement", "signoff-sheet")


class MissingTranslation(IsaError):
    """The record lacks text in the document's language; ``fields`` names where."""

    def __init__(self, record_id: str, lang: str, fields: list[str]):
        super().__init__(f"{record_id} has no {lang} text for: {', '.join(fields)}. Add the translations to the "
                         "record, or render with --fallback to mark the untranslated text")
        self.lang = lang
        self.fields = fields


def prints(doc: str | None, path: str) -> bool:
    """Whether the document ``doc`` prints the record's free text at ``path`` (``None``: every document)."""
    if doc in ("agreement", "protocol"):
        return not path.startswith(("risk_assessment.", "dpia.screening.", "review."))
    if doc in ("signature-pages", "signoff-sheet"):
        return path == "title"
    if doc == "assessment":
        return path == "title" or path.startswith(("risk_assessment.", "dpia.screening.", "dpia.reason"))
    if doc == "review-report":
        return path == "title" or path.startswith("review.")
    return True


def classification_texts(record: Agreement | Disclosure, doc: str | None,
                         classification: Classification | None) -> list[tuple[str, Localized]]:
    """The texts of ``classification.yaml`` the document prints, by path (``levels[1].dissemination[0]``):
    a protocol's whole table; an agreement's level names and its overall level's methods; a disclosure's level."""
    if classification is None or doc not in ("agreement", "protocol", "disclosure"):
        return []
    if isinstance(record, Disclosure):
        levels, methods = ({record.sensitivity} if record.sensitivity else set()), record.sensitivity
    else:
        if record.kind == "protocol":
            return list(localized_fields(classification))
        levels = {item.sensitivity for item in record.data_items}
        if record.sharing_matrix is not None:
            levels |= {row.level for row in record.sharing_matrix.rows if row.level}
        methods = record.classification_level
    out = []
    for index, definition in enumerate(classification.levels):
        if definition.level in levels:
            out.append((f"levels[{index}].classification", definition.classification))
        if definition.level == methods:
            out += [(f"levels[{index}].dissemination[{n}]", m) for n, m in enumerate(definition.dissemination)]
    return out


def workflow_texts(record: Agreement | Disclosure, doc: str | None, chain=None,
                   checklists_root=None) -> list[tuple[str, Localized]]:
    """The texts of the register's workflows the document prints, by where they are defined: the sign-off chain's
    stage titles (sign-off sheet), the title and questions of each checklist answered (assessment, disclosure), and
    a protocol's criteria for third-party requests (its annex B)."""
    out: list[tuple[str, Localized]] = []
    if doc == "signoff-sheet" and chain is not None:
        out += [(f"workflows/signoff_chain.yaml stages[{n}].title", stage.title) for n, stage in enumerate(chain.stages)]
    if doc in (None, "protocol", "agreement") and isinstance(record, Agreement) and record.kind == "protocol":
        try:  # annex B: the criteria for a request from a third party, by their questions
            checklist = load_checklist(THIRD_PARTY_CHECKLIST, checklists_root)
        except IsaError:
            checklist = None
        if checklist is not None:
            where = f"workflows/checklists/{THIRD_PARTY_CHECKLIST}.yaml"
            out += [(f"{where} {item.id}.question", item.question) for item in checklist.items]
    answered = []
    if doc == "assessment" and isinstance(record, Agreement):
        answered += [(a.checklist, a.answers) for a in (record.risk_assessment, record.dpia and record.dpia.screening) if a]
    if doc == "disclosure" and isinstance(record, Disclosure) and record.criteria is not None:
        answered.append((record.criteria.checklist, record.criteria.answers))
    for name, answers in answered:
        try:
            checklist = load_checklist(name, checklists_root)
        except IsaError:
            continue  # the document shows the item ids, and isa validate reports the missing checklist
        where = f"workflows/checklists/{name}.yaml"
        out.append((f"{where} title", checklist.title))
        out += [(f"{where} {item.id}.question", item.question) for item in checklist.items if item.id in answers]
    return out


def missing_translations(record: Agreement | Disclosure, lang: str, doc: str | None = None,
                         classification: Classification | None = None, chain=None,
                         checklists_root=None) -> list[str]:
    """The fields with no text in ``lang`` (``purpose``, ``data_items[1].name`` ...) that the document ``doc``
    prints (every field when ``doc`` is None), and the texts of ``classification.yaml`` and of the workflows
    (sign-off chain, checklists) it prints."""
    fields = [path for path, text in localized_fields(record) if text.get(lang) is None and prints(doc, path)]
    fields += [f"classification.yaml {path}" for path, text in classification_texts(record, doc, classification)
               if text.get(lang) is None]
    fields += [path for path, text in workflow_texts(record, doc, chain, checklists_root) if text.get(lang) is None]
    return fields


@dataclass
class Texts:
    """Picks each free text in the document's language, marking fallbacks when they are allowed."""

    lang: str
    fallback: bool
    marker: str
    t: Callable[[str], str]
    missing: list[str] = field(default_factory=list)  # fields shown untranslated (with fallback)

    def t_label(self, decision: str) -> str:
        return self.t(SIGNOFF_DECISION.get(decision, SIGNOFF_DECISION["pending"]))

    def __call__(self, value: Localized | None) -> str:
        if value is None:
            return ""
        text = value.get(self.lang)
        if text is not None:
            return typeset(text.strip(), self.lang)
        source = next(iter(value.texts))
        return f"[{self.marker} ({source})] {typeset(value.texts[source].strip(), source)}"


def _yes(t: Callable[[str], str], flag: bool) -> str:
    return t("Yes") if flag else t("No")


# Document-control entries the toolkit writes itself (in English, in the record): a document shows them in its
# own language. An entry an officer wrote is shown as written.
TOOLKIT_DETAILS = (
    (re.compile(r"First draft, from the ([a-z0-9_]+) questionnaire"), "First draft, from the {0} questionnaire"),
    (re.compile(r"Annual review: still required, no change to the content"),
     "Annual review: still required, no change to the content"),
    (re.compile(r"Annual review: still required; changes reported: (.+)", re.S),
     "Annual review: still required; changes reported: {0}"),
)


def toolkit_detail(detail: str, t: Callable[[str], str]) -> str:
    """A document-control entry in the document's language when the toolkit wrote it, else as written."""
    for pattern, message in TOOLKIT_DETAILS:
        match = pattern.fullmatch(detail.strip())
        if match:
            return t(message).format(*match.groups())
    return detail


# The record's fields in words, for the notice listing what a document shows untranslated (the catalog translates
# them): "data_items[0].name" reads "Data item 1, name".
FIELD_WORDS = {
    "title": "Document title", "purpose": "Purpose", "benefits": "Benefits", "scope": "Scope", "commitments": "Commitment",
    "data_items": "Data item", "name": "name", "description": "description", "frequency": "frequency",
    "transfer_method": "transfer method", "legal_basis": "Legal basis", "detail": "detail",
    "data_quality": "Data quality", "retention": "Retention", "period": "period", "deletion": "deletion",
    "security": "Security", "conditions": "Condition", "training": "Training", "rights": "Individuals' rights",
    "subject_access": "subject access", "complaints": "complaints", "privacy_information": "privacy information",
    "objection": "right to object", "foi": "freedom of information requests", "timescales": "timescales",
    "breach_handling": "Breaches", "incident_management": "Incident management",
    "dispute_resolution": "Dispute resolution", "onward_disclosure": "Onward disclosure", "sanctions": "Sanctions",
    "termination": "Termination", "principles": "Principle", "definitions": "Definition", "term": "term",
    "meaning": "meaning", "transfers": "International transfers", "where": "where", "safeguard": "safeguard",
    "breach_notification": "Breach notification", "route": "how the other parties are told",
    "necessity": "Necessity and proportionality", "confidentiality": "Duty of confidentiality", "audit": "Audit",
    "endorsement": "Endorsement", "dpia": "DPIA", "reason": "reason", "summary": "summary",
    "sharing_matrix": "Sharing matrix", "audiences": "audience", "rows": "row", "information_type": "information",
    "review": "Review", "findings": "finding", "changes": "changes", "classification.yaml": "Classification table",
    "levels": "level", "classification": "classification", "dissemination": "sharing method",
    "data_types": "example", "data": "Information", "rationale": "Rationale",
}
_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def field_words(path: str, t: Callable[[str], str]) -> str:
    """Where a text is, in words a reader knows (``Data item 2, name``), from its field path; a path with parts
    the list does not know keeps them, with spaces for underscores."""
    if " " in path and not path.startswith("classification.yaml"):
        return path  # a workflow's text (a checklist question, a sign-off stage): its file and item say where
    out = []
    for segment in path.replace("classification.yaml ", "classification.yaml.", 1).split("."):
        match = _SEGMENT.fullmatch(segment) if segment != "yaml" else None
        if match is None:
            continue
        name, index = match.groups()
        name = "classification.yaml" if name == "classification" and not out else name
        word = t(FIELD_WORDS[name]) if name in FIELD_WORDS else name.replace("_", " ")
        out.append(f"{word} {int(index) + 1}" if index is not None else word)
    return ", ".join(out)


def document_date(agreement: Agreement) -> dt.date | None:
    """The date a version's documents carry: the last document-control entry, else the start date (never the clock)."""
    dates = [a.date for a in agreement.amendments if a.version == agreement.version]
    return dates[-1] if dates else (agreement.amendments[-1].date if agreement.amendments else agreement.start_date)


def _language_tools(record, lang: str, templates, fallback: bool, doc: str | None,
                    classification: Classification | None, chain=None,
                    checklists_root=None) -> tuple[Callable[[str], str], Texts]:
    """The catalog's translation of fixed text, and the record's own text, in ``lang``.

    A record missing text in ``lang`` that the document prints is refused, naming the fields, unless
    ``fallback`` asks for the untranslated text to be marked instead.
    """
    gettext = translator(lang, templates).gettext

    def t(message: str) -> str:
        return typeset(gettext(message), lang)  # French spacing and apostrophes, whatever the catalog wrote

    missing = missing_translations(record, lang, doc, classification, chain, checklists_root)
    if missing and not fallback:
        raise MissingTranslation(record.id, lang, missing)
    return t, Texts(lang, fallback, t("untranslated"), t, missing if fallback else [])


def language_context(agreement: Agreement, lang: str, *, classification: Classification | None, chain=None,
                     settings=None, templates=None, fallback: bool = False, checklists_root=None,
                     doc: str | None = None, related: dict | None = None) -> dict[str, Any]:
    """Everything one language's part of a document needs (``doc``: which document, for its translations;
    ``related``: the titles of the register's agreements by id, for those this one names)."""
    t, text = _language_tools(agreement, lang, templates, fallback, doc, classification, chain, checklists_root)
    level = agreement.classification_level
    definition = classification.definition(level) if classification is not None and level is not None else None

    def level_name(item_level) -> str:
        if classification is None:
            return t(LEVEL[item_level.value])
        return text(classification.definition(item_level).classification)

    parties = []
    for party in agreement.parties:
        def person(contact):
            if contact is None:
                return None
            return {"name": contact.name, "title": contact.title or "", "email": contact.email or "",
                    "phone": contact.phone or ""}

        parties.append({
            "organisation": party.organisation,
            "role": t(ROLE[party.role]),
            "controller": t(CONTROLLER[party.controller]),
            "officer": person(party.designated_officer),
            "dpo": person(party.data_protection_officer),
            "signatory": person(party.signatory),
        })
    matrix = None
    if agreement.sharing_matrix is not None:
        keys = list(agreement.sharing_matrix.audiences)
        cell = {True: t("Yes"), False: t("No"), "on_request": t("On request"), "anonymised": t("Anonymised only")}
        matrix = {
            "audiences": [text(agreement.sharing_matrix.audiences[k]) for k in keys],
            "rows": [{"type": text(row.information_type),
                      "level": level_name(row.level) if row.level else "",
                      "cells": [cell.get(row.audiences.get(k, False), "") for k in keys],
                      "summary": "; ".join(f"{text(agreement.sharing_matrix.audiences[k])}: {cell.get(row.audiences.get(k, False), '')}"
                                           for k in keys)}
                     for row in agreement.sharing_matrix.rows],
        }
    ra = agreement.risk_assessment
    dpia = agreement.dpia
    due = review_due(agreement)
    context = {
        "lang": lang,
        "t": t,
        "colon": t(":"),  # the language's colon: French puts a no-break space before it
        "id": agreement.id,
        "kind": t("Information sharing protocol") if agreement.kind == "protocol" else t("Information sharing agreement"),
        "is_protocol": agreement.kind == "protocol",
        "title": text(agreement.title),
        "version": agreement.version,
        "status": agreement.status.value,
        "status_word": t(STATUS_NOTE[agreement.status.value][0]) if agreement.status.value in STATUS_NOTE else "",
        "signable": agreement.status.value in SIGNABLE,
        "marking": (settings.protective_marking or "") if settings is not None else "",
        "watermark": t(watermark_word(agreement.status.value)) if watermark_word(agreement.status.value) else "",
        "status_note": t(STATUS_NOTE[agreement.status.value][1]) if agreement.status.value in STATUS_NOTE else "",
        "business_area": agreement.business_area or "",
        "date": long_date(document_date(agreement), lang),
        "sharing_type": t("Systematic (routine) sharing") if agreement.sharing_type == "systematic" else t("One-off sharing"),
        "fingerprint": agreement.fingerprint,
        "owner": {"name": agreement.owner.name, "title": agreement.owner.title or "", "email": agreement.owner.email or ""}
        if agreement.owner else None,
        "parties": parties,
        "areas": ", ".join(agreement.areas),
        "commitments": [text(c) for c in agreement.commitments],
        "principles": [text(p) for p in agreement.principles],
        "legal_basis": [{"type": t(BASIS[b.type]), "reference": b.reference, "detail": text(b.detail)}
                        for b in agreement.legal_basis],
        "data_items": [{
            "name": text(i.name), "description": text(i.description),
            "personal": _yes(t, i.personal), "special_category": _yes(t, i.special_category),
            "category": _category(i, t, lang),
            "criminal_offence": _yes(t, i.criminal_offence), "level": level_name(i.sensitivity),
            "anonymisation": t(ANONYMISATION[i.anonymisation]) if i.anonymisation != "none" else "",
            "frequency": text(i.frequency),
            "transfer_method": text(i.transfer_method),
        } for i in agreement.data_items],
        "classification": {
            "level": t(LEVEL[level.value]) if level else "",
            "name": text(definition.classification) if definition else "",
            "dissemination": [text(m) for m in definition.dissemination] if definition else [],
        } if level else None,
        "classification_source": _classification_source(classification, t, lang),
        "classification_table": [{
            "level": t(LEVEL[d.level.value]), "name": text(d.classification), "description": text(d.description),
            "dissemination": [text(m) for m in d.dissemination], "data_types": [text(x) for x in d.data_types],
        } for d in classification.levels] if classification is not None else [],
        "sharing_matrix": matrix,
        "dpia": {
            "required": t("Required") if dpia.required else (t("Not required") if dpia.required is False else t("Not screened")),
            "reason": text(dpia.reason), "reference": dpia.reference or "", "summary": text(dpia.summary),
            "triggers": _triggers(dpia.screening, text, checklists_root),
        } if dpia else None,
        "risk_assessment": {
            "outcome": t(OUTCOME[ra.outcome]), "by": ra.by, "date": long_date(ra.date, lang),
            "rationale": text(ra.rationale), "conditions": [text(c) for c in ra.conditions],
        } if ra else None,
        "start_date": long_date(agreement.start_date, lang),
        "end_date": long_date(agreement.end_date, lang),
        "review_interval": agreement.review.interval_months,
        "review_due": long_date(due, lang),
        "amendments": [{"version": a.version, "detail": toolkit_detail(a.detail, t), "author": a.author,
                        "date": long_date(a.date, lang), "approved_by": a.approved_by or ""}
                       for a in agreement.amendments],
        "signoff_stages": _signoff_stages(agreement, chain, settings, text, lang) if chain is not None else [],
        "signatories": [p for p in parties if p["signatory"]],
        "assessments": _assessments(agreement, text, t, lang, checklists_root),
        "review": _review(agreement, text, t, lang),
        "contact": agreement.contact or "",
        "untranslated": [field_words(path, t) for path in text.missing],
    }
    if doc in (None, "agreement", "protocol"):
        context["clauses"], context["annexes"] = agreement_clauses(
            agreement, context, t, text, related=related or {}, checklists_root=checklists_root)
    return context


def _category(item, t, lang: str) -> str:
    """What kind of information a data item is, in words: "Personal data; special category"."""
    kinds = [t("Personal data") if item.personal else t("Not personal data")]
    if item.special_category:
        kinds.append(t("special category"))
    if item.criminal_offence:
        kinds.append(t("criminal offence"))
    return typeset("; ".join(kinds), lang)


def _classification_source(classification: Classification | None, t, lang: str) -> str:
    """Where the printed sharing rules come from: the register's table, as of its last review.

    The fingerprint covers what the agreement says; the rules of the classification table are the register's,
    reviewed on their own cycle, so a document names the review of the table it printed.
    """
    if classification is None:
        return ""
    if classification.review.last is None:
        return t("From the register's classification table.")
    return t("From the register's classification table, last reviewed on %(date)s.") % {
        "date": long_date(classification.review.last, lang)}


def _review(agreement: Agreement, text: Texts, t, lang: str) -> dict | None:
    """The review under way or last completed: who said what, what changed since it started, what comes next."""
    review = agreement.review
    if review.started is None and not review.findings:
        return None
    changes = [{"version": a.version, "detail": toolkit_detail(a.detail, t), "author": a.author,
                "date": long_date(a.date, lang)}
               for a in agreement.amendments if review.started and a.date >= review.started]
    # A version made since the review started (an amendment, or the renewal itself) is what the chain now signs.
    renewing = any(a.version == agreement.version and review.started and a.date >= review.started
                   for a in agreement.amendments)
    return {
        "started": long_date(review.started, lang),
        "last": long_date(review.last, lang),
        "next": long_date(review_due(agreement), lang),
        # While the review is under way its date is the one it was due by; once renewed, the next one.
        "next_label": t("This review was due on") if agreement.status is Status.UNDER_REVIEW else t("Next review"),
        # The review's outcome as the report states it: still under way, or renewed (with the next review's date).
        "outcome": (t("Completed: version {version} renews the agreement and is going through the sign-off chain; "
                      "the version in force stays in force meanwhile.").format(version=agreement.version)
                    if agreement.status is Status.UNDER_REVIEW and renewing else
                    t("Under way: the agreement stays in force while the stakeholders confirm it.")
                    if agreement.status is Status.UNDER_REVIEW else
                    t("Renewed: the review is complete and the agreement continues.") if review.last and review.started
                    and review.last >= review.started else ""),
        "next_after": t("Next review") + t(":") + " " + (
            long_date(review.due, lang) if review.due and review.last and review.started and review.last >= review.started
            else t("{months} months after the renewed version is signed").format(months=review.interval_months)),
        "findings": [{"stakeholder": f.stakeholder, "still_required": t("Yes") if f.still_required else t("No"),
                      "changes": text(f.changes), "date": long_date(f.date, lang), "by": f.by} for f in review.findings],
        "changes": changes,
    }


def _answer(value: Any, t: Callable[[str], str]) -> str:
    if value is True:
        return t("Yes")
    if value is False:
        return t("No")
    if value == "n/a":
        return t("Not applicable")
    return str(value)


def _assessments(agreement: Agreement, text: Texts, t, lang: str, root) -> list[dict]:
    """The risk assessment and the DPIA screening as recorded, each answer beside its question."""
    out = []
    records = []
    if agreement.risk_assessment is not None:
        ra = agreement.risk_assessment
        records.append((ra.checklist, ra.answers, t(OUTCOME[ra.outcome]), ra.by, ra.date, ra.rationale,
                        [text(c) for c in ra.conditions]))
    if agreement.dpia is not None and agreement.dpia.screening is not None:
        sc = agreement.dpia.screening
        outcome = t("DPIA required") if agreement.dpia.required else t("DPIA not required")
        records.append((sc.checklist, sc.answers, outcome, sc.by, sc.date, sc.rationale, []))
    for name, answers, outcome, by, day, rationale, conditions in records:
        title, rows = _checklist_answers(name, answers, text, t, root)
        out.append({
            "title": title, "outcome": outcome, "by": by,
            "date": long_date(day, lang), "rationale": text(rationale), "conditions": conditions, "rows": rows,
        })
    return out


def _triggers(screening, text: Texts, root) -> list[str]:
    """The DPIA screening's items answered yes, by their questions (the item id if the checklist is gone)."""
    if screening is None or not screening.triggers:
        return []
    try:
        checklist = load_checklist(screening.checklist, root)
    except IsaError:
        checklist = None
    known = {item.id: item for item in checklist.items} if checklist else {}
    return [text(known[i].question) if i in known else i.replace("_", " ").capitalize() for i in screening.triggers]


def _checklist_answers(name: str, answers: dict, text: Texts, t, root) -> tuple[str, list[dict]]:
    """The checklist's title and each recorded answer beside its question (the item id if the checklist is gone)."""
    try:
        checklist = load_checklist(name, root)
    except IsaError:
        checklist = None
    rows = []
    for item_id, value in answers.items():
        question = item_id.replace("_", " ").capitalize()
        if checklist is not None and any(i.id == item_id for i in checklist.items):
            question = text(checklist.item(item_id).question)
        rows.append({"question": question, "answer": _answer(value, t)})
    return (text(checklist.title) if checklist else name), rows


def _signoff_stages(agreement, chain, settings, text, lang) -> list[dict]:
    stages = []
    for stage in progress(chain, agreement, settings).stages:
        rows = []
        for slot in stage.slots:
            s = slot.current
            role = text.t(ROLE_NAMES[slot.slot.role]) if slot.slot.role in ROLE_NAMES else slot.slot.role.replace("_", " ")
            rows.append({
                "role": f"{role} ({slot.slot.organisation})" if slot.slot.organisation else role,
                "expected": slot.slot.expected.name if slot.slot.expected else "",
                "name": (f"{s.name} ({text.t('on behalf of')} {s.on_behalf_of})" if s and s.on_behalf_of
                         else s.name if s else ""),
                "decision": s.decision if s else "",
                "decision_label": text.t_label(s.decision if s else "pending"),
                "date": long_date(s.date, lang) if s else "",
                "version": s.version if s else "",
                "comment": s.comment or "" if s else "",
            })
        stages.append({"number": stage.number, "title": text(stage.stage.title), "rows": rows})
    return stages


def _authentic(parts: list[dict], langs: list[str], settings) -> None:
    """In a document in several languages, each part says which text prevails (or that both are authentic)."""
    from babel import Locale

    prevailing = settings.prevailing_language if settings is not None else None
    for part in parts:
        t = part["t"]
        if len(langs) < 2:
            part["authentic"] = ""
        elif prevailing is None or prevailing not in langs:
            part["authentic"] = t("The texts of this document in each of its languages are equally authentic.")
        else:
            name = Locale.parse(prevailing).get_display_name(part["lang"]) or prevailing
            part["authentic"] = t("Where the texts in its languages differ, the text in {language} prevails.").format(
                language=name)


def document_context(agreement: Agreement, langs: list[str], **kwargs) -> dict[str, Any]:
    """The context for a document in one language or several (``en+fr``: English, then French)."""
    parts = [language_context(agreement, lang, **kwargs) for lang in langs]
    _authentic(parts, langs, kwargs.get("settings"))
    first = parts[0]
    return {
        "docs": parts,
        "doc": first,
        "id": agreement.id,
        "version": agreement.version,
        "fingerprint": agreement.fingerprint,
        "title": " / ".join(dict.fromkeys(p["title"] for p in parts)),
        "watermark": " / ".join(dict.fromkeys(p["watermark"] for p in parts if p["watermark"])),
        "signable": first["signable"],
        "lang": langs[0],
        "langs": langs,
        "signature_pages": [{"doc": part, "party": party} for part in parts for party in part["signatories"]],
        "signatures": signatures(parts, agreement),
        "completion": None,  # a sealed copy's completion certificate (isa seal)
    }


def signature_field(number: int) -> str:
    """The name of the n-th signature block's field, and the id of the box it is placed on (isa send)."""
    return f"signature-{number}"


def label(parts: list[dict], message: str, **values) -> dict:
    """A label in each of a document's languages: its parts (language, text), the same text once, and the whole
    line (``Signature``, ``Nom / Name``)."""
    texts = {}
    for part in parts:
        texts.setdefault(part["t"](message).format(**values), part["lang"])
    items = [{"lang": lang, "text": text} for text, lang in texts.items()]
    return {"parts": items, "text": " / ".join(i["text"] for i in items)}


def signatures(parts: list[dict], agreement: Agreement) -> dict:
    """The signature blocks, once for every language of the document: each block bilingual in a bilingual one."""
    first = parts[0]
    return {
        "lang": first["lang"],
        "signable": first["signable"],
        "heading": label(parts, "Signatures"),
        "page_heading": label(parts, "Signature page"),
        "return_to": [{"lang": part["lang"], "text": part["t"](
            "Return the signed page to the information sharing officer, who records it against this version.")}
            for part in parts],
        "intro": [{"lang": part["lang"], "text": part["t"](
            "By signing, each party agrees to version {version} of this document, identified by its fingerprint "
            "{fingerprint}, in every language it is written in.").format(version=agreement.version,
                                                                       fingerprint=agreement.fingerprint)}
            for part in parts],
        "not_for_signature": [{"lang": part["lang"], "text": part["t"](
            "Not for signature: this copy is not the version sent to the parties for signature.")} for part in parts],
        "title": parts[0]["title"] if len(parts) == 1 else agreement.id,  # a running header on one line
        "id": agreement.id, "version": agreement.version, "fingerprint": agreement.fingerprint,
        "marking": first["marking"],
        "labels": {"name": label(parts, "Name and title"), "signature": label(parts, "Signature"),
                   "version": label(parts, "Version"), "fingerprint": label(parts, "Fingerprint"),
                   "page": label(parts, "Page"),
                   "date": label(parts, "Date"),
                   "delegate": label(parts, "If signed by a delegate: name and title")},
        "blocks": [{"organisation": party["organisation"], "name": party["signatory"]["name"],
                    "title": party["signatory"]["title"], "field": signature_field(n),
                    "on_behalf": label(parts, "Signed on behalf of {organisation}", organisation=party["organisation"])}
                   for n, party in enumerate(first["signatories"], 1)],
    }


# -- one-off disclosures ---------------------------------------------------------------------

DECISION = {"disclose": "Disclosed", "refuse": "Refused"}
SIGNOFF_DECISION = {"approve": "Approved", "reject": "Rejected", "pending": "Pending"}
OUTSTANDING_ITEMS = {"criteria": "Criteria worked through", "rationale": "Rationale"}


def disclosure_date(disclosure: Disclosure) -> dt.date:
    """The date a disclosure's documents carry: when its record was made or completed (never the clock)."""
    return disclosure.completed or disclosure.recorded


def disclosure_language_context(disclosure: Disclosure, lang: str, *, classification: Classification | None,
                                settings=None, templates=None, fallback: bool = False,
                                checklists_root=None, doc: str | None = "disclosure") -> dict[str, Any]:
    """Everything one language's part of a disclosure record and its security statement needs."""
    t, text = _language_tools(disclosure, lang, templates, fallback, doc, classification, None, checklists_root)
    requester = disclosure.requester
    level = disclosure.sensitivity
    definition = classification.definition(level) if classification is not None and level is not None else None
    criteria = None
    if disclosure.criteria is not None:
        c = disclosure.criteria
        title, rows = _checklist_answers(c.checklist, c.answers, text, t, checklists_root)
        criteria = {"title": title, "outcome": t(OUTCOME[c.outcome]), "by": c.by, "date": long_date(c.date, lang),
                    "conditions": [text(x) for x in c.conditions], "rows": rows}
    due = None
    if disclosure.outstanding:
        days = settings.deadlines.urgent_rationale_days if settings is not None else 3
        due = disclosure.date + dt.timedelta(days=days)
    approval = disclosure.approval
    return {
        "marking": (settings.protective_marking or "") if settings is not None else "",
        "lang": lang,
        "t": t,
        "colon": t(":"),
        "id": disclosure.id,
        "title": t("One-off disclosure record"),
        "statement_title": t("Security statement for the recipient"),
        "date": long_date(disclosure.date, lang),
        "urgent": disclosure.urgent,
        "completed": long_date(disclosure.completed, lang),
        "outstanding": disclosure.outstanding,
        "outstanding_items": [t(OUTSTANDING_ITEMS[name]) for name in disclosure.outstanding_items]
        if disclosure.outstanding else [],
        "due": long_date(due, lang),
        "discloser": settings.organisation if settings is not None else "",
        # Who at the disclosing controller the recipient contacts (the information sharing officer, else the head
        # of information management): named on the security statement with their e-mail and phone.
        "discloser_contact": _discloser_contact(settings),
        "requester": {
            "organisation": requester.organisation, "name": requester.name, "title": requester.title or "",
            "email": requester.email or "", "phone": requester.phone or "",
            "contact": " · ".join(x for x in (requester.email, requester.phone) if x),
        },
        "identity_check": disclosure.identity_check or "",
        "subject": disclosure.subject or "",
        "data": text(disclosure.data),
        "purpose": text(disclosure.purpose),
        "legal_gateway": disclosure.legal_gateway or "",
        "approval": {"name": approval.name, "rank": approval.rank, "date": long_date(approval.date, lang)}
        if approval else None,
        "decision": t(DECISION[disclosure.decision]),
        "disclosed": disclosure.decision == "disclose",
        "sensitivity": {
            "level": t(LEVEL[level.value]),
            "name": text(definition.classification) if definition else "",
            "dissemination": [text(m) for m in definition.dissemination] if definition else [],
        } if level else None,
        "transfer_method": disclosure.transfer_method or "",
        "retention": text(disclosure.retention),
        "security": text(disclosure.security),
        "criteria": criteria,
        "rationale": text(disclosure.rationale),
        "agreements_considered": list(disclosure.agreements_considered),
        "recorded_by": disclosure.recorded_by,
        "recorded": long_date(disclosure.recorded, lang),
        "fingerprint": disclosure.fingerprint,
        "untranslated": [field_words(path, t) for path in text.missing],
    }


def _discloser_contact(settings) -> dict | None:
    if settings is None:
        return None
    for role in ("information_sharing_officer", "head_of_information_management"):
        contact = settings.contacts.get(role)
        if contact is not None:
            return {"name": contact.name, "title": contact.title or "",
                    "reach": " · ".join(x for x in (contact.email, contact.phone) if x)}
    return None


def disclosure_context(disclosure: Disclosure, langs: list[str], **kwargs) -> dict[str, Any]:
    """The context of a disclosure's document in one language or several (``en+fr``: English, then French)."""
    parts = [disclosure_language_context(disclosure, lang, **kwargs) for lang in langs]
    return {
        "docs": parts,
        "watermark": "",  # a disclosure record is not signed by the parties
        "signable": True,
        "doc": parts[0],
        "id": disclosure.id,
        "fingerprint": disclosure.fingerprint,
        "title": " / ".join(dict.fromkeys(p["title"] for p in parts)),
        "lang": langs[0],
        "langs": langs,
    }
