"""Commands that write documents: render, and checking templates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import IsaError
from ..register.query import select
from .common import (
    article,
    check_statuses,
    complete_status,
    load,
    register_root,
)


@click.command()
@click.argument("record_id", metavar="ID", required=False)
@click.option("--doc", type=click.Choice(["agreement", "protocol", "signature-pages", "signoff-sheet", "assessment",
                                          "review-report", "disclosure"]),
              default=None,
              help="Which document (default: the record's own: the agreement, the protocol for a protocol, and for a "
                   "one-off disclosure its record and security statement).")
@click.option("--lang", default=None, metavar="LANG", help="en, fr or en+fr (both in one document); default: the register's first language.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True)
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("documents"),
              show_default=True, help="The folder to write to.")
@click.option("--fallback", is_flag=True, help="Render even where a translation is missing, marking the untranslated text.")
@click.option("--all", "batch", is_flag=True, help="Render every agreement (with --status, those in that status).")
@click.option("--status", "statuses", multiple=True, metavar="S", shell_complete=complete_status, help="With --all: only this status (repeatable).")
@click.pass_context
def render(ctx: click.Context, record_id: str | None, doc: str | None, lang: str | None, fmt: str, outdir: Path,
           fallback: bool, batch: bool, statuses: tuple[str, ...]) -> None:
    """Write an agreement's or a one-off disclosure's documents (DOCX to edit, PDF to sign) and print their fingerprints.

    The same record version and templates always give byte-identical files;
    every page carries the version and the fingerprint that sign-offs are
    bound to. A document in a language the record lacks text for is refused,
    listing the missing fields, unless --fallback marks them. A one-off
    disclosure (DIS-...) gets its record and, when data was disclosed, the
    security statement for the recipient.

    \b
    Examples:
      isa render ISA-2024-0001 --lang en+fr
      isa render ISP-2025-0001 --doc signoff-sheet --format pdf -o out/
      isa render DIS-2026-0001 --lang fr
      isa render --all --status active
    """
    from ..documents.render import render as render_document
    from ..documents.render import stale_translations

    if lang is not None and not lang.strip():
        raise click.BadParameter("give a language: en, fr or en+fr", param_hint="--lang")
    register = load(ctx)
    formats = ("docx", "pdf") if fmt == "all" else (fmt,)
    from ..register.outputs import check_output_folder

    check_output_folder(outdir)  # documents hold personal data: never where git would take them in
    if batch:
        if record_id:
            raise click.UsageError("give an ID or --all, not both")
        if doc == "disclosure":
            raise click.UsageError("--all renders agreements; render a one-off disclosure by its id: "
                                   "isa render DIS-... --doc disclosure")
        from ..documents.batch import render_all
        from ..model import Status

        check_statuses(statuses, {s.value for s in Status}, "agreement")
        ids = [e["id"] for e in select(register, statuses=statuses)] if statuses else sorted(register.index)
        stale: list[str] = []
        with click.progressbar(length=len(ids), label="Rendering", file=sys.stderr) as bar:
            failures = render_all(register.root, ids, doc=doc, lang=lang, formats=formats, outdir=outdir,
                                  fallback=fallback, progress=bar.update,
                                  warn=lambda record, field: stale.append(f"{record}: {field}"))
        for item in sorted(stale):
            click.echo(f"warning: {item} was translated from an older text; check the translation", err=True)
        for record, reason in failures:
            click.echo(f"{record}: {reason}", err=True)
        click.echo(f"Rendered {len(ids) - len(failures)} of {len(ids)} agreement(s) into {outdir}")
        if failures:
            ctx.exit(1)
        return
    if not record_id:
        raise click.UsageError("give the ID of an agreement, or --all")
    from ..documents.render import check_document, languages
    from ..errors import RecordNotFound
    from ..register.kinds import AGREEMENT, DISCLOSURE, INCIDENT, REQUEST, record_path
    from ..register.load import load_agreement, load_record

    # A broken record is named with its problems.
    if record_path(register.root, record_id, DISCLOSURE).is_file():
        record = load_record(register.root, DISCLOSURE, record_id)
    else:
        for kind in (REQUEST, INCIDENT):
            if record_path(register.root, record_id, kind).is_file():
                raise IsaError(f"{record_id} is {article(kind.title)} {kind.title}: documents are made for agreements and one-off "
                               f"disclosures; `isa show {record_id}` or `isa export --kind {kind.name}` print it")
        if not record_path(register.root, record_id, AGREEMENT).is_file():
            raise RecordNotFound(f"no agreement or one-off disclosure {record_id!r} in {register.root}; "
                                 "`isa list` and `isa list --kind disclosure` show the ids")
        record = load_agreement(register.root, record_id)
    lang = lang or register.languages[0]

    doc = check_document(record, doc)
    for field in stale_translations(record, languages(lang), register.languages[0], doc):
        click.echo(f"warning: {record_id}: {field} was translated from an older text; check the translation", err=True)
    for item in render_document(register, record, doc=doc, lang=lang, formats=formats, outdir=outdir, fallback=fallback):
        click.echo(f"{item.path}  sha256:{item.sha256}")
    version = f" version {record.version}" if hasattr(record, "version") else ""
    click.echo(f"Fingerprint of {record_id}{version}: {record.fingerprint}")


@click.group()
def templates() -> None:
    """Look after the document templates (a register's own, and the shipped ones).

    \b
    Example:
      isa templates check
    """


@templates.command(name="check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def templates_check(ctx: click.Context, path: Path | None) -> None:
    """Check templates: unreadable ones, DOCX tags split by Word, variables documents do not provide, untranslated
    or fuzzy catalog messages; each problem with its file and line (a DOCX's part and paragraph).

    PATH is a templates folder (with html/, docx/, locale/); without it, the
    register's own templates and the shipped ones are checked.

    \b
    Example:
      isa templates check
      isa templates check my-templates/
    """
    from ..documents.template_checks import check_templates

    try:
        root = register_root(ctx)
    except IsaError:
        root = None  # outside a register: check the shipped templates
    problems = check_templates(root, path)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problem(s) in the templates")
    if problems:
        ctx.exit(1)


COMMANDS = (render, templates,)
