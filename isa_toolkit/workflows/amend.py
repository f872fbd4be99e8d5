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

An amendment changes what it names and keeps the rest:

- A field given replaces that field, but text it gives in some languages
  only keeps the record's other languages (``benefits: {fr: ...}`` changes
  the French and keeps the English). When the source language (the
  register's first) changes, the other languages' text is marked as made
  from the old source, so ``isa validate`` says it may be out of date; a
  translation given alone is taken as a translation of the current source.
  A list given with as many entries as the record's is matched entry by
  entry for this; a list of another length replaces the list as given.
- The risk assessment and the DPIA screening stay. When the amendment
  changes what one of them looked at (the data items' categories and
  sensitivity, the parties, the purpose; for the risk assessment also the
  legal basis and transfer methods), it is marked ``needs_renewal`` with
  the reason: an agreement not yet in force goes back to draft, one in
  force is under review, and no sign-off is taken until it is made again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRecord, IsaError
from ..model import Agreement, Amendment, Localized, Status
from ..model.agreement import normalise_organisation
from ..model.localized import META_KEY, text_hash
from ..register.load import load_register
from ..register.problem import Problem
from ..register.read import problems_from_validation
from ..register.store import modify_agreement
from .assess import to_renew
from .intake import read_answers
from .lifecycle import moved

PROTECTED = {"id", "kind", "status", "version", "signoffs", "history", "amendments", "risk_assessment", "review",
             "decisions", "overlap", "conditions", "sent"}
# Of the DPIA, only what the officer records by hand; whether one is required is the screening's answer.
DPIA_EDITABLE = {"reference", "summary", "reason"}
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


# A draft's reference numbers and contacts: set on a draft no one has signed, they make no new version.
ADMINISTRATIVE = ("dpia.reference", "contact", "business_area")


def changed_paths(changes: dict) -> list[str]:
    """The fields a changes file sets, as dotted paths (``dpia.reference``)."""
    paths = [f"dpia.{key}" for key in changes["dpia"]] if isinstance(changes.get("dpia"), dict) else []
    return paths + [key for key in changes if key != "dpia"]


def parse_settings(settings: list[str] | tuple[str, ...]) -> dict:
    """``--set dpia.reference=DPIA-2026-07`` as changes (``{"dpia": {"reference": "DPIA-2026-07"}}``)."""
    changes: dict = {}
    for setting in settings:
        field, sep, value = setting.partition("=")
        field = field.strip()
        if not sep or not field:
            raise IsaError(f"--set {setting!r}: write FIELD=VALUE, e.g. --set dpia.reference=DPIA-2026-07")
        if field not in ADMINISTRATIVE:
            raise IsaError(f"--set is for {', '.join(ADMINISTRATIVE)}; change {field} with --answers FILE")
        head, _, tail = field.partition(".")
        if tail:
            changes.setdefault(head, {})[tail] = value.strip()
        else:
            changes[head] = value.strip()
    return changes


def read_changes(path: Path) -> tuple[dict, str, str]:
    raw, text, rel = read_answers(path)
    return check_changes(raw, rel), text, rel


def check_changes(raw: dict, rel: str) -> dict:
    """Refuse changes to what the toolkit keeps, or to the DPIA's screening result."""
    problems = [Problem(rel, 0, key, f"{key} is kept by the toolkit and cannot be amended this way") for key in raw
                if key in PROTECTED]
    if problems:
        raise InvalidRecord(f"{rel} tries to change fields the toolkit keeps; nothing was written", problems)
    if not raw:
        raise InvalidRecord(f"{rel} changes nothing")
    dpia = raw.get("dpia")
    if dpia is not None and (not isinstance(dpia, dict) or set(dpia) - DPIA_EDITABLE):
        raise InvalidRecord(f"{rel} may change only dpia.reference, dpia.summary and dpia.reason; whether a DPIA is "
                            "required comes from the DPIA screening (isa assess ID --checklist dpia_screening)",
                            [Problem(rel, 0, "dpia", "only reference, summary and reason can be amended")])
    return raw


def merged(old: Any, new: Any, languages: set[str], source: str) -> Any:
    """``new`` in place of ``old``, except that text ``new`` gives in some languages keeps ``old``'s others."""
    if isinstance(old, dict) and isinstance(new, dict):
        if _is_text(old, languages) and _is_text(new, languages):
            return _merged_text(old, new, source)
        return {key: merged(old.get(key), value, languages, source) for key, value in new.items()}
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [merged(before, after, languages, source) for before, after in zip(old, new, strict=True)]
    return new


def _is_text(value: dict, languages: set[str]) -> bool:
    keys = set(value) - {META_KEY}
    return bool(keys) and keys <= languages


def _merged_text(old: dict, new: dict, source: str) -> dict:
    old_texts = {k: v for k, v in old.items() if k != META_KEY}
    given = {k: v for k, v in new.items() if k != META_KEY}
    texts = {**old_texts, **given}
    made_from = dict(old.get(META_KEY) or {})
    if META_KEY in new:  # the officer says what each translation was made from
        made_from.update(new[META_KEY] or {})
    else:
        current = texts.get(source)
        before = old_texts.get(source)
        for lang in given:  # a translation given now is of the source text as it now reads
            if lang != source and isinstance(current, str) and current.strip():
                made_from[lang] = text_hash(current)
        if source in given and isinstance(before, str) and before.strip() and (
                not isinstance(current, str) or current.strip() != before.strip()):
            for lang in old_texts:  # left as they were: made from the old source text, so maybe out of date
                if lang != source and lang not in given:
                    made_from.setdefault(lang, text_hash(before))
    made_from = {lang: digest for lang, digest in made_from.items() if lang in texts and lang != source}
    return {**texts, **({META_KEY: made_from} if made_from else {})}


# -- what each assessment looked at ------------------------------------------------------------------


def _words(value: Localized | None, languages: list[str]) -> dict[str, str]:
    """Text in the languages it was assessed in: a translation added later changes nothing assessed."""
    return {lang: (value.get(lang) or "").strip() for lang in languages} if value is not None else {}


def _looked_at(agreement: Agreement, languages: list[str], *, risk: bool) -> dict[str, Any]:
    """What an assessment of ``agreement`` depends on, by the name an officer knows it by."""
    items = []
    for item in agreement.data_items:
        facts: list[Any] = [item.personal, item.special_category, item.criminal_offence, item.sensitivity.value]
        if risk:
            facts.append(_words(item.transfer_method, languages))
        items.append(json.dumps(facts, sort_keys=True))
    inputs: dict[str, Any] = {
        "data items": sorted(items),
        "parties": sorted(f"{normalise_organisation(p.organisation)}|{p.role}" for p in agreement.parties),
        "purpose": _words(agreement.purpose, languages),
    }
    if risk:
        inputs["legal basis"] = sorted(f"{b.type}|{b.reference.strip()}" for b in agreement.legal_basis)
    return inputs


def _changed(before: Agreement, after: Agreement, *, risk: bool) -> list[str]:
    languages = list(before.languages)
    old, new = _looked_at(before, languages, risk=risk), _looked_at(after, languages, risk=risk)
    return [name for name in old if old[name] != new[name]]


def renewals(before: Agreement, after: Agreement, version: str) -> dict[str, Any]:
    """The assessments ``after`` must have made again, marked with why (as model updates)."""
    update: dict[str, Any] = {}
    risk = before.risk_assessment
    if risk is not None:
        changed = _changed(before, after, risk=True)
        if changed:
            reason = f"version {version} changed the {_listing(changed)}"
            update["risk_assessment"] = risk.model_copy(update={"needs_renewal": reason})
    screening = before.dpia.screening if before.dpia is not None else None
    if screening is not None:
        changed = _changed(before, after, risk=False)
        if changed:
            reason = f"version {version} changed the {_listing(changed)}"
            update["dpia"] = (after.dpia or before.dpia).model_copy(update={"screening": screening.model_copy(
                update={"needs_renewal": reason})})
    return update


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]




def amended(agreement: Agreement, changes: dict, *, detail: str | None, author: str, date: dt.date, major: bool,
            rel: str = "changes", text: str | None = None, source: str | None = None,
            languages: tuple[str, ...] = ()) -> Agreement:
    """The agreement with ``changes`` applied, a new version and a document-control entry.

    ``source`` is the register's source language (its first); text changed in
    it marks the other languages as possibly out of date. A draft no one has
    signed takes its reference numbers and contacts (``ADMINISTRATIVE``)
    without a new version.
    """
    if agreement.status not in AFTER_AMENDMENT:
        raise IsaError(f"{agreement.id} is {agreement.status.value} and cannot be amended")
    source = source or agreement.languages[0]
    given_languages = changes.get("languages") if isinstance(changes.get("languages"), list) else []
    known = {*agreement.languages, *languages, *(lang for lang in given_languages if isinstance(lang, str)), source}
    data = agreement.model_dump(mode="json", exclude_unset=True, by_alias=True)
    dpia_changes = changes.get("dpia")
    for key, value in changes.items():
        if key != "dpia":
            data[key] = merged(data.get(key), value, known, source)
    if dpia_changes:
        old = data.get("dpia", {})
        data["dpia"] = {**old, **{key: merged(old.get(key), value, known, source) for key, value in dpia_changes.items()}}
    try:
        candidate = Agreement.model_validate(data)
    except ValidationError as exc:
        located = [p for p in problems_from_validation(exc, rel, text) if p.field.split(".")[0].split("[")[0] in changes]
        raise InvalidRecord("the changes do not make a valid agreement; nothing was written",
                            located or problems_from_validation(exc, rel, None)) from None
    if candidate.content_fingerprint() == agreement.content_fingerprint():
        raise IsaError(f"the changes leave {agreement.id}'s content as it is; nothing to amend")
    if agreement.status is Status.DRAFT and not agreement.signoffs and all(
            path in ADMINISTRATIVE for path in changed_paths(changes)):
        return candidate  # a draft's administrative fields: the same version, nothing for the chain to restart
    if not detail or not detail.strip():
        raise IsaError("say what changed, for the document-control history: --detail TEXT")
    version = next_version(agreement.version, major=major)
    entry = Amendment(version=version, detail=detail.strip(), author=author, date=date)
    updated = candidate.model_copy(update={"version": version, "amendments": [*agreement.amendments, entry],
                                           **renewals(agreement, candidate, version)})
    status = AFTER_AMENDMENT[agreement.status]
    if to_renew(updated) and not status.in_force and status is not Status.UNDER_REVIEW:
        status = Status.DRAFT  # assessed again before the sign-off chain starts
    return moved(updated, status, by=author, date=date, reason=f"amended to version {version}")


def amend(root: Path, record_id: str, changes_file: Path | None, *, detail: str | None, author: str, by: str,
          major: bool = False, date: dt.date | None = None, settings: tuple[str, ...] = ()):
    """Apply the changes file (and ``--set FIELD=VALUE`` settings) to the current record, under the lock, and commit."""
    day = date or dt.date.today()
    if day > dt.date.today():
        raise IsaError(f"the amendment date {day} is in the future")
    if changes_file is None and not settings:
        raise IsaError("say what to change: --answers FILE, or --set FIELD=VALUE for a reference or contact")
    changes, text, rel = read_changes(changes_file) if changes_file is not None else ({}, None, "--set")
    for key, value in parse_settings(settings).items():
        changes[key] = {**changes.get(key, {}), **value} if isinstance(value, dict) else value
    check_changes(changes, rel)
    register = load_register(root, checks=False)
    source = register.settings.languages[0] if register.settings else None

    def edit(agreement: Agreement) -> tuple[Agreement, str]:
        updated = amended(agreement, changes, detail=detail, author=author, date=day, major=major, rel=rel, text=text,
                          source=source, languages=tuple(register.languages))
        if updated.version == agreement.version:
            said = f": {detail.strip()}" if detail and detail.strip() else ""
            return updated, f"{_listing(changed_paths(changes))} set on the draft, still version {updated.version}{said}"
        again = [item.split(" (")[0] for item in to_renew(updated)]
        note = f"; {_listing(again)} to be made again" if again else ""
        return updated, f"amended to version {updated.version}: {detail.strip()}{note}"

    return modify_agreement(root, record_id, edit, by=by)
