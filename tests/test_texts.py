"""The terminal's prompts and the e-mails come from the message catalogs, as the documents' fixed text does: counts
read in the right number, a new language is a new catalog, a register's own catalog words them (the shipped one
filling in), and `isa templates check` reports a prompt or an e-mail text a catalog does not translate."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import click
import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.i18n import texts, translator
from isa_toolkit.resources import shipped
from isa_toolkit.review.reminders import Recipient, Reminder, build_email
from isa_toolkit.workflows.ask import confirm

from .test_review import RECORD, settings

ID = "ISA-2026-0001"
DUE = dt.date(2026, 11, 30)
TITLE = {"en": "Home fire safety visits", "fr": "Visites de sécurité incendie"}
HEADER = """\
msgid ""
msgstr ""
"Language: {lang}\\n"
"Plural-Forms: {plurals}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""


def reminder(lang: str, days_left: int, stage: str, role: str = "owner") -> Reminder:
    return Reminder(ID, TITLE, DUE, days_left, stage, Recipient("Dee Officer", "dee@example.org", lang, role))


def mail(item: Reminder, templates=None) -> tuple[str, str]:
    """The subject and the plain text, with a date's no-break spaces read as spaces."""
    message = build_email(item, "1.0", sender="register@example.org", as_of=dt.date(2026, 11, 9), templates=templates)
    return str(message["Subject"]), message.get_body(("plain",)).get_content().replace("\u00a0", " ")


def catalog(folder, lang: str, entries: str, plurals: str = "nplurals=2; plural=(n != 1);"):
    path = folder / "locale" / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(lang=lang, plurals=plurals) + entries, encoding="utf-8")
    return path


@pytest.mark.parametrize(("lang", "days_left", "stage", "subject", "in_body"), [
    ("en", 1, "before-7", f"{ID}: review due on 30 November 2026 (1 day left)", None),
    ("en", 2, "before-7", f"{ID}: review due on 30 November 2026 (2 days left)", None),
    ("fr", 1, "before-7", f"{ID} : réexamen prévu le 30 novembre 2026 (dans 1 jour)", None),
    ("fr", 2, "before-7", f"{ID} : réexamen prévu le 30 novembre 2026 (dans 2 jours)", None),
    ("en", -1, "overdue-1", f"{ID}: review overdue since 30 November 2026 (1 day late)", "is now 1 day overdue."),
    ("en", -8, "overdue-2", f"{ID}: review overdue since 30 November 2026 (8 days late)", "is now 8 days overdue."),
    ("fr", -1, "overdue-1", f"{ID} : réexamen en retard depuis le 30 novembre 2026 (1 jour de retard)",
     "et a maintenant 1 jour de retard."),
    ("fr", -8, "overdue-2", f"{ID} : réexamen en retard depuis le 30 novembre 2026 (8 jours de retard)",
     "et a maintenant 8 jours de retard."),
    ("en", -31, "escalation", f"Escalation: review of {ID} overdue since 30 November 2026 (31 days late)",
     "is 31 days overdue. You are receiving this as head of information management"),
    ("fr", -31, "escalation", f"Escalade : réexamen de {ID} en retard depuis le 30 novembre 2026 (31 jours de retard)",
     "a 31 jours de retard. Vous recevez ce message en tant que responsable de la gestion de l'information"),
    ("en", -1, "chase-1", f"{ID}: your signature is still awaited (sent 30 November 2026)",
     "has not come back yet (1 day)."),
    ("fr", -7, "chase-1", f"{ID} : votre signature est toujours attendue (envoi du 30 novembre 2026)",
     "n'est pas encore revenu (7 jours)."),
])
def test_a_count_in_a_reminder_reads_in_the_right_number(lang, days_left, stage, subject, in_body):
    got, body = mail(reminder(lang, days_left, stage))
    assert got == subject
    if in_body:
        assert in_body in " ".join(body.split())


def test_a_chase_escalation_counts_its_days_in_both_languages():
    for lang, days, subject, line in (
            ("en", 1, f"{ID}: a signature sent 1 day ago has not come back", "has not come back after 1 day."),
            ("en", 21, f"{ID}: a signature sent 21 days ago has not come back", "has not come back after 21 days."),
            ("fr", 1, f"{ID} : une signature demandée il y a 1 jour n'est pas revenue", "n'est pas revenu après 1 jour."),
            ("fr", 21, f"{ID} : une signature demandée il y a 21 jours n'est pas revenue",
             "n'est pas revenu après 21 jours.")):
        got, body = mail(reminder(lang, -days, "chase-escalation-sig", role="escalation:Sam Signer"))
        assert got == subject and line in " ".join(body.split()) and "Sam Signer" in body


def test_the_reminders_say_word_for_word_what_they_said_before_the_catalog():
    """The texts as they were written in the code, through the catalog: French with its straight apostrophes and
    ordinary spaces (an e-mail is not typeset), and the signature the packs share."""
    subject, body = mail(reminder("fr", 21, "before-30"))
    assert subject == f"{ID} : réexamen prévu le 30 novembre 2026 (dans 21 jours)"
    assert body == (
        "Bonjour Dee Officer,\n\n"
        "« Visites de sécurité incendie » (ISA-2026-0001, version 1.0) doit être réexaminé le 30 novembre 2026.\n\n"
        "Merci de confirmer si l'accord est toujours nécessaire et ce qui a changé (données, procédures, référents "
        "désignés), puis d'ouvrir le réexamen : isa review start ISA-2026-0001\n\n"
        "-- \nLe registre du partage d'informations\n")
    subject, body = mail(Reminder("classification", {"en": "Table"}, DUE, -3, "overdue-1",
                                  Recipient("Hana Head", "hana@example.org", "en", "head_of_information_management")))
    assert subject == "classification: review overdue since 30 November 2026 (3 days late)"
    assert body == (
        "Dear Hana Head,\n\n"
        "The register's data and information sensitivity classification table is due for review on 30 November 2026 "
        "(it is reviewed every six months with the partners).\n\n"
        "Please review the levels, data types and sharing methods with the partners, update classification.yaml and "
        "set its review.last to the date of the review.\n\n"
        "-- \nThe information sharing register\n")


def test_a_new_language_is_a_new_catalog(tmp_path):
    """German, from a catalog alone: its plural, its yes and no (understood when typed), English where it has no
    translation yet."""
    catalog(tmp_path, "de", """\
msgid "Dear {name},"
msgstr "Guten Tag {name},"

msgid "{id}: review due on {date} ({days} day left)"
msgid_plural "{id}: review due on {date} ({days} days left)"
msgstr[0] "{id}: Überprüfung fällig am {date} (noch {days} Tag)"
msgstr[1] "{id}: Überprüfung fällig am {date} (noch {days} Tage)"

msgid "yes/no"
msgstr "ja/nein"

msgid "Draft a new agreement anyway?"
msgstr "Trotzdem eine neue Vereinbarung entwerfen?"
""")
    one, body = mail(reminder("de", 1, "before-7"), templates=tmp_path)
    several, _ = mail(reminder("de", 3, "before-7"), templates=tmp_path)
    assert one.endswith("(noch 1 Tag)") and several.endswith("(noch 3 Tage)")
    assert body.startswith("Guten Tag Dee Officer,\n") and "is due for review on" in body  # not translated yet

    @click.command()
    def ask() -> None:
        prompt = texts("de", tmp_path).gettext("Draft a new agreement anyway?")
        click.echo(f"answer: {confirm(prompt, 'de', default=False, templates=tmp_path)}")

    result = CliRunner().invoke(ask, input="ja\n")
    assert "Trotzdem eine neue Vereinbarung entwerfen? (ja/nein) [nein]" in result.output
    assert "answer: True" in result.output
    assert "answer: False" in CliRunner().invoke(ask, input="\n").output  # the default, in German, understood


def test_a_registers_own_catalog_words_its_emails_and_the_shipped_one_fills_in(make_register, tmp_path):
    """A register's catalog made before a message existed: its own wording where it has one, the shipped
    French for the rest, never English; the documents keep reading the register's catalog alone."""
    root = make_register({f"agreements/{ID}.yaml": RECORD}, settings=settings(25), classification=False)
    own = catalog(root / "templates", "fr", 'msgid "Dear {name},"\nmsgstr "Madame, Monsieur {name},"\n',
                  plurals="nplurals=2; plural=(n > 1);")
    assert own.is_file()
    out = tmp_path / "eml"
    result = CliRunner().invoke(main, ["-R", str(root), "review", "run", "--as-of", "2026-11-09", "--out", str(out)])
    assert result.exit_code == 0, result.output
    [french] = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in out.glob("*.eml") if "dee-example-org" in path.name]
    body = french.get_body(("plain",)).get_content()
    assert body.startswith("Madame, Monsieur Dee Officer,\r\n") and "doit être réexaminé le" in body  # CRLF: as sent
    assert str(french["Subject"]).endswith("(dans 21 jours)")
    # The chain behind the prompts and e-mails leaves the documents' catalog as it is: no fallback there.
    assert translator("fr", root / "templates").gettext("yes/no") == "yes/no"
    assert texts("fr", root / "templates").gettext("yes/no") == "oui/non"


def test_the_check_reports_a_prompt_or_an_email_text_a_catalog_does_not_translate(tmp_path):
    shipped_catalog = (shipped("templates") / "locale/fr/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    text = shipped_catalog.replace('msgid "yes/no"\nmsgstr "oui/non"', 'msgid "yes/no"\nmsgstr ""', 1)
    text = text.replace('msgstr[0] "{id} : réexamen prévu le {date} (dans {days} jour)"', 'msgstr[0] ""', 1)
    text = text.replace('msgid "Record a one-off disclosure anyway?"\n', 'msgid "Record a one-off disclosure?"\n', 1)
    assert text.count('msgstr ""') == shipped_catalog.count('msgstr ""') + 1 and 'msgstr[0] ""' in text
    folder = tmp_path / "mine"
    path = folder / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", str(folder)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    problems = result.output.splitlines()
    assert re.search(r"messages\.po: no translation for 'yes/no' \(used in isa_toolkit/workflows/ask\.py:\d+\)",
                     result.output)
    assert re.search(r"no translation for '\{id\}: review due on \{date\} \(\{days\} day left\)' \(plural "
                     r"'\{id\}: review due on \{date\} \(\{days\} days left\)'\) \(used in "
                     r"isa_toolkit/review/reminders\.py:\d+\)", result.output)
    assert re.search(r"no translation for 'Record a one-off disclosure anyway\?' \(used in "
                     r"isa_toolkit/cli/cases\.py:\d+\)", result.output)
    assert len([line for line in problems if "no translation for" in line]) == 3, result.output


def test_every_shipped_catalog_translates_every_prompt_and_email_text():
    """What the check reads: the moved texts are among the messages used, and every shipped language translates
    each of them (a plural in every form of the language)."""
    from isa_toolkit.documents.messages import message_uses
    from isa_toolkit.documents.template_checks import _catalog_problems

    uses = message_uses([], [])
    for message in ("yes/no", "Add another {what}?", "Draft a new agreement anyway?", "Rationale",
                    "Record the criteria and rationale now?", "Review of {id}: {title}",
                    "Data and information sensitivity classification table", "Dear {name},",
                    ("{id}: review due on {date} ({days} day left)", "{id}: review due on {date} ({days} days left)")):
        assert message in uses, message
    assert sorted(shipped("templates").glob("locale/*/LC_MESSAGES/messages.po"))  # French, at least
    assert _catalog_problems([shipped("templates")], uses) == []


def test_a_damaged_catalog_is_named_not_a_traceback(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": RECORD}, settings=settings(25), classification=False)
    path = root / "templates" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'msgid "yes/no"\nmsgstr "oui\xff/non"\n')
    result = CliRunner().invoke(main, ["-R", str(root), "review", "run", "--as-of", "2026-11-09", "--out",
                                       str(tmp_path / "eml")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}: cannot be read as a message catalog" in result.output
