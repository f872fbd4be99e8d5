"""Review due dates, the daily reminder run against a real SMTP server on 127.0.0.1, the calendar, the review itself."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket

import pytest
from click.testing import CliRunner

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.errors import InvalidRecord
from isa_toolkit.review.daily import due_list, plan, read_log

from .conftest import complete_isa, git

ID = "ISA-2026-0001"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every message and refuses the recipients it is told to."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    yield mailbox
    controller.stop()


def settings(port: int) -> str:
    return f"""\
name: {{en: Test register, fr: Registre de test}}
organisation: Testshire Council
languages: [en, fr]
contacts:
  head_of_information_management: {{name: Hana Head, email: hana.head@example.org, language: fr}}
smtp: {{host: 127.0.0.1, port: {port}, tls: none, sender: register@example.org}}
"""


# Active, last reviewed 2025-11-30: due 2026-11-30; the police officer reads French.
RECORD = complete_isa(ID).replace("  last: 2025-01-10", "  last: 2025-11-30").replace(
    "designated_officer: {name: Dee Officer, email: dee@example.org, phone: 01632 960 001}",
    "designated_officer: {name: Dee Officer, email: dee@example.org, phone: 01632 960 001, language: fr}")


@pytest.fixture
def register(make_register, smtp):
    # No classification table here: its own six-monthly review would add reminders of its own.
    return make_register({f"agreements/{ID}.yaml": RECORD}, settings=settings(smtp.port), classification=False)


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args], catch_exceptions=False)


def test_due_dates_across_month_ends_leap_days_and_past_as_of(make_register):
    records = {
        "agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001").replace("  last: 2025-01-10", "  last: 2028-02-29"),
        "agreements/ISA-2026-0002.yaml": complete_isa("ISA-2026-0002").replace(
            "  interval_months: 12\n  last: 2025-01-10", "  interval_months: 1\n  last: 2027-01-31"),
        "agreements/ISA-2026-0003.yaml": complete_isa("ISA-2026-0003", status="draft"),
    }
    root = make_register(records, classification=False)
    items = due_list(store.load_register(root), dt.date(2029, 3, 1), within=10)
    leap = next(i for i in items if i.record_id == "ISA-2026-0001")
    assert (leap.due, leap.days_left) == (dt.date(2029, 2, 28), -1)
    month_end = next(i for i in items if i.record_id == "ISA-2026-0002")
    assert month_end.due == dt.date(2027, 2, 28)
    past = json.loads(run(root, "review", "due", "--as-of", "2027-02-20", "--within", "10", "--json").output)["due"]
    assert [(i["id"], i["days_left"]) for i in past.values()] == [("ISA-2026-0002", 8)]
    assert isinstance(past["ISA-2026-0002"]["title"], dict)
    assert "ISA-2026-0003" not in {i.record_id for i in items}  # a draft is not reviewed


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-09-30", set()),  # 61 days before: nothing yet
        ("2026-10-01", {("before-60", "dee@example.org"), ("before-60", "ray@example.org")}),
        ("2026-11-10", {("before-30", "dee@example.org"), ("before-30", "ray@example.org")}),
        ("2026-11-30", {("before-7", "dee@example.org"), ("before-7", "ray@example.org")}),
        ("2026-12-01", {("overdue-1", "dee@example.org"), ("overdue-1", "ray@example.org")}),
        ("2026-12-07", {("overdue-1", "dee@example.org"), ("overdue-1", "ray@example.org")}),
        ("2026-12-08", {("overdue-2", "dee@example.org"), ("overdue-2", "ray@example.org")}),
        ("2026-12-31", {("overdue-5", "dee@example.org"), ("overdue-5", "ray@example.org"),
                        ("escalation", "hana.head@example.org")}),
    ],
)
def test_exact_reminders_on_each_day(register, as_of, expected):
    _, reminders = plan(store.load_register(register), dt.date.fromisoformat(as_of))
    assert {(r.stage, r.recipient.email) for r in reminders} == expected


def test_reminders_are_delivered_once_in_each_recipients_language(register, smtp, tmp_path):
    result = run(register, "review", "run", "--as-of", "2026-11-09", "--out", str(tmp_path / "eml"), "--send", "--by", "Cron")
    assert result.exit_code == 0, result.output
    assert "1 review(s) due, 2 reminded, 0 escalated, 0 failed" in result.output
    by_address = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    assert set(by_address) == {"dee@example.org", "ray@example.org"}
    french, english = by_address["dee@example.org"], by_address["ray@example.org"]
    assert french["Subject"] == f"{ID} : réexamen prévu le 30 novembre 2026 (dans 21 jours)"
    body = " ".join(french.get_body(("plain",)).get_content().split())  # a date's spaces are no-break spaces
    assert french["Content-Language"] == "fr" and "30 novembre 2026" in body
    assert english["Subject"] == f"{ID}: review due on 30 November 2026 (21 days left)"
    assert english.get_body(("html",)) is not None
    [attachment] = list(english.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    from icalendar import Calendar

    events = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert len(events) == 1 and events[0]["UID"] == f"{ID}-review@isa-toolkit"
    assert events[0].decoded("DTSTART") == dt.date(2026, 11, 30)
    assert len(list((tmp_path / "eml").iterdir())) == 2

    again = run(register, "review", "run", "--as-of", "2026-11-09", "--out", str(tmp_path / "eml2"), "--send")
    assert again.exit_code == 0
    assert "0 reminded" in again.output and "2 already sent before" in again.output
    assert len(smtp.messages) == 2
    log = read_log(register)
    assert [(e["to"], e["status"]) for e in log] == [("dee@example.org", "sent"), ("ray@example.org", "sent")]
    assert git(register, "log", "-1", "--format=%s").strip() == "review run 2026-11-09: 2 reminder(s) sent [by Cron]"


def test_a_failed_send_is_retried_without_repeating_the_others(register, smtp, tmp_path):
    smtp.refuse.add("ray@example.org")
    first = run(register, "review", "run", "--as-of", "2026-11-09", "--send", "--out", str(tmp_path / "x"))
    assert first.exit_code == 1
    assert "failed: ISA-2026-0001 to ray@example.org" in first.output
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["dee@example.org"]
    smtp.refuse.clear()
    second = run(register, "review", "run", "--as-of", "2026-11-10", "--send", "--out", str(tmp_path / "x"))
    assert second.exit_code == 0, second.output
    # The next day is still the 30-day stage: only the failed one goes out.
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["dee@example.org", "ray@example.org"]
    statuses = [(e["to"], e["status"]) for e in read_log(register)]
    assert statuses == [("dee@example.org", "sent"), ("ray@example.org", "failed"), ("ray@example.org", "sent")]


def test_an_unreachable_server_fails_everything_and_logs_it(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": RECORD}, settings=settings(free_port()), classification=False)
    result = run(root, "review", "run", "--as-of", "2026-11-09", "--send", "--out", str(tmp_path / "x"))
    assert result.exit_code == 1 and "cannot reach the mail server 127.0.0.1" in result.output
    assert {e["status"] for e in read_log(root)} == {"failed"}


def test_names_and_titles_never_become_headers(make_register, smtp, tmp_path):
    # A name cannot hold a line break at all: the record is refused where it is read.
    broken = RECORD.replace("name: Ray Officer", "name: \"Ray\\nBcc: evil@example.net\"")
    refused = make_register({f"agreements/{ID}.yaml": broken}, settings=settings(smtp.port), classification=False)
    with pytest.raises(InvalidRecord):
        store.load_agreement(refused, ID)
    # A title may run over lines and hold what looks like header syntax; it never becomes a header either.
    hostile = RECORD.replace(
        "  en: Home fire safety visits", "  en: \"Visits =?UTF-8?Q?=0A?=Bcc: evil@example.net; a, b \\\\ c\"")
    root = make_register({f"agreements/{ID}.yaml": hostile}, settings=settings(smtp.port), classification=False)
    title = store.load_agreement(root, ID).title.get("en")
    assert "=?UTF-8?Q?=0A?=" in title and ";" in title and "\\" in title
    out = tmp_path / "eml"
    result = run(root, "review", "run", "--as-of", "2026-11-09", "--send", "--out", str(out))
    assert result.exit_code == 0, result.output
    for message in smtp.messages:
        assert message["Bcc"] is None
        assert all(address == "" or "evil" not in address for _, recipients in smtp.envelopes for address in recipients)
        assert "\n" not in str(message["Subject"]) and "\n" not in str(message["To"])
    for path in out.iterdir():
        raw = path.read_bytes()
        assert b"\nBcc:" not in raw
    from icalendar import Calendar

    calendar = run(root, "calendar").output
    unfolded = calendar.replace("\r\n ", "").replace("\n ", "")
    assert "Visits =?UTF-8?Q?=0A?=Bcc: evil@example.net\\; a\\, b \\\\ c" in unfolded
    assert len(Calendar.from_ical(calendar).walk("VEVENT")) == 1


def test_calendar_has_stable_event_ids(make_register, tmp_path):
    records = {f"agreements/ISA-2026-000{n}.yaml": complete_isa(f"ISA-2026-000{n}") for n in (1, 2)}
    root = make_register(records)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    assert run(root, "calendar", "-o", str(first)).exit_code == 0
    assert run(root, "calendar", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    from icalendar import Calendar

    events = Calendar.from_ical(first.read_bytes()).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == ["ISA-2026-0001-review@isa-toolkit", "ISA-2026-0002-review@isa-toolkit",
                                                     "classification-review@isa-toolkit"]


def test_a_review_renews_through_the_chain_or_terminates(make_register):
    from .test_signoff import DEFAULT_CHAIN, sign

    root = make_register({f"agreements/{ID}.yaml": RECORD})
    assert run(root, "review", "record", ID, "--stakeholder", "X", "--still-required", "yes").exit_code == 1
    assert run(root, "review", "start", ID, "--date", "2026-11-01").exit_code == 0
    assert run(root, "review", "record", ID, "--stakeholder", "Testshire Council", "--still-required", "yes",
               "--changes", "New designated officer", "--date", "2026-11-02").exit_code == 0
    result = run(root, "review", "complete", ID, "--outcome", "renew", "--date", "2026-11-03")
    assert result.exit_code == 0, result.output
    agreement = store.load_agreement(root, ID)
    assert (agreement.version, agreement.status.value) == ("1.1", "under_review")
    assert agreement.review.findings[0].changes.get("en") == "New designated officer"
    for role, organisation in DEFAULT_CHAIN:
        assert sign(root, role, organisation, "--date", "2026-11-05").exit_code == 0
    agreement = store.load_agreement(root, ID)
    assert (agreement.status.value, str(agreement.review.due)) == ("active", "2027-11-05")

    assert run(root, "review", "start", ID, "--date", "2026-11-20").exit_code == 0
    assert run(root, "review", "complete", ID, "--outcome", "terminate").exit_code == 1  # a reason is needed
    assert run(root, "review", "complete", ID, "--outcome", "terminate", "--reason", "Service closed",
               "--date", "2026-11-21").exit_code == 0
    agreement = store.load_agreement(root, ID)
    assert (agreement.status.value, str(agreement.end_date)) == ("terminated", "2026-11-21")


def test_the_classification_table_has_its_own_six_monthly_review(make_register):
    root = make_register({})  # the example classification: last reviewed 2026-06-15
    items = due_list(store.load_register(root), dt.date(2026, 12, 1), within=30)
    assert [(i.record_id, i.due) for i in items] == [("classification", dt.date(2026, 12, 15))]
    _, reminders = plan(store.load_register(root), dt.date(2026, 12, 1))
    assert {(r.record_id, r.stage, r.recipient.email) for r in reminders} == {
        ("classification", "before-30", "hana.head@example.org")}


def test_the_review_report_says_who_confirmed_what(make_register, tmp_path):
    from .test_render import docx_text

    root = make_register({f"agreements/{ID}.yaml": RECORD})
    assert run(root, "render", ID, "--doc", "review-report", "-o", str(tmp_path)).exit_code == 1  # no review yet
    assert run(root, "review", "start", ID, "--date", "2026-11-01").exit_code == 0
    assert run(root, "review", "record", ID, "--stakeholder", "Testshire Council", "--still-required", "yes",
               "--changes", "New designated officer", "--date", "2026-11-02").exit_code == 0
    assert run(root, "review", "complete", ID, "--outcome", "renew", "--date", "2026-11-03").exit_code == 0
    refused = run(root, "render", ID, "--doc", "review-report", "--lang", "en+fr", "--format", "docx", "-o", str(tmp_path))
    assert refused.exit_code == 1 and "no fr text for: review.findings[0].changes" in refused.output
    result = run(root, "render", ID, "--doc", "review-report", "--lang", "en+fr", "--format", "docx", "-o", str(tmp_path),
                 "--fallback")
    assert result.exit_code == 0, result.output
    text = docx_text(tmp_path / f"{ID}-v1.1-review-report-en+fr.docx")
    assert "Review report" in text and "Rapport de réexamen" in text
    assert "Testshire Council" in text and "New designated officer" in text
    # The stakeholder reported a change, so the renewal's entry says what was reported, never "no change".
    assert "Annual review: still required; changes reported: Testshire Council: New designated officer" in text
    assert "no change to the content" not in text
    assert "Réexamen annuel\u00a0: toujours nécessaire\u202f; changements signalés" in text
    assert "Outcome and approval" in text and "Review approved by (name and role)" in text
    # Completed, the renewing version in the chain: not "under way" any more.
    assert "Completed: version 1.1 renews the agreement and is going through the sign-off chain" in text
    assert "Under way" not in text
    assert "12 months after the renewed version is signed" in text  # not yet signed: the next review follows it


def test_an_interrupted_run_never_sends_twice(register, smtp, tmp_path):
    """A run killed after some messages went has logged them at once; the next run sends only the rest."""
    from isa_toolkit.review.daily import _append, _entry

    registered = store.load_register(register)
    _, reminders = plan(registered, dt.date(2026, 11, 9))
    already = next(r for r in reminders if r.recipient.email == "dee@example.org")
    _append(register, _entry(already, dt.date(2026, 11, 9), "sent"))  # as the killed run left it: uncommitted
    result = run(register, "review", "run", "--as-of", "2026-11-09", "--send", "--out", str(tmp_path / "x"))
    assert result.exit_code == 0, result.output
    assert [m["To"].addresses[0].addr_spec for m in smtp.messages] == ["ray@example.org"]
    assert git(register, "status", "--porcelain") == ""  # the earlier line is committed with this run's


@pytest.mark.parametrize("line", ["[1]", "null", '"x"', '{"status": "sent"}', '{"status": "sent", "key": ["a"]}', "not json"])
def test_a_damaged_log_is_refused_plainly(register, tmp_path, line):
    (register / "reminders.log").write_text(line + "\n")
    result = run(register, "review", "run", "--as-of", "2026-11-09", "--out", str(tmp_path / "x"))
    assert result.exit_code == 1 and "reminders.log:1: not a reminder entry" in result.output
    assert "Traceback" not in result.output


def test_emails_are_in_the_recipients_language_with_a_utf8_calendar(make_register, smtp, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": RECORD}, settings=settings(smtp.port), classification=False)
    assert run(root, "review", "run", "--as-of", "2026-11-09", "--send", "--out", str(tmp_path / "x")).exit_code == 0
    french = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == "dee@example.org")
    body = french.get_body(("plain",)).get_content()
    assert "« Titre en français »" in body and "Home fire safety visits" not in body
    [attachment] = list(french.iter_attachments())
    assert attachment.get_content_charset() == "utf-8"
    assert "Réexamen de ISA-2026-0001 : Titre en français" in attachment.get_content().replace("\r\n ", "")
    assert "METHOD:PUBLISH" in attachment.get_content()


def test_settings_that_would_misroute_mail_are_refused(make_register):
    bad_sender = settings(25).replace("sender: register@example.org", 'sender: "register@example.org\\nBcc: x@evil.net"')
    root = make_register({}, settings=bad_sender, classification=False)
    assert any(p.field == "smtp.sender" for p in store.load_register(root).errors)
    typo = settings(25) + "reminders: {escalate_to: head_of_infomation_management}\n"
    root = make_register({}, settings=typo, classification=False)
    assert any("escalations would go nowhere" in p.message for p in store.load_register(root).errors)


def test_an_agreement_amended_while_due_is_still_reminded_and_told_its_new_version_is_in_the_chain(register, smtp,
                                                                                                  tmp_path):
    changes = tmp_path / "changes.yaml"
    changes.write_text("benefits: {en: Fewer people hurt or killed at home.}\n")
    amended = run(register, "amend", ID, "--answers", str(changes), "--detail", "Benefits restated", "--date", "2026-11-20")
    assert amended.exit_code == 0, amended.output
    assert store.load_agreement(register, ID).status.value == "under_review"
    due = json.loads(run(register, "review", "due", "--as-of", "2026-12-08", "--json").output)["due"]
    assert [(i["id"], i["overdue"]) for i in due.values()] == [(ID, True)]
    result = run(register, "review", "run", "--as-of", "2026-12-08", "--send", "--out", str(tmp_path / "eml"))
    assert result.exit_code == 0, result.output
    assert "1 review(s) due, 2 reminded" in result.output
    english = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == "ray@example.org")
    text = english.get_body(("plain",)).get_content()
    assert "A new version (1.1) is in the sign-off chain" in text and f"isa status {ID}" in text
    assert f"isa review start {ID}" not in text
    french = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == "dee@example.org")
    assert "Une nouvelle version (1.1) est dans le circuit de validation" in french.get_body(("plain",)).get_content()


def test_a_review_started_by_hand_and_overdue_is_still_reminded(register, smtp, tmp_path):
    assert run(register, "review", "start", ID, "--date", "2026-11-25").exit_code == 0
    result = run(register, "review", "run", "--as-of", "2026-12-08", "--send", "--out", str(tmp_path / "eml"))
    assert "1 review(s) due, 2 reminded" in result.output
    text = next(m for m in smtp.messages if m["To"].addresses[0].addr_spec == "ray@example.org").get_body(
        ("plain",)).get_content()
    assert "Its review began on 25 November 2026 and is not complete yet." in " ".join(text.split())
