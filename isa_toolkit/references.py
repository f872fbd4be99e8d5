"""Checks across records: what disclosures and incidents say about the register's agreements.

They read only index entries (kept in the cache), so they cost nothing on a
large register; a file is read only to place a problem on its line.
"""

from __future__ import annotations

from . import yamlio
from .kinds import AGREEMENT, DISCLOSURE, INCIDENT, REQUEST
from .problem import Problem, Severity


def check_references(register) -> list[Problem]:
    """Agreements named by incidents and disclosures exist; breaches hold suspended what they say they do."""
    agreements = register.section(AGREEMENT).index
    problems: list[Problem] = []

    def located(section, record_id: str, loc: tuple, message: str, severity=Severity.ERROR) -> Problem:
        rel = section.paths[record_id]
        try:
            line = yamlio.locate((register.root / rel).read_text(encoding="utf-8"), loc)
        except (OSError, UnicodeDecodeError):
            line = 0
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
        return Problem(rel, line, field, message, severity, record_id)

    incidents = register.section(INCIDENT)
    for record_id, entry in incidents.index.items():
        for number, agreement_id in enumerate(entry.get("agreements", [])):
            if agreement_id not in agreements:
                problems.append(located(incidents, record_id, ("agreements", number),
                                        f"no agreement {agreement_id!r} in the register; check the id (`isa list`)"))
        if entry["status"] != "open":
            continue
        for number, agreement_id in enumerate(entry.get("suspended", [])):
            status = agreements.get(agreement_id, {}).get("status")
            if status is not None and status != "suspended":
                problems.append(located(
                    incidents, record_id, ("suspended", number),
                    f"this open breach holds {agreement_id} suspended, but its status is {status}; resolve the breach "
                    f"(isa incident resolve {record_id}) or suspend the agreement again",
                    Severity.WARNING))

    disclosures = register.section(DISCLOSURE)
    for record_id, entry in disclosures.index.items():
        for number, agreement_id in enumerate(entry.get("agreements", [])):
            if agreement_id not in agreements:
                problems.append(located(disclosures, record_id, ("agreements_considered", number),
                                        f"no agreement {agreement_id!r} in the register", Severity.WARNING))

    for kind in (DISCLOSURE, REQUEST):
        section = register.section(kind)
        if not section.index:
            continue
        for record in section.records.values():
            if record.criteria is None:
                continue
            for loc, message, severity in _criteria_problems(register.root, record):
                problems.append(located(section, record.id, loc, message, severity))
    return problems


def _criteria_problems(root, record):
    """The stored criteria still add up: each answer fits its item, and the outcome is what they give."""
    from .checklist import NA, evaluate, load_checklist
    from .errors import IsaError

    criteria = record.criteria
    try:
        checklist = load_checklist(criteria.checklist, root)
    except IsaError as exc:
        yield ("criteria", "checklist"), f"{exc}", Severity.ERROR
        return
    known = {item.id: item for item in checklist.items}
    for key, value in criteria.answers.items():
        item = known.get(key)
        if item is None:
            yield ("criteria", "answers", key), f"no such item in the {checklist.id} checklist", Severity.ERROR
        elif item.type == "yes_no" and not (value is True or value is False or (value == NA and item.not_applicable)):
            yield ("criteria", "answers", key), f"{value!r} is not an answer to this item (yes, no" \
                f"{' or n/a' if item.not_applicable else ''})", Severity.ERROR
    result = evaluate(checklist, criteria.answers)
    if result.outcome != criteria.outcome:
        yield ("criteria", "outcome"), (f"the answers give {result.outcome}, not {criteria.outcome}; "
                                        "record the criteria again rather than editing the outcome"), Severity.ERROR
    elif getattr(record, "urgent", False) and result.outcome == "do_not_proceed":
        yield ("criteria", "outcome"), (f"made urgently although the criteria, completed afterwards, are not met "
                                        f"({', '.join(result.reasons)}): review it with your data protection officer"), \
            Severity.WARNING
