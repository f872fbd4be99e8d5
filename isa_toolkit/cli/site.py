"""``isa site``: the register as static web pages, for the people who govern it."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from .common import OutputOption, load, note_unreadable, parse_date


@click.command(name="site")
@click.option("-o", "--output", "--out", "out", cls=OutputOption, type=click.Path(file_okay=False, path_type=Path),
              default=Path("site"), show_default=True, help="Write the site into this folder (made again each time).")
@click.option("--lang", type=click.Choice(["en", "fr", "both"]), default=None,
              help="The site's language; both: an en/ and a fr/ folder, each page linking to the other "
                   "(default: the register's first language).")
@click.option("--public", is_flag=True, help="Only agreements in force and only the public register's fields (as "
              "isa export --public): no officer's name or contact, no case records, no sign-offs.")
@click.option("--as-of", "as_of", callback=parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--with-documents", is_flag=True, help="Also make each agreement's document (DOCX, PDF) into the site "
              "and link it from the agreement's page.")
@click.pass_context
def site(ctx: click.Context, out: Path, lang: str | None, public: bool, as_of: dt.date | None,
         with_documents: bool) -> None:
    """Build the register site: static pages to open in a browser or publish privately on the forge.

    An overview (agreements by status, reviews due, sign-offs pending,
    deadlines, gaps), the whole register in sortable tables, and a page per
    record. Without --public it names officers and their contacts: publish it
    only behind access control (docs/site.md).

    \b
    Examples:
      isa site -o ~/isa-site --lang both
      isa site --public -o public
    """
    from ..site import build_site, site_languages

    register = load(ctx)
    first = register.languages[0] if register.languages[0] in ("en", "fr") else "en"
    started = time.monotonic()
    built = build_site(register, out, langs=site_languages(lang or first), public=public,
                       as_of=as_of or dt.date.today(), with_documents=with_documents)
    for problem in built.documents:
        click.echo(f"warning: document not made: {problem}", err=True)
    for note in built.notes:
        click.echo(f"warning: {note}", err=True)
    click.echo(f"{built.pages} page(s) in {time.monotonic() - started:.1f} s", err=True)
    click.echo(built.index)
    note_unreadable(register)


COMMANDS = (site,)
