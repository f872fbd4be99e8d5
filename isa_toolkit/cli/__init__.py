"""The ``isa`` command: a thin layer over the library, one module per command group.

Each command finds the register, calls one library function and prints the
result. Every :class:`~isa_toolkit.errors.IsaError` becomes ``Error: <reason>``
with exit code 1, here and only here (:class:`IsaGroup`); usage mistakes exit 2.
"""

from __future__ import annotations

import os
import sys

import click

from .. import __version__
from ..errors import InvalidRecord, IsaError

AUTO_SYNC = "isa.auto_sync"

# Every command: its module in this package, the object there, and its one-line help (for `isa --help`, which so
# imports no command; tests/test_cli.py checks each line against the command's own help). A command's module is
# imported only when that command runs, so `isa --help` and `isa list` do not pay for PDF, signatures or git.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("register", "init", "Create a new register at PATH: settings, classification and a git repository."),
    "validate": ("register", "validate", "Check every record: errors, and warnings for what a sound agreement lacks."),
    "doctor": ("register", "doctor", "Check the register's git repository and files, and put back a change left "
               "half-done."),
    "list": ("register", "list_", "List agreements and protocols (status, version, next review), or disclosures, "
             "requests or incidents."),
    "show": ("register", "show", "Show one record: an agreement's parties, purpose, data, legal basis, sign-offs and "
             "review; a disclosure's, request's or incident's details and where it stands."),
    "log": ("register", "log", "Show the history of one record from git, newest first, with who made each change and "
            "whether the commit is signed (git's own check: good, bad, unsigned...)."),
    "export": ("register", "export", "Export the register as CSV or JSON (CSV cells are safe to open in a "
               "spreadsheet), or as an SQLite database."),
    "clone": ("team", "clone", "Copy the team's register from its remote URL into FOLDER, ready to sync."),
    "sync": ("team", "sync", "Send your changes to the team's remote and bring theirs: fetch, replay yours on top, "
             "push."),
    "conflicts": ("team", "conflicts", "List the conflicts the last sync stopped at: record, field, and base / ours / "
                  "theirs."),
    "resolve": ("team", "resolve", "Settle one conflict from the last sync; the next `isa sync` uses your choice."),
    "merge-driver": ("team", "merge_driver", ""),  # hidden: run by git
    "new": ("agreements", "new", "Draft a new agreement by answering the intake questionnaire."),
    "assess": ("agreements", "assess", "Assess an agreement against a checklist and store the result in the record."),
    "transition": ("agreements", "transition_", "Move an agreement to another status, if the lifecycle allows it "
                   "now."),
    "signoff": ("agreements", "signoff_", "Record a sign-off, bound to the agreement's current version and "
                "fingerprint."),
    "activate": ("agreements", "activate", "Register a signed agreement as active, with its first review date."),
    "status": ("agreements", "status", "Where an agreement stands: each stage and role, who signed which version, who "
               "to chase."),
    "pending": ("agreements", "pending", "Every agreement waiting on someone's sign-off, grouped by who must act."),
    "amend": ("agreements", "amend", "Change an agreement's content: a new version, and the sign-off chain starts "
              "again."),
    "render": ("documents", "render", "Write an agreement's or a one-off disclosure's documents (DOCX to edit, PDF to "
               "sign) and print their fingerprints."),
    "templates": ("documents", "templates", "Look after the document templates (a register's own, and the shipped "
                  "ones)."),
    "keys": ("signing", "keys", "The register's signing identity: the key and certificate it certifies sent copies "
             "with."),
    "send": ("signing", "send_", "Send the agreement for signature: one pack for each signatory still waiting at the "
             "open stage."),
    "sign": ("signing", "sign_", "Sign a copy you were sent, with your own certificate, into your signature field."),
    "receive": ("signing", "receive_", "Record a signed copy as it came back: checked against what was sent, then "
                "kept in the register."),
    "seal": ("signing", "seal_", "Make the sealed copy once every signature is in."),
    "verify": ("signing", "verify_", "Say what a PDF is: which agreement and version, who signed, whether each "
               "signature is intact and trusted, and whether it matches the register (exit code 1 when it does not, "
               "or a signature is broken)."),
    "share": ("cases", "share", "Record a decision to share under an agreement in force (its decision log)."),
    "disclose": ("cases", "disclose", "Record one-off disclosures of personal data made outside any agreement."),
    "request": ("cases", "request_", "Log requests for information from third parties, and grant or refuse them."),
    "incident": ("cases", "incident", "Record data incidents and breaches of agreements; a breach suspends sharing "
                 "until resolved."),
    "deadlines": ("cases", "deadlines", "List what is owed on disclosures and incidents, and by when (overdue "
                  "first)."),
    "review": ("review", "review", "Annual reviews: what is due, the daily reminder run, and reviewing one "
               "agreement."),
    "calendar": ("review", "calendar_", "One .ics calendar of every review date, to subscribe to (stable event ids: "
                 "updates, never duplicates)."),
    "site": ("site", "site", "Build the register site: static pages to open in a browser or publish privately on the "
             "forge."),
    "demo": ("demo", "demo", "Run the main job on a copy of the example register, in OUTDIR (default ./isa-demo)."),
    "schema": ("schema", "schema", "Print the JSON Schema of a kind of record, or of register.yaml or "
               "classification.yaml."),
}


class IsaGroup(click.Group):
    """Loads a command's module only when it runs; turns the toolkit's errors into a reason and exit code 1, never
    a traceback; with ``sync: auto``, sends a command's commit to the remote when it is done."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        import importlib

        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the table above, without importing any command."""
        rows = [(name, help_line) for name, (_, _, help_line) in COMMANDS.items() if help_line]
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, _short(text, limit)) for name, text in rows])

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            if ctx.meta.get(AUTO_SYNC) is not None:
                from .team import auto_sync

                auto_sync(ctx.meta[AUTO_SYNC])
            return result
        except click.Abort:  # Ctrl-C, or a question asked where no one can answer (no terminal, input ended)
            if sys.stdin is None or not sys.stdin.isatty():
                raise click.ClickException(
                    "stopped: a question was asked but no answer could be read (no terminal, or the input ended); "
                    "nothing was written. Give the answers in a file with --answers FILE: the command's --template "
                    "writes one to fill in (e.g. isa new --template > answers.yaml)") from None
            raise click.ClickException("stopped at your request; nothing was written") from None
        except BrokenPipeError:  # the output was cut short by its reader (| head): not an error of ours
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - nothing more can be written anyway
            ctx.exit(0)
        except ValueError as exc:  # an answer that does not fit its question, or a model refusing a value
            raise click.ClickException(_value_error(exc)) from None
        except InvalidRecord as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(str(exc)) from None
        except IsaError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


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
    from ..register.lock import set_reporter
    from .terminal import TerminalReporter

    ctx.ensure_object(dict)
    ctx.obj["register"] = register
    from .team import auto_sync_point

    ctx.meta[AUTO_SYNC] = auto_sync_point(ctx, ctx.invoked_subcommand)  # where the register stood before the command
    previous = set_reporter(TerminalReporter())  # waits for the lock, and stopped writes put back, are said
    ctx.call_on_close(lambda: set_reporter(previous))


def _short(text: str, limit: int) -> str:
    """A help line as click shortens one: its first sentence, cut at a word with "..." beyond ``limit``."""
    limit = max(limit, 45)
    sentence = text.split(". ", 1)[0].rstrip(".") + ("." if text.endswith(".") or ". " in text else "")
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 3].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "..."


def _value_error(exc: ValueError) -> str:
    """What an answer error or a model's refusal says (neither module is loaded unless one was raised)."""
    if type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic"):
        from ..register.read import format_loc

        reasons = "; ".join(f"{format_loc(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
        return f"refused, nothing was written: {reasons}"
    if type(exc).__name__ == "AnswerError":
        return str(exc)
    raise exc


def run() -> None:  # pragma: no cover - console-script entry point
    main(prog_name="isa")
