"""A problem found in a register file, printed ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, located so an editor can jump to it.

    ``path`` is relative to the register root; ``line`` is 1-based (0 when the
    whole file is concerned); ``field`` is a dotted path such as
    ``parties[1].role`` (empty when the file as a whole is concerned).
    """

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    record_id: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        tag = "" if self.severity is Severity.ERROR else " warning:"
        return f"{where}:{tag}{field} {self.message}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(**{**data, "severity": Severity(data["severity"])})

    def as_error(self) -> Problem:
        """The same problem raised to an error (``validate --strict``)."""
        return Problem(self.path, self.line, self.field, self.message, Severity.ERROR, self.record_id)
