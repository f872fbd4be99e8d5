"""Commands for the case records: sharing decisions, one-off disclosures, third-party requests, incidents, deadlines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import IsaError
from .common import (
    TEMPLATE_HELP,
    actor,
    complete_id,
    echo_json,
    load,
    note_unreadable,
    parse_date,
    print_template,
    register_root,
    register_settings,
)


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--what", required=True, metavar="TEXT", help="What was shared.")
@click.option("--to", "to", required=True, metavar="ORG", help="Who it was shared with.")
@click.option("--purpose", required=True, metavar="TEXT", help="What for.")
@click.option("--consent", required=True, type=click.Choice(["yes", "no", "not-applicable"]),
              help="Whether the person consented (not-applicable when sharing does not rely on consent).")
@click.option("--rationale", metavar="TEXT", help="Why sharing was right in this case (required with --consent no).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who decided (default: $ISA_USER, else git's user.name).")
@click.pass_context
def share(ctx: click.Context, record_id: str, what: str, to: str, purpose: str, consent: str, rationale: str | None,
          when: dt.date | None, by: str | None) -> None:
    """Record a decision to share under an agreement in force (its decision log).

    Refused for an agreement that is not in force (a draft, one awaiting
    signature, one suspended while a breach is investigated) or was not on
    --date, for a recipient who is not a party to it (that is a one-off
    disclosure), and for sharing without consent with no --rationale.

    \b
    Example:
      isa share ISA-2024-0001 --what "Referral summary" --to "Children's services" \\
          --purpose "Strategy discussion" --consent not-applicable
    """
    from ..cases.share import record_decision

    record_decision(register_root(ctx), record_id, what=what, to=to, purpose=purpose, consent=consent,
                    by=actor(by), date=when or dt.date.today(), rationale=rationale)
    click.echo(f"{record_id}: sharing decision recorded")


def _case_answers(ctx, register, name: str, answers_file: Path | None, lang: str | None, extra_keys: tuple):
    """Answers from a file, or asked at the terminal in the officer's language."""
    from ..cases import intake as case_intake
    from ..workflows.ask import ask_all
    from ..workflows.intake import answer_language
    from ..workflows.questionnaire import load_questionnaire

    questionnaire = load_questionnaire(name, register.root)
    if answers_file is not None:
        return case_intake.read_answers(register, questionnaire, answers_file, lang, extra_keys)
    lang = answer_language(register, lang)
    click.secho(str(questionnaire.title.get(lang) or questionnaire.title), bold=True)
    values = ask_all(questionnaire.questions, lang, templates=register.root / "templates")
    return case_intake.Answers(values, lang, {}, None, "your answers")


def _ask_criteria(answers, checklist_name: str, kind: str, data: dict, root: Path) -> None:
    """Ask the checklist at the terminal, putting the answers where an answers file would have them."""
    from ..register.definitions import load_checklist
    from ..workflows.ask import ask_checklist
    from ..workflows.checklist import case_facts

    checklist = load_checklist(checklist_name, root)
    click.secho(str(checklist.title.get(answers.lang) or checklist.title), bold=True)
    answers.raw["criteria"] = ask_checklist(checklist, case_facts(kind, data), answers.lang,
                                            templates=root / "templates")


def _show_criteria(criteria, checklist_name: str, lang: str, root: Path) -> None:
    from ..register.definitions import load_checklist
    from ..workflows.assess import OUTCOME_WORDS

    if criteria is None:
        return
    checklist = load_checklist(checklist_name, root)
    click.echo(f"  criteria: {OUTCOME_WORDS[criteria.outcome]}")
    for item_id in criteria.reasons:
        item = checklist.item(item_id)
        click.echo(f"    because: {item.question.get(lang) or item.question}")
    for condition in criteria.conditions:
        click.echo(f"    condition: {condition.get(lang) or condition}")


@click.group()
def disclose() -> None:
    """Record one-off disclosures of personal data made outside any agreement.

    See docs/disclosures.md: check for an agreement first, work through the
    criteria, record the decision and why; an urgent disclosure is recorded
    now and completed afterwards.

    \b
    Examples:
      isa disclose new --answers disclosure.yaml
      isa disclose new --urgent --answers urgent.yaml
      isa disclose complete DIS-2026-0002 --answers criteria.yaml
    """


@disclose.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file: question ids, then `criteria:` and `rationale:`.")
@click.option("--urgent", is_flag=True, help="Disclosed at once to preserve life: criteria and rationale may follow.")
@click.option("--continue", "go_on", is_flag=True,
              help="Record it even though an agreement covers the recipient and purpose (in force, or suspended).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who decided and records it (default: $ISA_USER, else git's user.name).")
@click.option("--template", is_flag=True, help=TEMPLATE_HELP)
@click.pass_context
def disclose_new(ctx: click.Context, answers_file: Path | None, urgent: bool, go_on: bool, lang: str | None,
                 by: str | None,
                template: bool = False) -> None:
    """Record a one-off disclosure decision (to disclose, or to refuse).

    The register is searched first for an agreement in force with the same
    recipient and a similar purpose: a request such an agreement covers is
    handled under it (`isa share`), so you are pointed to it and, with
    --answers, stopped unless you add --continue. One that would cover it but
    cannot be used on the disclosure's date (suspended, or not yet in force)
    is shown too, and also needs --continue.

    \b
    Examples:
      isa disclose new --answers disclosure.yaml
      isa disclose new --urgent --answers ambulance-warning.yaml
    """
    from ..cases import disclosures
    from ..cases.deadlines import owed
    from ..workflows.ask import confirm, ui

    if template:
        return print_template(ctx, lang, questionnaire="disclosure", checklist=disclosures.CHECKLIST, facts=("urgent",), rationale=True,
                              command="isa disclose new --answers FILE")

    register = load(ctx)
    who = actor(by)  # settled before any question is asked
    register_settings(register)
    words = register.root / "templates"  # whose catalog words the prompts, if it has one for the language
    answers = _case_answers(ctx, register, "disclosure", answers_file, lang, disclosures.EXTRA_KEYS)
    intake = disclosures.start(register, answers, urgent=urgent)
    if intake.covering and not intake.urgent:
        click.echo("An agreement in force already covers this recipient and a similar purpose:")
        for o in intake.covering:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}")
            click.echo(f"      partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
        click.echo("Share under it and record the decision there: isa share ID --what ... --to ... --purpose ...")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: the request looks covered by an agreement in force; record it under that "
                           "agreement, or run again with --continue to record a one-off disclosure")
        if answers_file is None and not confirm(ui(answers.lang, "Record a one-off disclosure anyway?", templates=words),
                                                answers.lang, default=False, templates=words):
            raise IsaError("stopped at your request; nothing was written")
    elif intake.blocked and not intake.urgent:
        click.echo("An agreement with this recipient for a similar purpose exists, but cannot be shared under on the "
                   "disclosure's date:")
        for o, why in intake.blocked:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}: {why}")
        click.echo("A one-off disclosure must not work around a suspension: say in the rationale why this one cannot "
                   "wait and is safe, and have it approved at the right level.")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: the agreement that would cover this cannot be used; if the disclosure must "
                           "still be made, run again with --continue (the agreement is kept on the record as considered)")
        if answers_file is None and not confirm(ui(answers.lang, "Record a one-off disclosure anyway?", templates=words),
                                                answers.lang, default=False, templates=words):
            raise IsaError("stopped at your request; nothing was written")
    if answers_file is None:
        if not intake.urgent or confirm(ui(answers.lang, "Record the criteria and rationale now?", templates=words),
                                        answers.lang, default=False, templates=words):
            _ask_criteria(answers, disclosures.CHECKLIST, "disclosure", {"urgent": intake.urgent}, register.root)
            answers.raw["rationale"] = click.prompt(ui(answers.lang, "Rationale", templates=words))
    record = disclosures.record(register, intake, by=who)
    click.echo(f"Recorded {record.id}: {record.decision} to {record.requester.organisation} on {record.date}"
               + (" (urgent)" if record.urgent else ""))
    _show_criteria(record.criteria, disclosures.CHECKLIST, answers.lang, register.root)
    if record.outstanding:
        register = load(ctx)
        due = next((o.due for o in owed(register) if o.record_id == record.id), None)
        click.echo(f"Outstanding: {' and '.join(record.outstanding_items)} due by {due}; "
                   f"record them with: isa disclose complete {record.id} --answers FILE")
    click.echo(f"Next: isa render {record.id} --doc disclosure (the record and the recipient's security statement)")


@disclose.command(name="complete")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML or JSON file with `criteria:` (item id: yes / no / n/a) and `rationale:`.")
@click.option("--rationale", metavar="TEXT", help="Why the disclosure was right (or what was weighed).")
@click.option("--approver", metavar="NAME", help="Who approved it, where policy asks for approval at a rank.")
@click.option("--approver-rank", "approver_rank", metavar="RANK", help="Their rank or role (with --approver).")
@click.option("--lang", metavar="LANG", help="The language of the rationale (default: the register's first).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When it is completed (default: today).")
@click.option("--by", metavar="NAME", help="Who completes it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def disclose_complete(ctx: click.Context, record_id: str, answers_file: Path | None, rationale: str | None,
                      approver: str | None, approver_rank: str | None, lang: str | None, when: dt.date | None,
                      by: str | None) -> None:
    """Complete an urgent disclosure: record its criteria and rationale afterwards.

    \b
    Example:
      isa disclose complete DIS-2026-0001 --answers criteria.yaml
    """
    from ..cases import disclosures
    from ..register.definitions import load_checklist
    from ..workflows.ask import ask_checklist, ui
    from ..workflows.intake import answer_language, rationale_from, read_answers

    register = load(ctx)
    raw, text, rel = ({}, None, "your answers")
    if answers_file is not None:
        raw, text, rel = read_answers(answers_file)
        unknown = sorted(set(raw) - {"criteria", "rationale", "language", "approver", "approver_rank"})
        if unknown:
            raise IsaError(f"{rel}: unknown key(s) {', '.join(unknown)}; the file holds `criteria:` and `rationale:` "
                           "(and `approver:` with `approver_rank:` when the approval is still to be recorded)")
    lang = answer_language(register, lang, raw)
    criteria = raw.get("criteria")
    if answers_file is None:
        from ..register.kinds import DISCLOSURE
        from ..register.load import load_record

        still = load_record(register.root, DISCLOSURE, record_id).outstanding_items  # ask only for what is missing
        if "criteria" in still:
            checklist = load_checklist(disclosures.CHECKLIST, register.root)
            click.secho(str(checklist.title.get(lang) or checklist.title), bold=True)
            criteria = ask_checklist(checklist, {"urgent": True}, lang, templates=register.root / "templates")
        if not rationale and "rationale" in still:
            rationale = click.prompt(ui(lang, "Rationale", templates=register.root / "templates"))
    given = rationale_from(rationale if rationale is not None else raw.get("rationale"), lang)
    approver = approver or raw.get("approver")
    approver_rank = approver_rank or raw.get("approver_rank")
    for key, value in (("approver", approver), ("approver_rank", approver_rank)):
        if value is not None and not isinstance(value, str):
            raise IsaError(f"{rel}: {key}: write it as text")
    record = disclosures.complete(register.root, record_id, criteria_answers=criteria, rationale=given, lang=lang,
                                 by=actor(by), date=when or dt.date.today(), rel=rel, text=text,
                                 approver=approver, approver_rank=approver_rank)
    click.echo(f"{record.id}: completed on {record.completed}; no longer outstanding")
    _show_criteria(record.criteria, disclosures.CHECKLIST, lang, register.root)


@click.group(name="request")
def request_() -> None:
    """Log requests for information from third parties, and grant or refuse them.

    See docs/disclosures.md: every request is logged with the criteria
    worked through; a grant records the safeguards it is answered under.

    \b
    Examples:
      isa request new --answers request.yaml
      isa request decide REQ-2026-0001 --refuse --reason "No purpose stated"
    """


@request_.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file: question ids, then `criteria:`.")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who logs it (default: $ISA_USER, else git's user.name).")
@click.option("--template", is_flag=True, help=TEMPLATE_HELP)
@click.pass_context
def request_new(ctx: click.Context, answers_file: Path | None, lang: str | None, by: str | None,
                template: bool = False) -> None:
    """Log a request and check it against the third-party request criteria.

    Criteria the request itself settles (in writing, format, purpose,
    destruction date) are answered from it.

    \b
    Example:
      isa request new --answers donor-request.yaml
    """
    from ..cases import requests

    if template:
        return print_template(ctx, lang, questionnaire="request", checklist=requests.CHECKLIST, rationale=False,
                              facts=("in_writing", "format_stated", "purpose_stated", "destruction_date_given"),
                              command="isa request new --answers FILE")

    register = load(ctx)
    who = actor(by)  # settled before any question is asked
    register_settings(register)
    answers = _case_answers(ctx, register, "request", answers_file, lang, requests.EXTRA_KEYS)
    if answers_file is None:
        _ask_criteria(answers, requests.CHECKLIST, "request", answers.values, register.root)
    record = requests.log_request(register, answers, by=who)
    click.echo(f"Logged {record.id}: request from {record.requester.organisation}, received {record.received}")
    _show_criteria(record.criteria, requests.CHECKLIST, answers.lang, register.root)
    click.echo(f"Next: isa request decide {record.id} --grant ... | --refuse --reason ...")


@request_.command(name="decide")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--grant", is_flag=True, help="Grant it (with --level, --channel, --anonymisation, --onward).")
@click.option("--refuse", is_flag=True, help="Refuse it (with --reason).")
@click.option("--reason", metavar="TEXT", help="Why (required to refuse).")
@click.option("--level", type=click.Choice(["low", "moderate", "high", "severe"]),
              help="The sensitivity level of what is released (classification.yaml).")
@click.option("--channel", metavar="N|TEXT",
              help="The transfer channel: its number or text among those the classification allows for the level.")
@click.option("--anonymisation", type=click.Choice(["none", "pseudonymised", "anonymised", "aggregated"]),
              help="What was done to the data before release.")
@click.option("--onward", metavar="TEXT", help="Limits on onward sharing and publication set in the answer.")
@click.option("--destruction-date", "destruction", callback=parse_date, metavar="DATE",
              help="With --grant: the date the requester gave for destroying what it receives, when the request lacked one.")
@click.option("--conditions-met", "conditions_met", is_flag=True,
              help="Confirm the criteria's conditions on the request itself (in writing, scope...) were put right.")
@click.option("--lang", metavar="LANG", help="The language of the texts you give (default: the register's first).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="The decision date (default: today).")
@click.option("--by", metavar="NAME", help="Who decides (default: $ISA_USER, else git's user.name).")
@click.pass_context
def request_decide(ctx: click.Context, record_id: str, grant: bool, refuse: bool, reason: str | None, level: str | None,
                   channel: str | None, anonymisation: str | None, onward: str | None, destruction: dt.date | None,
                   conditions_met: bool, lang: str | None, when: dt.date | None, by: str | None) -> None:
    """Grant a request under its safeguards, or refuse it.

    Without --channel, a grant lists the channels the classification allows
    for the level and stops.

    \b
    Examples:
      isa request decide REQ-2026-0001 --grant --level moderate --channel 1 \\
          --anonymisation aggregated --onward "Not to be published or passed on"
      isa request decide REQ-2026-0002 --refuse --reason "No purpose stated"
    """
    from ..cases import requests
    from ..model import Level
    from ..workflows.intake import answer_language

    if grant == refuse:
        raise click.UsageError("say --grant or --refuse")
    if refuse:
        given = [name for name, value in (("--level", level), ("--channel", channel), ("--anonymisation", anonymisation),
                                          ("--onward", onward), ("--destruction-date", destruction),
                                          ("--conditions-met", conditions_met)) if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} set(s) the safeguards of a grant; a refusal takes --reason only")
    register = load(ctx)
    lang = answer_language(register, lang)
    record = requests.decide(register.root, record_id, grant=grant, by=actor(by), date=when or dt.date.today(),
                                lang=lang, reason=reason, level=Level(level) if level else None, channel=channel,
                                anonymisation=anonymisation, onward=onward, conditions_met=conditions_met,
                                destruction_date=destruction)
    decision = record.decision
    click.echo(f"{record.id}: {record.state} on {decision.date}")
    if decision.safeguards:
        s = decision.safeguards
        click.echo(f"  send by: {s.channel.get(lang) or s.channel}; anonymisation: {s.anonymisation}")


@click.group()
def incident() -> None:
    """Record data incidents and breaches of agreements; a breach suspends sharing until resolved.

    See docs/incidents.md.

    \b
    Examples:
      isa incident new --answers breach.yaml
      isa incident meeting INC-2026-0001 --date 2026-11-27 --attendee "MARAC chair"
      isa incident resolve INC-2026-0001 --resolution "..." --agreed-by "Northshire Constabulary"
    """


@incident.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file (keys are question ids).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.option("--template", is_flag=True, help=TEMPLATE_HELP)
@click.pass_context
def incident_new(ctx: click.Context, answers_file: Path | None, lang: str | None, by: str | None,
                template: bool = False) -> None:
    """Record an incident or a breach; a breach suspends the affected agreements in force, in the same commit.

    \b
    Example:
      isa incident new --answers breach.yaml
    """
    from ..cases import incidents
    from ..cases.deadlines import owed

    if template:
        return print_template(ctx, lang, questionnaire="incident", command="isa incident new --answers FILE")

    register = load(ctx)
    who = actor(by)  # settled before any question is asked
    register_settings(register)
    answers = _case_answers(ctx, register, "incident", answers_file, lang, ())
    outcome = incidents.record(register, answers, by=who)
    record = outcome.incident
    click.echo(f"Recorded {record.id}: {'breach' if record.type == 'breach' else 'data incident'}, {record.severity}")
    for agreement_id in outcome.suspended:
        click.echo(f"  {agreement_id}: suspended; no sharing under it until {record.id} is resolved")
    for agreement_id, why in outcome.untouched.items():
        click.echo(f"  {agreement_id}: {why}")
    today = dt.date.today()
    for item in owed(load(ctx), today):
        if item.record_id == record.id:
            when = f"OVERDUE by {item.days(today)} day(s) (due {item.due})" if item.overdue(today) else f"due by {item.due}"
            click.echo(f"  {when}: {item.what}")


@incident.command(name="meeting")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--date", "when", callback=parse_date, required=True, metavar="DATE", help="When the meeting was held.")
@click.option("--attendee", "attendees", multiple=True, metavar="NAME", help="Who attended (repeatable).")
@click.option("--notes", metavar="TEXT", help="What was discussed.")
@click.option("--lang", metavar="LANG", help="The language of the notes (default: the register's first).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def incident_meeting(ctx: click.Context, record_id: str, when: dt.date, attendees: tuple[str, ...], notes: str | None,
                     lang: str | None, by: str | None) -> None:
    """Record the meeting of the parties held about a breach (this meets the meeting deadline).

    \b
    Example:
      isa incident meeting INC-2026-0001 --date 2026-11-27 --attendee "MARAC chair" --notes "Cause agreed"
    """
    from ..cases import incidents
    from ..workflows.intake import answer_language

    register = load(ctx)
    record = incidents.record_meeting(register.root, record_id, date=when, attendees=list(attendees), notes=notes,
                                      by=actor(by), lang=answer_language(register, lang))
    click.echo(f"{record.id}: meeting of {record.meeting.date} recorded")


@incident.command(name="notified")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--date", "when", callback=parse_date, required=True, metavar="DATE", help="When the regulator was told.")
@click.option("--reference", metavar="REF", help="The regulator's case reference.")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def incident_notified(ctx: click.Context, record_id: str, when: dt.date, reference: str | None, by: str | None) -> None:
    """Record that the incident was reported to the data protection regulator.

    \b
    Example:
      isa incident notified INC-2026-0001 --date 2026-11-22 --reference ICO-123456
    """
    from ..cases import incidents

    record = incidents.record_notice(register_root(ctx), record_id, date=when, reference=reference, by=actor(by))
    click.echo(f"{record.id}: reported to the regulator on {record.regulator.notified}")


@incident.command(name="resolve")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--resolution", required=True, metavar="TEXT", help="What the parties agreed.")
@click.option("--agreed-by", "agreed_by", multiple=True, metavar="NAME",
              help="A party or member who agreed the resolution (repeatable; at least one).")
@click.option("--lang", metavar="LANG", help="The language of the resolution (default: the register's first).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When it was agreed (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def incident_resolve(ctx: click.Context, record_id: str, resolution: str, agreed_by: tuple[str, ...], lang: str | None,
                     when: dt.date | None, by: str | None) -> None:
    """Record the agreed resolution; agreements this breach suspended return to their previous status.

    An agreement another open breach also holds stays suspended until that
    one is resolved too.

    \b
    Example:
      isa incident resolve INC-2026-0001 --resolution "Access withdrawn; staff retrained" \\
          --agreed-by "Northshire Constabulary" --agreed-by "Northshire County Council"
    """
    from ..cases import incidents
    from ..workflows.intake import answer_language

    register = load(ctx)
    outcome = incidents.resolve(register.root, record_id, agreed=resolution, agreed_by=list(agreed_by),
                                by=actor(by), date=when or dt.date.today(), lang=answer_language(register, lang))
    click.echo(f"{record_id}: resolved on {outcome.incident.resolution.date}")
    for agreement_id, status in outcome.restored.items():
        click.echo(f"  {agreement_id}: sharing restored ({status})")
    for agreement_id, others in outcome.held.items():
        click.echo(f"  {agreement_id}: stays suspended, held by {', '.join(others)}")
    for agreement_id, why in outcome.untouched.items():
        click.echo(f"  {agreement_id}: {why}")


@click.command()
@click.option("--as-of", "as_of", callback=parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def deadlines(ctx: click.Context, as_of: dt.date | None, as_json: bool) -> None:
    """List what is owed on disclosures and incidents, and by when (overdue first).

    Urgent disclosures still lacking their criteria and rationale, breach
    meetings not yet held, reports to the regulator not yet made; the limits
    are register.yaml's `deadlines:`.

    \b
    Example:
      isa deadlines --as-of 2026-12-01
    """
    from ..cases.deadlines import owed

    register = load(ctx)
    as_of = as_of or dt.date.today()
    items = owed(register, as_of)
    if register.settings is None:
        from ..model.settings import Deadlines

        limits = Deadlines()
        click.echo(f"warning: register.yaml has errors (isa validate), so the default deadlines are used: a breach "
                   f"meeting within {limits.breach_meeting_days} days, the regulator told within "
                   f"{limits.regulator_hours} hours, an urgent disclosure completed within "
                   f"{limits.urgent_rationale_days} days", err=True)
    if as_json:
        echo_json("deadlines", {"as_of": as_of.isoformat(), "deadlines": [item.as_dict(as_of) for item in items]})
        note_unreadable(register)
        return
    if not items:
        click.echo("Nothing owed on disclosures or incidents.")
    for item in items:
        days = item.days(as_of)
        when = f"OVERDUE by {days} day(s)" if days > 0 else f"due {item.due}"
        click.echo(f"{item.record_id}  {when}: {item.what}")
    note_unreadable(register)


COMMANDS = (share, disclose, request_, incident, deadlines,)
