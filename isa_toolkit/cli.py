"""The ``isa`` command: a thin layer over the library.

Each command finds the register, calls one library function and prints the
result. Every :class:`~isa_toolkit.errors.IsaError` becomes ``Error: <reason>``
with exit code 1, in one place (:class:`IsaGroup`); usage mistakes exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InvalidRecord, IsaError
from .problem import Severity
from .register import select


class IsaGroup(click.Group):
    """Turns the toolkit's errors into a reason and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        from pydantic import ValidationError

        from .intake import AnswerError

        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the output was cut short by its reader (| head): not an error of ours
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - nothing more can be written anyway
            ctx.exit(0)
        except AnswerError as exc:
            raise click.ClickException(str(exc)) from None
        except ValidationError as exc:
            from .store import format_loc

            reasons = "; ".join(f"{format_loc(tuple(e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
            raise click.ClickException(f"refused, nothing was written: {reasons}") from None
        except InvalidRecord as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(str(exc)) from None
        except IsaError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None


def _register_root(ctx: click.Context) -> Path:
    from .store import find_register

    return find_register(ctx.obj.get("register"))


def _load(ctx: click.Context):
    from .store import load_register

    return load_register(_register_root(ctx))


def _author(by: str | None) -> str:
    if by:
        return by
    import getpass

    if os.environ.get("ISA_USER"):
        return os.environ["ISA_USER"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. in a container): say who with --by
        raise IsaError("cannot tell who you are: give --by NAME or set ISA_USER") from None


def _check_statuses(statuses, known: set[str], section: str) -> None:
    for status in statuses:
        if status not in known:
            raise click.BadParameter(f"{status!r} is not a status of {_a(section)} {section}; use one of "
                                     f"{', '.join(sorted(known))}", param_hint="--status")


def _a(noun: str) -> str:
    """The article before ``noun``: an agreement, a request."""
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _note_unreadable(register) -> None:
    unreadable = register.unreadable
    if unreadable:
        click.echo(
            f"note: {len(unreadable)} file(s) could not be loaded and are left out; `isa validate` says why",
            err=True,
        )


def _parse_date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def _parse_date_option(ctx, param, value: str | None) -> dt.date | None:
    return _parse_date(ctx, param, value)


@click.group(cls=IsaGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "-R", "--register", "register", metavar="PATH", envvar="ISA_REGISTER",
    help="The register folder (default: $ISA_REGISTER, else the nearest folder upwards holding register.yaml).",
)
@click.version_option(__version__, prog_name="isa")
@click.pass_context
def main(ctx: click.Context, register: str | None) -> None:
    """Keep a register of information sharing agreements and protocols.

    The register is a git repository of YAML records; every change the
    toolkit makes is one commit. Start with `isa demo`, or `isa init PATH`.
    """
    ctx.ensure_object(dict)
    ctx.obj["register"] = register


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Fill the register with the example records.")
@click.option("--organisation", metavar="NAME", help="The organisation that keeps the register.")
@click.option("--by", metavar="NAME", help="Who creates it (recorded in the commit; default: $ISA_USER or your login).")
def init(path: Path, example: bool, organisation: str | None, by: str | None) -> None:
    """Create a new register at PATH: settings, classification and a git repository.

    \b
    Example:
      isa init ~/registers/northshire --organisation "Northshire Council"
    """
    from .register import init_register

    root = init_register(path, example=example, organisation=organisation, by=_author(by))
    click.echo(f"Created register {root}")
    click.echo(f"Next: cd {root} && isa validate")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings (completeness, translations) as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def validate(ctx: click.Context, strict: bool, as_json: bool) -> None:
    """Check every record: errors, and warnings for what a sound agreement lacks.

    Each problem is printed as `path:line: field: message`. Exit code 1 when
    there is an error (or, with --strict, a warning).

    \b
    Example:
      isa validate --strict
    """
    register = _load(ctx)
    problems = [p.as_error() if strict else p for p in register.problems]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if as_json:
        _echo_json({
            "register": str(register.root),
            "records": len(register.agreements),
            "counts": {name: len(section.records) for name, section in register.sections.items()},
            "errors": len(errors),
            "warnings": len(warnings),
            "problems": [p.as_dict() for p in problems],
        })
    else:
        for problem in problems:
            click.echo(str(problem))
        others = [f"{len(section.records)} {name}(s)" for name, section in register.sections.items()
                  if name != "agreement" and len(section.records)]
        loaded = ", ".join([f"{len(register.agreements)} agreement(s)", *others])
        click.echo(f"{loaded} loaded: {len(errors)} error(s), {len(warnings)} warning(s)", err=bool(problems))
    if errors:
        ctx.exit(1)


LIST_KINDS = ["agreement", "isa", "protocol", "disclosure", "request", "incident"]


@main.command(name="list")
@click.option("--status", "statuses", multiple=True, metavar="S", help="Only this status (repeatable), e.g. active.")
@click.option("--kind", type=click.Choice(LIST_KINDS), default="agreement", show_default=True,
              help="Which records: agreements (isa and protocol together, or one of them), one-off disclosures, "
                   "third-party requests or incidents.")
@click.option("--partner", metavar="P", help="Only those with a party (or requester) whose organisation contains P.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def list_(ctx: click.Context, statuses: tuple[str, ...], kind: str, partner: str | None, as_json: bool) -> None:
    """List agreements and protocols (status, version, next review), or disclosures, requests or incidents.

    Statuses: agreements have their lifecycle's (active, suspended...);
    disclosures are outstanding (urgent, rationale still due), disclosed or
    refused; requests open, granted or refused; incidents open or resolved.

    \b
    Examples:
      isa list --status active --partner constabulary
      isa list --kind disclosure --status outstanding
      isa list --kind incident --status open
    """
    from .display import agreement_table, case_table
    from .model import Status
    from .register import CASE_STATUSES

    section = kind if kind in CASE_STATUSES else "agreement"
    known = set(CASE_STATUSES[section]) if section in CASE_STATUSES else {s.value for s in Status}
    _check_statuses(statuses, known, section)
    register = _load(ctx)
    chosen = select(register, statuses=statuses, kind=kind if kind in ("isa", "protocol") else None, partner=partner,
                    section=section)
    if as_json:
        _echo_json(chosen)
    elif section == "agreement":
        click.echo(agreement_table(chosen, register.languages[0]))
    else:
        click.echo(case_table(chosen, section, register.languages[0]))
    _note_unreadable(register)


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as JSON.")
@click.pass_context
def show(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show one record: an agreement's parties, purpose, data, legal basis, sign-offs and review;
    a disclosure's, request's or incident's details and where it stands.

    \b
    Examples:
      isa show ISA-2024-0001
      isa show INC-2026-0001
    """
    from .display import agreement_text, case_text
    from .kinds import AGREEMENT, KINDS
    from .store import load_classification, load_record, record_path

    root = _register_root(ctx)
    kind = next((k for k in KINDS if record_path(root, record_id, k).is_file()), None)
    if kind is None:
        from .errors import RecordNotFound

        raise RecordNotFound(f"no record {record_id!r} in {root}; `isa list` (agreements) and "
                             "`isa list --kind disclosure|request|incident` show the ids")
    record = load_record(root, kind, record_id)
    if as_json:
        _echo_json(record.model_dump(mode="json", exclude_none=True))
    elif kind is AGREEMENT:
        click.echo(agreement_text(record, load_classification(root), record.languages[0]))
    else:
        click.echo(case_text(record, record.languages[0]))


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def log(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show the history of one record from git, newest first.

    \b
    Example:
      isa log ISA-2024-0001
    """
    from .register import history

    entries = history(_register_root(ctx), record_id)
    if as_json:
        _echo_json([e.as_dict() for e in entries])
        return
    for entry in entries:
        click.echo(f"{entry.date[:10]}  {entry.commit[:10]}  {entry.subject}  ({entry.author})")


@main.command()
@click.option("--kind", type=click.Choice(["agreement", "disclosure", "request", "incident"]), default="agreement",
              show_default=True, help="Which records to export.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True, help="Output format.")
@click.option("--public", is_flag=True, help="Only agreements in force and only the public-register fields.")
@click.option("--lang", metavar="LANG", help="Language of the text columns (default: the register's first language).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of standard output.")
@click.pass_context
def export(ctx: click.Context, kind: str, fmt: str, public: bool, lang: str | None, output: Path | None) -> None:
    """Export the register as CSV or JSON (CSV cells are safe to open in a spreadsheet).

    \b
    Examples:
      isa export --public -o public-register.csv
      isa export --kind incident -o incidents.csv
    """
    from . import export as exporter

    register = _load(ctx)
    lang = lang or register.languages[0]
    if lang not in register.languages:
        raise click.BadParameter(f"{lang!r} is not one of the register's languages ({', '.join(register.languages)})",
                                 param_hint="--lang")
    if kind != "agreement":
        if public:
            raise click.BadParameter("the public register lists agreements only; drop --public or --kind",
                                     param_hint="--public")
        records = register.section(kind).records.values()
        table = exporter.case_rows(records, lang)
        text = (exporter.to_csv(table, header=exporter.CASE_FIELDS[kind]) if fmt == "csv"
                else exporter.cases_json(records))
        count = len(table)
    else:
        table = exporter.rows(register.agreements.values(), public=public, lang=lang)
        if fmt == "csv":
            text = exporter.to_csv(table, public=public)
        else:
            text = exporter.to_json(register.agreements.values(), table, public=public)
        count = len(table) if public or fmt == "csv" else len(register.agreements)
    if output is None:
        click.echo(text, nl=False)
    else:
        # CSV gets a byte-order mark so spreadsheet programs read accents (é, ç) correctly.
        output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        click.echo(f"Wrote {count} record(s) to {output}", err=True)
    _note_unreadable(register)


def _settings(register):
    if register.settings is None:
        raise IsaError("register.yaml has errors, so nothing can be written; run `isa validate` and fix them first")
    return register.settings


@main.command()
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answer from this YAML or JSON file (keys are question ids) instead of at the terminal.")
@click.option("--questionnaire", "name", default="isa", show_default=True, metavar="NAME",
              help="The questionnaire to answer (workflows/questionnaires/NAME.yaml).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--continue", "go_on", is_flag=True,
              help="Create the draft even if an existing agreement covers the same partner and purpose.")
@click.option("--by", metavar="NAME", help="Who drafts it (default: $ISA_USER or your login).")
@click.pass_context
def new(ctx: click.Context, answers_file: Path | None, name: str, lang: str | None, go_on: bool, by: str | None) -> None:
    """Draft a new agreement by answering the intake questionnaire.

    Before writing, the register is searched for an agreement with the same
    partner and an overlapping purpose; if one is found you are shown it and
    asked whether to go on (with --answers, add --continue to go on). The
    draft is committed and its new id printed.

    \b
    Examples:
      isa new --lang fr
      isa new --answers fire-safety.yaml
    """
    from . import intake
    from .ask import ask_all, confirm
    from .overlap import find_overlaps
    from .questionnaire import load_questionnaire

    register = _load(ctx)
    _settings(register)
    questionnaire = load_questionnaire(name, register.root)
    if questionnaire.kind not in intake.AGREEMENT_KINDS:
        command = {"disclosure": "isa disclose new", "request": "isa request new", "incident": "isa incident new"}
        raise IsaError(f"the {name} questionnaire records a {questionnaire.kind}, not an agreement: use "
                       f"`{command[questionnaire.kind]}`")
    if answers_file is not None:
        values, lang = intake.answers_from_file(register, questionnaire, answers_file, lang)
        rel = str(answers_file)
    else:
        lang = intake.answer_language(register, lang)
        click.secho(str(questionnaire.title.get(lang) or questionnaire.title), bold=True)
        values = ask_all(questionnaire.questions, lang)
        rel = "your answers"
    draft = intake.prepare(register, questionnaire, values, lang, rel=rel)

    overlaps = find_overlaps(register, draft.partners, draft.purpose.texts)
    if overlaps:
        click.echo("These agreements already cover the same partner and a similar purpose:")
        for o in overlaps:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}")
            click.echo(f"      partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: an existing agreement may already cover this; "
                           "amend it instead, or run again with --continue to draft a new one")
        if answers_file is None and not confirm("Draft a new agreement anyway?", lang, default=False):
            raise IsaError("stopped at your request; nothing was written")
    created = intake.create(register, questionnaire, values, lang, by=_author(by))
    click.echo(f"Created {created.id} (draft, version {created.version}): {created.title}")
    from .check import CheckContext, check_record
    from .store import load_chain

    chain, _ = load_chain(register.root, register.settings)
    still = check_record(CheckContext(tuple(register.languages), chain), created, "")
    if still:
        click.echo("Still to cover before it goes for sign-off (isa amend, or edit the record):")
        for problem in still:
            click.echo(f"  {problem.field}: {problem.message.split(': ', 1)[1]}")
    click.echo(f"Next: isa assess {created.id}")


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--checklist", "name", default="risk_assessment", show_default=True, metavar="NAME",
              help="The checklist (workflows/checklists/NAME.yaml), e.g. risk_assessment or dpia_screening.")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file (keys are item ids; `rationale` too).")
@click.option("--rationale", metavar="TEXT", help="Why you reached this result (asked for if not given).")
@click.option("--lang", metavar="LANG", help="The language of the questions and your rationale.")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="The assessment date (default: today).")
@click.option("--by", metavar="NAME", help="The assessor (default: $ISA_USER or your login).")
@click.pass_context
def assess(ctx: click.Context, record_id: str, name: str, answers_file: Path | None, rationale: str | None,
           lang: str | None, when: dt.date | None, by: str | None) -> None:
    """Assess an agreement against a checklist and store the result in the record.

    The risk assessment gives proceed, proceed with conditions or do not
    proceed (a blocking "no" always gives do not proceed); the DPIA screening
    says whether a DPIA is required and why. Items the record answers itself
    (special-category or criminal-offence data) come from its data items.

    \b
    Examples:
      isa assess ISA-2026-0003
      isa assess ISA-2026-0003 --checklist dpia_screening --answers dpia.yaml
    """
    from . import intake
    from .ask import ask_checklist
    from .assess import OUTCOME_WORDS, applies
    from .assess import assess as run_assessment
    from .checklist import answers_from_file as checklist_answers_from_file
    from .checklist import load_checklist, record_facts
    from .store import load_agreement

    root = _register_root(ctx)
    register = _load(ctx)
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
        answers = ask_checklist(checklist, facts, lang)
    if rationale is None and from_file is None:
        if answers_file is not None:
            raise IsaError("say why: give --rationale TEXT or a `rationale:` in the answers file")
        rationale = click.prompt("Rationale" if lang != "fr" else "Justification")
    text_rationale = intake.rationale_from(rationale, lang) if rationale is not None else from_file
    result = run_assessment(root, record_id, checklist, answers, rationale=text_rationale, by=_author(by),
                            date=when or dt.date.today())
    click.echo(f"{record_id}: {OUTCOME_WORDS[result.result.outcome]}")
    for item_id in result.result.reasons:
        item = checklist.item(item_id)
        click.echo(f"  because: {item.question.get(lang) or item.question}")
    for condition in result.result.conditions:
        click.echo(f"  condition: {condition.get(lang) or condition}")


@main.command(name="transition")
@click.argument("record_id", metavar="ID")
@click.argument("to", metavar="STATUS")
@click.option("--reason", metavar="TEXT", help="Why (needed to reject, suspend or terminate).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER or your login).")
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
    from .lifecycle import transition
    from .model import Status

    try:
        status = Status(to)
    except ValueError:
        raise click.BadParameter(f"{to!r} is not a status; use one of {', '.join(s.value for s in Status)}",
                                 param_hint="STATUS") from None
    agreement, _ = transition(_register_root(ctx), record_id, status, by=_author(by), date=when or dt.date.today(),
                              reason=reason)
    click.echo(f"{agreement.id} is now {agreement.status.value}")


@main.command(name="signoff")
@click.argument("record_id", metavar="ID")
@click.option("--role", required=True, metavar="ROLE", help="The role signing, e.g. information_security_manager.")
@click.option("--name", required=True, metavar="NAME", help="The person signing.")
@click.option("--approve", is_flag=True, help="Approve this version.")
@click.option("--reject", is_flag=True, help="Reject it (with --comment): it goes back to draft.")
@click.option("--organisation", metavar="ORG", help="For a partner role: the party signing.")
@click.option("--comment", metavar="TEXT", help="A comment (required with --reject).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When it was signed (default: today).")
@click.option("--version", "version", metavar="V", help="The version the signer was given (refused unless current).")
@click.option("--document", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The exact file signed: its sha-256 is kept with the sign-off.")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def signoff_(ctx: click.Context, record_id: str, role: str, name: str, approve: bool, reject: bool, organisation: str | None,
             comment: str | None, when: dt.date | None, version: str | None, document: Path | None, by: str | None) -> None:
    """Record a sign-off, bound to the agreement's current version and fingerprint.

    Stages are signed in order; inside a stage, in any order. Completing a
    stage moves the status on; the last signature makes it signed.

    \b
    Example:
      isa signoff ISA-2026-0003 --role information_security_manager --name "Sam Khan" --approve
      isa signoff ISA-2026-0003 --role partner_signatory --organisation "Northshire Constabulary" \\
          --name "Helen Marsh" --approve --document signed/ISA-2026-0003-police.pdf
    """
    from .signoff import SignoffRequest, signoff

    if approve == reject:
        raise click.UsageError("say --approve or --reject (one of them)")
    decision = "approve" if approve else "reject"
    request = SignoffRequest(role=role, name=name, decision=decision, organisation=organisation, comment=comment,
                             date=when, version=version, document=document)
    _, commit = signoff(_register_root(ctx), record_id, request, by=_author(by))
    from .store import load_agreement

    agreement = load_agreement(_register_root(ctx), record_id)
    verb = "approved" if decision == "approve" else "rejected"
    click.echo(f"{record_id}: {verb} by {name} as {role} (version {agreement.version}); status {agreement.status.value}")


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="The start date (default: today).")
@click.option("--by", metavar="NAME", help="Who registers it (default: $ISA_USER or your login).")
@click.pass_context
def activate(ctx: click.Context, record_id: str, when: dt.date | None, by: str | None) -> None:
    """Register a signed agreement as active, with its first review date.

    \b
    Example:
      isa activate ISA-2026-0003
    """
    from .signoff import activate as run_activate

    agreement, _ = run_activate(_register_root(ctx), record_id, by=_author(by), date=when)
    click.echo(f"{agreement.id} is active from {agreement.start_date}; first review due {agreement.review.due}")
    click.echo("Tell the business area it is in force.")


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.pass_context
def status(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Where an agreement stands: each stage and role, who signed which version, who to chase.

    \b
    Example:
      isa status ISA-2026-0003
    """
    from .display import status_data, status_text
    from .lifecycle import load_lifecycle
    from .signoff import progress
    from .store import load_agreement, load_chain, load_register

    root = _register_root(ctx)
    agreement = load_agreement(root, record_id)
    register = load_register(root, checks=False)
    chain, problems = load_chain(register.root, register.settings)
    if chain is None:
        raise InvalidRecord("the sign-off chain cannot be read", problems)
    state = progress(chain, agreement, register.settings)
    if as_json:
        _echo_json(status_data(agreement, state))
    else:
        label = load_lifecycle(register.root).label(agreement.status, agreement.languages[0])
        click.echo(status_text(agreement, state, label))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
@click.pass_context
def pending(ctx: click.Context, as_json: bool) -> None:
    """Every agreement waiting on someone's sign-off, grouped by who must act.

    \b
    Example:
      isa pending
    """
    from .signoff import waiting_on

    groups = waiting_on(_load(ctx))
    if as_json:
        _echo_json({who: [{"id": w.agreement_id, "title": w.title, "version": w.version, "stage": w.slot.number,
                           "role": w.slot.role, "organisation": w.slot.organisation} for w in items]
                    for who, items in groups.items()})
        return
    if not groups:
        click.echo("Nothing is waiting on a sign-off.")
    for who, items in groups.items():
        click.echo(who)
        for w in items:
            click.echo(f"  {w.agreement_id}  version {w.version}, stage {w.slot.number} ({w.slot.stage.id})  {w.title}")


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--answers", "changes", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML or JSON file of the record fields to change.")
@click.option("--detail", required=True, metavar="TEXT", help="What changed, for the document-control history.")
@click.option("--author", metavar="NAME", help="Who made the change (default: --by).")
@click.option("--major", is_flag=True, help="A major change: 1.3 -> 2.0 (default: 1.3 -> 1.4).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="The date of the change (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def amend(ctx: click.Context, record_id: str, changes: Path, detail: str, author: str | None, major: bool,
          when: dt.date | None, by: str | None) -> None:
    """Change an agreement's content: a new version, and the sign-off chain starts again.

    \b
    Example:
      isa amend ISA-2024-0001 --answers new-retention.yaml --detail "Retention cut to 2 years"
    """
    from .amend import amend as run_amend

    who = _author(by)
    agreement, _ = run_amend(_register_root(ctx), record_id, changes, detail=detail, author=author or who, by=who,
                             major=major, date=when)
    stale = " earlier sign-offs are stale and the chain starts again" if agreement.signoffs else ""
    click.echo(f"{agreement.id} is now version {agreement.version} ({agreement.status.value});{stale}".rstrip(";"))


@main.command()
@click.argument("record_id", metavar="ID", required=False)
@click.option("--doc", type=click.Choice(["agreement", "protocol", "signature-pages", "signoff-sheet", "assessment",
                                          "review-report", "disclosure"]),
              default=None,
              help="Which document (default: the record's own: the agreement, the protocol for a protocol, and for a "
                   "one-off disclosure its record and security statement).")
@click.option("--lang", default=None, metavar="LANG", help="en, fr or en+fr (both in one document); default: the register's first language.")
@click.option("--format", "fmt", type=click.Choice(["docx", "pdf", "all"]), default="all", show_default=True)
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("documents"),
              show_default=True, help="The folder to write to.")
@click.option("--fallback", is_flag=True, help="Render even where a translation is missing, marking the untranslated text.")
@click.option("--all", "batch", is_flag=True, help="Render every agreement (with --status, those in that status).")
@click.option("--status", "statuses", multiple=True, metavar="S", help="With --all: only this status (repeatable).")
@click.pass_context
def render(ctx: click.Context, record_id: str | None, doc: str | None, lang: str | None, fmt: str, outdir: Path,
           fallback: bool, batch: bool, statuses: tuple[str, ...]) -> None:
    """Write an agreement's or a one-off disclosure's documents (DOCX to edit, PDF to sign) and print their fingerprints.

    The same record version and templates always give byte-identical files;
    every page carries the version and the fingerprint that sign-offs are
    bound to. A document in a language the record lacks text for is refused,
    listing the missing fields, unless --fallback marks them. A one-off
    disclosure (DIS-...) gets its record and, when data was disclosed, the
    security statement for the recipient.

    \b
    Examples:
      isa render ISA-2024-0001 --lang en+fr
      isa render ISP-2025-0001 --doc signoff-sheet --format pdf -o out/
      isa render DIS-2026-0001 --lang fr
      isa render --all --status active
    """
    from .render import render as render_document
    from .render import stale_translations

    if lang is not None and not lang.strip():
        raise click.BadParameter("give a language: en, fr or en+fr", param_hint="--lang")
    register = _load(ctx)
    formats = ("docx", "pdf") if fmt == "all" else (fmt,)
    if batch:
        if record_id:
            raise click.UsageError("give an ID or --all, not both")
        if doc == "disclosure":
            raise click.UsageError("--all renders agreements; render a one-off disclosure by its id: "
                                   "isa render DIS-... --doc disclosure")
        from .model import Status
        from .render.batch import render_all

        _check_statuses(statuses, {s.value for s in Status}, "agreement")
        ids = [e["id"] for e in select(register, statuses=statuses)] if statuses else sorted(register.index)
        stale: list[str] = []
        with click.progressbar(length=len(ids), label="Rendering", file=sys.stderr) as bar:
            failures = render_all(register.root, ids, doc=doc, lang=lang, formats=formats, outdir=outdir,
                                  fallback=fallback, progress=bar.update,
                                  warn=lambda record, field: stale.append(f"{record}: {field}"))
        for item in sorted(stale):
            click.echo(f"warning: {item} was translated from an older text; check the translation", err=True)
        for record, reason in failures:
            click.echo(f"{record}: {reason}", err=True)
        click.echo(f"Rendered {len(ids) - len(failures)} of {len(ids)} agreement(s) into {outdir}")
        if failures:
            ctx.exit(1)
        return
    if not record_id:
        raise click.UsageError("give the ID of an agreement, or --all")
    from .errors import RecordNotFound
    from .kinds import AGREEMENT, DISCLOSURE, INCIDENT, REQUEST
    from .render import check_document, languages
    from .store import load_agreement, load_record, record_path

    # A broken record is named with its problems.
    if record_path(register.root, record_id, DISCLOSURE).is_file():
        record = load_record(register.root, DISCLOSURE, record_id)
    else:
        for kind in (REQUEST, INCIDENT):
            if record_path(register.root, record_id, kind).is_file():
                raise IsaError(f"{record_id} is {_a(kind.title)} {kind.title}: documents are made for agreements and one-off "
                               f"disclosures; `isa show {record_id}` or `isa export --kind {kind.name}` print it")
        if not record_path(register.root, record_id, AGREEMENT).is_file():
            raise RecordNotFound(f"no agreement or one-off disclosure {record_id!r} in {register.root}; "
                                 "`isa list` and `isa list --kind disclosure` show the ids")
        record = load_agreement(register.root, record_id)
    lang = lang or register.languages[0]

    doc = check_document(record, doc)
    for field in stale_translations(record, languages(lang), register.languages[0], doc):
        click.echo(f"warning: {record_id}: {field} was translated from an older text; check the translation", err=True)
    for item in render_document(register, record, doc=doc, lang=lang, formats=formats, outdir=outdir, fallback=fallback):
        click.echo(f"{item.path}  sha256:{item.sha256}")
    version = f" version {record.version}" if hasattr(record, "version") else ""
    click.echo(f"Fingerprint of {record_id}{version}: {record.fingerprint}")


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--what", required=True, metavar="TEXT", help="What was shared.")
@click.option("--to", "to", required=True, metavar="ORG", help="Who it was shared with.")
@click.option("--purpose", required=True, metavar="TEXT", help="What for.")
@click.option("--consent", required=True, type=click.Choice(["yes", "no", "not-applicable"]),
              help="Whether the person consented (not-applicable when sharing does not rely on consent).")
@click.option("--rationale", metavar="TEXT", help="Why sharing was right in this case (required with --consent no).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who decided (default: $ISA_USER or your login).")
@click.pass_context
def share(ctx: click.Context, record_id: str, what: str, to: str, purpose: str, consent: str, rationale: str | None,
          when: dt.date | None, by: str | None) -> None:
    """Record a decision to share under an agreement in force (its decision log).

    Refused for an agreement that is not in force (a draft, one awaiting
    signature, one suspended while a breach is investigated) or was not on
    --date, for a recipient who is not a party to it (that is a one-off
    disclosure), and for sharing without consent with no --rationale.

    \b
    Example:
      isa share ISA-2024-0001 --what "Referral summary" --to "Children's services" \\
          --purpose "Strategy discussion" --consent not-applicable
    """
    from .share import record_decision

    record_decision(_register_root(ctx), record_id, what=what, to=to, purpose=purpose, consent=consent,
                    by=_author(by), date=when or dt.date.today(), rationale=rationale)
    click.echo(f"{record_id}: sharing decision recorded")


# -- one-off disclosures, third-party requests, incidents ---------------------------------


def _case_answers(ctx, register, name: str, answers_file: Path | None, lang: str | None, extra_keys: tuple):
    """Answers from a file, or asked at the terminal in the officer's language."""
    from . import cases
    from .ask import ask_all
    from .intake import answer_language
    from .questionnaire import load_questionnaire

    questionnaire = load_questionnaire(name, register.root)
    if answers_file is not None:
        return cases.read_answers(register, questionnaire, answers_file, lang, extra_keys)
    lang = answer_language(register, lang)
    click.secho(str(questionnaire.title.get(lang) or questionnaire.title), bold=True)
    values = ask_all(questionnaire.questions, lang)
    return cases.Answers(values, lang, {}, None, "your answers")


def _ask_criteria(answers, checklist_name: str, kind: str, data: dict, root: Path) -> None:
    """Ask the checklist at the terminal, putting the answers where an answers file would have them."""
    from .ask import ask_checklist
    from .checklist import case_facts, load_checklist

    checklist = load_checklist(checklist_name, root)
    click.secho(str(checklist.title.get(answers.lang) or checklist.title), bold=True)
    answers.raw["criteria"] = ask_checklist(checklist, case_facts(kind, data), answers.lang)


def _show_criteria(criteria, checklist_name: str, lang: str, root: Path) -> None:
    from .assess import OUTCOME_WORDS
    from .checklist import load_checklist

    if criteria is None:
        return
    checklist = load_checklist(checklist_name, root)
    click.echo(f"  criteria: {OUTCOME_WORDS[criteria.outcome]}")
    for item_id in criteria.reasons:
        item = checklist.item(item_id)
        click.echo(f"    because: {item.question.get(lang) or item.question}")
    for condition in criteria.conditions:
        click.echo(f"    condition: {condition.get(lang) or condition}")


@main.group()
def disclose() -> None:
    """Record one-off disclosures of personal data made outside any agreement.

    See docs/disclosures.md: check for an agreement first, work through the
    criteria, record the decision and why; an urgent disclosure is recorded
    now and completed afterwards.

    \b
    Examples:
      isa disclose new --answers disclosure.yaml
      isa disclose new --urgent --answers urgent.yaml
      isa disclose complete DIS-2026-0002 --answers criteria.yaml
    """


@disclose.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file: question ids, then `criteria:` and `rationale:`.")
@click.option("--urgent", is_flag=True, help="Disclosed at once to preserve life: criteria and rationale may follow.")
@click.option("--continue", "go_on", is_flag=True,
              help="Record it even though an agreement covers the recipient and purpose (in force, or suspended).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who decided and records it (default: $ISA_USER or your login).")
@click.pass_context
def disclose_new(ctx: click.Context, answers_file: Path | None, urgent: bool, go_on: bool, lang: str | None,
                 by: str | None) -> None:
    """Record a one-off disclosure decision (to disclose, or to refuse).

    The register is searched first for an agreement in force with the same
    recipient and a similar purpose: a request such an agreement covers is
    handled under it (`isa share`), so you are pointed to it and, with
    --answers, stopped unless you add --continue. One that would cover it but
    cannot be used on the disclosure's date (suspended, or not yet in force)
    is shown too, and also needs --continue.

    \b
    Examples:
      isa disclose new --answers disclosure.yaml
      isa disclose new --urgent --answers ambulance-warning.yaml
    """
    from . import disclose as disclosing
    from .ask import confirm
    from .deadlines import owed

    register = _load(ctx)
    _settings(register)
    answers = _case_answers(ctx, register, "disclosure", answers_file, lang, disclosing.EXTRA_KEYS)
    intake = disclosing.start(register, answers, urgent=urgent)
    if intake.covering and not intake.urgent:
        click.echo("An agreement in force already covers this recipient and a similar purpose:")
        for o in intake.covering:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}")
            click.echo(f"      partner: {', '.join(o.partners)}; shared terms: {', '.join(o.shared_terms)}")
        click.echo("Share under it and record the decision there: isa share ID --what ... --to ... --purpose ...")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: the request looks covered by an agreement in force; record it under that "
                           "agreement, or run again with --continue to record a one-off disclosure")
        if answers_file is None and not confirm("Record a one-off disclosure anyway?", answers.lang, default=False):
            raise IsaError("stopped at your request; nothing was written")
    elif intake.blocked and not intake.urgent:
        click.echo("An agreement with this recipient for a similar purpose exists, but cannot be shared under on the "
                   "disclosure's date:")
        for o, why in intake.blocked:
            click.echo(f"  {o.agreement_id}  [{o.status}]  {o.title}: {why}")
        click.echo("A one-off disclosure must not work around a suspension: say in the rationale why this one cannot "
                   "wait and is safe, and have it approved at the right level.")
        if answers_file is not None and not go_on:
            raise IsaError("stopped: the agreement that would cover this cannot be used; if the disclosure must "
                           "still be made, run again with --continue (the agreement is kept on the record as considered)")
        if answers_file is None and not confirm("Record a one-off disclosure anyway?", answers.lang, default=False):
            raise IsaError("stopped at your request; nothing was written")
    if answers_file is None:
        if not intake.urgent or confirm("Record the criteria and rationale now?", answers.lang, default=False):
            _ask_criteria(answers, disclosing.CHECKLIST, "disclosure", {"urgent": intake.urgent}, register.root)
            answers.raw["rationale"] = click.prompt("Rationale" if answers.lang != "fr" else "Justification")
    record = disclosing.record(register, intake, by=_author(by))
    click.echo(f"Recorded {record.id}: {record.decision} to {record.requester.organisation} on {record.date}"
               + (" (urgent)" if record.urgent else ""))
    _show_criteria(record.criteria, disclosing.CHECKLIST, answers.lang, register.root)
    if record.outstanding:
        register = _load(ctx)
        due = next((o.due for o in owed(register) if o.record_id == record.id), None)
        click.echo(f"Outstanding: {' and '.join(record.outstanding_items)} due by {due}; "
                   f"record them with: isa disclose complete {record.id} --answers FILE")
    click.echo(f"Next: isa render {record.id} --doc disclosure (the record and the recipient's security statement)")


@disclose.command(name="complete")
@click.argument("record_id", metavar="ID")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A YAML or JSON file with `criteria:` (item id: yes / no / n/a) and `rationale:`.")
@click.option("--rationale", metavar="TEXT", help="Why the disclosure was right (or what was weighed).")
@click.option("--approver", metavar="NAME", help="Who approved it, where policy asks for approval at a rank.")
@click.option("--approver-rank", "approver_rank", metavar="RANK", help="Their rank or role (with --approver).")
@click.option("--lang", metavar="LANG", help="The language of the rationale (default: the register's first).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When it is completed (default: today).")
@click.option("--by", metavar="NAME", help="Who completes it (default: $ISA_USER or your login).")
@click.pass_context
def disclose_complete(ctx: click.Context, record_id: str, answers_file: Path | None, rationale: str | None,
                      approver: str | None, approver_rank: str | None, lang: str | None, when: dt.date | None,
                      by: str | None) -> None:
    """Complete an urgent disclosure: record its criteria and rationale afterwards.

    \b
    Example:
      isa disclose complete DIS-2026-0001 --answers criteria.yaml
    """
    from . import disclose as disclosing
    from .ask import ask_checklist
    from .checklist import load_checklist
    from .intake import answer_language, rationale_from, read_answers

    register = _load(ctx)
    raw, text, rel = ({}, None, "your answers")
    if answers_file is not None:
        raw, text, rel = read_answers(answers_file)
        unknown = sorted(set(raw) - {"criteria", "rationale", "language", "approver", "approver_rank"})
        if unknown:
            raise IsaError(f"{rel}: unknown key(s) {', '.join(unknown)}; the file holds `criteria:` and `rationale:` "
                           "(and `approver:` with `approver_rank:` when the approval is still to be recorded)")
    lang = answer_language(register, lang, raw)
    criteria = raw.get("criteria")
    if answers_file is None:
        from .kinds import DISCLOSURE
        from .store import load_record

        still = load_record(register.root, DISCLOSURE, record_id).outstanding_items  # ask only for what is missing
        if "criteria" in still:
            checklist = load_checklist(disclosing.CHECKLIST, register.root)
            click.secho(str(checklist.title.get(lang) or checklist.title), bold=True)
            criteria = ask_checklist(checklist, {"urgent": True}, lang)
        if not rationale and "rationale" in still:
            rationale = click.prompt("Rationale" if lang != "fr" else "Justification")
    given = rationale_from(rationale if rationale is not None else raw.get("rationale"), lang)
    approver = approver or raw.get("approver")
    approver_rank = approver_rank or raw.get("approver_rank")
    for key, value in (("approver", approver), ("approver_rank", approver_rank)):
        if value is not None and not isinstance(value, str):
            raise IsaError(f"{rel}: {key}: write it as text")
    record = disclosing.complete(register.root, record_id, criteria_answers=criteria, rationale=given, lang=lang,
                                 by=_author(by), date=when or dt.date.today(), rel=rel, text=text,
                                 approver=approver, approver_rank=approver_rank)
    click.echo(f"{record.id}: completed on {record.completed}; no longer outstanding")
    _show_criteria(record.criteria, disclosing.CHECKLIST, lang, register.root)


@main.group(name="request")
def request_() -> None:
    """Log requests for information from third parties, and grant or refuse them.

    See docs/disclosures.md: every request is logged with the criteria
    worked through; a grant records the safeguards it is answered under.

    \b
    Examples:
      isa request new --answers request.yaml
      isa request decide REQ-2026-0001 --refuse --reason "No purpose stated"
    """


@request_.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file: question ids, then `criteria:`.")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who logs it (default: $ISA_USER or your login).")
@click.pass_context
def request_new(ctx: click.Context, answers_file: Path | None, lang: str | None, by: str | None) -> None:
    """Log a request and check it against the third-party request criteria.

    Criteria the request itself settles (in writing, format, purpose,
    destruction date) are answered from it.

    \b
    Example:
      isa request new --answers donor-request.yaml
    """
    from . import third_party

    register = _load(ctx)
    _settings(register)
    answers = _case_answers(ctx, register, "request", answers_file, lang, third_party.EXTRA_KEYS)
    if answers_file is None:
        _ask_criteria(answers, third_party.CHECKLIST, "request", answers.values, register.root)
    record = third_party.log_request(register, answers, by=_author(by))
    click.echo(f"Logged {record.id}: request from {record.requester.organisation}, received {record.received}")
    _show_criteria(record.criteria, third_party.CHECKLIST, answers.lang, register.root)
    click.echo(f"Next: isa request decide {record.id} --grant ... | --refuse --reason ...")


@request_.command(name="decide")
@click.argument("record_id", metavar="ID")
@click.option("--grant", is_flag=True, help="Grant it (with --level, --channel, --anonymisation, --onward).")
@click.option("--refuse", is_flag=True, help="Refuse it (with --reason).")
@click.option("--reason", metavar="TEXT", help="Why (required to refuse).")
@click.option("--level", type=click.Choice(["low", "moderate", "high", "severe"]),
              help="The sensitivity level of what is released (classification.yaml).")
@click.option("--channel", metavar="N|TEXT",
              help="The transfer channel: its number or text among those the classification allows for the level.")
@click.option("--anonymisation", type=click.Choice(["none", "pseudonymised", "anonymised", "aggregated"]),
              help="What was done to the data before release.")
@click.option("--onward", metavar="TEXT", help="Limits on onward sharing and publication set in the answer.")
@click.option("--destruction-date", "destruction", callback=_parse_date, metavar="DATE",
              help="With --grant: the date the requester gave for destroying what it receives, when the request lacked one.")
@click.option("--conditions-met", "conditions_met", is_flag=True,
              help="Confirm the criteria's conditions on the request itself (in writing, scope...) were put right.")
@click.option("--lang", metavar="LANG", help="The language of the texts you give (default: the register's first).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="The decision date (default: today).")
@click.option("--by", metavar="NAME", help="Who decides (default: $ISA_USER or your login).")
@click.pass_context
def request_decide(ctx: click.Context, record_id: str, grant: bool, refuse: bool, reason: str | None, level: str | None,
                   channel: str | None, anonymisation: str | None, onward: str | None, destruction: dt.date | None,
                   conditions_met: bool, lang: str | None, when: dt.date | None, by: str | None) -> None:
    """Grant a request under its safeguards, or refuse it.

    Without --channel, a grant lists the channels the classification allows
    for the level and stops.

    \b
    Examples:
      isa request decide REQ-2026-0001 --grant --level moderate --channel 1 \\
          --anonymisation aggregated --onward "Not to be published or passed on"
      isa request decide REQ-2026-0002 --refuse --reason "No purpose stated"
    """
    from . import third_party
    from .intake import answer_language
    from .model import Level

    if grant == refuse:
        raise click.UsageError("say --grant or --refuse")
    if refuse:
        given = [name for name, value in (("--level", level), ("--channel", channel), ("--anonymisation", anonymisation),
                                          ("--onward", onward), ("--destruction-date", destruction),
                                          ("--conditions-met", conditions_met)) if value]
        if given:
            raise click.UsageError(f"{', '.join(given)} set(s) the safeguards of a grant; a refusal takes --reason only")
    register = _load(ctx)
    lang = answer_language(register, lang)
    record = third_party.decide(register.root, record_id, grant=grant, by=_author(by), date=when or dt.date.today(),
                                lang=lang, reason=reason, level=Level(level) if level else None, channel=channel,
                                anonymisation=anonymisation, onward=onward, conditions_met=conditions_met,
                                destruction_date=destruction)
    decision = record.decision
    click.echo(f"{record.id}: {record.state} on {decision.date}")
    if decision.safeguards:
        s = decision.safeguards
        click.echo(f"  send by: {s.channel.get(lang) or s.channel}; anonymisation: {s.anonymisation}")


@main.group()
def incident() -> None:
    """Record data incidents and breaches of agreements; a breach suspends sharing until resolved.

    See docs/incidents.md.

    \b
    Examples:
      isa incident new --answers breach.yaml
      isa incident meeting INC-2026-0001 --date 2026-11-27 --attendee "MARAC chair"
      isa incident resolve INC-2026-0001 --resolution "..." --agreed-by "Northshire Constabulary"
    """


@incident.command(name="new")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Answers from this YAML or JSON file (keys are question ids).")
@click.option("--lang", metavar="LANG", help="The language you answer in (default: the answers file's, else the register's first).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def incident_new(ctx: click.Context, answers_file: Path | None, lang: str | None, by: str | None) -> None:
    """Record an incident or a breach; a breach suspends the affected agreements in force, in the same commit.

    \b
    Example:
      isa incident new --answers breach.yaml
    """
    from . import incidents
    from .deadlines import owed

    register = _load(ctx)
    _settings(register)
    answers = _case_answers(ctx, register, "incident", answers_file, lang, ())
    outcome = incidents.record(register, answers, by=_author(by))
    record = outcome.incident
    click.echo(f"Recorded {record.id}: {'breach' if record.type == 'breach' else 'data incident'}, {record.severity}")
    for agreement_id in outcome.suspended:
        click.echo(f"  {agreement_id}: suspended; no sharing under it until {record.id} is resolved")
    for agreement_id, why in outcome.untouched.items():
        click.echo(f"  {agreement_id}: {why}")
    today = dt.date.today()
    for item in owed(_load(ctx), today):
        if item.record_id == record.id:
            when = f"OVERDUE by {item.days(today)} day(s) (due {item.due})" if item.overdue(today) else f"due by {item.due}"
            click.echo(f"  {when}: {item.what}")


@incident.command(name="meeting")
@click.argument("record_id", metavar="ID")
@click.option("--date", "when", callback=_parse_date, required=True, metavar="DATE", help="When the meeting was held.")
@click.option("--attendee", "attendees", multiple=True, metavar="NAME", help="Who attended (repeatable).")
@click.option("--notes", metavar="TEXT", help="What was discussed.")
@click.option("--lang", metavar="LANG", help="The language of the notes (default: the register's first).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def incident_meeting(ctx: click.Context, record_id: str, when: dt.date, attendees: tuple[str, ...], notes: str | None,
                     lang: str | None, by: str | None) -> None:
    """Record the meeting of the parties held about a breach (this meets the meeting deadline).

    \b
    Example:
      isa incident meeting INC-2026-0001 --date 2026-11-27 --attendee "MARAC chair" --notes "Cause agreed"
    """
    from . import incidents
    from .intake import answer_language

    register = _load(ctx)
    record = incidents.record_meeting(register.root, record_id, date=when, attendees=list(attendees), notes=notes,
                                      by=_author(by), lang=answer_language(register, lang))
    click.echo(f"{record.id}: meeting of {record.meeting.date} recorded")


@incident.command(name="notified")
@click.argument("record_id", metavar="ID")
@click.option("--date", "when", callback=_parse_date, required=True, metavar="DATE", help="When the regulator was told.")
@click.option("--reference", metavar="REF", help="The regulator's case reference.")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def incident_notified(ctx: click.Context, record_id: str, when: dt.date, reference: str | None, by: str | None) -> None:
    """Record that the incident was reported to the data protection regulator.

    \b
    Example:
      isa incident notified INC-2026-0001 --date 2026-11-22 --reference ICO-123456
    """
    from . import incidents

    record = incidents.record_notice(_register_root(ctx), record_id, date=when, reference=reference, by=_author(by))
    click.echo(f"{record.id}: reported to the regulator on {record.regulator.notified}")


@incident.command(name="resolve")
@click.argument("record_id", metavar="ID")
@click.option("--resolution", required=True, metavar="TEXT", help="What the parties agreed.")
@click.option("--agreed-by", "agreed_by", multiple=True, metavar="NAME",
              help="A party or member who agreed the resolution (repeatable; at least one).")
@click.option("--lang", metavar="LANG", help="The language of the resolution (default: the register's first).")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When it was agreed (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def incident_resolve(ctx: click.Context, record_id: str, resolution: str, agreed_by: tuple[str, ...], lang: str | None,
                     when: dt.date | None, by: str | None) -> None:
    """Record the agreed resolution; agreements this breach suspended return to their previous status.

    An agreement another open breach also holds stays suspended until that
    one is resolved too.

    \b
    Example:
      isa incident resolve INC-2026-0001 --resolution "Access withdrawn; staff retrained" \\
          --agreed-by "Northshire Constabulary" --agreed-by "Northshire County Council"
    """
    from . import incidents
    from .intake import answer_language

    register = _load(ctx)
    outcome = incidents.resolve(register.root, record_id, agreed=resolution, agreed_by=list(agreed_by),
                                by=_author(by), date=when or dt.date.today(), lang=answer_language(register, lang))
    click.echo(f"{record_id}: resolved on {outcome.incident.resolution.date}")
    for agreement_id, status in outcome.restored.items():
        click.echo(f"  {agreement_id}: sharing restored ({status})")
    for agreement_id, others in outcome.held.items():
        click.echo(f"  {agreement_id}: stays suspended, held by {', '.join(others)}")
    for agreement_id, why in outcome.untouched.items():
        click.echo(f"  {agreement_id}: {why}")


@main.command()
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def deadlines(ctx: click.Context, as_of: dt.date | None, as_json: bool) -> None:
    """List what is owed on disclosures and incidents, and by when (overdue first).

    Urgent disclosures still lacking their criteria and rationale, breach
    meetings not yet held, reports to the regulator not yet made; the limits
    are register.yaml's `deadlines:`.

    \b
    Example:
      isa deadlines --as-of 2026-12-01
    """
    from .deadlines import owed

    register = _load(ctx)
    as_of = as_of or dt.date.today()
    items = owed(register, as_of)
    if register.settings is None:
        from .model.settings import Deadlines

        limits = Deadlines()
        click.echo(f"warning: register.yaml has errors (isa validate), so the default deadlines are used: a breach "
                   f"meeting within {limits.breach_meeting_days} days, the regulator told within "
                   f"{limits.regulator_hours} hours, an urgent disclosure completed within "
                   f"{limits.urgent_rationale_days} days", err=True)
    if as_json:
        _echo_json([item.as_dict(as_of) for item in items])
        _note_unreadable(register)
        return
    if not items:
        click.echo("Nothing owed on disclosures or incidents.")
    for item in items:
        days = item.days(as_of)
        when = f"OVERDUE by {days} day(s)" if days > 0 else f"due {item.due}"
        click.echo(f"{item.record_id}  {when}: {item.what}")
    _note_unreadable(register)


@main.group()
def review() -> None:
    """Annual reviews: what is due, the daily reminder run, and reviewing one agreement.

    \b
    Example:
      isa review due --within 60
    """


@review.command(name="due")
@click.option("--within", default=60, show_default=True, type=click.IntRange(0, 3650), metavar="DAYS",
              help="Also list reviews due within DAYS.")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def review_due_(ctx: click.Context, within: int, as_of: dt.date | None, as_json: bool) -> None:
    """List the reviews due or overdue, most urgent first, with owner and designated officers.

    \b
    Example:
      isa review due --within 30 --as-of 2026-12-01
    """
    from .review import due_list

    register = _load(ctx)
    items = due_list(register, as_of or dt.date.today(), within)
    _note_unreadable(register)
    if as_json:
        _echo_json([item.as_dict() for item in items])
        return
    if not items:
        click.echo("Nothing is due for review.")
    for item in items:
        when = f"{-item.days_left} day(s) late" if item.days_left < 0 else f"in {item.days_left} day(s)"
        click.echo(f"{item.record_id}  due {item.due}  {when}  {item.title}")
        people = "; ".join(filter(None, [item.owner and f"owner: {item.owner}",
                                         item.officers and f"designated officers: {', '.join(item.officers)}"]))
        if people:
            click.echo(f"    {people}")


@review.command(name="run")
@click.option("--as-of", "as_of", callback=_parse_date, metavar="DATE", help="As if today were DATE.")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("reminders"),
              show_default=True, help="Write each reminder here as an .eml file.")
@click.option("--send", is_flag=True, help="Send them through the SMTP server in register.yaml, and log what went.")
@click.option("--by", metavar="NAME", help="Who runs it (default: $ISA_USER or your login).")
@click.pass_context
def review_run(ctx: click.Context, as_of: dt.date | None, out: Path, send: bool, by: str | None) -> None:
    """The daily job: remind the owner and designated officers of reviews coming up or overdue, and escalate.

    Each reminder is sent once: a second run the same day sends nothing new,
    and one that failed is sent on the next run. SMTP credentials come only
    from the environment variables register.yaml names.

    \b
    Example:
      isa review run --send
    """
    from .review import prepare
    from .review import run as run_reminders

    register = _load(ctx)
    day = as_of or dt.date.today()
    planned = prepare(register, as_of=day, send=send)
    with click.progressbar(length=len(planned.planned), label="Reminders", file=sys.stderr) as bar:
        result = run_reminders(register, as_of=day, out=out, send=send, by=_author(by), progress=bar.update,
                               result=planned)
    for path in result.written:
        click.echo(f"  {path}")
    for reminder, reason in result.failed:
        click.echo(f"  failed: {reminder.record_id} to {reminder.recipient.email}: {reason}", err=True)
    if send:
        click.echo(f"{day}: {result.due} review(s) due, {result.reminded} reminded, {result.escalated} escalated, "
                   f"{len(result.failed)} failed, {result.already_sent} already sent before")
    else:
        click.echo(f"{day}: {result.due} review(s) due; {len(result.planned)} reminder(s) would be sent "
                   f"({result.already_sent} already sent before); written to {out}. Add --send to send them")
    if result.owed:
        overdue = [item for item in result.owed if item.overdue(day)]
        click.echo(f"Owed on disclosures and incidents: {len(result.owed)}, {len(overdue)} overdue (isa deadlines):")
        for item in result.owed:
            days = item.days(day)
            click.echo(f"  {item.record_id}  {'OVERDUE by ' + str(days) + ' day(s)' if days > 0 else 'due ' + str(item.due)}: "
                       f"{item.what}")
    _note_unreadable(register)
    if result.failed or (send and register.unreadable):
        ctx.exit(1)  # a scheduler must notice: something was not sent, or a record was left out


@review.command(name="start")
@click.argument("record_id", metavar="ID")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER or your login).")
@click.pass_context
def review_start(ctx: click.Context, record_id: str, when: dt.date | None, by: str | None) -> None:
    """Start the review of an agreement: it stays in force, under review.

    \b
    Example:
      isa review start ISA-2023-0002
    """
    from .review import start_review

    agreement, _ = start_review(_register_root(ctx), record_id, by=_author(by), date=when or dt.date.today())
    click.echo(f"{record_id} is under review. Record each stakeholder's view: "
               f"isa review record {record_id} --stakeholder NAME --still-required yes|no [--changes TEXT]")


@review.command(name="record")
@click.argument("record_id", metavar="ID")
@click.option("--stakeholder", required=True, metavar="NAME", help="Whose view (a person or an organisation).")
@click.option("--still-required", "required", required=True, type=click.Choice(["yes", "no"]),
              help="Is the agreement still needed?")
@click.option("--changes", metavar="TEXT", help="What has changed: data items, processes, designated officers.")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER or your login).")
@click.pass_context
def review_record(ctx: click.Context, record_id: str, stakeholder: str, required: str, changes: str | None,
                  when: dt.date | None, by: str | None) -> None:
    """Record one stakeholder's view in the review.

    \b
    Example:
      isa review record ISA-2023-0002 --stakeholder "Northshire NHS Trust" --still-required yes --changes "new DPO"
    """
    from .review import record_finding

    record_finding(_register_root(ctx), record_id, stakeholder=stakeholder, still_required=required == "yes",
                   changes=changes, by=_author(by), date=when or dt.date.today())
    click.echo(f"{record_id}: {stakeholder}'s view recorded")


@review.command(name="complete")
@click.argument("record_id", metavar="ID")
@click.option("--outcome", required=True, type=click.Choice(["renew", "terminate"]), help="Renew or end it.")
@click.option("--reason", metavar="TEXT", help="Why it ends (needed with terminate).")
@click.option("--detail", metavar="TEXT", help="For renew without amendments: the document-control note.")
@click.option("--date", "when", callback=_parse_date, metavar="DATE", help="When (default: today).")
@click.option("--by", metavar="NAME", help="Who (default: $ISA_USER or your login).")
@click.pass_context
def review_complete(ctx: click.Context, record_id: str, outcome: str, reason: str | None, detail: str | None,
                    when: dt.date | None, by: str | None) -> None:
    """End a review: renew the agreement through the sign-off chain, or terminate it.

    \b
    Examples:
      isa review complete ISA-2023-0002 --outcome renew
      isa review complete ISA-2023-0002 --outcome terminate --reason "The service has closed"
    """
    from .review import complete_review

    agreement, _ = complete_review(_register_root(ctx), record_id, outcome=outcome, reason=reason, detail=detail,
                                   by=_author(by), date=when or dt.date.today())
    if agreement.status.value == "terminated":
        click.echo(f"{record_id} is terminated from {agreement.end_date}")
    else:
        click.echo(f"{record_id} version {agreement.version} now goes through the sign-off chain (isa status {record_id}); "
                   "the last signature makes it active again with its next review date")


@main.command(name="calendar")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (default: standard output).")
@click.pass_context
def calendar_(ctx: click.Context, output: Path | None) -> None:
    """One .ics calendar of every review date, to subscribe to (stable event ids: updates, never duplicates).

    \b
    Example:
      isa calendar -o reviews.ics
    """
    from .review import review_calendar

    # A fixed stamp: the same register gives the same file, so subscribers see changes, not churn.
    register = _load(ctx)
    data = review_calendar(register, dt.date(2000, 1, 1))
    _note_unreadable(register)
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        from .store import write_atomic

        write_atomic(output, data)
        click.echo(f"Wrote {output}")


@main.group()
def templates() -> None:
    """Look after the document templates (a register's own, and the shipped ones).

    \b
    Example:
      isa templates check
    """


@templates.command(name="check")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def templates_check(ctx: click.Context, path: Path | None) -> None:
    """Check templates: unreadable ones, DOCX tags split by Word, variables documents do not provide, untranslated
    or fuzzy catalog messages; each problem with its file and line (a DOCX's part and paragraph).

    PATH is a templates folder (with html/, docx/, locale/); without it, the
    register's own templates and the shipped ones are checked.

    \b
    Example:
      isa templates check
      isa templates check my-templates/
    """
    from .render.checks import check_templates

    try:
        root = _register_root(ctx)
    except IsaError:
        root = None  # outside a register: check the shipped templates
    problems = check_templates(root, path)
    for problem in problems:
        click.echo(problem)
    click.echo(f"{len(problems)} problem(s) in the templates")
    if problems:
        ctx.exit(1)


@main.command()
@click.argument("outdir", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", callback=_parse_date, metavar="DATE",
              help="Run the review as if today were DATE (default: 2026-11-23, the date the example register was written for).")
def demo(outdir: Path | None, as_of: dt.date | None) -> None:
    """Run the main job on a copy of the example register, in OUTDIR (default ./isa-demo).

    The example register that ships with the toolkit is never changed.
    """
    from .demo import DEMO_DATE, run_demo

    run_demo(outdir or Path("isa-demo"), as_of=as_of or DEMO_DATE, echo=click.echo)


def run() -> None:  # pragma: no cover - console-script entry point
    main(prog_name="isa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(prog_name="isa"))
