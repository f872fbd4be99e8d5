"""The ``isa`` command: a thin layer over the library.

Each command finds the register, calls one library function and prints the
result. Every :class:`~isa_toolkit.errors.IsaError` becomes ``Error: <reason>``
with exit code 1, in one place (:class:`IsaGroup`); usage mistakes exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InvalidRecord, IsaError
from .problem import Severity


class IsaGroup(click.Group):
    """Turns the toolkit's errors into a reason and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InvalidRecord as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(str(exc)) from None
        except IsaError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


def _register_root(ctx: click.Context) -> Path:
    from .store import find_register

    return find_register(ctx.obj.get("register"))


def _load(ctx: click.Context):
    from .store import load_register

    return load_register(_register_root(ctx))


def _author(by: str | None) -> str:
    if by:
        return by
    import getpass

    return os.environ.get("ISA_USER") or getpass.getuser()


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _note_unreadable(register) -> None:
    unreadable = {p.path for p in register.errors}
    if unreadable:
        click.echo(
            f"note: {len(unreadable)} file(s) could not be loaded and are left out; `isa validate` says why",
            err=True,
        )


@click.group(cls=IsaGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-R", "--register", "register", metavar="PATH", envvar="ISA_REGISTER",
    help="The register folder (default: $ISA_REGISTER, else the nearest folder upwards holding register.yaml).",
)
@click.version_option(__version__, prog_name="isa")
@click.pass_context
def main(ctx: click.Context, register: str | None) -> None:
    """Keep a register of information sharing agreements and protocols.

    The register is a git repository of YAML records; every change the
    toolkit makes is one commit. Start with `isa demo`, or `isa init PATH`.
    """
    ctx.ensure_object(dict)
    ctx.obj["register"] = register


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill the register with the example records.")
@click.option("--organisation", metavar="NAME", help="The organisation that keeps the register.")
@click.option("--by", metavar="NAME", help="Who creates it (recorded in the commit; default: $ISA_USER or your login).")
def init(path: Path, example: bool, organisation: str | None, by: str | None) -> None:
    """Create a new register at PATH: settings, classification and a git repository.

    \b
    Example:
      isa init ~/registers/northshire --organisation "Northshire Council"
    """
    from .register import init_register

    root = init_register(path, example=example, organisation=organisation, by=_author(by))
    click.echo(f"Created register {root}")
    click.echo(f"Next: cd {root} && isa validate")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings (completeness, translations) as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def validate(ctx: click.Context, strict: bool, as_json: bool) -> None:
    """Check every record: errors, and warnings for what a sound agreement lacks.

    Each problem is printed as `path:line: field: message`. Exit code 1 when
    there is an error (or, with --strict, a warning).

    \b
    Example:
      isa validate --strict
    """
    register = _load(ctx)
    problems = [p.as_error() if strict else p for p in register.problems]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if as_json:
        _echo_json({
            "register": str(register.root),
            "records": len(register.agreements),
            "errors": len(errors),
            "warnings": len(warnings),
            "problems": [p.as_dict() for p in problems],
        })
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(
            f"{len(register.agreements)} agreement(s) loaded: {len(errors)} error(s), {len(warnings)} warning(s)",
            err=bool(problems),
        )
    if errors:
        ctx.exit(1)


@main.command(name="list")
@click.option("--status", "statuses", multiple=True, metavar="S", help="Only this status (repeatable), e.g. active.")
@click.option("--kind", type=click.Choice(["isa", "protocol"]), help="Only agreements (isa) or protocols.")
@click.option("--partner", metavar="P", help="Only those with a party whose organisation contains P.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], kind: str | None, partner: str | None, as_json: bool) -> None:
    """List agreements and protocols, with status, version and next review date.

    \b
    Example:
      isa list --status active --partner constabulary
    """
    from .display import agreement_table
    from .model import Status
    from .register import select

    known = {s.value for s in Status}
    for status in statuses:
        if status not in known:
            raise click.BadParameter(f"{status!r} is not a status; use one of {', '.join(sorted(known))}", param_hint="--status")
    register = _load(ctx)
    chosen = select(register, statuses=statuses, kind=kind, partner=partner)
    if as_json:
        _echo_json(chosen)
    else:
        click.echo(agreement_table(chosen, register.languages[0]))
    _note_unreadable(register)


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@click.pass_context
def show(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show one agreement: parties, purpose, data, legal basis, sign-offs and review.

    \b
    Example:
      isa show ISA-2024-0001
    """
    from .display import agreement_text
    from .store import load_agreement

    agreement = load_agreement(_register_root(ctx), record_id)
    if as_json:
        _echo_json(agreement.model_dump(mode="json", exclude_none=True))
    else:
        click.echo(agreement_text(agreement))


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def log(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show the history of one record from git, newest first.

    \b
    Example:
      isa log ISA-2024-0001
    """
    from .register import history

    entries = history(_register_root(ctx), record_id)
    if as_json:
        _echo_json([e.as_dict() for e in entries])
        return
    for entry in entries:
        click.echo(f"{entry.date[:10]}  {entry.commit[:10]}  {entry.subject}  ({entry.author})")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True, help="Output format.")
@click.option("--public", is_flag=True, help="Only agreements in force and only the public-register fields.")
@click.option("--lang", metavar="LANG", help="Language of the text columns (default: the register's first language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, public: bool, lang: str | None, output: Path | None) -> None:
    """Export the register as CSV or JSON (CSV cells are safe to open in a spreadsheet).

    \b
    Example:
      isa export --public -o public-register.csv
    """
    from . import export as exporter

    register = _load(ctx)
    lang = lang or register.languages[0]
    table = exporter.rows(register.agreements.values(), public=public, lang=lang)
    if fmt == "csv":
        text = exporter.to_csv(table, public=public)
    else:
        text = exporter.to_json(register.agreements.values(), table, public=public)
    if output is None:
        click.echo(text, nl=False)
    else:
        # CSV gets a byte-order mark so spreadsheet programs read accents (é, ç) correctly.
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        click.echo(f"Wrote {len(table) if public or fmt == 'csv' else len(register.agreements)} record(s) to {output}", err=True)
    _note_unreadable(register)


def _parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


@main.command()
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", callback=_parse_date, metavar="DATE", help="Run as if today were DATE (YYYY-MM-DD).")
def demo(outdir: Path | None, as_of: dt.date | None) -> None:
    """Run the main job on a copy of the example register, in OUTDIR (default ./isa-demo).

    The example register that ships with the toolkit is never changed.
    """
    from .demo import run_demo

    run_demo(outdir or Path("isa-demo"), as_of=as_of or dt.date.today(), echo=click.echo)


def run() -> None:  # pragma: no cover - console-script entry point
    main(prog_name="isa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="isa"))
