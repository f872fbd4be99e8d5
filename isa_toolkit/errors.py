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
