"""What every command shares: finding and loading the register, who is acting, dates, JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click

from ..errors import IsaError


def register_root(ctx: click.Context) -> Path:
    """The register the command works on: ``-R``, ``$ISA_REGISTER`` or the nearest one upwards."""
    from ..register.load import find_register

    return find_register(ctx.obj.get("register"))


def load(ctx: click.Context):
    """The register the command works on, loaded and checked."""
    from ..register.load import load_register

    return load_register(register_root(ctx))


def actor(by: str | None) -> str:
    """Who is acting, for the commit message and the record: ``--by``, ``$ISA_USER`` or the login name."""
    if by:
        return by
    import getpass

    if os.environ.get("ISA_USER"):
        return os.environ["ISA_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. in a container): say who with --by
        raise IsaError("cannot tell who you are: give --by NAME or set ISA_USER") from None


def check_statuses(statuses, known: set[str], section: str) -> None:
    for status in statuses:
        if status not in known:
            raise click.BadParameter(f"{status!r} is not a status of {article(section)} {section}; use one of "
                                     f"{', '.join(sorted(known))}", param_hint="--status")


def article(noun: str) -> str:
    """The article before ``noun``: an agreement, a request."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def note_unreadable(register) -> None:
    unreadable = register.unreadable
    if unreadable:
        click.echo(
            f"note: {len(unreadable)} file(s) could not be loaded and are left out; `isa validate` says why",
            err=True,
        )


def parse_date(ctx, param, value: str | None) -> dt.date | None:
    """A ``--date``-style option's value as a date (a click callback)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def register_settings(register):
    """The register's settings, which a command that writes needs readable."""
    if register.settings is None:
        raise IsaError("register.yaml has errors, so nothing can be written; run `isa validate` and fix them first")
    return register.settings
