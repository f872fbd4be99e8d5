"""Checks of the case records: across records, and each disclosure's or request's own criteria.

The checks across records (what disclosures and incidents say about the
register's agreements) read only index entries, kept in the cache, so they
cost nothing on a large register; a file is read only to place a problem on
its line. The criteria check runs on one record when its file is parsed, and
its result is cached beside the record like the agreement checks. Each
warning has its code (:mod:`.rules`), and a warning the record waives is shown
as waived.
"""

from __future__ import annotations

from ..model import Level
from ..model.checklist import NA, evaluate
from ..model.request import SAFEGUARD_ITEMS
from . import yamlio
from .checks import RELATED_RE, RULES
from .kinds import AGREEMENT, DISCLOSURE, INCIDENT, REQUEST
from .problem import Problem, Severity
from .rules import apply_waivers, waiver_findings


def check_references(register) -> list[Problem]:
    """Agreements named by incidents, disclosures and other agreements (``related``) exist; breaches hold suspended
    what they say they do."""
    agreements = register.section(AGREEMENT).index
    problems: list[Problem] = []

    def located(section, record_id: str, loc: tuple, message: str, code: str = "") -> Problem:
        """An error, or with ``code`` that warning (as waived when the record waives it)."""
        rel = section.paths[record_id]
        try:
            line = yamlio.locate((register.root / rel).read_text(encoding="utf-8"), loc)
        except (OSError, UnicodeDecodeError):
            line = 0
        problem = Problem(rel, line, _field(loc), message, Severity.WARNING if code else Severity.ERROR, record_id,
                          code)
        if not code:
            return problem
        try:  # a warning is rare: the record is built only then, for its waivers
            waivers = section.records[record_id].waivers
        except KeyError:  # changed on disk since it was loaded, and no longer valid
            waivers = []
        return apply_waivers([problem], waivers, RULES)[0]

    section = register.section(AGREEMENT)
    for record_id, entry in agreements.items():
        for number, other in enumerate(entry.get("related", [])):
            if other not in agreements and other != record_id and RELATED_RE.match(other):  # the rest: check_related
                problems.append(located(section, record_id, ("related", number),
                                        f"no agreement or protocol {other!r} in the register; check the id (`isa list`)",
                                        "REF-04"))

    incidents = register.section(INCIDENT)
    for record_id, entry in incidents.index.items():
        for number, agreement_id in enumerate(entry.get("agreements", [])):
            if agreement_id not in agreements:
                problems.append(located(incidents, record_id, ("agreements", number),
                                        f"no agreement {agreement_id!r} in the register; check the id (`isa list`)"))
        if entry["status"] != "open":
            continue
        held = [("suspended", n, i) for n, i in enumerate(entry.get("suspended", []))]
        held += [("held", n, i) for n, i in enumerate(entry.get("held", []))]
        for name, number, agreement_id in held:
            status = agreements.get(agreement_id, {}).get("status")
            if status is not None and status != "suspended":
                problems.append(located(
                    incidents, record_id, (name, number),
                    f"this open breach holds {agreement_id} suspended, but its status is {status}; resolve the breach "
                    f"(isa incident resolve {record_id}) or suspend the agreement again",
                    "CASE-01"))

    requests = register.section(REQUEST)
    classification = register.classification
    for record_id, entry in requests.index.items():
        granted = entry.get("granted")
        if not granted or classification is None:
            continue
        allowed = classification.definition(Level(granted["level"])).dissemination
        written = {text.strip().casefold() for text in granted["channel"].values()}
        if not any(written & {text.strip().casefold() for text in method.texts.values()} for method in allowed):
            listing = "; ".join(str(method) for method in allowed)
            problems.append(located(requests, record_id, ("decision", "safeguards", "channel"),
                                    f"not a channel classification.yaml allows for {granted['level']} information "
                                    f"({listing})"))

    disclosures = register.section(DISCLOSURE)
    for record_id, entry in disclosures.index.items():
        for number, agreement_id in enumerate(entry.get("agreements", [])):
            if agreement_id not in agreements:
                problems.append(located(disclosures, record_id, ("agreements_considered", number),
                                        f"no agreement {agreement_id!r} in the register", "REF-05"))

    return problems


def check_case_record(context, record, rel: str, text) -> list[Problem]:
    """The checks of one disclosure, request or incident, as problems in ``rel`` (run when the file is parsed,
    cached); a warning the record waives is shown as waived."""
    waivers = getattr(record, "waivers", [])
    findings = [(("waivers", index, "code"), message, Severity.ERROR, "")
                for index, message in waiver_findings(waivers, record.kind, RULES)]
    if getattr(record, "criteria", None) is None:
        if getattr(getattr(record, "decision", None), "decision", None) == "grant":
            findings.append((("decision",), "granted, but no criteria are recorded: a request is checked against "
                                            "them first", Severity.ERROR, ""))
    elif context.checklists is not None:
        findings += _criteria_problems(context.checklists, record)
    source = text() if findings else None
    problems = [Problem(rel, yamlio.locate(source, loc) if source else 0, _field(loc), message, severity, record.id,
                        code)
                for loc, message, severity, code in findings]
    return apply_waivers(problems, waivers, RULES)


def _field(loc: tuple) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")


def _criteria_problems(checklists: dict, record):
    """The stored criteria still add up: each answer fits its item, and the outcome is what they give."""
    criteria = record.criteria
    checklist = checklists.get(criteria.checklist)
    if checklist is None:
        yield ("criteria", "checklist"), (f"no checklist named {criteria.checklist!r} (workflows/checklists/), or "
                                          "it cannot be read"), Severity.ERROR, ""
        return
    known = {item.id: item for item in checklist.items}
    for key, value in criteria.answers.items():
        item = known.get(key)
        if item is None:
            yield ("criteria", "answers", key), f"no such item in the {checklist.id} checklist", Severity.ERROR, ""
        elif item.type == "yes_no" and not (value is True or value is False or (value == NA and item.not_applicable)):
            yield ("criteria", "answers", key), f"{value!r} is not an answer to this item (yes, no" \
                f"{' or n/a' if item.not_applicable else ''})", Severity.ERROR, ""
    result = evaluate(checklist, criteria.answers)
    yield from _grant_problems(record, result)
    if result.outcome != criteria.outcome:
        yield ("criteria", "outcome"), (f"the answers give {result.outcome}, not {criteria.outcome}; "
                                        "record the criteria again rather than editing the outcome"), Severity.ERROR, ""
    elif getattr(record, "urgent", False) and result.outcome == "do_not_proceed":
        yield ("criteria", "outcome"), (f"made urgently although the criteria, completed afterwards, are not met "
                                        f"({', '.join(result.reasons)}): review it with your data protection officer"), \
            Severity.WARNING, "CASE-02"


def _grant_problems(record, result):
    """A granted request keeps to its criteria, as ``isa request decide --grant`` requires (a hand edit may not)."""
    decision = getattr(record, "decision", None)
    if getattr(decision, "decision", None) != "grant" or decision.safeguards is None:
        return
    if result.outcome == "do_not_proceed":
        yield ("decision", "decision"), (f"granted, but the criteria say do not proceed (not met: "
                                         f"{', '.join(result.reasons)}); a request they rule out is refused"), \
            Severity.ERROR, ""
    if "anonymised_prepared" in result.reasons and decision.safeguards.anonymisation == "none":
        yield ("decision", "safeguards", "anonymisation"), ("the criteria ask for names and unique identifiers to be "
                                                            "removed before release, but none were"), \
            Severity.ERROR, ""
    unmet = [item for item in result.reasons if item not in SAFEGUARD_ITEMS and item not in decision.conditions_met]
    if unmet and result.outcome != "do_not_proceed":
        yield ("decision", "conditions_met"), (f"granted without confirming the criteria's conditions on the request "
                                               f"({', '.join(unmet)})"), Severity.ERROR, ""
