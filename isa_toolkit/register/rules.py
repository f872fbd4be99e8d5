"""The codes of the warnings ``isa validate`` gives, and the waivers a record may give for them.

Every warning of the record checks carries a stable code: ``ICO-nn`` for the
UK ICO data sharing code's checklist, ``DEA-nn`` for the Digital Economy Act
public register's fields, ``DSGA-nn`` for Ireland's Data Sharing and
Governance Act s.19, ``LAW-nn`` for the other law an agreement answers to,
``PRO-nn`` for what a protocol needs, ``REC-nn`` for a record at odds with
itself, ``REF-nn`` for references between records, ``CASE-nn`` for case
records and ``TR-nn`` for translations (the completeness codes are given with
their items in :mod:`.checks`, the others here). A code, once given, always
means the same check: a new check takes the next free number, and a check
dropped leaves its code unused. docs/register.md lists every code
(tests/test_rule_codes.py holds the two to each other).

A record may waive a warning (``waivers: [{code: ICO-23, reason: ...}]``):
``isa validate`` then lists it as waived, with the reason, instead of warning,
and ``--strict`` does not fail on it. A waiver names a code that exists, is
checked on that kind of record and may be waived, once; anything else is an
error.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from .problem import Problem, Severity

AGREEMENTS = ("isa", "protocol")
KIND_NAMES = {"isa": "an ISA", "protocol": "a protocol", "disclosure": "a one-off disclosure",
              "incident": "an incident", "request": "a third-party request", "register": "the register"}


@dataclass(frozen=True)
class Rule:
    """One check that warns: its code, what it means in a line, and the kinds of record it is made on."""

    code: str
    meaning: str
    kinds: tuple[str, ...]  # isa, protocol, disclosure, incident: the ``kind`` of the records it checks
    waivable: bool = True


# The warnings that are not the completeness items of :data:`.checks.COMPLETENESS`.
OTHER_RULES: tuple[Rule, ...] = (
    Rule("REC-01", "an agreement in force has no sign-off recorded", AGREEMENTS),
    Rule("REC-02", "the risk assessment's conditions are not the agreement's own conditions", AGREEMENTS),
    Rule("REF-01", "related names the agreement itself", AGREEMENTS),
    Rule("REF-02", "related holds something that is not a record id", AGREEMENTS),
    Rule("REF-03", "related names the same record twice", AGREEMENTS),
    Rule("REF-04", "related names an agreement or protocol the register does not hold", AGREEMENTS),
    Rule("REF-05", "agreements_considered names an agreement the register does not hold", ("disclosure",)),
    Rule("CASE-01", "an open breach holds an agreement suspended, but the agreement is no longer suspended",
         ("incident",)),
    Rule("CASE-02", "an urgent disclosure was made although its criteria, completed afterwards, are not met",
         ("disclosure",)),
    Rule("TR-01", "the agreement has a language the register does not", AGREEMENTS),
    Rule("TR-02", "a text is missing in one of the agreement's languages", AGREEMENTS),
    Rule("TR-03", "a translation was made from an older version of its source text", AGREEMENTS),
    # About the repository, not what the record says: the register's own setting decides, not a record.
    Rule("GIT-01", "a sign-off was recorded in a commit git cannot show as signed (require_signed_commits)",
         AGREEMENTS, waivable=False),
    # About the register's files, not one record's: no record can waive them.
    Rule("REG-01", "the register has no classification.yaml", ("register",), waivable=False),
    Rule("REG-02", "a folder inside a record folder is ignored", ("register",), waivable=False),
    Rule("REG-03", "a file in a record folder that does not end in .yaml is ignored", ("register",), waivable=False),
)


def waiver_findings(waivers: Sequence, kind: str, rules: Mapping[str, Rule]) -> Iterator[tuple[int, str]]:
    """``(index, message)`` for each of a record's waivers that is wrong: an unknown code, one not checked on
    this kind of record or that may not be waived, or a code waived twice. (A waiver without a reason is
    refused by the model.)"""
    seen: set[str] = set()
    for index, waiver in enumerate(waivers):
        code = waiver.code
        rule = rules.get(code)
        if rule is None:
            close = difflib.get_close_matches(code.strip().upper(), list(rules), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}? " if close else ""
            yield index, (f"{code!r} is not the code of a warning isa validate gives; {hint}docs/register.md lists "
                          "the codes")
        elif not rule.waivable:
            yield index, f"{code} ({rule.meaning}) cannot be waived by a record"
        elif kind not in rule.kinds:
            yield index, (f"{code} ({rule.meaning}) is not checked on {KIND_NAMES.get(kind, kind)}, so there is "
                          "nothing to waive")
        elif code in seen:
            yield index, f"{code} is waived twice; give it once, with one reason"
        seen.add(code)


def apply_waivers(problems: list[Problem], waivers: Sequence, rules: Mapping[str, Rule]) -> list[Problem]:
    """``problems`` with each warning whose code the record waives shown as waived, with the waiver's reason."""
    if not waivers:
        return problems
    reasons: dict[str, str] = {}
    for waiver in waivers:
        rule = rules.get(waiver.code)
        if rule is not None and rule.waivable:
            reasons.setdefault(waiver.code, waiver.reason)
    return [problem.waived(reasons[problem.code])
            if problem.severity is Severity.WARNING and problem.code in reasons else problem
            for problem in problems]
