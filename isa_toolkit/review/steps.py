"""The review of one agreement: started, each stakeholder's finding recorded, completed (renewed or terminated).

Started, the agreement is under review. Renewed, it gets a new version (an
amendment made during the review, or "reviewed, no change") that goes through
the sign-off chain, whose last signature makes it active again with its next
review date (:mod:`isa_toolkit.workflows.signoff`). Terminated, it ends that day.
The report of a review is a document (``isa render ID --doc review-report``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import IsaError
from ..model import Agreement, Amendment, Localized, Status
from ..model.agreement import ReviewFinding
from ..model.dates import review_due
from ..register.load import load_chain, load_register
from ..register.store import modify_agreement
from ..workflows.amend import next_version
from ..workflows.lifecycle import check_move, load_lifecycle, moved


def start_review(root: Path, record_id: str, *, by: str, date: dt.date):
    """Open the review: status under_review (still in force), findings start empty."""
    register = load_register(root, checks=False)
    lifecycle = load_lifecycle(register.root)
    chain, _ = load_chain(register.root, register.settings)

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        check_move(lifecycle, agreement, Status.UNDER_REVIEW, chain=chain)
        review = agreement.review.model_copy(update={"started": date, "findings": []})
        updated = moved(agreement, Status.UNDER_REVIEW, by=by, date=date, reason="review started")
        return updated.model_copy(update={"review": review}), f"review started (due {review_due(agreement)})"

    return modify_agreement(register.root, record_id, edit, by=by)


def record_finding(root: Path, record_id: str, *, stakeholder: str, still_required: bool, changes: str | None,
                   by: str, date: dt.date):
    """Note what one stakeholder said: is the agreement still required, and what has changed."""
    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        if agreement.status is not Status.UNDER_REVIEW:
            raise IsaError(f"{record_id} is not under review; start it first: isa review start {record_id}")
        finding = ReviewFinding(stakeholder=stakeholder, still_required=still_required,
                                changes=Localized({agreement.languages[0]: changes}) if changes else None,
                                by=by, date=date)
        review = agreement.review.model_copy(update={"findings": [*agreement.review.findings, finding]})
        verdict = "still required" if still_required else "no longer required"
        return agreement.model_copy(update={"review": review}), f"review: {stakeholder} says {verdict}"

    return modify_agreement(root, record_id, edit, by=by)


def complete_review(root: Path, record_id: str, *, outcome: str, reason: str | None, detail: str | None, by: str,
                    date: dt.date):
    """End the review: ``terminate`` (with a reason), or ``renew`` through the sign-off chain.

    Renewing an agreement whose content was not amended during the review
    makes a new version all the same ("reviewed, no change"), so the chain
    signs the review off; the last signature makes it active again with a new
    review date.
    """
    register = load_register(root, checks=False)
    lifecycle = load_lifecycle(register.root)
    chain, _ = load_chain(register.root, register.settings)

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        if agreement.status is not Status.UNDER_REVIEW:
            raise IsaError(f"{record_id} is not under review; start it first: isa review start {record_id}")
        if outcome == "terminate":
            check_move(lifecycle, agreement, Status.TERMINATED, chain=chain, reason=reason)
            updated = moved(agreement, Status.TERMINATED, by=by, date=date, reason=reason)
            return updated.model_copy(update={"end_date": date}), f"review completed: terminated ({reason})"
        started = agreement.review.started
        amended = any(a.date >= started for a in agreement.amendments if a.version == agreement.version) if started else False
        if amended:
            return agreement, "review completed: the amended version is going through the sign-off chain"

        reported = [f"{f.stakeholder}: {next(iter(f.changes.texts.values())).strip().rstrip('.')}"
                    for f in agreement.review.findings
                    if f.changes is not None and (started is None or f.date >= started)]
        version = next_version(agreement.version, major=False)
        # What the stakeholders reported is the change line, so the review's entry never says "no change" when
        # someone reported one (an officer who amends the text first gets the amendment's own entry instead).
        note = detail or ("Annual review: still required; changes reported: " + "; ".join(reported) if reported
                          else "Annual review: still required, no change to the content")
        entry = Amendment(version=version, detail=note, author=by, date=date)
        updated = agreement.model_copy(update={"version": version, "amendments": [*agreement.amendments, entry]})
        return updated, f"review completed: version {version} ({note}) goes through the sign-off chain"

    updated, commit = modify_agreement(register.root, record_id, edit, by=by)
    return updated, commit
