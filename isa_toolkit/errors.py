"""The toolkit's exceptions: one root, so the CLI can turn every one into a reason.

Data problems found while loading are *values* (:class:`isa_toolkit.register.problem.Problem`),
not exceptions; exceptions are for a step that cannot go on.
"""

from __future__ import annotations


class IsaError(Exception):
    """A step was refused or could not be done; the message says why and what to do."""


class RegisterNotFound(IsaError):
    """No register at the given path, or none above the working directory."""


class InvalidId(IsaError):
    """A record id that could escape its folder or be read as an option."""


class RecordNotFound(IsaError):
    """No record with that id in the register."""


class InvalidRecord(IsaError):
    """A record (or an answers file) breaks the model; ``problems`` lists each point."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class StoreError(IsaError):
    """Writing to the register or committing to git failed; the register is unchanged."""


class LockTimeout(StoreError):
    """Another writer held the register lock for too long."""


class TemplateRefused(IsaError):
    """A document template cannot be used: unreadable, damaged, hostile or over a limit; the message names the file,
    where in it, and what to do."""


def did_you_mean(word: str, choices) -> str:
    """`` Did you mean 'X'?`` for the choice closest to a mistyped ``word`` (empty when none is close)."""
    import difflib

    choices = [str(choice) for choice in choices]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6) or \
        difflib.get_close_matches(word.upper(), [c.upper() for c in choices], n=1, cutoff=0.6)
    if not close:
        return ""
    found = next((c for c in choices if c.upper() == close[0].upper()), close[0])
    return f" Did you mean {found!r}?"
