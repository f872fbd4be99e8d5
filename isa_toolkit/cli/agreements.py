"""Commands that take an agreement through its life: new, assess, transition, sign-off, activate, status, pending, amend."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import InvalidRecord, IsaError
from .common import (
    TEMPLATE_HELP,
    actor,
    complete_checklist,
    complete_id,
    complete_role,
    echo_json,
    load,
    parse_date,
    print_template,
    register_root,
    register_settings,
)


@click.command()
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answer from this YAML or JSON file (keys are question ids) instead of at the terminal.")
@click.option("--questionnaire", "name", default="isa", show_default=True, metavar="NAME",
              help="The questionnaire to answer (workflows/questionnaires/NAME.yaml).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--continue", "go_on", is_flag=True,
              help="Create the draft even if an existing agreement covers the same partner and purpose (with --reason).")
@click.option("--reason", metavar="TEXT",
              help="With --continue: why a new agreement is needed; kept in the record and its commit message.")
@click.option("--by", metavar="NAME", help="Who drafts it (default: $ISA_USER, else git's user.name).")
@click.option("--template", is_flag=True, help=TEMPLATE_HELP)
@click.option("--ask", "ask_missing", is_flag=True,
              help="With --answers: ask at the terminal only what the file leaves out or gets wrong.")
@click.option("--resume", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="FILE",
              help="Go on with an intake stopped part-way (its answers file, printed when it stopped).")
@click.pass_context
def new(ctx: click.Context, answers_file: Path | None, name: str, lang: str | None, go_on: bool, reason: str | None,
        by: str | None, template: bool, ask_missing: bool, resume: Path | None) -> None:
    """Draft a new agreement by answering the intake questionnaire.

    Before writing, the register is searched for an agreement with the same
    partner and an overlapping purpose (at the terminal, as soon as the
    parties and purpose are answered); if one is found you are shown it and
    asked whether to go on and why (with --answers, add --continue --reason
    TEXT). Why is kept in the record and its commit message. The draft is
    committed and its new id printed.

    At the terminal, type 'back' to return to the previous question; long
    texts take several lines (end with an empty line) or 'edit' for your
    editor. Answers are saved as you go: if you stop, `isa new --resume FILE`
    goes on where you left off.

    \b
    Examples:
      isa new --template --lang fr > fire-safety.yaml   # fill it in, then:
      isa new --lang fr
      isa new --answers fire-safety.yaml
      isa new --answers fire-safety.yaml --ask      # asks only what the file leaves out
      isa new --answers fire-safety.yaml --continue --reason "ISA-2024-0001 covers children only"
    """
    from ..workflows import intake
    from ..workflows.ask import Back, ask_all, confirm, ui
    from ..workflows.overlap import find_overlaps
    from ..workflows.questionnaire import load_questionnaire
    from ..workflows.session import FOLDER as SESSIONS
    from ..workflows.session import new_session, save

    if answers_file is not None and resume is not None:
        raise click.UsageError("give --answers FILE or --resume FILE, not both")
    if resume is not None:  # the questionnaire the stopped intake was answering
        name = _saved_questionnaire(resume, name)
    register = load(ctx)
    questionnaire = load_questionnaire(name, register.root)
    if questionnaire.kind not in intake.AGREEMENT_KINDS:
        command = {"disclosure": "isa disclose new", "request": "isa request new", "incident": "isa incident new"}
        raise IsaError(f"the {name} questionnaire records a {questionnaire.kind}, not an agreement: use "
                       f"`{command[questionnaire.kind]}`")
    if template:
        return print_template(ctx, lang, questionnaire=name, command="isa new --answers FILE")
    register_settings(register)
    who = actor(by)  # before any question: an officer must not answer everything to be refused at the end
    words = register.root / "templates"  # whose catalog words the prompts, if it has one for the language
    session = None
    early: dict = {}  # the overlap check made at the terminal, as soon as partners and purpose were known
    if answers_file is not None and not ask_missing:
        values, lang = intake.answers_from_file(register, questionnaire, answers_file, lang)
        rel = str(answers_file)
    else:
        given, unfinished, lang = _answers_so_far(register, questionnaire, resume or answers_file, lang)
        ours = resume is not None and resume.resolve().parent.name == SESSIONS and ".git" in resume.resolve().parts
        session = resume if ours else new_session(register.root, questionnaire.id)  # an officer's own file stays theirs
        click.secho(str(questionnaire.title.get(lang) or questionnaire.title), bold=True)
        click.secho(ui(lang, "Type 'back' at any question to return to the one before.", templates=words), dim=True)
        click.echo(f"Your answers are saved as you go in {session}")

        def saved(answers: dict, unfinished: str | None = None) -> None:
            save(session, questionnaire.id, lang, answers, unfinished)
            if answers.get("parties") and answers.get("purpose") and unfinished != "parties":
                key = _overlap_key(answers, lang)
                if early.get("key") != key:  # checked again whenever the partners or the purpose change
                    early.clear()
                    early.update(_overlap_check(register, answers, lang, session, reason), key=key)

        while True:
            try:
                values = ask_all(questionnaire.questions, lang, given=given, on_answer=saved, unfinished=unfinished,
                                 templates=words)
                break
            except Back:  # at the first question: nothing to go back to
                click.echo(ui(lang, "There is no earlier question to go back to here.", templates=words))
            except click.Abort:
                if session.exists():
                    click.echo(f"\nYour answers so far are kept: isa new --resume {session}", err=True)
                raise
        rel = str(session)
    draft = intake.prepare(register, questionnaire, values, lang, rel=rel)

    checked = early and early.get("key") == _overlap_key({"parties": [{"organisation": p} for p in draft.partners],
                                                          "purpose": draft.purpose.texts}, lang)
    overlaps = [] if checked else find_overlaps(register, draft.partners, draft.purpose.texts)
    if checked:
        reason = early.get("reason")
    if overlaps:
        click.echo("These agreements already cover the same partner and a similar purpose:")
        for o in overlaps:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}")
            click.echo(f"      partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: an existing agreement may already cover this; amend it instead, or run again "
                           "with --continue --reason TEXT (why a new one is needed) to draft a new one")
        if answers_file is None:
            if not confirm(ui(lang, "Draft a new agreement anyway?", templates=words), lang, default=False,
                           templates=words):
                raise IsaError("stopped at your request; nothing was written")
            while not (reason and reason.strip()):
                reason = click.prompt(_why_new(lang, words), prompt_suffix=" ")
        if not (reason and reason.strip()):
            raise IsaError("say why a new agreement is needed although "
                           f"{', '.join(o.agreement_id for o in overlaps)} may already cover this: --reason TEXT")
    overlapping = (early.get("overlapping") if checked else None) or [o.agreement_id for o in overlaps]
    created = intake.create(register, questionnaire, values, lang, by=who, overlapping=overlapping or None,
                            reason=reason)
    if session is not None:
        session.unlink(missing_ok=True)  # the draft holds the answers now
    click.echo(f"Created {created.id} (draft, version {created.version}): {created.title}")
    from ..register.checks import CheckContext, check_record
    from ..register.load import load_chain

    chain, _ = load_chain(register.root, register.settings)
    still = check_record(CheckContext(tuple(register.languages), chain), created, "")
    if still:
        click.echo("Still to cover before it goes for sign-off (isa amend, or edit the record):")
        for problem in still:
            click.echo(f"  {problem.field}: {problem.message.split(': ', 1)[1]}")
    click.echo(f"Next: isa assess {created.id}")


def _answers_so_far(register, questionnaire, path: Path | None, lang: str | None) -> tuple[dict, str | None, str]:
    """The answers a file gives that are right (the others are asked again, each problem shown), the group left
    part-way (its items are kept, and more are offered), and the language."""
    from ..workflows import intake

    if path is None:
        return {}, None, intake.answer_language(register, lang)
    raw, text, rel = intake.read_answers(path)
    lang = intake.answer_language(register, lang, raw)
    unfinished = raw.get("unfinished") if isinstance(raw.get("unfinished"), str) else None
    checked = intake.check_answers(questionnaire, raw, lang, rel=rel, text=text)
    wrong = {problem.field.split(".")[0].split("[")[0] for problem in checked.problems}
    for problem in checked.problems:
        if not (unfinished and problem.field.split("[")[0] == unfinished and "at least" in problem.message):
            click.echo(f"to answer: {problem}")
    given = {key: value for key, value in checked.values.items() if key not in wrong}
    if unfinished and isinstance(raw.get(unfinished), list) and unfinished not in given:
        given[unfinished] = checked.values.get(unfinished, [])
    return given, unfinished, lang


def _saved_questionnaire(path: Path, name: str) -> str:
    """The questionnaire a saved intake was answering (it wins over the default)."""
    from ..workflows import intake

    raw, _, rel = intake.read_answers(path)
    saved = raw.get("questionnaire")
    if isinstance(saved, str) and saved != name and name != "isa":
        raise IsaError(f"{rel} holds answers to the {saved} questionnaire, not to {name}; leave out --questionnaire")
    return saved if isinstance(saved, str) else name


def _overlap_key(answers: dict, lang: str) -> tuple:
    """What the overlap check looked at: the partners and the purpose, as answered."""
    partners = tuple(sorted(str(item.get("organisation", "")) for item in answers.get("parties") or []
                            if isinstance(item, dict)))
    purpose = answers.get("purpose")
    purpose = tuple(sorted(purpose.items())) if isinstance(purpose, dict) else ((lang, str(purpose or "")),)
    return partners, purpose


def _overlap_check(register, answers: dict, lang: str, session: Path, reason: str | None) -> dict:
    """The overlap check, made once the parties and the purpose are known; a "no" stops, keeping the answers."""
    from ..workflows.ask import confirm, ui
    from ..workflows.overlap import find_overlaps

    partners = [item.get("organisation", "") for item in answers["parties"] if isinstance(item, dict)]
    purpose = answers["purpose"] if isinstance(answers["purpose"], dict) else {lang: answers["purpose"]}
    overlaps = find_overlaps(register, partners, purpose)
    if not overlaps:
        return {"checked": True}
    click.echo("These agreements already cover the same partner and a similar purpose:")
    for o in overlaps:
        click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}")
        click.echo(f"      partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
    words = register.root / "templates"
    if not confirm(ui(lang, "Draft a new agreement anyway?", templates=words), lang, default=False, templates=words):
        raise IsaError(f"stopped at your request; nothing was written. Your answers are kept: "
                       f"isa new --resume {session}")
    while not (reason and reason.strip()):
        reason = click.prompt(_why_new(lang, words), prompt_suffix=" ")
    return {"checked": True, "overlapping": [o.agreement_id for o in overlaps], "reason": reason}


def _why_new(lang: str, words: Path) -> str:
    from ..workflows.ask import ui

    return ui(lang, "Why is a new agreement needed? (kept in the record for the audit trail)", templates=words)


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--checklist", "name", default="risk_assessment", show_default=True, metavar="NAME",
              shell_complete=complete_checklist,
              help="The checklist (workflows/checklists/NAME.yaml), e.g. risk_assessment or dpia_screening.")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file (keys are item ids; `rationale` too).")
@click.option("--rationale", metavar="TEXT", help="Why you reached this result (asked for if not given).")
@click.option("--lang", metavar="LANG", help="The language of the questions and your rationale.")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="The assessment date (default: today).")
@click.option("--by", metavar="NAME", help="The assessor (default: $ISA_USER, else git's user.name).")
@click.option("--template", is_flag=True, help=TEMPLATE_HELP)
@click.pass_context
def assess(ctx: click.Context, record_id: str, name: str, answers_file: Path | None, rationale: str | None,
           lang: str | None, when: dt.date | None, by: str | None, template: bool) -> None:
    """Assess an agreement against a checklist and store the result in the record.

    The risk assessment gives proceed, proceed with conditions or do not
    proceed (a blocking "no" always gives do not proceed); the DPIA screening
    says whether a DPIA is required and why. Items the record answers itself
    (special-category or criminal-offence data) come from its data items.

    \b
    Examples:
      isa assess ISA-2026-0003
      isa assess ISA-2026-0003 --checklist dpia_screening --template > dpia.yaml
      isa assess ISA-2026-0003 --checklist dpia_screening --answers dpia.yaml
    """
    from ..register.definitions import load_checklist
    from ..register.load import load_agreement
    from ..workflows import intake
    from ..workflows.ask import ask_checklist, ui
    from ..workflows.assess import OUTCOME_WORDS, applies
    from ..workflows.assess import assess as run_assessment
    from ..workflows.checklist import answers_from_file as checklist_answers_from_file
    from ..workflows.checklist import record_facts

    if template:
        facts = tuple(record_facts(load_agreement(register_root(ctx), record_id)))
        return print_template(ctx, lang, checklist=name, facts=facts,
                              command=f"isa assess {record_id} --checklist {name} --answers FILE")

    root = register_root(ctx)
    register = load(ctx)
    who = actor(by)  # settled before any question is asked
    checklist = load_checklist(name, register.root)
    agreement = load_agreement(root, record_id)
    applies(checklist, agreement)
    facts = record_facts(agreement)
    from_file = None
    if answers_file is not None:
        answers, from_file, lang = checklist_answers_from_file(register, checklist, facts, answers_file, lang)
    else:
        lang = intake.answer_language(register, lang)
        click.secho(str(checklist.title.get(lang) or checklist.title), bold=True)
        answers = ask_checklist(checklist, facts, lang, templates=register.root / "templates")
    if rationale is None and from_file is None:
        if answers_file is not None:
            raise IsaError("say why: give --rationale TEXT or a `rationale:` in the answers file")
        rationale = click.prompt(ui(lang, "Rationale", templates=register.root / "templates"))
    text_rationale = intake.rationale_from(rationale, lang) if rationale is not None else from_file
    result = run_assessment(root, record_id, checklist, answers, rationale=text_rationale, by=who,
                            date=when or dt.date.today())
    click.echo(f"{record_id}: {OUTCOME_WORDS[result.result.outcome]}")
    for item_id in result.result.reasons:
        item = checklist.item(item_id)
        click.echo(f"  because: {item.question.get(lang) or item.question}")
    for condition in result.result.conditions:
        click.echo(f"  condition: {condition.get(lang) or condition}")


@click.command(name="transition")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.argument("to", metavar="STATUS")
@click.option("--reason", metavar="TEXT", help="Why (needed to reject, suspend or terminate).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER, else git's user.name).")
@click.pass_context
def transition_(ctx: click.Context, record_id: str, to: str, reason: str | None, when: dt.date | None, by: str | None) -> None:
    """Move an agreement to another status, if the lifecycle allows it now.

    The lifecycle (workflows/lifecycle.yaml) says which moves are allowed and
    what each needs; a refused move says what is missing. Moves made by the
    sign-off chain itself (in_review, approved, authorised, signed) cannot be
    asked for.

    \b
    Examples:
      isa transition ISA-2026-0003 assessed
      isa transition ISA-2024-0002 suspended --reason "breach INC-2026-0004 under investigation"
    """
    from ..model import Status
    from ..workflows.lifecycle import transition

    try:
        status = Status(to)
    except ValueError:
        raise click.BadParameter(f"{to!r} is not a status; use one of {', '.join(s.value for s in Status)}",
                                 param_hint="STATUS") from None
    agreement, _ = transition(register_root(ctx), record_id, status, by=actor(by), date=when or dt.date.today(),
                              reason=reason)
    click.echo(f"{agreement.id} is now {agreement.status.value}")


@click.command(name="signoff")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--role", required=True, metavar="ROLE", shell_complete=complete_role, help="The role signing, e.g. information_security_manager.")
@click.option("--name", required=True, metavar="NAME", help="The person signing.")
@click.option("--approve", is_flag=True, help="Approve this version.")
@click.option("--reject", is_flag=True, help="Reject it (with --comment): it goes back to draft.")
@click.option("--organisation", metavar="ORG", help="For a partner role: the party signing.")
@click.option("--comment", metavar="TEXT", help="A comment (required with --reject).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="When it was signed (default: today).")
@click.option("--version", "version", metavar="V", help="The version the signer was given (refused unless current).")
@click.option("--document", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The exact file signed: its sha-256 is kept with the sign-off.")
@click.option("--on-behalf-of", "on_behalf_of", metavar="NAME",
              help="A delegate signs in the place of NAME, the person the chain expects (with --reason).")
@click.option("--reason", metavar="TEXT", help="Why a delegate signs (with --on-behalf-of).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def signoff_(ctx: click.Context, record_id: str, role: str, name: str, approve: bool, reject: bool, organisation: str | None,
             comment: str | None, when: dt.date | None, version: str | None, document: Path | None,
             on_behalf_of: str | None, reason: str | None, by: str | None) -> None:
    """Record a sign-off, bound to the agreement's current version and fingerprint.

    Stages are signed in order; inside a stage, in any order. Completing a
    stage moves the status on; the last signature makes it signed. Each slot
    is signed by the person the chain expects (isa status shows who); anyone
    else signs only as a recorded delegate (--on-behalf-of, --reason), and one
    person never fills two slots of one stage.

    \b
    Example:
      isa signoff ISA-2026-0003 --role information_security_manager --name "Sam Khan" --approve
      isa signoff ISA-2026-0003 --role partner_signatory --organisation "Northshire Constabulary" \\
          --name "Helen Marsh" --approve --document signed/ISA-2026-0003-police.pdf
      isa signoff ISA-2026-0003 --role information_security_manager --name "Lee Deputy" --approve \\
          --on-behalf-of "Aisha Rahman" --reason "On leave; delegated in writing on 2 March"
    """
    from ..workflows.signoff import SignoffRequest, signoff

    if approve == reject:
        raise click.UsageError("say --approve or --reject (one of them)")
    decision = "approve" if approve else "reject"
    request = SignoffRequest(role=role, name=name, decision=decision, organisation=organisation, comment=comment,
                             date=when, version=version, document=document, on_behalf_of=on_behalf_of,
                             reason=reason)
    _, commit = signoff(register_root(ctx), record_id, request, by=actor(by))
    from ..register.load import load_agreement

    agreement = load_agreement(register_root(ctx), record_id)
    verb = "approved" if decision == "approve" else "rejected"
    delegate = f" on behalf of {on_behalf_of}" if on_behalf_of else ""
    click.echo(f"{record_id}: {verb} by {name}{delegate} as {role} (version {agreement.version}); "
               f"status {agreement.status.value}")


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="The start date (default: today).")
@click.option("--by", metavar="NAME", help="Who registers it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def activate(ctx: click.Context, record_id: str, when: dt.date | None, by: str | None) -> None:
    """Register a signed agreement as active, with its first review date.

    \b
    Example:
      isa activate ISA-2026-0003
    """
    from ..workflows.signoff import activate as run_activate

    agreement, _ = run_activate(register_root(ctx), record_id, by=actor(by), date=when)
    click.echo(f"{agreement.id} is active from {agreement.start_date}; first review due {agreement.review.due}")
    click.echo("Tell the business area it is in force.")


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.pass_context
def status(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Where an agreement stands: each stage and role, who signed which version, who to chase.

    \b
    Example:
      isa status ISA-2026-0003
    """
    from ..register.load import load_agreement, load_chain, load_register
    from ..workflows.chain import progress
    from ..workflows.lifecycle import load_lifecycle
    from .display import status_data, status_text

    root = register_root(ctx)
    agreement = load_agreement(root, record_id)
    register = load_register(root, checks=False)
    chain, problems = load_chain(register.root, register.settings)
    if chain is None:
        raise InvalidRecord("the sign-off chain cannot be read", problems)
    state = progress(chain, agreement, register.settings)
    if as_json:
        echo_json("status", status_data(agreement, state))
    else:
        label = load_lifecycle(register.root).label(agreement.status, agreement.languages[0])
        click.echo(status_text(agreement, state, label))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.pass_context
def pending(ctx: click.Context, as_json: bool) -> None:
    """Every agreement waiting on someone's sign-off, grouped by who must act.

    \b
    Example:
      isa pending
    """
    from ..review.daily import chased_packs
    from ..workflows.chain import waiting_on

    register = load(ctx)
    groups = waiting_on(register)
    chased = chased_packs(register.root)  # (record, date sent, address) -> the days each chase went

    def pack(w) -> dict | None:
        """When the pack for this slot was sent, and chased (isa send, the daily run)."""
        agreement = register.agreements[w.agreement_id]
        for sent in agreement.sent:
            if (sent.version, sent.stage, sent.role, sent.organisation) == (agreement.version, w.slot.number,
                                                                            w.slot.role, w.slot.organisation):
                days = chased.get((w.agreement_id, sent.date.isoformat(), (sent.email or "").casefold()), [])
                return {"sent": sent.date.isoformat(), "to": sent.name, "chased": sorted(days)}
        return None

    def delegations(w) -> list[dict]:
        """The sign-offs of this version given by a delegate, so far."""
        agreement = register.agreements[w.agreement_id]
        return [{"name": s.name, "on_behalf_of": s.on_behalf_of, "reason": s.delegation, "role": s.role,
                 "organisation": s.organisation}
                for s in agreement.signoffs if s.version == agreement.version and s.on_behalf_of]

    if as_json:
        def person(items) -> dict:
            slot = items[0].slot
            return {"who": items[0].who, "name": slot.expected.name if slot.expected else None, "role": slot.role,
                    "organisation": slot.organisation,
                    "waiting": {w.agreement_id: {"title": register.index[w.agreement_id]["title"], "version": w.version,
                                                 "stage": w.slot.number, "role": w.slot.role,
                                                 "organisation": w.slot.organisation,
                                                 "delegations": delegations(w), "pack": pack(w)} for w in items}}

        echo_json("pending", {"people": [person(items) for items in groups.values()]})
        return
    if not groups:
        click.echo("Nothing is waiting on a sign-off.")
    for who, items in groups.items():
        click.echo(who)
        for w in items:
            click.echo(f"  {w.agreement_id}  version {w.version}, stage {w.slot.number} ({w.slot.stage.id})  {w.title}")
            sent = pack(w)
            if sent is not None:
                chases = ", ".join(sent["chased"]) if sent["chased"] else "not yet"
                click.echo(f"      pack sent {sent['sent']}; chased: {chases}")
            for d in delegations(w):
                click.echo(f"      signed so far by a delegate: {d['name']} on behalf of {d['on_behalf_of']} "
                           f"({d['reason']})")


@click.command()
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--answers", "changes", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON file of the record fields to change.")
@click.option("--set", "settings", multiple=True, metavar="FIELD=VALUE",
              help="Set a reference or contact (dpia.reference, contact, business_area); repeatable.")
@click.option("--detail", metavar="TEXT", help="What changed, for the document-control history (needed for a new version).")
@click.option("--author", metavar="NAME", help="Who made the change (default: --by).")
@click.option("--major", is_flag=True, help="A major change: 1.3 -> 2.0 (default: 1.3 -> 1.4).")
@click.option("--date", "when", callback=parse_date, metavar="DATE", help="The date of the change (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def amend(ctx: click.Context, record_id: str, changes: Path | None, settings: tuple[str, ...], detail: str | None,
          author: str | None, major: bool, when: dt.date | None, by: str | None) -> None:
    """Change an agreement's content: a new version, and the sign-off chain starts again.

    A draft no one has signed takes its references and contacts (--set)
    without a new version.

    \b
    Examples:
      isa amend ISA-2024-0001 --answers new-retention.yaml --detail "Retention cut to 2 years"
      isa amend ISA-2026-0004 --set dpia.reference=DPIA-2026-07
    """
    from ..register.load import load_agreement
    from ..workflows.amend import amend as run_amend
    from ..workflows.assess import to_renew

    who = actor(by)
    root = register_root(ctx)
    before = load_agreement(root, record_id).version
    agreement, _ = run_amend(root, record_id, changes, detail=detail, author=author or who, by=who,
                             major=major, date=when, settings=settings)
    if agreement.version == before:  # a draft's reference or contact
        click.echo(f"{agreement.id} is still version {agreement.version} ({agreement.status.value}); "
                   f"set: {', '.join(settings) or 'the changes'}")
        return
    stale = " earlier sign-offs are stale and the chain starts again" if agreement.signoffs else ""
    click.echo(f"{agreement.id} is now version {agreement.version} ({agreement.status.value});{stale}".rstrip(";"))
    for item in to_renew(agreement):
        click.echo(f"  to be made again before it goes on: {item}")


COMMANDS = (new, assess, transition_, signoff_, activate, status, pending, amend,)
