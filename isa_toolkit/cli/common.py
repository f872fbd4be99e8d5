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
    from ..register.locate import find_register

    return find_register(ctx.obj.get("register"))


def load(ctx: click.Context):
    """The register the command works on, loaded and checked (a long load, the first of a large register, says so
    after two seconds)."""
    from ..register.load import load_register
    from .terminal import working

    root = register_root(ctx)
    with working(f"Reading the register at {root}"):
        return load_register(root)


def actor(by: str | None) -> str:
    """Who is acting, for the commit message and the record: ``--by``, else ``$ISA_USER``, else git's ``user.name``.

    Never the login name: on a shared or container machine that is ``root`` or a service account, which says
    nothing to an auditor.
    """
    if by and by.strip():
        return by.strip()
    if os.environ.get("ISA_USER", "").strip():
        return os.environ["ISA_USER"].strip()
    from ..errors import RegisterNotFound
    from ..register.locate import find_register
    from ..register.vcs import user_name

    ctx = click.get_current_context(silent=True)
    try:
        folder = find_register(ctx.obj.get("register") if ctx and ctx.obj else None)
    except RegisterNotFound:
        folder = Path.cwd()
    name = user_name(folder)
    if name:
        return name
    raise IsaError("cannot tell who you are: give --by NAME, set ISA_USER, or set git's user.name "
                   "(git config --global user.name \"Your Name\")")


def check_statuses(statuses, known: set[str], section: str) -> None:
    for status in statuses:
        if status not in known:
            from ..errors import did_you_mean

            raise click.BadParameter(f"{status!r} is not a status of {article(section)} {section}."
                                     f"{did_you_mean(status, known)} Use one of {', '.join(sorted(known))}",
                                     param_hint="--status")


def article(noun: str) -> str:
    """The article before ``noun``: an agreement, a request."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


JSON_VERSION = 1  # raised when an output's shape changes in a way a script would notice (docs/json.md)


def echo_json(schema: str, data: dict) -> None:
    """A ``--json`` output: ``{"schema": "isa-<name>/<version>", ...}`` (every shape is in docs/json.md)."""
    import sys

    document = {"schema": f"isa-{schema}/{JSON_VERSION}", **data}
    if sys.stdout.isatty():  # a person reading: indented
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:  # a script or a file: one line, from the C encoder (ten times faster on a large register)
        click.echo(json.dumps(document, ensure_ascii=False, separators=(",", ":")))


def note_unreadable(register) -> None:
    unreadable = register.unreadable
    if unreadable:
        click.echo(
            f"note: {len(unreadable)} record(s) could not be read and are left out (`isa validate` says where and why)",
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


TEMPLATE_HELP = "Print a blank answers file to fill in (every question, with help and allowed values), and stop."


def print_template(ctx: click.Context, lang: str | None, *, questionnaire: str | None = None,
                   checklist: str | None = None, command: str, facts: tuple[str, ...] = (),
                   rationale: bool = False) -> None:
    """``--template``: a blank answers file for a questionnaire (and its checklist), or for a checklist alone."""
    from ..errors import RegisterNotFound
    from ..register.definitions import load_checklist
    from ..register.load import find_register, load_register
    from ..workflows.questionnaire import load_questionnaire
    from ..workflows.template import checklist_template, questionnaire_template

    try:
        root = find_register(ctx.obj.get("register"))
        languages = load_register(root, checks=False).languages
    except RegisterNotFound:
        root, languages = None, ["en"]
    if lang is not None and lang not in languages:
        raise IsaError(f"{lang!r} is not one of the register's languages ({', '.join(languages)}); choose with --lang")
    lang = lang or languages[0]
    listed = load_checklist(checklist, root) if checklist else None
    if questionnaire is None:
        click.echo(checklist_template(listed, lang, command=command, facts=facts), nl=False)
    else:
        click.echo(questionnaire_template(load_questionnaire(questionnaire, root), lang, command=command,
                                          checklist=listed, facts=facts, rationale=rationale), nl=False)


class OutputOption(click.Option):
    """``-o/--output``, which also answers to the older ``--out`` without showing it in the help."""

    HIDDEN = ("--out",)

    def get_help_record(self, ctx: click.Context):
        shown = self.opts
        self.opts = [opt for opt in self.opts if opt not in self.HIDDEN]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


# -- shell completion (docs/completion.md): light, so a Tab answers at once --------------------------------------

AGREEMENT_STATUSES = ("draft", "assessed", "in_review", "approved", "authorised", "signed", "active", "review_due",
                      "under_review", "suspended", "terminated", "rejected")  # tests check it against the model


def _completion_root(ctx: click.Context) -> Path | None:
    from ..errors import RegisterNotFound
    from ..register.locate import find_register

    root_ctx = ctx.find_root()
    explicit = root_ctx.params.get("register") if root_ctx.params else None
    try:
        return find_register(explicit or os.environ.get("ISA_REGISTER"))
    except (RegisterNotFound, OSError):
        return None


def complete_id(ctx: click.Context, param, incomplete: str):
    """Record ids of the register, from the file names (nothing is parsed)."""
    from click.shell_completion import CompletionItem

    root = _completion_root(ctx)
    if root is None:
        return []
    found = []
    for folder in ("agreements", "disclosures", "requests", "incidents"):
        path = root / folder
        if path.is_dir():
            found += [p.name[:-5] for p in path.iterdir() if p.name.endswith(".yaml") and p.name.startswith(incomplete)]
    return [CompletionItem(name) for name in sorted(found)]


def complete_status(ctx: click.Context, param, incomplete: str):
    from click.shell_completion import CompletionItem

    from ..register.query import CASE_STATUSES

    kind = ctx.params.get("kind")
    choices = CASE_STATUSES.get(kind, AGREEMENT_STATUSES) if kind else AGREEMENT_STATUSES
    return [CompletionItem(status) for status in choices if status.startswith(incomplete)]


def complete_role(ctx: click.Context, param, incomplete: str):
    """The sign-off chain's roles: the register's own chain, else the shipped one."""
    import yaml
    from click.shell_completion import CompletionItem

    root = _completion_root(ctx)
    roles: set[str] = set()
    sources = [root / "register.yaml"] if root else []
    from ..resources import workflow_file

    sources.append(workflow_file("signoff_chain.yaml", root))
    for source in sources:
        try:
            data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        stages = data.get("signoff_chain") or data.get("stages") if isinstance(data, dict) else None
        for stage in stages or []:
            roles |= set(stage.get("roles") or [])
            if stage.get("partners"):
                roles.add(f"partner_{stage['partners']}")
        if roles:
            break
    return [CompletionItem(role) for role in sorted(roles) if role.startswith(incomplete)]


def complete_checklist(ctx: click.Context, param, incomplete: str):
    from click.shell_completion import CompletionItem

    from ..register.definitions import CHECKLISTS, names

    return [CompletionItem(name) for name in sorted(names(CHECKLISTS, _completion_root(ctx)))
            if name.startswith(incomplete)]
