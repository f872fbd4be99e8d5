"""An agreement's clauses, numbered, in the order every language and format prints them.

The order follows the UK ICO's data sharing code and the seed templates: parties, purpose, data, legal basis,
governance, individuals' rights, security, retention, breaches, term and review, change and termination,
signatures. The twelve clauses are always there with the same numbers, so that "clause 10" means the same in
every agreement: a clause the record says nothing about reads "Not set out in this version." (and ``isa
validate`` warns about the gap). Sub-clauses (3.1, 3.2 ...) are numbered in the order they appear, only when
the record has them. Numbers are part of the text (not a list style of the format), so the PDF and the DOCX
show the same numbers and a copy read back as text keeps them.

Each clause and sub-clause is plain data: ``number``, ``table`` (which table, if any, the template lays out
with it), ``heading``, ``paragraphs`` and ``bullets`` (a bulleted list). Both the HTML and the DOCX templates walk
this one list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import IsaError
from ..i18n import typeset
from ..model import Agreement
from ..register.definitions import load_checklist

THIRD_PARTY_CHECKLIST = "third_party_request"  # a protocol's annex B lists its questions

# The clauses of every agreement: (key, heading). Their numbers are their places here.
CLAUSES = (
    ("parties", "Parties"),
    ("purpose", "Purpose"),
    ("data", "Information to be shared"),
    ("legal_basis", "Legal basis"),
    ("governance", "Governance"),
    ("rights", "Individuals' rights"),
    ("security", "Security"),
    ("retention", "Retention and destruction"),
    ("breaches", "Breaches and incidents"),
    ("term", "Term and review"),
    ("termination", "Change, disputes and termination"),
    ("signatures", "Signatures"),
)
NUMBER = {key: str(n) for n, (key, _) in enumerate(CLAUSES, 1)}


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


class _Clause:
    """One clause being written: its own paragraphs, then its sub-clauses."""

    def __init__(self, key: str, heading: str):
        self.data: dict[str, Any] = {"number": NUMBER[key], "key": key, "table": "", "heading": heading,
                                     "paragraphs": [], "bullets": [], "subs": []}

    def say(self, *texts: str) -> None:
        for text in texts:
            if text:
                self.data["paragraphs"] += _paragraphs(text)

    def sub(self, heading: str, *texts: str, table: str = "", items: list[str] | None = None,
            after: tuple[str, ...] = ()) -> None:
        """A sub-clause, numbered after the ones before it: its paragraphs, its list, its table, then the
        paragraphs ``after``; left out when it has nothing to say."""
        paragraphs = [p for text in texts if text for p in _paragraphs(text)]
        if not paragraphs and not items and not table:
            return
        number = f"{self.data['number']}.{len(self.data['subs']) + 1}"
        self.data["subs"].append({"number": number, "table": table, "heading": heading, "paragraphs": paragraphs,
                                  "bullets": list(items or []),
                                  "after": [p for text in after if text for p in _paragraphs(text)]})


def agreement_clauses(agreement: Agreement, doc: dict[str, Any], t: Callable[[str], str], text,
                      *, related: dict[str, Any], checklists_root=None) -> tuple[list[dict], list[dict]]:
    """The twelve clauses and the annexes of ``agreement`` in one language.

    ``doc`` is the language's context so far (its tables: parties, data items, legal basis ...); ``text`` picks a
    record's text in the language; ``related`` maps the ids of the register's agreements to their titles.
    """
    colon = doc["colon"]
    c = {key: _Clause(key, t(heading)) for key, heading in CLAUSES}
    # Headings, as the catalog has them (the scan for messages reads these calls).
    _ = (t("Parties"), t("Purpose"), t("Information to be shared"), t("Legal basis"), t("Governance"),
         t("Individuals' rights"), t("Security"), t("Retention and destruction"), t("Breaches and incidents"),
         t("Term and review"), t("Change, disputes and termination"), t("Signatures"))

    # 1. Parties: the table, then who owns the agreement and where it applies, then the definitions.
    parties = c["parties"]
    parties.data["table"] = "parties"
    if doc["owner"]:
        owner = doc["owner"]
        parties.say(t("Information asset owner") + colon + " " + ", ".join(
            x for x in (owner["name"], owner["title"], owner["email"]) if x))
    if doc["areas"]:
        parties.say(t("Areas covered") + colon + " " + doc["areas"])
    contacts = []
    for party in doc["parties"]:
        people = [f"{t(label)} {who['name']}" + "".join(f", {x}" for x in (who["email"], who["phone"]) if x)
                  for label, who in (("designated officer", party["officer"]), ("data protection officer", party["dpo"]))
                  if who and (who["email"] or who["phone"])]
        if people:
            contacts.append(f"{party['organisation']}{colon} " + "; ".join(people))
    parties.sub(t("Contacts"), items=contacts)
    if agreement.definitions:
        parties.sub(t("Definitions"), *[f"{text(d.term)}{colon} {text(d.meaning)}" for d in agreement.definitions])

    # 2. Purpose, and what the sharing is for.
    purpose = c["purpose"]
    purpose.say(text(agreement.purpose))
    purpose.sub(t("Benefits"), text(agreement.benefits))
    purpose.sub(t("Scope"), text(agreement.scope))
    purpose.sub(t("Commitments"), items=doc["commitments"])
    if agreement.related:
        # Each by its id, with its title when the register holds it in this language (another record's text, which
        # this document's translation check does not ask for).
        titled = {rid: related[rid].get(doc["lang"]) for rid in agreement.related if related.get(rid) is not None}
        purpose.sub(t("Other agreements and protocols"), t("This document works together with:"),
                    items=[f"{rid}{colon} {titled[rid]}" if titled.get(rid) else rid for rid in agreement.related])

    # 3. The information: the items (a table), how sensitive it is, who may receive what.
    data = c["data"]
    data.data["table"] = "data" if doc["data_items"] else ""
    if not doc["data_items"] and not doc["sharing_matrix"]:
        data.say(t("The information shared is described in the sharing matrix of each agreement made under this "
                   "protocol.") if agreement.kind == "protocol" else "")
    if doc["classification"]:
        cls = doc["classification"]
        named = f"{cls['name']} ({cls['level']})" if cls["name"] and cls["name"] != cls["level"] else cls["level"]
        data.sub(t("Sensitivity and dissemination"),
                 t("Overall classification") + colon + f" {named}. "
                 + (t("This is the highest sensitivity of the data items. It may be shared only by:")
                    if cls["dissemination"] else t("This is the highest sensitivity of the data items.")),
                 items=cls["dissemination"], after=(doc["classification_source"],))
    if doc["sharing_matrix"]:
        data.sub(t("Who may receive which information"), table="matrix")
    if agreement.kind == "protocol" and doc["classification_table"]:
        data.sub(t("Data and information sensitivity classification"), table="classification_table",
                 after=(doc["classification_source"],))
    data.sub(t("Data quality"), text(agreement.data_quality))
    transfers = agreement.transfers
    if transfers is not None:
        protocol = agreement.kind == "protocol"
        if transfers.international:
            data.sub(t("International transfers"),
                     (t("Information shared under this protocol is transferred to:") if protocol else
                      t("Information shared under this agreement is transferred to:")) + " " + text(transfers.where),
                     t("Safeguard") + colon + " " + text(transfers.safeguard))
        else:
            data.sub(t("International transfers"),
                     t("No information shared under this protocol is transferred to another country or to an "
                       "international organisation.") if protocol else
                     t("No information shared under this agreement is transferred to another country or to an "
                       "international organisation."))

    # 4. The legal basis (a table), why the sharing is necessary, the duty of confidence, the DPIA.
    legal = c["legal_basis"]
    legal.data["table"] = "legal_basis" if doc["legal_basis"] else ""
    legal.sub(t("Necessity and proportionality"), text(agreement.necessity))
    legal.sub(t("Duty of confidentiality"), text(agreement.confidentiality))
    if doc["dpia"]:  # the result the parties agree on; the screening's answers are in the assessment record
        dpia = doc["dpia"]
        head = dpia["required"] + (f" ({dpia['reference']})" if dpia["reference"] else "") + "."
        legal.sub(t("Data protection impact assessment"), head + (" " + dpia["reason"] if dpia["reason"] else ""),
                  dpia["summary"])

    # 5. Governance: principles, training, onward disclosure, the assessment's conditions, audit, sanctions.
    gov = c["governance"]
    gov.sub(t("Principles"), *[f"{n}. {p}" for n, p in enumerate(doc["principles"], 1)])
    gov.sub(t("Training"), text(agreement.training))
    gov.sub(t("Onward disclosure"), text(agreement.onward_disclosure))
    if agreement.conditions:  # the risk assessment's conditions, agreed with everything else
        gov.sub(t("Conditions"), t("The parties share only on these conditions:"),
                *[f"{n}. {text(x)}" for n, x in enumerate(agreement.conditions, 1)])
    gov.sub(t("Audit and compliance monitoring"), text(agreement.audit))
    gov.sub(t("Sanctions"), text(agreement.sanctions))
    if agreement.endorsement is not None:
        gov.sub(t("Endorsement"), text(agreement.endorsement))

    # 6. Individuals' rights.
    rights = c["rights"]
    if agreement.rights is not None:
        r = agreement.rights
        rights.sub(t("Subject access"), text(r.subject_access))
        rights.sub(t("Timescales"), text(r.timescales))
        rights.sub(t("The right to object and other rights"), text(r.objection))
        rights.sub(t("Freedom of information requests"), text(r.foi))
        rights.sub(t("Privacy information"), text(r.privacy_information))
        rights.sub(t("Complaints"), text(r.complaints))

    # 7. Security.
    security = c["security"]
    security.say(text(agreement.security))
    security.say(t("The security schedule in annex A applies to every party."))

    # 8. Retention and destruction.
    retention = c["retention"]
    if agreement.retention is not None:
        retention.say(text(agreement.retention.period), text(agreement.retention.deletion))

    # 9. Breaches and incidents.
    breaches = c["breaches"]
    breaches.say(text(agreement.breach_handling))
    notice = agreement.breach_notification
    if notice is not None:
        breaches.sub(t("Telling the regulator and the other parties"),
                     (t("A personal data breach that must be reported is reported to the regulator by {who}, within "
                        "{hours} hours of becoming aware of it.").format(who=text(notice.regulator),
                                                                        hours=notice.within_hours)
                      if notice.regulator else
                      t("A personal data breach that must be reported is reported to the regulator by the controller "
                        "of the data affected, within {hours} hours of becoming aware of it.").format(
                          hours=notice.within_hours)),
                     t("A party that finds a breach affecting shared information tells the other parties at once") + colon
                     + " " + text(notice.route))
    breaches.sub(t("Incident management"), text(agreement.incident_management))

    # 10. Term and review: when it comes into force, until when, how often it is reviewed.
    term = c["term"]
    name = t("this protocol") if agreement.kind == "protocol" else t("this agreement")
    start = (t("{name} comes into force on {date}").format(name=name, date=doc["start_date"]) if doc["start_date"]
             else t("{name} comes into force on the date of the last signature").format(name=name))
    until = (t("and remains in force until {date}, unless ended earlier under clause {clause}.").format(
                 date=doc["end_date"], clause=NUMBER["termination"]) if doc["end_date"]
             else t("and remains in force until it is ended under clause {clause}.").format(clause=NUMBER["termination"]))
    term.say(_capital(start) + " " + until)
    review = t("It is reviewed every {months} months.").format(months=doc["review_interval"])
    if doc["review_due"]:
        review += " " + t("Next review") + colon + " " + doc["review_due"] + "."
    term.say(review)
    if doc["contact"]:
        term.say(t("Contact") + colon + " " + doc["contact"])

    # 11. Change, disputes and termination.
    termination = c["termination"]
    termination.say(text(agreement.termination))
    termination.sub(t("Dispute resolution"), text(agreement.dispute_resolution))

    # 12. Signatures: what a signature agrees to, and what the fingerprint covers.
    signatures = c["signatures"]
    if doc["signable"]:
        signatures.say(t("By signing, each party agrees to this version of the document, identified by its "
                         "fingerprint:") + " " + doc["fingerprint"])
    signatures.say(t("The fingerprint identifies what the parties agree in clauses 1 to 9 and 11 and in annex A. It "
                     "does not cover clause 10 (the term, how often the document is reviewed and when), which the "
                     "register keeps and moves at each review, nor the document control table, the status shown on "
                     "each page, the titles of other documents named in clause 2, or the register's classification "
                     "table and checklists quoted here, which are reviewed on their own cycle."))
    if doc["signable"]:
        signatures.say(t("The signature blocks follow the text of the document."))

    out = []
    for clause in c.values():
        data = clause.data
        if not (data["paragraphs"] or data["bullets"] or data["subs"] or data["table"]):
            data["paragraphs"] = [t("Not set out in this version.")]
        out.append(_typeset(data, doc["lang"]))
    return out, [_typeset(annex, doc["lang"]) for annex in _annexes(agreement, doc, t, text, checklists_root)]


def _typeset(value, lang: str):
    """Every text of a clause typeset for the language: what the builder joined (``Term : meaning``, ``a ; b``)
    as well as what it was given (typesetting twice changes nothing)."""
    if isinstance(value, str):
        return typeset(value, lang)
    if isinstance(value, list):
        return [_typeset(item, lang) for item in value]
    if isinstance(value, dict):
        return {key: item if key in ("number", "key", "table", "letter") else _typeset(item, lang)
                for key, item in value.items()}
    return value


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _annexes(agreement: Agreement, doc: dict[str, Any], t, text, root) -> list[dict]:
    """Annex A, the security schedule (every agreement); annex B, the criteria for a request from a third party
    (a protocol, from the register's ``third_party_request`` checklist)."""
    measures = [
        t("Shared information is held only on systems and in places that the party controls, that are protected "
          "against unauthorised access, and that only staff who need it for the purpose can reach."),
        t("It is moved only by the transfer methods named in clause 3, or by a method at least as secure agreed in "
          "writing by the designated officers."),
        t("Staff who handle it are trained in data protection and in this document before they receive it."),
        t("Each party keeps a record of what it sent and received, to whom and when, and can show it to the "
          "others on request."),
        t("Paper copies are kept locked away when not in use and destroyed by shredding or a secure service."),
        t("A loss, theft or wrong disclosure is handled under clause 9."),
    ]
    parts = [{"paragraphs": [t("Each party keeps to these measures for all information shared under this document, "
                               "in addition to clause 7.")], "bullets": measures}]
    cls = doc["classification"]
    if cls and cls["dissemination"]:
        parts.append({"paragraphs": [t("At its highest sensitivity ({level}) the information may be shared only "
                                       "by:").format(level=cls["name"] or cls["level"])],
                      "bullets": cls["dissemination"]})
    schedule = {"letter": "A", "heading": t("Security schedule"), "parts": parts}
    annexes = [schedule]
    if agreement.kind == "protocol":
        try:
            checklist = load_checklist(THIRD_PARTY_CHECKLIST, root)
        except IsaError:
            checklist = None
        if checklist is not None:
            annexes.append({
                "letter": "B", "heading": t("Criteria for a request from a third party"),
                "parts": [{"paragraphs": [t("A party asked by someone outside this protocol for information shared "
                                            "under it answers only after working through these questions, and "
                                            "records its answers:")],
                           "bullets": [text(item.question) for item in checklist.items]}],
            })
    return annexes
