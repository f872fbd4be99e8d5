"""``isa demo``: the main job, run on a fresh copy of the example register.

It never touches the example register that ships with the toolkit: it copies
it into the demo folder, makes the copy its own git repository and works there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from ..errors import IsaError, RegisterNotFound
from ..model import Status
from ..register import vcs
from ..register.create import init_register
from ..register.load import find_register, load_register
from ..register.query import select
from .common import parse_date
from .tables import agreement_table

DEMO_USER = "Demo Officer"
# The example register was written as of this day: its overdue review is overdue, its next ones are weeks away.
DEMO_DATE = dt.date(2026, 11, 23)


def run_demo(outdir: Path, *, as_of: dt.date, echo: Callable[[str], None]) -> Path:
    """Copy the example register into ``outdir/register`` and run the main job on it."""
    outdir = Path(outdir)
    root = outdir / "register"
    try:
        inside = find_register(start=outdir.resolve().parent if not outdir.exists() else outdir.resolve())
    except RegisterNotFound:
        inside = None
    if inside is not None:
        raise IsaError(f"{outdir} is inside the register {inside}; run the demo in a folder outside any register")
    if root.exists():
        raise IsaError(f"{root} already exists; remove it or give another folder: isa demo OUTDIR")
    echo(f"== Copying the example register to {root}")
    init_register(root, example=True, organisation=None, by=DEMO_USER)

    echo("\n== Validating (isa validate --strict)")
    register = load_register(root)
    for problem in register.problems:
        echo(f"  {problem}")
    others = [f"{len(section.records)} {name}(s)" for name, section in register.sections.items()
              if name != "agreement" and len(section.records)]
    loaded = ", ".join([f"{len(register.agreements)} agreement(s)", *others])
    echo(f"  {loaded}: {len(register.errors)} error(s), {len(register.warnings)} warning(s)")

    echo("\n== The register (isa list)")
    echo(agreement_table(select(register), register.languages[0]))

    _review_run(register, outdir, as_of, echo)

    new_id = _draft_and_assess(root, as_of, echo)
    _sign_off(root, new_id, min(as_of, dt.date.today()), echo)
    _cases(root, min(as_of, dt.date.today()), echo)
    _annual_review(root, min(as_of, dt.date.today()), echo)
    _documents(root, new_id, outdir / "documents", echo)
    index = _site(root, outdir / "site", as_of, echo)

    echo(f"\n== Done. The demo register is {root.resolve()}")
    echo(f"   Its site: {index.resolve()}")
    isa = how_isa_is_run()
    echo(f"   Try: {isa} -R {root} show {new_id}")
    echo(f"        {isa} -R {root} log {new_id}")
    echo(f"        {isa} -R {root} list --kind disclosure")
    echo(f"        {isa} -R {root} list --kind incident")
    return root


def how_isa_is_run() -> str:
    """The command that runs this toolkit, as the person can type it here: ``isa`` when that is the one on their
    PATH, else the path it was run from (``.venv/bin/isa`` after ``make demo``), else ``python -m isa_toolkit``."""
    import os
    import shlex
    import shutil
    import sys

    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if program is None or program.name in ("__main__.py", "-c") or not program.exists():
        return f"{shlex.quote(sys.executable)} -m isa_toolkit"
    found = shutil.which("isa")
    if found and Path(found).resolve() == program.resolve():
        return "isa"
    shown = os.path.relpath(program) if not os.path.relpath(program).startswith("..") else str(program)
    return shlex.quote(shown if "/" in shown else f"./{shown}")


def _draft_and_assess(root: Path, as_of: dt.date, echo: Callable[[str], None]) -> str:
    """Draft a new ISA from the example answers (showing the overlap found), then assess it."""
    from ..register.definitions import load_checklist
    from ..register.load import load_agreement
    from ..workflows import intake
    from ..workflows.assess import OUTCOME_WORDS, assess
    from ..workflows.checklist import answers_from_file, record_facts
    from ..workflows.overlap import find_overlaps
    from ..workflows.questionnaire import load_questionnaire

    examples = root / "examples"
    answers = examples / "new-isa-answers.yaml"
    echo(f"\n== Drafting a new agreement (isa new --answers {answers.relative_to(root)})")
    register = load_register(root)
    questionnaire = load_questionnaire("isa", root)
    values, lang = intake.answers_from_file(register, questionnaire, answers)
    draft = intake.prepare(register, questionnaire, values, lang, rel=str(answers))
    overlaps = find_overlaps(register, draft.partners, draft.purpose.texts)
    if overlaps:
        echo("  These agreements already cover the same partner and a similar purpose:")
    for o in overlaps:
        echo(f"    {o.agreement_id}  [{o.status}]  {o.title}")
        echo(f"        partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
    echo("  The officer has checked them and goes on (isa new ... --continue).")
    created = intake.create(register, questionnaire, values, lang, by=DEMO_USER, today=as_of)
    echo(f"  Created {created.id} (draft, version {created.version}): {created.title}")
    level = created.classification_level
    echo(f"  Classification: {level.value if level else 'none'} (the highest level of its {len(created.data_items)} data items)")

    for name, file in (("risk_assessment", "risk-assessment-answers.yaml"), ("dpia_screening", "dpia-screening-answers.yaml")):
        path = examples / file
        echo(f"\n== Assessing it (isa assess {created.id} --checklist {name} --answers {path.relative_to(root)})")
        checklist = load_checklist(name, root)
        facts = record_facts(load_agreement(root, created.id))
        given, rationale, lang = answers_from_file(register, checklist, facts, path)
        done = assess(root, created.id, checklist, given, rationale=rationale,
                      by=DEMO_USER, date=min(as_of, dt.date.today()))
        echo(f"  {checklist.title.get('en')}: {OUTCOME_WORDS[done.result.outcome]}")
        for item_id in done.result.reasons:
            echo(f"    because: {checklist.item(item_id).question.get('en')}")
        for condition in done.result.conditions:
            echo(f"    condition: {condition.get('en')}")
    return created.id


def _sign_off(root: Path, record_id: str, day: dt.date, echo: Callable[[str], None]) -> None:
    """Walk the new agreement through the whole sign-off chain to active, with one refused sign-off."""
    from ..register.load import load_agreement, load_chain
    from ..workflows.chain import progress
    from ..workflows.lifecycle import transition
    from ..workflows.signoff import SignoffRequest, activate, signoff

    echo(f"\n== Moving {record_id} on (isa transition {record_id} assessed)")
    agreement, _ = transition(root, record_id, Status.ASSESSED, by=DEMO_USER, date=day)
    echo(f"  {record_id} is now {agreement.status.value}")

    echo("\n== An out-of-order sign-off is refused")
    try:
        signoff(root, record_id, SignoffRequest(role="executive", name="Deputy Chief Constable Ruth Adeyemi",
                                                decision="approve"), by=DEMO_USER, today=day)
    except IsaError as exc:
        echo(f"  isa signoff {record_id} --role executive ... -> refused: {exc}")

    register = load_register(root, checks=False)
    chain, _ = load_chain(root, register.settings)
    echo("\n== The sign-off chain, stage by stage (isa signoff ...)")
    state = progress(chain, load_agreement(root, record_id), register.settings)
    for stage in state.stages:
        if all(slot.slot.role == "partner_signatory" for slot in stage.slots):
            _signatures(root, record_id, stage.number, day, echo)
            continue
        for slot in stage.slots:
            name = slot.slot.expected.name if slot.slot.expected else _STAND_INS.get(slot.slot.role, "A. Signer")
            request = SignoffRequest(role=slot.slot.role, name=name, decision="approve",
                                     organisation=slot.slot.organisation)
            agreement, _ = signoff(root, record_id, request, by=DEMO_USER, today=day)
            echo(f"  stage {stage.number}  {slot.slot.label():<62} {name:<34} -> {agreement.status.value}")
    agreement, _ = activate(root, record_id, by=DEMO_USER, date=day)
    echo(f"\n== Registered (isa activate {record_id}): active from {agreement.start_date}, "
         f"first review due {agreement.review.due}")


def _signatures(root: Path, record_id: str, stage: int, day: dt.date, echo: Callable[[str], None]) -> None:
    """The partners' signatures, as they happen: the register's key made, a certified pack sent to each
    signatory, one signing at once and one late (chased), each copy checked as it comes back, then the sealed
    copy, verified. The signatories' certificates come from a throwaway authority the demo makes."""
    import os
    import secrets

    from ..register.load import load_agreement
    from ..review.reminders import build_email, chasers
    from ..signing.keys import init_keys
    from ..signing.receive import receive
    from ..signing.seal import seal, verify
    from ..signing.send import send
    from ..signing.sign import sign_file
    from ..signing.throwaway import CA, sign_field

    outside = root.parent / "outside-the-register"
    keep = {name: os.environ.get(name) for name in ("ISA_SIGNING_KEY", "ISA_SIGNING_PASSPHRASE")}
    os.environ["ISA_SIGNING_PASSPHRASE"] = secrets.token_urlsafe(24)  # a throwaway key, for this run only
    os.environ["ISA_SIGNING_KEY"] = str(outside / "register-key.pem")
    try:
        echo(f"\n== Stage {stage}: signatures. The register's signing key (isa keys init --key-out ...)")
        register = load_register(root, checks=False)
        made = init_keys(root, register.settings, key_out=outside / "register-key.pem", today=day)
        vcs.commit(root, [made.certificate.relative_to(root).as_posix()],
                   f"keys: the register's signing certificate [by {DEMO_USER}]")
        echo(f"  certificate committed ({made.certificate.relative_to(root)}); private key kept outside the register "
             f"({made.key})")
        echo(f"\n== Sending for signature (isa send {record_id})")
        sending = send(root, record_id, outdir=root.parent / "packs", by=DEMO_USER, today=day)
        for pack in sending.packs:
            echo(f"  {pack.person.name:<20} {pack.pdf.name}  (certified; sha-256 {pack.sha256[:12]} recorded; "
                 f"e-mail in {pack.language}: {pack.eml.name})")
        authority = CA(outside / "throwaway-ca")
        first, late = sending.packs[0], sending.packs[-1]
        for pack in (first,):
            signed = root.parent / "returned" / f"{pack.pdf.stem}-signed.pdf"
            signed.parent.mkdir(parents=True, exist_ok=True)
            bundle = authority.issue(pack.person.name, pack.slot.organisation or "").pkcs12(
                outside / "throwaway-ca" / f"{pack.field}.p12")
            sign_file(pack.pdf, pkcs12=bundle, passphrase=None, out=signed)
            got = receive(root, record_id, signed, by=DEMO_USER, today=day)
            echo(f"  {pack.person.name} signs at once (isa sign ... --pkcs12, a visible signature in their field); "
                 f"isa receive {record_id} {signed.name}: intact, sent copy matched byte for byte, recorded and kept "
                 f"as {got.stored}")
        agreement = load_agreement(root, record_id)
        settings = load_register(root, checks=False).settings
        later = day + dt.timedelta(days=settings.signing.chase.first_after_days)
        for reminder in chasers(agreement, settings, later):
            path = root.parent / "chases" / f"{record_id}-{reminder.stage}-{reminder.recipient.name.split()[-1]}.eml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(build_email(reminder, agreement.version, sender="register@example.org", as_of=later)))
            echo(f"  {later}: the daily run chases {reminder.recipient.name} ({reminder.stage}, "
                 f"in {reminder.recipient.language}): {path.name}")
        signed = root.parent / "returned" / f"{late.pdf.stem}-signed.pdf"
        signed.write_bytes(sign_field(late.pdf.read_bytes(), late.field,
                                      authority.issue(late.person.name, late.slot.organisation or "")))
        got = receive(root, record_id, signed, by=DEMO_USER, today=day)
        echo(f"  {late.person.name} signs; isa receive: recorded; {record_id} is now {got.agreement.status.value}")
        path, digest = seal(root, record_id, outdir=root.parent / "documents", today=day)
        echo(f"\n== Sealed (isa seal {record_id}): {path.name}, every signed copy embedded, sha-256 {digest[:12]}")
        found = verify(root, path)
        echo(f"  isa verify {path.name}: the {found.kind} copy of {found.record_id} version {found.version}; "
             f"{'matches the register' if found.sound else 'DOES NOT match the register'}")
    finally:
        for name, value in keep.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _cases(root: Path, day: dt.date, echo: Callable[[str], None]) -> None:
    """A sharing decision, one-off disclosures (one urgent), a third-party request, and a breach that
    suspends an agreement until its resolution restores it."""
    from ..cases import disclosures, incidents, requests
    from ..cases import intake as case_intake
    from ..cases.deadlines import owed
    from ..cases.share import record_decision
    from ..model import Level
    from ..workflows.questionnaire import load_questionnaire

    examples = root / "examples"
    mash = "ISA-2024-0001"
    echo(f"\n== A decision to share under an agreement in force (isa share {mash} ...)")
    record_decision(root, mash, what="Household composition and police call-outs for one child (case MASH-26-0412)",
                    to="Northshire County Council (Children's Services)", purpose="Strategy discussion on a referral",
                    consent="no", rationale="Seeking consent would put the child at greater risk", by=DEMO_USER,
                    date=day)
    echo(f"  logged in {mash}'s decision log, with the agreement as its legal basis")

    register = load_register(root, checks=False)
    echo("\n== A one-off request an agreement already covers is pointed to it")
    for o in disclosures.covering_agreements(register, "Northshire County Council (Children's Services)",
                                          {"en": "Safeguarding concern: what police know about a child's household"}):
        echo(f"  {o.agreement_id}  [{o.status}]  {o.title}: share under it (isa share), no one-off disclosure")

    for file, urgent in (("disclosure-answers.yaml", False), ("urgent-disclosure-answers.yaml", True)):
        path = examples / file
        echo(f"\n== A one-off disclosure (isa disclose new {'--urgent ' if urgent else ''}--answers "
             f"{path.relative_to(root)})")
        register = load_register(root, checks=False)
        questionnaire = load_questionnaire("disclosure", root)
        answers = case_intake.read_answers(register, questionnaire, path, None, disclosures.EXTRA_KEYS)
        record = disclosures.record(register, disclosures.start(register, answers, urgent=urgent), by=DEMO_USER, today=day)
        echo(f"  {record.id}: {record.decision} to {record.requester.organisation} ({record.state})"
             + (f", criteria: {record.criteria.outcome.replace('_', ' ')}" if record.criteria else ""))
    urgent_id = record.id
    for item in owed(load_register(root, checks=False), day):
        echo(f"  owed (isa deadlines): {item.record_id} by {item.due}: {item.what}")
    completion = examples / "urgent-disclosure-completion.yaml"
    echo(f"\n== Completing the urgent disclosure (isa disclose complete {urgent_id} --answers "
         f"{completion.relative_to(root)})")
    from ..workflows.intake import rationale_from, read_answers

    raw, text, rel = read_answers(completion)
    done = disclosures.complete(root, urgent_id, criteria_answers=raw["criteria"],
                             rationale=rationale_from(raw["rationale"], "en"), lang="en", by=DEMO_USER,
                             date=day, rel=rel, text=text)
    echo(f"  {done.id}: {done.state}, criteria: {done.criteria.outcome.replace('_', ' ')}; no longer outstanding")

    path = examples / "request-answers.yaml"
    echo(f"\n== A third-party request (isa request new --answers {path.relative_to(root)})")
    register = load_register(root, checks=False)
    answers = case_intake.read_answers(register, load_questionnaire("request", root), path, None, requests.EXTRA_KEYS)
    logged = requests.log_request(register, answers, by=DEMO_USER, today=day)
    echo(f"  {logged.id} from {logged.requester.organisation}: criteria say "
         f"{logged.criteria.outcome.replace('_', ' ')} ({', '.join(logged.criteria.reasons)})")
    granted = requests.decide(root, logged.id, grant=True, by=DEMO_USER, date=day, lang="en", level=Level.MODERATE,
                                 channel="1", anonymisation="aggregated",
                                 onward="For the foundation's funding panel only; not to be published or passed on")
    echo(f"  isa request decide {logged.id} --grant --level moderate --channel 1 --anonymisation aggregated ... -> "
         f"{granted.state}, by {granted.decision.safeguards.channel.get('en')}")

    path = examples / "breach-answers.yaml"
    echo(f"\n== A breach (isa incident new --answers {path.relative_to(root)})")
    register = load_register(root, checks=False)
    answers = case_intake.read_answers(register, load_questionnaire("incident", root), path, None, ())
    outcome = incidents.record(register, answers, by=DEMO_USER, today=day)
    breach = outcome.incident
    for agreement_id in outcome.suspended:
        status = load_register(root, checks=False).index[agreement_id]["status"]
        echo(f"  {breach.id}: {agreement_id} is now {status}; sharing under it is refused until the breach is resolved")
    try:
        record_decision(root, outcome.suspended[0], what="Risk summary", to="Northshire Health NHS Foundation Trust",
                        purpose="MARAC", consent="no", rationale="High risk of serious harm to the victim",
                        by=DEMO_USER, date=day)
    except IsaError as exc:
        echo(f"  isa share {outcome.suspended[0]} ... -> refused: {exc}")
    for item in owed(load_register(root, checks=False), day):
        echo(f"  owed (isa deadlines): {item.record_id} by {item.due}: {item.what}")
    incidents.record_notice(root, breach.id, date=day, reference="ICO/2026/118204", by=DEMO_USER)
    incidents.record_meeting(root, breach.id, date=day, attendees=["MARAC chair", "Northshire Domestic Abuse Service"],
                             notes="Cause found: an old address kept in a shared mailing list", by=DEMO_USER, lang="en")
    resolved = incidents.resolve(root, breach.id, agreed="Mailing list cleaned and locked to the secure domain; the "
                                 "former employee confirmed deletion in writing; all partners to check their lists "
                                 "monthly", agreed_by=["Northshire Constabulary", "Northshire Domestic Abuse Service"],
                                 by=DEMO_USER, date=day, lang="en")
    echo(f"  isa incident notified / meeting / resolve {breach.id} -> resolved")
    for agreement_id, status in resolved.restored.items():
        echo(f"  {agreement_id}: back to {status}; sharing under it resumes")


MARAC = "ISA-2023-0002"


def _annual_review(root: Path, day: dt.date, echo: Callable[[str], None]) -> None:
    """The overdue MARAC agreement's annual review: both parties confirm it is still needed, then it is renewed."""
    from ..review.steps import complete_review, record_finding, start_review

    echo(f"\n== The overdue annual review of {MARAC} (isa review start / record / complete)")
    start_review(root, MARAC, by=DEMO_USER, date=day)
    record_finding(root, MARAC, stakeholder="Northshire Constabulary", still_required=True,
                   changes="New designated officer from January: Detective Inspector Owen Baptiste", by=DEMO_USER,
                   date=day)
    record_finding(root, MARAC, stakeholder="Northshire Health NHS Foundation Trust", still_required=True,
                   changes=None, by=DEMO_USER, date=day)
    updated, _ = complete_review(root, MARAC, outcome="renew", reason=None, detail=None, by=DEMO_USER, date=day)
    echo(f"  both parties say it is still needed; version {updated.version} now goes through the sign-off chain "
         f"(isa status {MARAC}), and stays in force meanwhile ({updated.status.value})")


_STAND_INS = {
    "information_asset_owner": "Detective Superintendent Mark Ellery",
    "designated_officer": "Sergeant Priya Natarajan",
    "executive": "Deputy Chief Constable Ruth Adeyemi",
}


def _site(root: Path, outdir: Path, as_of: dt.date, echo: Callable[[str], None]) -> Path:
    """Build the register site of the demo register, in English and French; return its first page."""
    from ..site import build_site

    echo(f"\n== The register site (isa site --lang both -o {outdir})")
    built = build_site(load_register(root), outdir, langs=["en", "fr"], as_of=as_of)
    echo(f"  {built.pages} page(s); open {built.index} in a browser (it works straight from the disk)")
    return built.index


def _documents(root: Path, record_id: str, outdir: Path, echo: Callable[[str], None]) -> None:
    """Write documents: the new agreement and the bilingual protocol in en, fr and en+fr, the signature pages,
    the sign-off sheet, the assessment record and the one-off disclosure records; show a missing translation refused."""
    from ..documents.context import MissingTranslation
    from ..documents.render import render

    echo(f"\n== Documents (isa render ...) in {outdir}")
    register = load_register(root)
    agreement = register.agreements[record_id]
    jobs = [(record_id, "agreement", lang, ("docx", "pdf")) for lang in ("en", "fr", "en+fr")]
    jobs += [(record_id, doc, "en+fr", ("docx", "pdf")) for doc in ("signature-pages", "signoff-sheet", "assessment")]
    jobs += [("ISP-2025-0001", "protocol", lang, ("docx", "pdf")) for lang in ("en", "fr", "en+fr")]
    for doc_id, doc, lang, formats in jobs:
        for item in render(register, register.agreements[doc_id], doc=doc, lang=lang, formats=formats, outdir=outdir):
            echo(f"  {item.path.name:<58} sha256:{item.sha256[:16]}...")
    echo(f"  Every page carries the version and fingerprint ({record_id}: {agreement.fingerprint}), "
         "the fingerprint the sign-offs are bound to.")
    for item in render(register, register.agreements[MARAC], doc="review-report", lang="en", outdir=outdir):
        echo(f"  {item.path.name:<58} sha256:{item.sha256[:16]}...")
    # The one-off disclosures: the record, and the security statement that goes to the recipient.
    disclosures = register.section("disclosure").records
    for disclosure_id in sorted(disclosures):
        for item in render(register, disclosures[disclosure_id], doc="disclosure", lang="en", formats=("docx", "pdf"),
                           outdir=outdir):
            echo(f"  {item.path.name:<58} sha256:{item.sha256[:16]}...")
    # A draft written in English only: its French document is refused until translated (or marked, --fallback).
    draft = register.agreements["ISA-2026-0002"]
    try:
        render(register, draft, lang="fr", formats=("docx",), outdir=outdir)
    except MissingTranslation as exc:
        fields = exc.fields
        shown = ", ".join(fields[:4]) + (f" and {len(fields) - 4} more" if len(fields) > 4 else "")
        echo(f"  isa render {draft.id} --lang fr -> refused: no French text for {shown} (or --fallback to mark it)")


def _review_run(register, outdir: Path, as_of: dt.date, echo: Callable[[str], None]) -> None:
    """What the daily review run would send today (isa review run, without --send), and the calendar."""
    from ..register.store import write_atomic
    from ..review.daily import due_list, review_calendar
    from ..review.daily import run as review_run

    echo(f"\n== Due for review within 60 days of {as_of.isoformat()} (isa review due --as-of {as_of.isoformat()})")
    items = due_list(register, as_of, 60)
    if not items:
        echo("  nothing is due")
    for item in items:
        when = f"{-item.days_left} day(s) overdue" if item.days_left < 0 else f"due in {item.days_left} day(s)"
        echo(f"  {item.record_id}  {item.due.isoformat()}  {when}  {item.title}")
    out = outdir / "reminders"
    result = review_run(register, as_of=as_of, out=out, send=False, by=DEMO_USER)
    echo(f"\n== The daily reminder run (isa review run --as-of {as_of.isoformat()} -o {out}): "
         f"{len(result.planned)} email(s) would be sent")
    for reminder in result.planned:
        echo(f"  {reminder.stage:<12} {reminder.record_id:<15} to {reminder.recipient.name} <{reminder.recipient.email}> "
             f"({reminder.recipient.language})")
    calendar_path = outdir / "reviews.ics"
    write_atomic(calendar_path, review_calendar(register, dt.date(2000, 1, 1)))
    echo(f"  The emails are in {out}; every review date is in {calendar_path} (isa calendar)")


@click.command()
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", callback=parse_date, metavar="DATE",
              help="Run the review as if today were DATE (default: 2026-11-23, the date the example register was written for).")
def demo(outdir: Path | None, as_of: dt.date | None) -> None:
    """Run the main job on a copy of the example register, in OUTDIR (default ./isa-demo).

    The example register that ships with the toolkit is never changed.
    """
    run_demo(outdir or Path("isa-demo"), as_of=as_of or DEMO_DATE, echo=click.echo)


COMMANDS = (demo,)
