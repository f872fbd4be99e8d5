"""A problem found in a register file, printed ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    # A warning the record sets aside on purpose (a waiver, with its reason: register/rules.py). Listed, not counted
    # as a warning, and never raised to an error by ``validate --strict``.
    WAIVED = "waived"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, located so an editor can jump to it.

    ``path`` is relative to the register root; ``line`` is 1-based (0 when the
    whole file is concerned); ``field`` is a dotted path such as
    ``parties[1].role`` (empty when the file as a whole is concerned).
    ``code`` is the stable code of a warning's rule (``ICO-23``: docs/register.md
    lists them), and ``waiver`` the reason the record gives for waiving it.
    """

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    record_id: str = ""
    code: str = ""
    waiver: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.severity is Severity.WAIVED:
            return f"{where}: {self.code} waived: {self.waiver}"
        tag = "" if self.severity is Severity.ERROR else " warning:"
        code = f" {self.code}" if self.code else ""
        field = f" {self.field}:" if self.field else (":" if code else "")
        return f"{where}:{tag}{code}{field} {self.message}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(**{**data, "severity": Severity(data["severity"])})

    def as_error(self) -> Problem:
        """The same problem raised to an error (``validate --strict``); a waived warning stays waived."""
        if self.severity is Severity.WAIVED:
            return self
        return replace(self, severity=Severity.ERROR)

    def waived(self, reason: str) -> Problem:
        """This warning, set aside by the record's waiver of its code for ``reason``."""
        return replace(self, severity=Severity.WAIVED, waiver=reason)
