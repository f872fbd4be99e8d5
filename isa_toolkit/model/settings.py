"""Register settings (``register.yaml``) and the sign-off chain they may redefine."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .agreement import EMAIL_PATTERN, Contact, Count, Day, Flag, Frozen, Line
from .localized import Localized, check_languages

ROLE_PATTERN = r"^[a-z][a-z0-9_]*$"
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")


class SignoffStage(Frozen):
    """One stage of the sign-off chain: every role in it signs, in any order.

    ``partners`` adds one entry per party of the agreement: its designated
    officer (``designated_officer``) or its signatory (``signatory``).
    """

    id: str = Field(pattern=ROLE_PATTERN)
    title: Localized
    roles: list[str] = []
    partners: Literal["designated_officer", "signatory"] | None = None
    status: Literal["approved", "authorised"] | None = None  # the status reached when this stage completes
    approves_version: Flag = False  # its signers go into the document control's "approved by"

    @field_validator("roles")
    @classmethod
    def _roles_are_names(cls, roles: list[str]) -> list[str]:
        for role in roles:
            if not re.fullmatch(ROLE_PATTERN, role):
                raise ValueError(f"role {role!r} must be a lower-case name such as information_security_manager")
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice in one stage")
        return roles

    @model_validator(mode="after")
    def _not_empty(self) -> SignoffStage:
        if not self.roles and not self.partners:
            raise ValueError(f"stage {self.id!r} has neither roles nor partners")
        return self


class SignoffChain(Frozen):
    stages: list[SignoffStage] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SignoffChain:
        ids = [stage.id for stage in self.stages]
        if len(set(ids)) != len(ids):
            raise ValueError("two stages share an id")
        return self

    @property
    def roles(self) -> set[str]:
        """Every role name a sign-off may carry under this chain."""
        names = {role for stage in self.stages for role in stage.roles}
        names |= {f"partner_{stage.partners}" for stage in self.stages if stage.partners}
        return names


class ReviewSettings(Frozen):
    """The default review interval of an agreement (the classification table sets its own)."""

    interval_months: Count = Field(default=12, ge=1, le=60)


class ReminderSettings(Frozen):
    days_before: list[Count] = [60, 30, 7]
    overdue_every_days: Count = Field(default=7, ge=1)
    escalate_after_days: Count = Field(default=30, ge=0)
    escalate_to: str = Field(default="head_of_information_management", pattern=ROLE_PATTERN)

    @field_validator("days_before")
    @classmethod
    def _positive_descending(cls, days: list[int]) -> list[int]:
        if any(day <= 0 for day in days):
            raise ValueError("reminder days must be positive numbers of days before the review date")
        return sorted(set(days), reverse=True)


class SmtpSettings(Frozen):
    host: str
    port: Count = Field(default=587, ge=1, le=65535)
    tls: Literal["starttls", "ssl", "none"] = "starttls"
    sender: str = Field(pattern=EMAIL_PATTERN)  # one address: nothing that could add a header
    username_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")


class Deadlines(Frozen):
    """How long the register allows for the steps that follow an incident or an urgent disclosure."""

    breach_meeting_days: Count = Field(default=10, ge=1, le=365)  # seed 002: a meeting of all members within ten days
    regulator_hours: Count = Field(default=72, ge=1, le=24 * 365)  # UK GDPR Art 33: report a breach within 72 hours
    urgent_rationale_days: Count = Field(default=3, ge=1, le=365)  # an urgent disclosure's record completed within


class IdPrefixes(Frozen):
    isa: str = "ISA"
    protocol: str = "ISP"
    disclosure: str = "DIS"
    request: str = "REQ"
    incident: str = "INC"

    @field_validator("*")
    @classmethod
    def _prefix_shape(cls, value: str) -> str:
        if not PREFIX_RE.fullmatch(value):
            raise ValueError(f"{value!r} is not a prefix: use 1-10 capital letters or digits, starting with a letter")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> IdPrefixes:
        # Agreements and protocols share a folder and may share a prefix; other kinds need their own.
        values = [self.disclosure, self.request, self.incident, *{self.isa, self.protocol}]
        if len(set(values)) != len(values):
            raise ValueError("disclosures, requests, incidents and agreements each need their own prefix; two are the same")
        return self


ENV_NAME = r"^[A-Z][A-Z0-9_]{0,63}$"


class ChaseSettings(Frozen):
    """When the daily run chases a signatory who has not returned a pack: first after ``first_after_days``, then
    every ``every_days``, escalating to the officer who sent it after ``escalate_after_days``."""

    first_after_days: Count = Field(default=7, ge=1, le=365)
    every_days: Count = Field(default=7, ge=1, le=365)
    escalate_after_days: Count = Field(default=21, ge=1, le=730)


class SigningSettings(Frozen):
    """The register's signing identity and the certificates it trusts.

    The private key never lives in the register: ``key_env`` names the environment variable holding its path
    (a PEM file outside the register, or a PKCS#12 file), ``passphrase_env`` the one holding its passphrase.
    ``trust_roots`` are PEM files in the register (``keys/...``) whose certificates a signatory's chain must
    lead to for a signature to be trusted.
    """

    key_env: str = Field(default="ISA_SIGNING_KEY", pattern=ENV_NAME)
    passphrase_env: str = Field(default="ISA_SIGNING_PASSPHRASE", pattern=ENV_NAME)
    certificate: str = "keys/register-certificate.pem"
    trust_roots: list[str] = []
    chase: ChaseSettings = ChaseSettings()
    max_return_mib: Count = Field(default=25, ge=1, le=500)  # a returned file larger than this is refused unread

    @field_validator("certificate", "trust_roots")
    @classmethod
    def _inside(cls, value):
        for path in [value] if isinstance(value, str) else value:
            if path.startswith("/") or ".." in path.split("/") or "\\" in path:
                raise ValueError(f"{path!r} must be a path inside the register, such as keys/partners-ca.pem")
        return value


class Settings(Frozen):
    """What ``register.yaml`` holds."""

    name: Localized
    organisation: Line
    languages: list[str] = Field(default=["en"], min_length=1)
    id_prefix: IdPrefixes = IdPrefixes()
    review: ReviewSettings = ReviewSettings()
    reminders: ReminderSettings = ReminderSettings()
    deadlines: Deadlines = Deadlines()
    contacts: dict[str, Contact] = {}
    signoff_chain: list[SignoffStage] | None = None
    smtp: SmtpSettings | None = None
    created: Day | None = None
    # Which text of an agreement in several languages decides a difference between them: none (both are equally
    # authentic, the default) or one of ``languages``. Printed in every language of a bilingual document.
    prevailing_language: str | None = None
    # The protective marking every document carries in its header and footer, e.g. OFFICIAL-SENSITIVE.
    protective_marking: Line | None = None
    signing: SigningSettings = SigningSettings()
    # A team register (docs/team.md): "auto" sends each change to the remote as soon as it is committed.
    sync: Literal["off", "auto"] = "off"
    # Sign-offs recorded in commits that git cannot show as signed are reported by isa validate.
    require_signed_commits: Flag = False
    # How long a change waits for another to finish before giving up (ISA_LOCK_TIMEOUT overrides it).
    lock_timeout_seconds: Count | None = Field(default=None, ge=1, le=86_400)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return check_languages(value)

    @field_validator("contacts")
    @classmethod
    def _contact_roles(cls, value: dict[str, Contact]) -> dict[str, Contact]:
        for role in value:
            if not re.fullmatch(ROLE_PATTERN, role):
                raise ValueError(f"contact role {role!r} must be a lower-case name such as head_of_information_management")
        return value

    @model_validator(mode="after")
    def _prevailing_language_is_ours(self) -> Settings:
        if self.prevailing_language is not None and self.prevailing_language not in self.languages:
            raise ValueError(f"prevailing_language {self.prevailing_language!r} is not one of languages "
                             f"({', '.join(self.languages)}); leave it out for texts equally authentic")
        return self

    @model_validator(mode="after")
    def _escalation_has_someone(self) -> Settings:
        role = self.reminders.escalate_to
        if self.contacts and role not in self.contacts:
            raise ValueError(f"reminders.escalate_to names {role!r}, but contacts has no one in that role "
                             f"(it has {', '.join(sorted(self.contacts))}); escalations would go nowhere")
        return self

    @property
    def source_language(self) -> str:
        """The language translations are made from: the first one listed."""
        return self.languages[0]
