"""French typography for the documents (:func:`isa_toolkit.i18n.typeset`), and dates written with it.

French takes a narrow no-break space before ``; ! ?``, a no-break space before a colon used as punctuation,
« guillemets » with no-break spaces inside, the typographic apostrophe, and no-break spaces (and "1er") in a
date. English only keeps its dates on one line. URLs, e-mail addresses and times are never touched.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from isa_toolkit.i18n import long_date, typeset

NBSP, NNBSP = "\u00a0", "\u202f"


# ; ! ?


@pytest.mark.parametrize(("text", "expected"), [
    ("Pourquoi ?", f"Pourquoi{NNBSP}?"),
    ("Pourquoi?", f"Pourquoi{NNBSP}?"),
    ("Attention !", f"Attention{NNBSP}!"),
    ("un ; deux", f"un{NNBSP}; deux"),
    ("un; deux", f"un{NNBSP}; deux"),
    (f"Déjà{NNBSP}?", f"Déjà{NNBSP}?"),  # not doubled
    (f"Déjà{NBSP}?", f"Déjà{NNBSP}?"),  # one kind of space
    ("Trop   ?", f"Trop{NNBSP}?"),
    ("Vraiment ?!", f"Vraiment{NNBSP}?!"),  # one space before the run, none inside it
    ("Vraiment?!", f"Vraiment{NNBSP}?!"),
    ("Non!!!", f"Non{NNBSP}!!!"),
    ("(?)", "(?)"),
    ("? en tête", "? en tête"),
    ("Pourquoi ? Parce que.", f"Pourquoi{NNBSP}? Parce que."),
    ("« Pourquoi? »", f"«{NBSP}Pourquoi{NNBSP}?{NBSP}»"),
])
def test_a_narrow_no_break_space_comes_before_semicolon_exclamation_and_question_marks(text, expected):
    assert typeset(text, "fr") == expected


@pytest.mark.parametrize("text", [
    "https://x.org/a?b=c",
    "Voir https://x.org/a?b=c&d=e;f pour le détail",
    "www.exemple.fr/page?x=1",
    "écrire à qui?que@exemple.fr",
    "mailto:dpo@exemple.fr?subject=ISA",
    "a &amp; b",
])
def test_marks_inside_urls_e_mail_addresses_and_character_references_are_left_alone(text):
    assert typeset(text, "fr") == text


def test_a_mark_after_a_url_is_punctuation_and_the_url_is_kept_whole():
    assert typeset("Avez-vous lu https://x.org/a?b=c ?", "fr") == f"Avez-vous lu https://x.org/a?b=c{NNBSP}?"
    assert typeset("Lu https://x.org/a?", "fr") == f"Lu https://x.org/a{NNBSP}?"
    assert typeset("Écrivez à dpo@exemple.fr!", "fr") == f"Écrivez à dpo@exemple.fr{NNBSP}!"


# :


@pytest.mark.parametrize(("text", "expected"), [
    ("Objet : accord", f"Objet{NBSP}: accord"),
    ("Objet: accord", f"Objet{NBSP}: accord"),
    (f"Objet{NBSP}: accord", f"Objet{NBSP}: accord"),
    (f"Objet{NNBSP}: accord", f"Objet{NBSP}: accord"),
    ("Liste:", f"Liste{NBSP}:"),
    ("Liste:\n- un", f"Liste{NBSP}:\n- un"),
    ("art. 6(1)(e): mission d'intérêt public", f"art. 6(1)(e){NBSP}: mission d’intérêt public"),
    ("Article 10: texte", f"Article 10{NBSP}: texte"),
])
def test_a_no_break_space_comes_before_a_colon_used_as_punctuation(text, expected):
    assert typeset(text, "fr") == expected


@pytest.mark.parametrize("text", [
    "à 10:30", "12:00", "de 9:00 à 17:30", "urn:x", "un ratio de 3:1", "https://exemple.fr", "http://x.org:8080/a",
    "Note:texte", ":)",
])
def test_a_colon_with_no_space_before_and_something_after_is_left_alone(text):
    assert typeset(text, "fr") == text


# Quotes and apostrophes


@pytest.mark.parametrize(("text", "expected"), [
    ('le "texte" cité', f"le «{NBSP}texte{NBSP}» cité"),
    ('"texte"', f"«{NBSP}texte{NBSP}»"),
    ('dit "deux mots".', f"dit «{NBSP}deux mots{NBSP}»."),
    ('("entre parenthèses")', f"(«{NBSP}entre parenthèses{NBSP}»)"),
    ('" espacé "', f"«{NBSP}espacé{NBSP}»"),
    ('"Vraiment?"', f"«{NBSP}Vraiment{NNBSP}?{NBSP}»"),
    ('"un" et "deux"', f"«{NBSP}un{NBSP}» et «{NBSP}deux{NBSP}»"),
    ('"il a dit "oui" hier"', f"«{NBSP}il a dit «{NBSP}oui{NBSP}» hier{NBSP}»"),
])
def test_straight_double_quotes_round_words_become_guillemets_with_no_break_spaces(text, expected):
    assert typeset(text, "fr") == expected


@pytest.mark.parametrize("text", ['un écran de 5" de large', 'un " seul', 'class="x"', '""', 'a"b"c'])
def test_a_straight_double_quote_that_is_not_a_pair_round_words_is_left(text):
    assert typeset(text, "fr") == text


@pytest.mark.parametrize(("text", "expected"), [
    ("« texte »", f"«{NBSP}texte{NBSP}»"),
    ("«texte»", f"«{NBSP}texte{NBSP}»"),
    ("«  texte  »", f"«{NBSP}texte{NBSP}»"),
    (f"«{NBSP}texte{NBSP}»", f"«{NBSP}texte{NBSP}»"),
    (f"«{NNBSP}texte{NNBSP}»", f"«{NNBSP}texte{NNBSP}»"),  # a narrow no-break space is already right
])
def test_guillemets_get_a_no_break_space_inside(text, expected):
    assert typeset(text, "fr") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("l'accord", "l’accord"),
    ("aujourd'hui, l'État et d'Île-de-France", "aujourd’hui, l’État et d’Île-de-France"),
    ("l’accord", "l’accord"),
    ("'cité' et 1'2", "'cité' et 1'2"),  # only between letters
])
def test_the_apostrophe_between_letters_is_the_typographic_one(text, expected):
    assert typeset(text, "fr") == expected


def test_an_apostrophe_in_an_e_mail_address_is_left():
    assert typeset("écrire à o'brien@exemple.fr", "fr") == "écrire à o'brien@exemple.fr"


# Dates


@pytest.mark.parametrize(("text", "expected"), [
    ("le 1 décembre 2026", f"le 1er{NBSP}décembre{NBSP}2026"),
    ("le 2 décembre 2026", f"le 2{NBSP}décembre{NBSP}2026"),
    ("le 31 mai 2026.", f"le 31{NBSP}mai{NBSP}2026."),
    ("le 1er août 2026", f"le 1er{NBSP}août{NBSP}2026"),
    ("le 1 mai", f"le 1er{NBSP}mai"),
    ("du 1 au 3 mars", f"du 1 au 3{NBSP}mars"),  # 1 stands before "au", not a month
    ("le 21 mai", f"le 21{NBSP}mai"),  # 21 is not 1
    ("le 11 juin 2026", f"le 11{NBSP}juin{NBSP}2026"),
    ("1,1 mai", "1,1 mai"),
    ("1 maison", "1 maison"),
    (f"1{NBSP}décembre{NBSP}2026", f"1er{NBSP}décembre{NBSP}2026"),
])
def test_a_french_date_takes_no_break_spaces_and_the_first_is_1er(text, expected):
    assert typeset(text, "fr") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("on 1 December 2026", f"on 1{NBSP}December{NBSP}2026"),
    ("by 21 May 2026.", f"by 21{NBSP}May{NBSP}2026."),
    ("the 1st March 2027", f"the 1st{NBSP}March{NBSP}2027"),
    ("Step 1 may fail in 2026", "Step 1 may fail in 2026"),
    ("1 December", "1 December"),  # day month year only
])
def test_an_english_date_takes_no_break_spaces(text, expected):
    assert typeset(text, "en") == expected


@pytest.mark.parametrize("text", [
    "Why? Because: see \"the text\"; it's l'accord!", "« texte »", "le 1 décembre 2026", "art. 6(1)(e): x",
])
def test_english_text_is_left_as_it_is_but_for_dates(text):
    assert typeset(text, "en") == text


def test_any_french_tag_is_french_and_any_other_language_only_has_its_dates_kept():
    assert typeset("Quoi?", "fr_CA") == typeset("Quoi?", "fr-FR") == f"Quoi{NNBSP}?"
    assert typeset("Quoi? le 1 December 2026", "de") == f"Quoi? le 1{NBSP}December{NBSP}2026"


@pytest.mark.parametrize(("day", "lang", "expected"), [
    (dt.date(2026, 12, 1), "fr", f"1er{NBSP}décembre{NBSP}2026"),
    (dt.date(2026, 12, 2), "fr", f"2{NBSP}décembre{NBSP}2026"),
    (dt.date(2026, 12, 1), "en", f"1{NBSP}December{NBSP}2026"),
    (dt.date(2026, 12, 2), "en", f"2{NBSP}December{NBSP}2026"),
    (dt.date(2027, 8, 1), "fr", f"1er{NBSP}août{NBSP}2027"),
])
def test_long_date_is_typeset(day, lang, expected):
    assert long_date(day, lang) == expected


def test_long_date_keeps_its_other_behaviour():
    assert long_date(None, "fr") == ""
    assert long_date(dt.date(2026, 12, 1), "xx-not-a-locale") == "2026-12-01"


# Whole texts, and any text at all


def test_a_french_paragraph():
    text = ("Objet : l'accord du 1 décembre 2026 (voir https://exemple.fr/isa?id=3). "
            'Le "responsable" écrit à dpo@exemple.fr ; réunion à 10:30 ! Des questions ?')
    assert typeset(text, "fr") == (
        f"Objet{NBSP}: l’accord du 1er{NBSP}décembre{NBSP}2026 (voir https://exemple.fr/isa?id=3). "
        f"Le «{NBSP}responsable{NBSP}» écrit à dpo@exemple.fr{NNBSP}; réunion à 10:30{NNBSP}! "
        f"Des questions{NNBSP}?")


TRICKY = [
    "", " ", "\n", "?", "!", ";", ":", "?!", "!!!", " ? ", "::", ":)", ";)", "«", "»", "«»", "« »", '"', '""', '" "',
    '"""', "'", "''", "1", "1 ", "1 mai", "1er", "1er mai", "01 mai", "32 mai 2026", "1 décembre 2026",
    "1 December 2026", "https://", "https://?", "https://x.org/a?b=c", "https://x.org/a?", "www.", "www.!",
    "www.x.fr?!", "(https://x.org/a_(b))?", "a@b", "a@b.fr", "a@b.fr?", "?a@b.fr", "o'brien@x.fr", "mailto:",
    "&amp;", "&amp", "&#39;", "&;", "10:30", "10 : 30", "3:1", "urn:x:y", "art. 6(1)(e):", '"a "b" c"',
    '"a" "b" "c', '«"a" »', "l'", "'l", "l''a", "d'«x»", "x\u202f\u202f?", "x\u00a0\u00a0:", "x\t?", "x\n?",
    "\ue000", "\ue000?\ue001", "https://x.org/\ue000?", "\ud800", "x" * 1000 + "?", '"' * 50, " \"" * 50 + "a" + "\" " * 50,
    "« Pourquoi? » dit-il: \"Parce que!\" (voir: https://x.org/a?b=c; ou o'brien@x.fr) le 1 mai 2026.",
]


def _random_texts(count: int) -> list[str]:
    pieces = [*"aé1 2'\"«»;:!?()[]-–.,…@/&#\n\t", NBSP, NNBSP, "\u2009", "’", "https://x.org/a?b=c", "a@b.fr", "mai",
              "décembre", "December", "2026", "&amp;", "www.", "mailto:", "\ue000", "10:30", "l'", "1er", "?!"]
    rng = random.Random(20261201)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 24))) for _ in range(count)]


@pytest.mark.parametrize("lang", ["fr", "en", "fr_CA", "de", ""])
def test_typeset_never_raises_is_idempotent_and_keeps_urls_and_e_mail_addresses(lang):
    for text in TRICKY + _random_texts(2000):
        once = typeset(text, lang)
        assert isinstance(once, str)
        assert typeset(once, lang) == once, (lang, text)
        for kept in ("https://x.org/a?b=c", "a@b.fr", "o'brien@x.fr", "&amp;"):
            assert once.count(kept) == text.count(kept), (lang, text, kept)


def test_only_spacing_quotes_apostrophes_and_1er_change():
    """Typesetting never loses or adds a word: take the changes back and the text is what it was."""
    def plain(text: str) -> str:
        for old, new in ((NBSP, " "), (NNBSP, " "), ("’", "'"), ("«", '"'), ("»", '"'), ("1er", "1")):
            text = text.replace(old, new)
        return "".join(text.split())

    for text in TRICKY + _random_texts(500):
        assert plain(typeset(text, "fr")) == plain(text), text
