"""The daily review run: what is due, the reminders the schedule asks for today, the calendar.

The daily run (``isa review run``) finds every review that is due or overdue,
works out the reminders the schedule asks for today, writes each as an
``.eml`` file, sends them when asked, and records in ``reminders.log`` (one
JSON line per reminder sent, committed) what went to whom and when. A reminder
already sent is never sent again; one that failed is tried again next run.
The review of one agreement (start, findings, completion) is :mod:`.steps`.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import json
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..cases.deadlines import owed
from ..errors import IsaError
from ..model import Settings
from ..model.dates import add_months, review_due
from ..register import vcs, workers
from ..register.load import Register
from ..register.store import register_lock
from .reminders import (
    CLASSIFICATION_ID,
    Recipient,
    Reminder,
    build_email,
    calendar,
    calendar_event,
    chasers,
    reminders_for,
    stage,
    table_title,
    title_in,
)
from .schedule import DueReview

LOG_FILE = "reminders.log"


# -- what is due -----------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    record_id: str
    title: str
    due: dt.date
    days_left: int
    owner: str
    officers: list[str]

    def as_dict(self) -> dict:
        return {"id": self.record_id, "title": self.title, "due": self.due.isoformat(), "days_left": self.days_left,
                "overdue": self.days_left < 0, "owner": self.owner, "designated_officers": self.officers}


def classification_due(register: Register) -> dt.date | None:
    """When the register's classification table is next reviewed (every six months by default, seed 001)."""
    if register.classification is None or register.classification.review.last is None:
        return None
    review = register.classification.review
    return add_months(review.last, review.interval_months)


def due_agreements(register: Register, as_of: dt.date, within: int) -> list[DueReview]:
    """Agreements in force due for review within ``within`` days of ``as_of`` (or overdue), most urgent first.

    The index says which are due, so a large register builds only those records.
    """
    limit = as_of + dt.timedelta(days=within)
    ids = [i for i, entry in register.index.items()
           if entry.get("review_due") and dt.date.fromisoformat(entry["review_due"]) <= limit]
    records = register.agreements
    agreements = records.many(ids) if hasattr(records, "many") else [records[i] for i in ids if i in records]
    out = []
    for agreement in agreements:
        due = review_due(agreement)
        if due is not None and due <= limit:
            out.append(DueReview(agreement, due, (due - as_of).days))
    return sorted(out, key=lambda item: (item.days_left, item.agreement.id))


def due_list(register: Register, as_of: dt.date, within: int) -> list[DueItem]:
    items = [DueItem(d.agreement.id, str(d.agreement.title), d.due, d.days_left,
                     d.agreement.owner.name if d.agreement.owner else "",
                     [p.designated_officer.name for p in d.agreement.parties if p.designated_officer])
             for d in due_agreements(register, as_of, within)]
    table_due = classification_due(register)
    if table_due is not None and table_due <= as_of + dt.timedelta(days=within):
        head = register.settings.contacts.get("head_of_information_management") if register.settings else None
        items.append(DueItem(CLASSIFICATION_ID, table_title(register.languages[0], _templates(register)), table_due,
                             (table_due - as_of).days, head.name if head else "", []))
    return sorted(items, key=lambda item: (item.days_left, item.record_id))


# -- the daily run -------------------------------------------------------------------------


@dataclass
class RunResult:
    due: int = 0
    reminded: int = 0
    escalated: int = 0
    already_sent: int = 0
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    sent: list[Reminder] = field(default_factory=list)
    planned: list[Reminder] = field(default_factory=list)
    owed: list = field(default_factory=list)  # deadlines on disclosures and incidents (isa_toolkit.cases.deadlines.Owed)


def read_log(root: Path) -> list[dict]:
    path = root / LOG_FILE
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise IsaError(f"{LOG_FILE} is not UTF-8 text; restore it from git (git checkout -- {LOG_FILE})") from None
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            entry = None
        if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and entry.get("status") in ("sent", "failed")):
            raise IsaError(f"{LOG_FILE}:{number}: not a reminder entry; restore the file from git "
                           f"(git checkout -- {LOG_FILE}) so no reminder is sent twice")
        entries.append(entry)
    return entries


def chased_packs(root: Path) -> dict[tuple[str, str, str], list[str]]:
    """When each pack sent for signature was chased by the daily run: (record, day sent, address casefolded) -> the
    days each chase went, from ``reminders.log`` (``isa pending`` and the register site read it alike)."""
    chased: dict[tuple[str, str, str], list[str]] = {}
    for entry in read_log(root):
        stage = str(entry.get("stage", ""))
        if entry.get("status") == "sent" and stage.startswith("chase-") and not stage.startswith("chase-escalation"):
            chased.setdefault((entry["record"], entry["due"], entry["to"].casefold()), []).append(entry["date"])
    return chased


def _classification_reminders(register: Register, as_of: dt.date) -> list[Reminder]:
    due = classification_due(register)
    settings = register.settings
    if due is None or settings is None:
        return []
    days_left = (due - as_of).days
    current = stage(days_left, settings)
    if current is None:
        return []
    out = []
    title = {lang: table_title(lang, _templates(register)) for lang in settings.languages}
    for role in ("head_of_information_management", "information_compliance_manager"):
        contact = settings.contacts.get(role)
        if contact is not None and contact.email:
            lang = contact.language if contact.language in settings.languages else settings.languages[0]
            out.append(Reminder(CLASSIFICATION_ID, title, due, days_left, current,
                                Recipient(contact.name, contact.email, lang, role)))
    return out


def plan(register: Register, as_of: dt.date) -> tuple[int, list[Reminder]]:
    """How many reviews are due, and every reminder the schedule asks for on ``as_of``."""
    settings = register.settings
    if settings is None:
        raise IsaError("register.yaml has errors, so the reminder schedule is unknown; run `isa validate`")
    horizon = max(settings.reminders.days_before, default=0)
    due = due_agreements(register, as_of, horizon)
    # A review under way (a new version in the sign-off chain) is still due: its reminders say so and ask to chase.
    reminders = [r for item in due for r in reminders_for(item, settings)]
    table = _classification_reminders(register, as_of)
    # Signatures sent and not yet back (isa send), chased on the register's schedule.
    chases = [r for agreement in _with_packs(register) for r in chasers(agreement, settings, as_of)]
    return len(due) + (1 if table else 0), reminders + table + chases


def _with_packs(register: Register) -> list:
    """The agreements with a pack sent for their current version (found in the index, so that only those records
    are read on a large register)."""
    return [register.agreements[record_id] for record_id, entry in register.index.items() if entry.get("awaiting")]


def _file_name(reminder: Reminder) -> str:
    who = "".join(ch if ch.isalnum() else "-" for ch in reminder.recipient.email.casefold())
    return f"{reminder.record_id}-{reminder.due.isoformat()}-{reminder.stage}-{who}.eml"


PARALLEL_EMAILS = 200  # more than this, and the emails are built on every core (forked workers: Linux)
PARALLEL_EMAILS_SPAWNED = 1000  # the same where workers are spawned, each a fresh interpreter to start first


def _templates(register: Register) -> Path:
    """The register's templates folder, whose catalogs (if it has any) word its e-mails."""
    return register.root / "templates"


def _build_chunk(reminders: list[Reminder], versions: dict[str, str], sender: str, as_of: dt.date,
                 templates: Path | None = None) -> list[bytes]:
    # CRLF line ends, as RFC 5322 and SMTP want them (sendmail sends the bytes as they are).
    return [build_email(r, versions.get(r.record_id, "-"), sender=sender, as_of=as_of, templates=templates)
            .as_bytes(policy=email.policy.SMTP) for r in reminders]


def _build_all(todo: list[Reminder], versions: dict[str, str], sender: str, as_of: dt.date,
               progress: Callable[[int], None] | None, templates: Path | None = None) -> list[bytes]:
    """Every reminder as the bytes of its email; the standard email package is slow, so a large run uses every core."""
    count = min(os.cpu_count() or 1, 8)
    method = workers.start_method()  # forked on Linux, spawned elsewhere
    if len(todo) < (PARALLEL_EMAILS if method == "fork" else PARALLEL_EMAILS_SPAWNED) or count < 2:
        out = []
        for reminder in todo:
            out += _build_chunk([reminder], versions, sender, as_of, templates)
            if progress:
                progress(1)
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(1, len(todo) // (count * 8))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    out: list[bytes] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context(method)) as pool:
        for chunk, built in zip(chunks, pool.map(_build_chunk, chunks, [versions] * len(chunks), [sender] * len(chunks),
                                                 [as_of] * len(chunks), [templates] * len(chunks)), strict=True):
            out += built
            if progress:
                progress(len(chunk))
    return out


def _entry(reminder: Reminder, as_of: dt.date, status: str, error: str = "") -> str:
    entry = {"date": as_of.isoformat(), "key": reminder.key, "record": reminder.record_id, "due": reminder.due.isoformat(),
             "stage": reminder.stage, "to": reminder.recipient.email, "status": status}
    if error:
        entry["error"] = error
    return json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"


def _append(root: Path, line: str) -> None:
    """Note one reminder in the log at once (fsynced), so an interrupted run never sends it again."""
    with open(root / LOG_FILE, "a", encoding="utf-8") as handle:
        handle.write(line)
        handle.flush()
        os.fsync(handle.fileno())


def _smtp_send(settings: Settings, messages: list[tuple[Reminder, bytes]],
               accepted: Callable[[Reminder], None]) -> list[tuple[Reminder, str]]:
    """Send reminders over one SMTP connection (see :func:`smtp_send`)."""
    return smtp_send(settings, messages, accepted, address=lambda reminder: reminder.recipient.email)


def smtp_send(settings: Settings, messages: list, accepted: Callable, *, address: Callable) -> list:
    """Send ``(item, message bytes)`` over one SMTP connection, each to ``address(item)``, noting each accepted
    one with ``accepted(item)``; return the items that failed, with why."""
    smtp = settings.smtp
    failures: list = []
    done: set[int] = set()
    try:
        if smtp.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=30, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
        with client:
            if smtp.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username_env:
                user, password = os.environ.get(smtp.username_env), os.environ.get(smtp.password_env or "")
                if not user or password is None:
                    raise IsaError(f"set {smtp.username_env} and {smtp.password_env} to the SMTP user name and password")
                client.login(user, password)
            for reminder, message in messages:
                try:
                    client.sendmail(smtp.sender, [address(reminder)], message)
                except (smtplib.SMTPException, OSError) as exc:
                    failures.append((reminder, f"{type(exc).__name__}: {exc}"))
                else:
                    accepted(reminder)
                done.add(id(reminder))
    except smtplib.SMTPNotSupportedError as exc:
        failures += [(r, f"the mail server {smtp.host}:{smtp.port} refused: {exc}") for r, _ in messages if id(r) not in done]
    except smtplib.SMTPAuthenticationError as exc:
        failures += [(r, f"the mail server refused the login: {exc}") for r, _ in messages if id(r) not in done]
    except (smtplib.SMTPException, OSError) as exc:
        failures += [(r, f"cannot reach the mail server {smtp.host}:{smtp.port}: {exc}") for r, _ in messages
                     if id(r) not in done]
    return failures


def prepare(register: Register, *, as_of: dt.date, send: bool) -> RunResult:
    """The reminders to send today: those planned, less those already sent on earlier runs."""
    settings = register.settings
    if settings is None:
        raise IsaError("register.yaml has errors, so nothing can be planned or sent; run `isa validate` and fix them")
    if send and settings.smtp is None:
        raise IsaError("there is no smtp section in register.yaml, so nothing can be sent; add one or run without --send")

    count, reminders = plan(register, as_of)
    done = {entry["key"] for entry in read_log(register.root) if entry.get("status") == "sent"}
    result = RunResult(due=count, owed=owed(register, as_of))
    for reminder in reminders:
        if reminder.key in done:
            result.already_sent += 1
        else:
            result.planned.append(reminder)
    return result


def run(register: Register, *, as_of: dt.date, out: Path | None, send: bool, by: str,
        progress: Callable[[int], None] | None = None, result: RunResult | None = None) -> RunResult:
    """The daily job: plan the reminders, write them, send them (``send``), and log what went."""
    settings = register.settings
    result = result or prepare(register, as_of=as_of, send=send)
    todo = result.planned
    sender = settings.smtp.sender if settings.smtp else "isa-toolkit@localhost"
    versions = {r.record_id: register.agreements[r.record_id].version for r in todo if r.record_id in register.agreements}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    messages = []
    for reminder, data in zip(todo, _build_all(todo, versions, sender, as_of, progress, _templates(register)),
                              strict=True):
        messages.append((reminder, data))
        if out is not None:  # a copy for the officer to read, not register data: no need to fsync each one
            path = out / _file_name(reminder)
            path.write_bytes(data)
            result.written.append(path)
    if not send:
        return result
    with register_lock(register.root):  # one run at a time: the log is the memory of what went
        failures = _smtp_send(settings, messages, lambda r: _append(register.root, _entry(r, as_of, "sent"))) \
            if messages else []
        for reminder, error in failures:
            _append(register.root, _entry(reminder, as_of, "failed", error))
        failed = {id(r) for r, _ in failures}
        result.failed = failures
        result.sent = [r for r, _ in messages if id(r) not in failed]
        result.reminded = sum(1 for r in result.sent if not r.escalation)
        result.escalated = sum(1 for r in result.sent if r.escalation)
        if result.sent or result.failed:
            message = (f"review run {as_of.isoformat()}: {len(result.sent)} reminder(s) sent"
                       + (f", {len(result.failed)} failed" if result.failed else "") + f" [by {by}]")
            vcs.commit(register.root, [LOG_FILE], message)
    return result


# -- calendar ------------------------------------------------------------------------------


def review_calendar(register: Register, stamp: dt.date) -> bytes:
    """One .ics with every review date (agreements in force, and the classification table)."""
    events = []
    lang = register.languages[0]
    templates = _templates(register)
    for record_id in sorted(register.index):
        entry = register.index[record_id]
        if entry.get("review_due"):
            title = title_in(entry["title"], lang) or record_id
            events.append(calendar_event(record_id, title, dt.date.fromisoformat(entry["review_due"]), lang, stamp,
                                         templates))
    table_due = classification_due(register)
    if table_due is not None:
        events.append(calendar_event(CLASSIFICATION_ID, table_title(lang, templates), table_due, lang, stamp, templates))
    return calendar(events)
