"""Plain-text views of records for the terminal (the documents are rendered elsewhere)."""

from __future__ import annotations

from ..model import Agreement, Classification, Localized
from ..model.dates import review_due


def _texts(value: Localized | None, indent: str = "  ") -> list[str]:
    if value is None:
        return [f"{indent}-"]
    return [f"{indent}[{lang}] {text.strip()}" for lang, text in value.texts.items()]


def agreement_text(a: Agreement, classification: Classification | None = None, lang: str = "en") -> str:
    """A readable summary of one agreement; with the register's classification, how it may be shared."""
    lines = [f"{a.id}  {a.title}", f"  kind {a.kind}, version {a.version}, status {a.status.value}, "
             f"{a.sharing_type}, languages {', '.join(a.languages)}"]
    level = a.classification_level
    if level:
        if classification is not None:
            definition = classification.definition(level)
            name = definition.classification.get(lang) or str(definition.classification)
            lines.append(f"  classification: {level.value} ({name}), the highest level of its data items; share only by:")
            lines.extend(f"    - {m.get(lang) or m}" for m in definition.dissemination)
        else:
            lines.append(f"  classification: {level.value}, the highest level of its data items")
    due = review_due(a)
    if a.start_date or due:
        lines.append(f"  start {a.start_date or '-'}, end {a.end_date or '-'}, next review {due or '-'}")
    lines.append("Parties:")
    for p in a.parties:
        lines.append(f"  {p.organisation} ({p.role}, {p.controller})")
        if p.designated_officer:
            lines.append(f"    designated officer: {p.designated_officer.name}"
                         + (f", {p.designated_officer.email}" if p.designated_officer.email else ""))
        if p.signatory:
            lines.append(f"    signatory: {p.signatory.name}" + (f", {p.signatory.title}" if p.signatory.title else ""))
    lines.append("Purpose:")
    lines.extend(_texts(a.purpose))
    if a.legal_basis:
        lines.append("Legal basis:")
        lines.extend(f"  {b.reference} ({b.type.replace('_', ' ')})" for b in a.legal_basis)
    if a.data_items:
        lines.append("Data items:")
        for item in a.data_items:
            flags = [item.sensitivity.value]
            if item.personal:
                flags.append("personal")
            if item.special_category:
                flags.append("special category")
            if item.criminal_offence:
                flags.append("criminal offence")
            lines.append(f"  {item.name} ({', '.join(flags)})")
    if a.dpia is not None:
        required = {True: "required", False: "not required", None: "not screened"}[a.dpia.required]
        lines.append(f"DPIA: {required}" + (f", reference {a.dpia.reference}" if a.dpia.reference else ""))
        if a.dpia.screening is not None and a.dpia.screening.needs_renewal:
            lines.append(f"  screening to be made again: {a.dpia.screening.needs_renewal}")
    if a.risk_assessment is not None:
        ra = a.risk_assessment
        lines.append(f"Risk assessment: {ra.outcome.replace('_', ' ')} ({ra.by}, {ra.date})")
        if ra.needs_renewal:
            lines.append(f"  to be made again: {ra.needs_renewal}")
    if a.overlap is not None:
        lines.append(f"Drafted although {', '.join(a.overlap.agreements)} may already cover it: {a.overlap.reason} "
                     f"({a.overlap.by}, {a.overlap.date})")
    if a.signoffs:
        lines.append("Sign-offs:")
        for s in a.signoffs:
            org = f", {s.organisation}" if s.organisation else ""
            lines.append(f"  stage {s.stage} {s.role}: {s.name}{org}, {s.decision} on {s.date} (version {s.version})")
    if a.amendments:
        lines.append("Document control:")
        for m in a.amendments:
            lines.append(f"  {m.version}  {m.date}  {m.detail} ({m.author})")
    if a.history:
        lines.append("Lifecycle:")
        for c in a.history:
            lines.append(f"  {c.date}  {c.from_status.value} -> {c.to.value}" + (f": {c.reason}" if c.reason else "")
                         + f" ({c.by})")
    if a.decisions:
        consent = {"yes": "with consent", "no": "without consent", "not-applicable": "consent not applicable"}
        lines.append("Sharing decisions (isa share):")
        for d in a.decisions:
            lines.append(f"  {d.date}  {d.what} to {d.to}, for {d.purpose}; {consent[d.consent]} ({d.by})")
            if d.rationale:
                lines.append(f"      why: {d.rationale}")
    return "\n".join(lines)


def status_text(agreement: Agreement, progress, label: str) -> str:
    """Where an agreement stands in its sign-off chain (``isa status``)."""
    lines = [f"{agreement.id}  {agreement.title}",
             f"  status: {agreement.status.value} ({label}), version {agreement.version}, fingerprint {agreement.fingerprint}"]
    open_stage = progress.open_stage
    for stage in progress.stages:
        if stage.complete:
            state = "complete"
        elif open_stage is not None and stage.number == open_stage.number:
            state = "open"
        else:
            state = "not yet open"
        lines.append(f"Stage {stage.number}: {stage.stage.title} [{state}]")
        for slot in stage.slots:
            if slot.current is not None:
                s = slot.current
                verb = "approved" if s.decision == "approve" else "REJECTED"
                delegate = f" on behalf of {s.on_behalf_of} ({s.delegation})" if s.on_behalf_of else ""
                lines.append(f"  {slot.slot.label():<45} {verb} by {s.name}{delegate} on {s.date} (version {s.version})"
                             + (f": {s.comment}" if s.comment else ""))
            else:
                expected = f" - expected: {slot.slot.expected.name}" if slot.slot.expected else ""
                lines.append(f"  {slot.slot.label():<45} pending{expected}")
            for old in slot.stale:
                why = (f"for version {old.version}" if old.version != agreement.version else
                       f"for version {old.version} as it read before a change made without an amendment")
                lines.append(f"  {'':<45} stale: {old.decision} by {old.name} on {old.date} {why}")
    if progress.complete:
        lines.append("All sign-offs are in for this version.")
    elif open_stage is not None and agreement.status.value in ("assessed", "in_review", "approved", "authorised", "under_review"):
        chase = [s.slot.expected.name + f" ({s.slot.label()})" if s.slot.expected else s.slot.label() for s in open_stage.waiting]
        lines.append(f"Next: chase {', '.join(chase)}")
    return "\n".join(lines)


def status_data(agreement: Agreement, progress) -> dict:
    """``isa status --json``."""
    def signoff(s):
        return None if s is None else s.model_dump(mode="json", exclude_none=True)

    return {
        "id": agreement.id,
        "status": agreement.status.value,
        "version": agreement.version,
        "fingerprint": agreement.content_fingerprint(),
        "complete": progress.complete,
        "open_stage": progress.open_stage.number if progress.open_stage else None,
        "stages": [
            {
                "stage": stage.number,
                "id": stage.stage.id,
                "complete": stage.complete,
                "slots": [
                    {
                        "role": slot.slot.role,
                        "organisation": slot.slot.organisation,
                        "expected": slot.slot.expected.name if slot.slot.expected else None,
                        "signoff": signoff(slot.current),
                        "stale": [signoff(s) for s in slot.stale],
                    }
                    for slot in stage.slots
                ],
            }
            for stage in progress.stages
        ],
    }


def _requester(r) -> str:
    parts = [r.name, r.title, r.organisation]
    contact = ", ".join(x for x in (r.email, r.phone) if x)
    return ", ".join(p for p in parts if p) + (f" ({contact})" if contact else "")


def _criteria(lines: list[str], criteria, lang: str) -> None:
    if criteria is None:
        lines.append("Criteria: not recorded yet")
        return
    lines.append(f"Criteria ({criteria.checklist}, {criteria.by}, {criteria.date}): {criteria.outcome.replace('_', ' ')}")
    if criteria.reasons:
        lines.append(f"  decided by: {', '.join(criteria.reasons)}")
    lines.extend(f"  condition: {c.get(lang) or c}" for c in criteria.conditions)


def case_text(record, lang: str = "en") -> str:
    """A readable summary of a disclosure, request or incident."""
    lines: list[str] = []
    if record.kind == "disclosure":
        d = record
        lines += [f"{d.id}  one-off disclosure, {d.state}" + (" (urgent)" if d.urgent else ""),
                  f"  date {d.date}, decision {d.decision}, recorded by {d.recorded_by} on {d.recorded}"
                  + (f", completed {d.completed}" if d.completed else ""),
                  f"Requester: {_requester(d.requester)}"]
        if d.identity_check:
            lines.append(f"  identity checked: {d.identity_check}")
        if d.subject:
            lines.append(f"Subject: {d.subject}")
        lines += ["Data:", *_texts(d.data), "Purpose:", *_texts(d.purpose)]
        lines.append(f"Legal gateway: {d.legal_gateway or '-'}")
        if d.approval:
            lines.append(f"Approved by: {d.approval.name} ({d.approval.rank})")
        if d.sensitivity or d.transfer_method:
            lines.append(f"Sensitivity {d.sensitivity.value if d.sensitivity else '-'}; sent by {d.transfer_method or '-'}")
        if d.retention:
            lines += ["Retention asked of the recipient:", *_texts(d.retention)]
        if d.security:
            lines += ["Security conditions:", *_texts(d.security)]
        _criteria(lines, d.criteria, lang)
        lines += ["Rationale:", *_texts(d.rationale)] if d.rationale else ["Rationale: not recorded yet"]
        if d.agreements_considered:
            lines.append(f"Agreements in force considered: {', '.join(d.agreements_considered)}")
    elif record.kind == "request":
        r = record
        lines += [f"{r.id}  third-party request, {r.state}",
                  f"  received {r.received} ({'in writing' if r.in_writing else 'not in writing'}), "
                  f"logged by {r.recorded_by} on {r.recorded}",
                  f"Requester: {_requester(r.requester)}", "Data asked for:", *_texts(r.data_requested),
                  f"Format: {r.format or '-'}", "Purpose:", *_texts(r.purpose),
                  f"Destruction date: {r.destruction_date or '-'}"]
        _criteria(lines, r.criteria, lang)
        if r.decision:
            lines.append(f"Decision: {r.decision.decision} on {r.decision.date} by {r.decision.by}")
            if r.decision.reason:
                lines += _texts(r.decision.reason)
            s = r.decision.safeguards
            if s:
                lines += [f"  sensitivity {s.sensitivity.value}; channel: {s.channel.get(lang) or s.channel}; "
                          f"anonymisation: {s.anonymisation}", "  onward sharing:", *_texts(s.onward_sharing, "    ")]
    else:
        i = record
        lines += [f"{i.id}  {'breach' if i.type == 'breach' else 'data incident'}, {i.severity}, {i.state}",
                  f"  occurred {i.occurred or '-'}, reported {i.reported} by {i.reported_by} "
                  f"({'self-reported' if i.self_reported else 'identified by others'})",
                  "Summary:", *_texts(i.summary)]
        if i.organisations:
            lines.append(f"Organisations: {', '.join(i.organisations)}")
        if i.agreements:
            lines.append(f"Agreements affected: {', '.join(i.agreements)}"
                         + (f"; held suspended: {', '.join(i.suspended + i.held)}" if i.open and (i.suspended or i.held)
                            else ""))
        if i.data_involved:
            lines += ["Data involved:", *_texts(i.data_involved)]
        if i.people_affected is not None:
            lines.append(f"People affected: {i.people_affected}")
        if i.regulator:
            lines.append(f"Regulator: {'report required' if i.regulator.required else 'no report required'}"
                         + (f", reported {i.regulator.notified}" if i.regulator.notified else "")
                         + (f" ({i.regulator.reference})" if i.regulator.reference else ""))
        if i.meeting:
            lines.append(f"Meeting: {i.meeting.date}" + (f" with {', '.join(i.meeting.attendees)}" if i.meeting.attendees else ""))
        if i.resolution:
            lines += [f"Resolved {i.resolution.date} (agreed by {', '.join(i.resolution.agreed_by)}):",
                      *_texts(i.resolution.agreed)]
    return "\n".join(lines)
