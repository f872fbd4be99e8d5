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
from . import agreements, cases, demo, documents, register, review, signing, team

AUTO_SYNC = "isa.auto_sync"


class IsaGroup(click.Group):
    """Turns the toolkit's errors into a reason and exit code 1, never a traceback; with ``sync: auto``, sends a
    command's commit to the remote when it is done."""

    def invoke(self, ctx: click.Context):
        from pydantic import ValidationError

        from ..register.read import format_loc
        from ..workflows.intake import AnswerError
        from .team import auto_sync

        try:
            result = super().invoke(ctx)
            if ctx.meta.get(AUTO_SYNC) is not None:
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
        except AnswerError as exc:
            raise click.ClickException(str(exc)) from None
        except ValidationError as exc:
            reasons = "; ".join(f"{format_loc(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
            raise click.ClickException(f"refused, nothing was written: {reasons}") from None
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


for _module in (register, team, agreements, documents, signing, cases, review, demo):
    for _command in _module.COMMANDS:
        main.add_command(_command)


def run() -> None:  # pragma: no cover - console-script entry point
    main(prog_name="isa")
