"""Review reminders: who to remind of which review, when, and the emails that say so.

The schedule (``reminders`` in ``register.yaml``): a reminder 60, 30 and 7
days before the review date; once overdue, one a week; and after 30 days
overdue, one escalation to the head of information management. Each reminder
has a *stage* (``before-30``, ``overdue-2``, ``escalation``): a daily run sends
each stage once per recipient and review date, so a run that was missed one
day still sends the reminder the next, and a second run the same day sends
nothing new.

Emails are built with the standard library's ``email`` package (plain text
and HTML, an ``.ics`` event attached, built with ``icalendar``), in the
recipient's language, their words from the message catalogs. Names and
titles from records never become headers: line breaks and encoded-word
markers are taken out before they are used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from ..i18n import long_date, texts
from ..model import Agreement, Contact, Settings, Status
from ..workflows.chain import SIGNING_STATUSES
from .schedule import DueReview

CLASSIFICATION_ID = "classification"


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    language: str
    role: str  # owner | designated_officer | escalation


@dataclass(frozen=True)
class Reminder:
    """One email to one person about one review."""

    record_id: str
    title: dict[str, str]  # by language
    due: dt.date
    days_left: int
    stage: str
    recipient: Recipient
    # Under review: the review began on this day (a review started by hand), or None with ``under_review`` set when an
    # amendment put a new version in the sign-off chain. Either way it is still due, so it is still reminded.
    under_review: bool = False
    review_started: dt.date | None = None

    @property
    def key(self) -> str:
        """What makes it the same reminder on another run: record, review date, stage, address."""
        return f"{self.record_id}|{self.due.isoformat()}|{self.stage}|{self.recipient.email.casefold()}"

    @property
    def escalation(self) -> bool:
        return self.stage == "escalation" or self.stage.startswith("chase-escalation")

    @property
    def chase(self) -> bool:
        """A reminder to a signatory who has not yet returned a pack (``due``: the day it was sent)."""
        return self.stage.startswith("chase")


def stage(days_left: int, settings: Settings) -> str | None:
    """The reminder stage for a review ``days_left`` days away (negative when overdue), or None."""
    schedule = settings.reminders
    if days_left >= 0:
        reached = [day for day in schedule.days_before if days_left <= day]
        return f"before-{min(reached)}" if reached else None
    late = -days_left
    return f"overdue-{(late - 1) // schedule.overdue_every_days + 1}"


def clean_header(text: str) -> str:
    """Text safe to put in a header: one line, no encoded-word markers (which the email package would decode
    into new header lines)."""
    return re.sub(r"\s+", " ", text).replace("=?", "= ?").strip()


def recipients(agreement: Agreement, settings: Settings) -> list[Recipient]:
    """The owner and every party's designated officer who has an email address (each address once)."""
    default = agreement.languages[0]
    found: dict[str, Recipient] = {}

    def add(contact: Contact | None, role: str) -> None:
        if contact is not None and contact.email and contact.email.casefold() not in found:
            lang = contact.language if contact.language in settings.languages else default
            found[contact.email.casefold()] = Recipient(contact.name, contact.email, lang, role)

    add(agreement.owner, "owner")
    for party in agreement.parties:
        add(party.designated_officer, "designated_officer")
    return list(found.values())


def reminders_for(item: DueReview, settings: Settings) -> list[Reminder]:
    """What this review should produce today: the stage's reminders, and the escalation once it is due."""
    agreement = item.agreement
    out = []
    current = stage(item.days_left, settings)
    title = dict(agreement.title.texts)
    under_way = {"under_review": agreement.status is Status.UNDER_REVIEW, "review_started": agreement.review.started}
    if current is not None:
        out += [Reminder(agreement.id, title, item.due, item.days_left, current, r, **under_way)
                for r in recipients(agreement, settings)]
    head = settings.contacts.get(settings.reminders.escalate_to)
    if -item.days_left >= settings.reminders.escalate_after_days and head is not None and head.email:
        lang = head.language if head.language in settings.languages else settings.languages[0]
        out.append(Reminder(agreement.id, title, item.due, item.days_left, "escalation",
                            Recipient(head.name, head.email, lang, "escalation"), **under_way))
    return out


def chase_stage(days: int, settings: Settings) -> str | None:
    """The chasing step for a pack sent ``days`` ago and not yet returned (``signing.chase``): chase-1 once
    ``first_after_days`` have passed, then one more every ``every_days``; None before."""
    chase = settings.signing.chase
    if days < chase.first_after_days:
        return None
    return f"chase-{(days - chase.first_after_days) // chase.every_days + 1}"


def chasers(agreement: Agreement, settings: Settings, as_of: dt.date) -> list[Reminder]:
    """Today's reminders about the packs sent for the agreement's current version and not yet returned: each
    signatory chased on the schedule, and the officer who sent it told once it is ``escalate_after_days`` late."""
    if agreement.status not in SIGNING_STATUSES:  # rejected back to draft, suspended ...: nothing to chase
        return []
    signed = {(s.stage, s.role, s.organisation) for s in agreement.signoffs
              if s.version == agreement.version}  # approved or rejected: that slot has answered
    title = dict(agreement.title.texts)
    officer = settings.contacts.get("information_sharing_officer") or settings.contacts.get(settings.reminders.escalate_to)
    out = []
    for sent in agreement.sent:
        if sent.version != agreement.version or (sent.stage, sent.role, sent.organisation) in signed or not sent.email:
            continue
        days = (as_of - sent.date).days
        step = chase_stage(days, settings)
        if step is not None:
            lang = sent.language if sent.language in settings.languages else settings.languages[0]
            out.append(Reminder(agreement.id, title, sent.date, -days, step, Recipient(sent.name, sent.email, lang,
                                                                                       "signatory")))
        if days >= settings.signing.chase.escalate_after_days and officer is not None and officer.email:
            lang = officer.language if officer.language in settings.languages else settings.languages[0]
            out.append(Reminder(agreement.id, title, sent.date, -days, f"chase-escalation-{sent.field}",
                                Recipient(officer.name, officer.email, lang, f"escalation:{sent.name}")))
    return out


# -- the email ----------------------------------------------------------------------
# Its words are in the message catalogs, with the documents' (templates/locale/<lang>/LC_MESSAGES/messages.po), in
# the recipient's language: English where no catalog translates them. A text with a count in it goes through
# ngettext, so that one day and several days both read right in every language.


def table_title(lang: str, templates: Path | None = None) -> str:
    """The name of the register's classification table, in ``lang``, for its reminders and calendar event."""
    return texts(lang, templates).gettext("Data and information sensitivity classification table")


def title_in(title: dict[str, str], lang: str) -> str:
    return title.get(lang) or next(iter(title.values()), "")


def calendar_event(record_id: str, title: str, due: dt.date, lang: str, stamp: dt.date, templates: Path | None = None):
    """One all-day event on the review date, with a UID stable across runs (so calendars update, never duplicate);
    ``templates``: the register's templates folder, whose catalog may word it."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"{record_id}-review@isa-toolkit")
    event.add("dtstamp", dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC))
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", texts(lang, templates).gettext("Review of {id}: {title}").format(id=record_id, title=title))
    event.add("transp", "TRANSPARENT")
    return event


def calendar(events, method: str | None = None) -> bytes:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//isa-toolkit//review dates//EN")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


def build_email(reminder: Reminder, agreement_version: str, *, sender: str, as_of: dt.date,
                templates: Path | None = None) -> EmailMessage:
    """The reminder as an RFC 5322 message: text and HTML in the recipient's language, with the review event.
    ``templates``: the register's templates folder, whose catalog (if it has one) words the e-mail."""
    from html import escape

    lang = reminder.recipient.language
    words = texts(lang, templates)
    gettext, ngettext = words.gettext, words.ngettext
    days = abs(reminder.days_left)
    date = long_date(reminder.due, lang)
    title = clean_header(title_in(reminder.title, lang))
    table = reminder.record_id == CLASSIFICATION_ID
    if reminder.chase:
        signer = reminder.recipient.role.removeprefix("escalation:")
        if reminder.escalation:
            subject = ngettext("{id}: a signature sent {days} day ago has not come back",
                               "{id}: a signature sent {days} days ago has not come back", days)
            body = ngettext("The copy of \"{title}\" ({id}, version {version}) sent to {signer} on {date} has not "
                            "come back after {days} day.",
                            "The copy of \"{title}\" ({id}, version {version}) sent to {signer} on {date} has not "
                            "come back after {days} days.", days)
        else:
            subject = gettext("{id}: your signature is still awaited (sent {date})")
            body = ngettext("The copy of \"{title}\" ({id}, version {version}) sent to you for signature on {date} "
                            "has not come back yet ({days} day).",
                            "The copy of \"{title}\" ({id}, version {version}) sent to you for signature on {date} "
                            "has not come back yet ({days} days).", days)
        body = body.format(title=title, id=reminder.record_id, version=agreement_version, date=date, days=days,
                           signer=clean_header(signer))
    elif reminder.escalation:
        subject = ngettext("Escalation: review of {id} overdue since {date} ({days} day late)",
                           "Escalation: review of {id} overdue since {date} ({days} days late)", days)
        body = ngettext("The review of \"{title}\" ({id}) is {days} day overdue. You are receiving this as {role}, "
                        "so that it can be assigned and completed.",
                        "The review of \"{title}\" ({id}) is {days} days overdue. You are receiving this as {role}, "
                        "so that it can be assigned and completed.", days).format(
            title=title, id=reminder.record_id, days=days, role=gettext("head of information management"))
    else:
        subject = (ngettext("{id}: review due on {date} ({days} day left)",
                            "{id}: review due on {date} ({days} days left)", days) if reminder.days_left >= 0 else
                   ngettext("{id}: review overdue since {date} ({days} day late)",
                            "{id}: review overdue since {date} ({days} days late)", days))
        if table:
            body = gettext("The register's data and information sensitivity classification table is due for review "
                           "on {date} (it is reviewed every six months with the partners).").format(date=date)
        elif reminder.days_left >= 0:
            body = gettext("\"{title}\" ({id}, version {version}) is due for review on {date}.").format(
                title=title, id=reminder.record_id, version=agreement_version, date=date)
        else:
            body = ngettext("The review of \"{title}\" ({id}, version {version}) was due on {date} and is now {days} "
                            "day overdue.",
                            "The review of \"{title}\" ({id}, version {version}) was due on {date} and is now {days} "
                            "days overdue.", days).format(
                title=title, id=reminder.record_id, version=agreement_version, date=date, days=days)
    if reminder.chase and reminder.escalation:
        action = gettext("Please contact them, or record a delegate: isa status {id}").format(id=reminder.record_id)
    elif reminder.chase:
        action = gettext("Please sign it and return it to the information sharing officer who sent it; if you cannot, "
                         "say so, so that a delegate can be named.")
    elif table:
        action = gettext("Please review the levels, data types and sharing methods with the partners, update "
                         "classification.yaml and set its review.last to the date of the review.")
    elif reminder.under_review:
        where = (gettext("Its review began on {started} and is not complete yet.").format(
                     started=long_date(reminder.review_started, lang)) if reminder.review_started else
                 gettext("A new version ({version}) is in the sign-off chain: the review is done when it is signed "
                         "and in force.").format(version=agreement_version))
        body = f"{body} {where}"
        action = gettext("Please see what is still needed and who must act, and chase them: isa status {id}").format(
            id=reminder.record_id)
    else:
        action = gettext("Please confirm whether the agreement is still needed and what has changed (data, processes, "
                         "designated officers), then start the review: isa review start {id}").format(
            id=reminder.record_id)
    lines = [gettext("Dear {name},").format(name=clean_header(reminder.recipient.name)), "", body, "", action, "", "-- ",
             gettext("The information sharing register")]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=clean_header(reminder.recipient.name), addr_spec=reminder.recipient.email)
    message["Subject"] = clean_header(subject.format(id=reminder.record_id, date=date, days=days))
    message["Date"] = format_datetime(dt.datetime.combine(as_of, dt.time(8, 0), tzinfo=dt.UTC))
    digest = hashlib.sha256(f"{reminder.key}|{as_of.isoformat()}".encode()).hexdigest()
    message["Message-ID"] = f"<{digest[:32]}@isa-toolkit>"  # the same reminder on the same day: the same message
    message.set_content("\n".join(lines))
    html = "".join(f"<p>{escape(line)}</p>" for line in lines if line and line != "-- ")
    message.add_alternative(f"<html lang=\"{lang}\"><body>{html}</body></html>", subtype="html")
    if not reminder.chase:  # a review has a date to put in a calendar; a chase does not
        ics = calendar([calendar_event(reminder.record_id, title, reminder.due, lang, as_of, templates)],
                       method="PUBLISH")
        message.add_attachment(ics.decode("utf-8"), subtype="calendar", filename=f"{reminder.record_id}-review.ics",
                               params={"method": "PUBLISH"})  # text: sent with charset=utf-8
    message["Content-Language"] = lang
    # Fixed boundaries, so the .eml written for a reminder is the same file every time.
    for depth, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"=_isa_{digest[depth * 8:depth * 8 + 16]}_{depth}")
    return message
