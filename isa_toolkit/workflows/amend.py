"""Amending an agreement: new content, a new version, and the sign-off chain starting again.

The changes come as a YAML (or JSON) file of record fields to replace, e.g.::

    purpose:
      en: The new purpose ...
    data_items:
      - ...

Fields the toolkit keeps itself (id, kind, status, version, sign-offs,
history, document control, assessments, review dates) cannot be set this way.
The version goes up (1.0 -> 1.1; 2.0 with ``major``), the change is added to
the document-control history, and every earlier sign-off becomes stale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import ValidationError

from ..errors import InvalidRecord, IsaError
from ..model import Agreement, Amendment, Status
from ..register.problem import Problem
from ..register.read import problems_from_validation
from ..register.store import modify_agreement
from .intake import read_answers
from .lifecycle import moved

PROTECTED = {"id", "kind", "status", "version", "signoffs", "history", "amendments", "risk_assessment", "review"}
# Of the DPIA, only what the officer records by hand; whether one is required is the screening's answer.
DPIA_EDITABLE = {"reference", "summary"}
# Where an amendment leaves the agreement: the chain starts again for the new version.
AFTER_AMENDMENT = {
    Status.DRAFT: Status.DRAFT,
    Status.ASSESSED: Status.ASSESSED,
    Status.IN_REVIEW: Status.IN_REVIEW,
    Status.APPROVED: Status.IN_REVIEW,
    Status.AUTHORISED: Status.IN_REVIEW,
    Status.SIGNED: Status.IN_REVIEW,
    Status.ACTIVE: Status.UNDER_REVIEW,
    Status.REVIEW_DUE: Status.UNDER_REVIEW,
    Status.UNDER_REVIEW: Status.UNDER_REVIEW,
}


def next_version(version: str, *, major: bool) -> str:
    whole, part = (int(n) for n in version.split("."))
    return f"{whole + 1}.0" if major else f"{whole}.{part + 1}"


def read_changes(path: Path) -> tuple[dict, str, str]:
    raw, text, rel = read_answers(path)
    problems = [Problem(rel, 0, key, f"{key} is kept by the toolkit and cannot be amended this way") for key in raw
                if key in PROTECTED]
    if problems:
        raise InvalidRecord(f"{rel} tries to change fields the toolkit keeps; nothing was written", problems)
    if not raw:
        raise InvalidRecord(f"{rel} changes nothing")
    dpia = raw.get("dpia")
    if dpia is not None and (not isinstance(dpia, dict) or set(dpia) - DPIA_EDITABLE):
        raise InvalidRecord(f"{rel} may change only dpia.reference and dpia.summary; whether a DPIA is required comes "
                            "from the DPIA screening (isa assess ID --checklist dpia_screening)",
                            [Problem(rel, 0, "dpia", "only reference and summary can be amended")])
    return raw, text, rel


def amended(agreement: Agreement, changes: dict, *, detail: str, author: str, date: dt.date, major: bool,
            rel: str = "changes", text: str | None = None) -> Agreement:
    """The agreement with ``changes`` applied, a new version and a document-control entry."""
    if agreement.status not in AFTER_AMENDMENT:
        raise IsaError(f"{agreement.id} is {agreement.status.value} and cannot be amended")
    data = agreement.model_dump(mode="json", exclude_unset=True, by_alias=True)
    dpia_changes = changes.get("dpia")
    data.update({key: value for key, value in changes.items() if key != "dpia"})
    if dpia_changes:
        data["dpia"] = {**data.get("dpia", {}), **dpia_changes}
    if "data_items" in changes and data.get("dpia", {}).get("screening"):
        # The screening looked at the old data items: it must be run again for the new ones.
        data["dpia"] = {k: v for k, v in data["dpia"].items() if k not in ("screening", "required", "reason")}
    try:
        candidate = Agreement.model_validate(data)
    except ValidationError as exc:
        located = [p for p in problems_from_validation(exc, rel, text) if p.field.split(".")[0].split("[")[0] in changes]
        raise InvalidRecord("the changes do not make a valid agreement; nothing was written",
                            located or problems_from_validation(exc, rel, None)) from None
    if candidate.content_fingerprint() == agreement.content_fingerprint():
        raise IsaError(f"the changes leave {agreement.id}'s content as it is; nothing to amend")
    version = next_version(agreement.version, major=major)
    entry = Amendment(version=version, detail=detail.strip(), author=author, date=date)
    updated = candidate.model_copy(update={"version": version, "amendments": [*agreement.amendments, entry]})
    status = AFTER_AMENDMENT[agreement.status]
    return moved(updated, status, by=author, date=date, reason=f"amended to version {version}")


def amend(root: Path, record_id: str, changes_file: Path, *, detail: str, author: str, by: str, major: bool = False,
          date: dt.date | None = None):
    """Apply the changes file to the current record (under the lock) and commit."""
    if not detail or not detail.strip():
        raise IsaError("say what changed: --detail TEXT")
    day = date or dt.date.today()
    if day > dt.date.today():
        raise IsaError(f"the amendment date {day} is in the future")
    changes, text, rel = read_changes(changes_file)

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        updated = amended(agreement, changes, detail=detail, author=author, date=day, major=major, rel=rel, text=text)
        return updated, f"amended to version {updated.version}: {detail.strip()}"

    return modify_agreement(root, record_id, edit, by=by)
