"""Commands for annual reviews: what is due, the daily run, one agreement's review, the calendar."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .common import (
    OutputOption,
    actor,
    complete_id,
    echo_json,
    load,
    note_unreadable,
    parse_date,
    register_root,
)


@click.group()
def review() -> None:
    """Annual reviews: what is due, the daily reminder run, and reviewing one agreement.

    \b
    Example:
      isa review due --within 60
    """


@review.command(name="due")
@click.option("--within", default=60, show_default=True, type=click.IntRange(0, 3650), metavar="DAYS",
              help="Also list reviews due within DAYS.")
@click.option("--as-of", "as_of", callback=parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def review_due_(ctx: click.Context, within: int, as_of: dt.date | None, as_json: bool) -> None:
    """List the reviews due or overdue, most urgent first, with owner and designated officers.

    \b
    Example:
      isa review due --within 30 --as-of 2026-12-01
    """
    from ..review.daily import due_list

    register = load(ctx)
    items = due_list(register, as_of or dt.date.today(), within)
    note_unreadable(register)
    if as_json:
        day = as_of or dt.date.today()

        def titled(item) -> dict:
            entry = register.index.get(item.record_id)
            return {**item.as_dict(), "title": entry["title"] if entry else {register.languages[0]: item.title}}

        echo_json("review-due", {"as_of": day.isoformat(), "within_days": within,
                                 "due": {item.record_id: titled(item) for item in items}})
        return
    if not items:
        click.echo("Nothing is due for review.")
    for item in items:
        when = f"{-item.days_left} day(s) late" if item.days_left < 0 else f"in {item.days_left} day(s)"
        click.echo(f"{item.record_id}  due {item.due}  {when}  {item.title}")
        people = "; ".join(filter(None, [item.owner and f"owner: {item.owner}",
                                         item.officers and f"designated officers: {', '.join(item.officers)}"]))
        if people:
            click.echo(f"    {people}")


@review.command(name="run")
@click.option("--as-of", "as_of", callback=parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("-o", "--output", "--out", "out", cls=OutputOption, type=click.Path(file_okay=False, path_type=Path),
              default=Path("reminders"),
              show_default=True, help="Write each reminder here as an .eml file.")
@click.option("--send", is_flag=True, help="Send them through the SMTP server in register.yaml, and log what went.")
@click.option("--by", metavar="NAME", help="Who runs it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def review_run(ctx: click.Context, as_of: dt.date | None, out: Path, send: bool, by: str | None) -> None:
    """The daily job: remind the owner and designated officers of reviews coming up or overdue, and escalate.

    Each reminder is sent once: a second run the same day sends nothing new,
    and one that failed is sent on the next run. SMTP credentials come only
    from the environment variables register.yaml names.

    \b
    Example:
      isa review run --send
    """
    from ..register.outputs import check_output_folder
    from ..review.daily import prepare
    from ..review.daily import run as run_reminders

    check_output_folder(out)  # the reminders name officers and agreements: never where git would take them in
    register = load(ctx)
    day = as_of or dt.date.today()
    planned = prepare(register, as_of=day, send=send)
    with click.progressbar(length=len(planned.planned), label="Reminders", file=sys.stderr) as bar:
        result = run_reminders(register, as_of=day, out=out, send=send, by=actor(by), progress=bar.update,
                               result=planned)
    for path in result.written:
        click.echo(f"  {path}")
    for reminder, reason in result.failed:
        click.echo(f"  failed: {reminder.record_id} to {reminder.recipient.email}: {reason}", err=True)
    if send:
        click.echo(f"{day}: {result.due} review(s) due, {result.reminded} reminded, {result.escalated} escalated, "
                   f"{len(result.failed)} failed, {result.already_sent} already sent before")
    else:
        click.echo(f"{day}: {result.due} review(s) due; {len(result.planned)} reminder(s) would be sent "
                   f"({result.already_sent} already sent before); written to {out}. Add --send to send them")
    if result.owed:
        overdue = [item for item in result.owed if item.overdue(day)]
        click.echo(f"Owed on disclosures and incidents: {len(result.owed)}, {len(overdue)} overdue (isa deadlines):")
        for item in result.owed:
            days = item.days(day)
            click.echo(f"  {item.record_id}  {'OVERDUE by ' + str(days) + ' day(s)' if days > 0 else 'due ' + str(item.due)}: "
                       f"{item.what}")
    note_unreadable(register)
    if result.failed or (send and register.unreadable):
        ctx.exit(1)  # a scheduler must notice: something was not sent, or a record was left out


@review.command(name="start")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER, else git's user.name).")
@click.pass_context
def review_start(ctx: click.Context, record_id: str, when: dt.date | None, by: str | None) -> None:
    """Start the review of an agreement: it stays in force, under review.

    \b
    Example:
      isa review start ISA-2023-0002
    """
    from ..review.steps import start_review

    agreement, _ = start_review(register_root(ctx), record_id, by=actor(by), date=when or dt.date.today())
    click.echo(f"{record_id} is under review. Record each stakeholder's view: "
               f"isa review record {record_id} --stakeholder NAME --still-required yes|no [--changes TEXT]")


@review.command(name="record")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--stakeholder", required=True, metavar="NAME", help="Whose view (a person or an organisation).")
@click.option("--still-required", "required", required=True, type=click.Choice(["yes", "no"]),
              help="Is the agreement still needed?")
@click.option("--changes", metavar="TEXT", help="What has changed: data items, processes, designated officers.")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def review_record(ctx: click.Context, record_id: str, stakeholder: str, required: str, changes: str | None,
                  when: dt.date | None, by: str | None) -> None:
    """Record one stakeholder's view in the review.

    \b
    Example:
      isa review record ISA-2023-0002 --stakeholder "Northshire NHS Trust" --still-required yes --changes "new DPO"
    """
    from ..review.steps import record_finding

    record_finding(register_root(ctx), record_id, stakeholder=stakeholder, still_required=required == "yes",
                   changes=changes, by=actor(by), date=when or dt.date.today())
    click.echo(f"{record_id}: {stakeholder}'s view recorded")


@review.command(name="complete")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--outcome", required=True, type=click.Choice(["renew", "terminate"]), help="Renew or end it.")
@click.option("--reason", metavar="TEXT", help="Why it ends (needed with terminate).")
@click.option("--detail", metavar="TEXT", help="For renew without amendments: the document-control note.")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER, else git's user.name).")
@click.pass_context
def review_complete(ctx: click.Context, record_id: str, outcome: str, reason: str | None, detail: str | None,
                    when: dt.date | None, by: str | None) -> None:
    """End a review: renew the agreement through the sign-off chain, or terminate it.

    \b
    Examples:
      isa review complete ISA-2023-0002 --outcome renew
      isa review complete ISA-2023-0002 --outcome terminate --reason "The service has closed"
    """
    from ..review.steps import complete_review

    agreement, _ = complete_review(register_root(ctx), record_id, outcome=outcome, reason=reason, detail=detail,
                                   by=actor(by), date=when or dt.date.today())
    if agreement.status.value == "terminated":
        click.echo(f"{record_id} is terminated from {agreement.end_date}")
    else:
        click.echo(f"{record_id} version {agreement.version} now goes through the sign-off chain (isa status {record_id}); "
                   "the last signature makes it active again with its next review date")


@click.command(name="calendar")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (default: standard output).")
@click.pass_context
def calendar_(ctx: click.Context, output: Path | None) -> None:
    """One .ics calendar of every review date, to subscribe to (stable event ids: updates, never duplicates).

    \b
    Example:
      isa calendar -o reviews.ics
    """
    from ..review.daily import review_calendar

    # A fixed stamp: the same register gives the same file, so subscribers see changes, not churn.
    register = load(ctx)
    data = review_calendar(register, dt.date(2000, 1, 1))
    note_unreadable(register)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        from ..register.store import write_atomic

        write_atomic(output, data)
        click.echo(f"Wrote {output}")


COMMANDS = (review, calendar_,)
