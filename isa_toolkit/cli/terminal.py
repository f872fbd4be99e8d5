"""What the terminal is told while a command waits: for the register lock, or after putting back a stopped write."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator

import click

from ..register import lock

SPINNER = "|/-\\"


class TerminalReporter(lock.Reporter):
    """On a terminal: a line that says who holds the lock, with a spinner and the seconds waited. Piped or in a
    scheduled job: that line once, so the log says why the run was slow."""

    def __init__(self) -> None:
        self.turn = 0
        self.said = False

    def waiting(self, holder: lock.Holder, waited_s: float) -> None:
        text = f"Waiting for the register lock, held by {holder.describe()}"
        if sys.stderr.isatty():
            self.turn += 1
            click.echo(f"\r{SPINNER[self.turn % len(SPINNER)]} {text} ({waited_s:.0f} s) ", nl=False, err=True)
            self.said = True
        elif not self.said:
            click.echo(f"{text}…", err=True)
            self.said = True

    def done(self, acquired: bool) -> None:
        if self.said and sys.stderr.isatty():
            click.echo("", err=True)
        self.said = False

    def recovered(self, what: str) -> None:
        click.echo(f"Note: {what}", err=True)


@contextlib.contextmanager
def working(label: str, after_s: float = 2.0) -> Iterator[None]:
    """Say, on the terminal, that something slow is under way: nothing for ``after_s`` seconds, then a spinner with
    the seconds taken (on a terminal), or one line (piped into a log)."""
    done = threading.Event()

    def tell() -> None:
        if done.wait(after_s):
            return
        if not sys.stderr.isatty():
            click.echo(f"{label}…", err=True)
            return
        started, turn = time.monotonic() - after_s, 0
        while not done.wait(0.1):
            turn += 1
            click.echo(f"\r{SPINNER[turn % len(SPINNER)]} {label} ({time.monotonic() - started:.0f} s) ", nl=False,
                       err=True)
        click.echo("\r" + " " * (len(label) + 16) + "\r", nl=False, err=True)

    thread = threading.Thread(target=tell, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
