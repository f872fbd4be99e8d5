"""Parts shared by the register's case records: disclosures, requests and incidents.

Unlike agreements, these records are written once an event happens and then
completed; each is one file in its own folder (DESIGN §4).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from .agreement import EMAIL_PATTERN, Answers, Day, Frozen, Line
from .localized import Localized, check_languages


class Requester(Frozen):
    """Who asked: the organisation, the person and how to reach them."""

    organisation: Line
    name: Line
    title: Line | None = None  # role or rank, e.g. "Detective Sergeant"
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN)
    phone: Line | None = None


class Criteria(Frozen):
    """A checklist worked through for one case: the answers, what they add up to, who and when."""

    checklist: str
    answers: Answers = {}
    outcome: Literal["proceed", "proceed_with_conditions", "do_not_proceed"]
    reasons: list[str] = []  # the items that decided the outcome
    conditions: list[Localized] = []
    by: Line
    date: Day


class CaseRecord(Frozen):
    """What every case record checks. Each kind declares its fields itself, so a file reads in a
    natural order: ``id``, ``kind``, ``languages``, the case, then ``recorded_by`` and ``recorded``."""

    @field_validator("languages", check_fields=False)
    @classmethod
    def _languages_unique(cls, value: list[str]) -> list[str]:
        return check_languages(value)
