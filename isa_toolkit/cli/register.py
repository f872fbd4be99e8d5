"""Commands on the register as a whole: init, validate, doctor, list, show, log, export."""

from __future__ import annotations

from pathlib import Path

import click

from .common import (
    actor,
    check_statuses,
    complete_id,
    complete_status,
    echo_json,
    load,
    note_unreadable,
    register_root,
)


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill the register with the example records.")
@click.option("--organisation", metavar="NAME", help="The organisation that keeps the register.")
@click.option("--by", metavar="NAME", help="Who creates it (recorded in the commit; default: $ISA_USER, else git's user.name).")
@click.option("--remote", metavar="URL", help="The team's remote repository to sync with (becomes `origin`).")
def init(path: Path, example: bool, organisation: str | None, by: str | None, remote: str | None) -> None:
    """Create a new register at PATH: settings, classification and a git repository.

    \b
    Example:
      isa init ~/registers/northshire --organisation "Northshire Council"
    """
    from ..register.create import init_register

    root = init_register(path, example=example, organisation=organisation, by=actor(by), remote=remote)
    click.echo(f"Created register {root}")
    click.echo(f"Next: cd {root} && isa validate" + ("; `isa sync` sends it to the remote" if remote else ""))


@click.command()
@click.option("--strict", is_flag=True, help="Treat warnings (completeness, translations) as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def validate(ctx: click.Context, strict: bool, as_json: bool) -> None:
    """Check every record: errors, and warnings for what a sound agreement lacks.

    Each problem is printed as `path:line: CODE field: message` (the codes are
    listed in docs/register.md); a warning a record waives (`waivers:`) is
    printed as waived, with its reason, and never fails. Exit code 1 when
    there is an error (or, with --strict, a warning). A damaged git
    repository (git fsck) and a private key found anywhere in the register
    are errors.

    \b
    Example:
      isa validate --strict
    """
    from ..register.health import repository_problems, unsigned_signoffs
    from ..register.keyfiles import key_problems
    from ..register.problem import Severity

    register = load(ctx)
    # A damaged git repository, or a private key in the register, is an error whatever the records say.
    found = [*repository_problems(register.root), *key_problems(register.root), *register.problems]
    if register.settings is not None and register.settings.require_signed_commits:
        found += unsigned_signoffs(register.root)
    problems = [p.as_error() if strict else p for p in found]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    waived = [p for p in problems if p.severity is Severity.WAIVED]
    if as_json:
        echo_json("validate", {
            "register": str(register.root),
            "records": len(register.agreements),
            "counts": {name: len(section.records) for name, section in register.sections.items()},
            "errors": len(errors),
            "warnings": len(warnings),
            "waived": len(waived),
            "problems": [p.as_dict() for p in problems],
        })
    else:
        for problem in problems:
            click.echo(str(problem))
        others = [f"{len(section.records)} {name}(s)" for name, section in register.sections.items()
                  if name != "agreement" and len(section.records)]
        loaded = ", ".join([f"{len(register.agreements)} agreement(s)", *others])
        click.echo(f"{loaded} loaded: {len(errors)} error(s), {len(warnings)} warning(s)"
                   + (f", {len(waived)} waived" if waived else ""), err=bool(problems))
    if errors:
        ctx.exit(1)

@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """Check the register's git repository and files, and put back a change left half-done.

    The register: runs `git fsck` (every object reads back whole), puts back
    a write that was stopped part-way (a killed command, a full disk), and
    looks for a git merge left under way, stale git lock files, uncommitted
    changes to records, a missing remote and commits not pushed yet. The
    machine: git's version, and what documents need (Pango and a font for
    PDF, HarfBuzz's subsetter, LibreOffice if present). Each finding says what
    to do. Exit code 1 when there is an error. Records themselves are
    checked by `isa validate`.

    \b
    Example:
      isa doctor
    """
    from ..documents.environment import environment
    from ..register.health import diagnose
    from ..register.problem import Severity

    root = register_root(ctx)
    findings = [*diagnose(root), *environment()]
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if as_json:
        echo_json("doctor", {"register": str(root), "errors": len(errors),
                             "findings": [f.as_dict() for f in findings]})
    else:
        for finding in findings:
            click.echo(str(finding))
        warnings = [f for f in findings if f.severity is Severity.WARNING]
        click.echo(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    if errors:
        ctx.exit(1)


LIST_KINDS = ["agreement", "isa", "protocol", "disclosure", "request", "incident"]


@click.command(name="list")
@click.option("--status", "statuses", multiple=True, metavar="S", shell_complete=complete_status, help="Only this status (repeatable), e.g. active.")
@click.option("--kind", type=click.Choice(LIST_KINDS), default="agreement", show_default=True,
              help="Which records: agreements (isa and protocol together, or one of them), one-off disclosures, "
                   "third-party requests or incidents.")
@click.option("--partner", metavar="P", help="Only those with a party (or requester) whose organisation contains P.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], kind: str, partner: str | None, as_json: bool) -> None:
    """List agreements and protocols (status, version, next review), or disclosures, requests or incidents.

    Statuses: agreements have their lifecycle's (active, suspended...);
    disclosures are outstanding (urgent, rationale still due), disclosed or
    refused; requests open, granted or refused; incidents open or resolved.

    \b
    Examples:
      isa list --status active --partner constabulary
      isa list --kind disclosure --status outstanding
      isa list --kind incident --status open
    """
    from ..register.query import CASE_STATUSES, partner_suggestion, select
    from ..register.quick import quick_register
    from .tables import agreement_table, case_table

    section = kind if kind in CASE_STATUSES else "agreement"
    if statuses:
        if section in CASE_STATUSES:
            known = set(CASE_STATUSES[section])
        else:
            from ..model import Status

            known = {s.value for s in Status}
        check_statuses(statuses, known, section)
    # An unchanged register is listed from the cache alone; otherwise it is loaded (and the cache brought up to date).
    register = quick_register(register_root(ctx)) or load(ctx)
    chosen = select(register, statuses=statuses, kind=kind if kind in ("isa", "protocol") else None, partner=partner,
                    section=section)
    if partner and not chosen:
        guess = partner_suggestion(register, partner, section)
        if guess:
            click.echo(f"note: no partner matches {partner!r}; did you mean {guess!r}?", err=True)
    if as_json:
        echo_json("list", {"kind": section, "count": len(chosen), "records": {e["id"]: e for e in chosen}})
    elif section == "agreement":
        click.echo(agreement_table(chosen, register.languages[0]))
    else:
        click.echo(case_table(chosen, section, register.languages[0]))
    note_unreadable(register)


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@click.pass_context
def show(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show one record: an agreement's parties, purpose, data, legal basis, sign-offs and review;
    a disclosure's, request's or incident's details and where it stands.

    \b
    Examples:
      isa show ISA-2024-0001
      isa show INC-2026-0001
    """
    from ..register.kinds import AGREEMENT, KINDS, record_path
    from ..register.read import load_classification, load_record
    from .display import agreement_text, case_text

    root = register_root(ctx)
    kind = next((k for k in KINDS if record_path(root, record_id, k).is_file()), None)
    if kind is None:
        from ..errors import RecordNotFound, did_you_mean

        known = [p.stem for k in KINDS if (root / k.folder).is_dir() for p in (root / k.folder).glob("*.yaml")]
        raise RecordNotFound(f"no record {record_id!r} in {root}.{did_you_mean(record_id, known)} "
                             "`isa list` (agreements) and "
                             "`isa list --kind disclosure|request|incident` show the ids")
    record = load_record(root, kind, record_id)
    if as_json:
        fingerprint = {"fingerprint": record.content_fingerprint()} if kind is AGREEMENT else {}
        echo_json("record", {"kind": kind.name, "id": record.id, **fingerprint,
                             "record": record.model_dump(mode="json", exclude_none=True)})
    elif kind is AGREEMENT:
        click.echo(agreement_text(record, load_classification(root), record.languages[0]))
    else:
        click.echo(case_text(record, record.languages[0]))


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def log(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show the history of one record from git, newest first, with who made each change and whether the commit
    is signed (git's own check: good, bad, unsigned...).

    \b
    Example:
      isa log ISA-2024-0001
    """
    from ..register.query import history

    entries = history(register_root(ctx), record_id)
    if as_json:
        echo_json("log", {"id": record_id, "commits": [e.as_dict() for e in entries]})
        return
    for entry in entries:
        click.echo(f"{entry.date[:10]}  {entry.commit[:10]}  {entry.subject}  ({entry.author}; {entry.signed})")


@click.command()
@click.option("--kind", type=click.Choice(["agreement", "disclosure", "request", "incident"]), default="agreement",
              show_default=True, help="Which records to export (CSV and JSON; a database holds every kind).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "sqlite"]), default="csv", show_default=True,
              help="Output format: a CSV or JSON file of one kind of record, or an SQLite database of the register.")
@click.option("--public", is_flag=True, help="Only agreements in force and only the public-register fields.")
@click.option("--lang", metavar="LANG", help="Language of the text columns (default: the register's first language; "
              "a database has a column per language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output (required for sqlite).")
@click.pass_context
def export(ctx: click.Context, kind: str, fmt: str, public: bool, lang: str | None, output: Path | None) -> None:
    """Export the register as CSV or JSON (CSV cells are safe to open in a spreadsheet), or as an SQLite database.

    The database (--format sqlite) holds every record: the tables agreements, disclosures, requests and incidents,
    texts with a column per language (title_en, title_fr ...), the agreements' signoffs, parties and data_items
    (each row with its agreement_id), and full-text search on titles and purposes. It replaces only an earlier
    export, never another file. With --public it holds the public register only: agreements in force, their
    parties (no officers) and data items. Browse it with Datasette (installed separately): datasette register.db

    \b
    Examples:
      isa export --public -o public-register.csv
      isa export --kind incident -o incidents.csv
      isa export --format sqlite -o ~/isa-output/register.db
      sqlite3 ~/isa-output/register.db "SELECT id, status FROM agreements WHERE review_due < '2026-12-31'"
    """
    from ..register import export as exporter

    if fmt == "sqlite":
        _export_database(ctx, public, lang, output)
        return
    register = load(ctx)
    lang = lang or register.languages[0]
    if lang not in register.languages:
        raise click.BadParameter(f"{lang!r} is not one of the register's languages ({', '.join(register.languages)})",
                                 param_hint="--lang")
    if kind != "agreement":
        if public:
            raise click.BadParameter("the public register lists agreements only; drop --public or --kind",
                                     param_hint="--public")
        records = register.section(kind).records.values()
        table = exporter.case_rows(records, lang)
        text = (exporter.to_csv(table, header=exporter.CASE_FIELDS[kind]) if fmt == "csv"
                else exporter.cases_json(records))
        count = len(table)
    else:
        table = exporter.rows(register.agreements.values(), public=public, lang=lang)
        if fmt == "csv":
            text = exporter.to_csv(table, public=public)
        else:
            text = exporter.to_json(register.agreements.values(), table, public=public)
        count = len(table) if public or fmt == "csv" else len(register.agreements)
    if output is None:
        click.echo(text, nl=False)
    else:
        # CSV gets a byte-order mark so spreadsheet programs read accents (é, ç) correctly.
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        click.echo(f"Wrote {count} record(s) to {output}", err=True)
    note_unreadable(register)


def _export_database(ctx: click.Context, public: bool, lang: str | None, output: Path | None) -> None:
    """``isa export --format sqlite``: the checks come first, so a refusal leaves everything as it was."""
    from ..errors import IsaError
    from ..register import export_sqlite
    from ..register.outputs import check_output_folder

    if output is None:
        raise click.UsageError("a database is a file, not text for the terminal: name it with -o FILE "
                               "(e.g. -o ~/isa-output/register.db)")
    if ctx.get_parameter_source("kind") is not click.core.ParameterSource.DEFAULT:
        raise click.BadParameter("the database holds every kind of record, each in its own table; drop --kind",
                                 param_hint="--kind")
    if lang is not None:
        raise click.BadParameter("the database holds every language, a column each (title_en, title_fr ...); "
                                 "drop --lang", param_hint="--lang")
    folder = output.parent
    # The database holds personal data (in full) and is made again from the records: never where git takes it in.
    check_output_folder(folder)
    if output.exists() and not export_sqlite.is_export(output):
        raise IsaError(f"{output} exists and is not an earlier export of a register; it was left as it is. "
                       "Choose another file name, or move that file away first")
    register = load(ctx)
    folder.mkdir(parents=True, exist_ok=True)
    counts = export_sqlite.write_database(output, register, public=public)
    kinds = ("agreements",) if public else ("agreements", "disclosures", "requests", "incidents")
    what = ", ".join(f"{counts[table]} {table}" for table in kinds)
    click.echo(f"Wrote {'the public register: ' if public else ''}{what} to {output}\n"
               f"Browse it with Datasette (installed separately): datasette {output}", err=True)
    note_unreadable(register)


COMMANDS = (init, validate, doctor, list_, show, log, export,)
