"""Commands for a register shared through a git remote: clone, sync, conflicts, resolve (and git's merge driver)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import complete_id, echo_json, register_root


@click.command()
@click.argument("url")
@click.argument("folder", type=click.Path(path_type=Path))
def clone(url: str, folder: Path) -> None:
    """Copy the team's register from its remote URL into FOLDER, ready to sync.

    Only https://, ssh://, user@host:path, file:// and absolute paths are
    accepted.

    \b
    Example:
      isa clone git@gitlab.example.org:ig/register.git ~/registers/team
    """
    from ..errors import IsaError
    from ..register import sync as syncing
    from ..register import vcs
    from ..register.remote import check_url

    check_url(url)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise IsaError(f"{folder} exists and is not an empty folder; choose a new folder for the copy")
    from ..register.remote import redact

    vcs.clone(url, folder)
    if syncing.set_up_merging(folder):
        vcs.commit(folder, [syncing.ATTRIBUTES_FILE], "Register: records merge field by field (isa clone)")
    click.echo(f"Cloned {redact(url)} into {folder}")
    click.echo(f"Next: cd {folder} && isa validate; `isa sync` sends your changes and brings the team's")


@click.command()
@click.option("--status", "show_status", is_flag=True, help="Only say what is not pushed yet (no network).")
@click.option("--remote", default="origin", show_default=True, metavar="NAME", help="The git remote to sync with.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_context
def sync(ctx: click.Context, show_status: bool, remote: str, as_json: bool) -> None:
    """Send your changes to the team's remote and bring theirs: fetch, replay yours on top, push.

    Never forces a push. If someone pushed first, it fetches and replays
    again. Offline, your commits stay here and are sent by the next sync.
    A record changed in the same field on both sides stops the sync with
    nothing changed: `isa conflicts` shows it, `isa resolve` settles it.
    Exit code 1 when the sync stopped at a conflict or the remote could not
    be reached.

    \b
    Example:
      isa sync
      isa sync --status
    """
    from ..register import sync as syncing

    root = register_root(ctx)
    result = syncing.status(root, remote) if show_status else syncing.sync(root, remote)
    if as_json:
        echo_json("sync", result.as_dict())
    else:
        _say(result, show_status)
    if result.conflicts or result.offline:
        ctx.exit(1)


def _say(result, show_status: bool) -> None:
    where = f"{result.remote}/{result.branch}"
    if result.offline:
        click.echo(f"{where} could not be reached: {result.offline}")
        click.echo(f"{result.unpushed} commit(s) not pushed yet, kept here; the next `isa sync` sends them")
    elif show_status:
        click.echo(f"{result.unpushed} commit(s) not pushed to {where}; {result.received} of theirs not here yet "
                   "(as of the last sync)")
    else:
        for old, new in result.renumbered.items():
            click.echo(f"Renumbered {old} -> {new}: the remote had given {old} to another record meanwhile")
        if not result.conflicts:
            click.echo(f"Synced with {where}: {result.pushed} commit(s) sent, {result.received} received")
    if result.conflicts:
        click.echo(f"Sync stopped, nothing changed: {len(result.conflicts)} conflict(s) for a person to settle")
        _conflicts(result.conflicts)
        click.echo("Settle each with `isa resolve ID FIELD --ours|--theirs|--value V` (FIELD `file` for a whole "
                   "file), then run `isa sync` again")


def _conflicts(conflicts) -> None:
    from ..register.merge import plain

    for c in conflicts:
        click.echo(f"  {c.record} {c.field or 'file'}: {c.why}" + ("" if c.field else f" ({c.path})"))
        if c.settle == "field":
            click.echo(f"    base:   {plain(c.base)!r}")
            click.echo(f"    ours:   {plain(c.ours)!r}")
            click.echo(f"    theirs: {plain(c.theirs)!r}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@click.pass_context
def conflicts(ctx: click.Context, as_json: bool) -> None:
    """List the conflicts the last sync stopped at: record, field, and base / ours / theirs.

    "ours" is this copy's value, "theirs" the remote's, "base" what both
    started from.

    \b
    Example:
      isa conflicts
    """
    from ..register import sync as syncing

    found = syncing.saved_conflicts(register_root(ctx))
    if as_json:
        echo_json("conflicts", {"conflicts": [c.as_dict() for c in found]})
        return
    if not found:
        click.echo("No conflicts are waiting.")
        return
    _conflicts(found)


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.argument("field_name", metavar="FIELD")
@click.option("--ours", "choice", flag_value="ours", help="Keep this copy's value.")
@click.option("--theirs", "choice", flag_value="theirs", help="Take the remote's value.")
@click.option("--value", metavar="YAML", help="Use this value instead (YAML, e.g. '{en: ..., fr: ...}').")
@click.pass_context
def resolve(ctx: click.Context, record_id: str, field_name: str, choice: str | None, value: str | None) -> None:
    """Settle one conflict from the last sync; the next `isa sync` uses your choice.

    FIELD is the field `isa conflicts` names, or `file` for a conflict over a
    whole file (deleted on one side, changed on the other): keep yours with
    --ours or take the remote's with --theirs.

    \b
    Example:
      isa resolve ISA-2026-0004 review.due --theirs
      isa resolve ISA-2026-0004 contact --value ig.team@example.org
    """
    from ..errors import IsaError
    from ..register import sync as syncing
    from ..register import yamlio

    if (choice is None) == (value is None):
        raise click.UsageError("give one of --ours, --theirs or --value V")
    parsed = None
    if value is not None:
        try:
            parsed = yamlio.parse(value)
        except yamlio.YamlError as exc:
            raise IsaError(f"--value is not YAML: {exc}") from None
    conflict = syncing.resolve(register_root(ctx), record_id, field_name, choice=choice or "value", value=parsed)
    click.echo(f"Settled {conflict.record} {conflict.field}; run `isa sync` to finish")


@click.command(name="merge-driver", hidden=True)
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
@click.argument("name")
def merge_driver(base: Path, ours: Path, theirs: Path, name: str) -> None:
    """Git's merge driver for records (set up by isa init, clone and sync): exit 1 on a conflict."""
    from ..register import sync as syncing

    found = syncing.merge_driver(Path.cwd(), base, ours, theirs, name)
    if found:
        _conflicts(found)
        raise SystemExit(1)


COMMANDS = (clone, sync, conflicts, resolve, merge_driver)


# -- sync: auto -------------------------------------------------------------------------------------------------

NEVER_AUTO = {"sync", "clone", "init", "demo", "merge-driver", "conflicts", "resolve", "doctor"}


def auto_sync_point(ctx: click.Context, command: str | None):
    """Where the register stands before a command, when its settings say ``sync: auto`` (else None). Read without
    the YAML reader: a plain look for the line, so commands that do not sync pay nothing."""
    if command is None or command in NEVER_AUTO:
        return None
    import re

    from ..errors import IsaError
    from ..register import vcs
    from ..register.locate import find_register

    try:
        root = find_register(ctx.obj.get("register") if ctx.obj else None)
        with open(root / "register.yaml", encoding="utf-8") as handle:
            text = handle.read(1 << 20)
    except (IsaError, OSError, UnicodeDecodeError):
        return None
    if not re.search(r"(?m)^sync:\s*['\"]?auto['\"]?\s*(#.*)?$", text) or vcs.git_dir(root) is None:
        return None
    return root, vcs.resolve(root, "HEAD")


def auto_sync(point) -> None:
    """After a command that committed, send it to the remote (``sync: auto``); a failure is said, never fatal: the
    commit is kept here and the next sync sends it."""
    from ..errors import IsaError
    from ..register import sync as syncing
    from ..register import vcs

    root, before = point
    if vcs.resolve(root, "HEAD") == before:
        return
    try:
        result = syncing.sync(root)
    except IsaError as exc:
        click.echo(f"Not synced (sync: auto): {exc}. The change is kept here; run `isa sync` later", err=True)
        return
    if result.offline:
        click.echo(f"Not synced (sync: auto): the remote could not be reached; {result.unpushed} commit(s) kept "
                   "here for the next `isa sync`", err=True)
    elif result.conflicts:
        click.echo(f"Not synced (sync: auto): {len(result.conflicts)} conflict(s) with the remote; `isa conflicts` "
                   "shows them", err=True)
    else:
        click.echo(f"Synced with {result.remote}/{result.branch}: {result.pushed} sent, {result.received} received",
                   err=True)
