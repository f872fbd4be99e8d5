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
recipient's language. Names and titles from records never become headers:
line breaks and encoded-word markers are taken out before they are used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from ..i18n import long_date
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

TEXT = {
    "en": {
        "subject_before": "{id}: review due on {date} ({days} days left)",
        "subject_late": "{id}: review overdue since {date} ({days} days late)",
        "subject_escalation": "Escalation: review of {id} overdue since {date} ({days} days late)",
        "hello": "Dear {name},",
        "before": "\"{title}\" ({id}, version {version}) is due for review on {date}.",
        "late": "The review of \"{title}\" ({id}, version {version}) was due on {date} and is now {days} days overdue.",
        "table": "The register's data and information sensitivity classification table is due for review on {date} "
                 "(it is reviewed every six months with the partners).",
        "table_action": "Please review the levels, data types and sharing methods with the partners, update "
                        "classification.yaml and set its review.last to the date of the review.",
        "head": "head of information management",
        "escalation": "The review of \"{title}\" ({id}) is {days} days overdue. You are receiving this as {role}, "
                      "so that it can be assigned and completed.",
        "action": "Please confirm whether the agreement is still needed and what has changed (data, processes, "
                  "designated officers), then start the review: isa review start {id}",
        "new_version": "A new version ({version}) is in the sign-off chain: the review is done when it is signed and "
                       "in force.",
        "review_started": "Its review began on {started} and is not complete yet.",
        "chase": "Please see what is still needed and who must act, and chase them: isa status {id}",
        "event": "Review of {id}: {title}",
        "sign": "The information sharing register",
        "subject_chase": "{id}: your signature is still awaited (sent {date})",
        "chase_body": "The copy of \"{title}\" ({id}, version {version}) sent to you for signature on {date} has not come "
                      "back yet ({days} days).",
        "chase_action": "Please sign it and return it to the information sharing officer who sent it; if you cannot, "
                        "say so, so that a delegate can be named.",
        "subject_chase_escalation": "{id}: a signature sent {days} days ago has not come back",
        "chase_escalation": "The copy of \"{title}\" ({id}, version {version}) sent to {signer} on {date} has not come "
                            "back after {days} days.",
        "chase_escalation_action": "Please contact them, or record a delegate: isa status {id}",
    },
    "fr": {
        "subject_before": "{id} : réexamen prévu le {date} (dans {days} jours)",
        "subject_late": "{id} : réexamen en retard depuis le {date} ({days} jours de retard)",
        "subject_escalation": "Escalade : réexamen de {id} en retard depuis le {date} ({days} jours de retard)",
        "hello": "Bonjour {name},",
        "before": "« {title} » ({id}, version {version}) doit être réexaminé le {date}.",
        "late": "Le réexamen de « {title} » ({id}, version {version}) était prévu le {date} et a maintenant "
                "{days} jours de retard.",
        "table": "Le tableau de classification de la sensibilité des données et des informations du registre doit "
                 "être réexaminé le {date} (il l'est tous les six mois avec les partenaires).",
        "table_action": "Merci de revoir les niveaux, les types de données et les modes de partage avec les "
                        "partenaires, de mettre à jour classification.yaml et d'y indiquer la date du réexamen "
                        "(review.last).",
        "head": "responsable de la gestion de l'information",
        "escalation": "Le réexamen de « {title} » ({id}) a {days} jours de retard. Vous recevez ce message en tant que "
                      "{role}, afin qu'il soit attribué et mené à bien.",
        "action": "Merci de confirmer si l'accord est toujours nécessaire et ce qui a changé (données, procédures, "
                  "référents désignés), puis d'ouvrir le réexamen : isa review start {id}",
        "new_version": "Une nouvelle version ({version}) est dans le circuit de validation : le réexamen sera achevé "
                       "lorsqu'elle sera signée et en vigueur.",
        "review_started": "Son réexamen a commencé le {started} et n'est pas encore achevé.",
        "chase": "Merci de voir ce qui manque encore et qui doit agir, et de les relancer : isa status {id}",
        "event": "Réexamen de {id} : {title}",
        "sign": "Le registre du partage d'informations",
        "subject_chase": "{id} : votre signature est toujours attendue (envoi du {date})",
        "chase_body": "L'exemplaire de « {title} » ({id}, version {version}) qui vous a été envoyé pour signature le "
                      "{date} n'est pas encore revenu ({days} jours).",
        "chase_action": "Merci de le signer et de le renvoyer au responsable du partage d'informations qui vous l'a "
                        "adressé ; si vous ne le pouvez pas, dites-le, afin qu'un délégataire soit désigné.",
        "subject_chase_escalation": "{id} : une signature demandée il y a {days} jours n'est pas revenue",
        "chase_escalation": "L'exemplaire de « {title} » ({id}, version {version}) envoyé à {signer} le {date} n'est "
                            "pas revenu après {days} jours.",
        "chase_escalation_action": "Merci de le relancer, ou d'enregistrer un délégataire : isa status {id}",
    },
}


def _words(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["en"])


def title_in(title: dict[str, str], lang: str) -> str:
    return title.get(lang) or next(iter(title.values()), "")


def calendar_event(record_id: str, title: str, due: dt.date, lang: str, stamp: dt.date):
    """One all-day event on the review date, with a UID stable across runs (so calendars update, never duplicate)."""
    from icalendar import Event

    event = Event()
    event.add("uid", f"{record_id}-review@isa-toolkit")
    event.add("dtstamp", dt.datetime.combine(stamp, dt.time(), tzinfo=dt.UTC))
    event.add("dtstart", due)
    event.add("dtend", due + dt.timedelta(days=1))
    event.add("summary", _words(lang)["event"].format(id=record_id, title=title))
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


def build_email(reminder: Reminder, agreement_version: str, *, sender: str, as_of: dt.date) -> EmailMessage:
    """The reminder as an RFC 5322 message: text and HTML in the recipient's language, with the review event."""
    from html import escape

    lang = reminder.recipient.language
    words = _words(lang)
    days = abs(reminder.days_left)
    date = long_date(reminder.due, lang)
    title = clean_header(title_in(reminder.title, lang))
    table = reminder.record_id == CLASSIFICATION_ID
    if reminder.chase:
        signer = reminder.recipient.role.removeprefix("escalation:")
        key = "chase_escalation" if reminder.escalation else "chase_body"
        subject = words["subject_chase_escalation" if reminder.escalation else "subject_chase"]
        body = words[key].format(title=title, id=reminder.record_id, version=agreement_version, date=date, days=days,
                                 signer=clean_header(signer))
    elif reminder.escalation:
        subject = words["subject_escalation"]
        body = words["escalation"].format(title=title, id=reminder.record_id, days=days, role=words["head"])
    elif table:
        subject = words["subject_before"] if reminder.days_left >= 0 else words["subject_late"]
        body = words["table"].format(date=date)
    elif reminder.days_left >= 0:
        subject, body = words["subject_before"], words["before"].format(
            title=title, id=reminder.record_id, version=agreement_version, date=date)
    else:
        subject, body = words["subject_late"], words["late"].format(
            title=title, id=reminder.record_id, version=agreement_version, date=date, days=days)
    if reminder.chase:
        action = words["chase_escalation_action" if reminder.escalation else "chase_action"].format(id=reminder.record_id)
    elif table:
        action = words["table_action"]
    elif reminder.under_review:
        where = (words["review_started"].format(started=long_date(reminder.review_started, lang))
                 if reminder.review_started else words["new_version"].format(version=agreement_version))
        body = f"{body} {where}"
        action = words["chase"].format(id=reminder.record_id)
    else:
        action = words["action"].format(id=reminder.record_id)
    lines = [words["hello"].format(name=clean_header(reminder.recipient.name)), "", body, "", action, "", "-- ", words["sign"]]
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
        ics = calendar([calendar_event(reminder.record_id, title, reminder.due, lang, as_of)], method="PUBLISH")
        message.add_attachment(ics.decode("utf-8"), subtype="calendar", filename=f"{reminder.record_id}-review.ics",
                               params={"method": "PUBLISH"})  # text: sent with charset=utf-8
    message["Content-Language"] = lang
    # Fixed boundaries, so the .eml written for a reminder is the same file every time.
    for depth, part in enumerate(part for part in message.walk() if part.is_multipart()):
        part.set_boundary(f"=_isa_{digest[depth * 8:depth * 8 + 16]}_{depth}")
    return message
