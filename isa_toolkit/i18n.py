"""Fixed text of the documents, from Babel message catalogs (``templates/locale/<lang>/LC_MESSAGES/messages.po``).

Templates write their fixed text in English through ``t("...")``; a catalog
gives each language's translation. The ``.po`` sources are compiled when first
needed (no build step), so adding a language is adding a catalog. The toolkit's
own words (the terminal's prompts, the e-mails) come from the same catalogs,
through :func:`texts`, with ``ngettext`` where a count is shown. Dates are
formatted by Babel for the locale, then typeset (:func:`typeset`): French takes its
no-break spaces before ``; ! ? :``, guillemets, the typographic apostrophe and "1er".
"""

from __future__ import annotations

import copy
import datetime as dt
import gettext
import io
import re
from functools import cache
from itertools import chain
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .errors import IsaError
from .resources import shipped

DOMAIN = "messages"


def catalog_path(lang: str, templates: Path | None = None) -> Path:
    """The register's own catalog (``templates/locale/...`` in the register) if it has one, else the shipped one."""
    own = templates / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po" if templates else None
    if own is not None and own.is_file():
        return own
    return shipped("templates") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _compiled(path: Path, mtime_ns: int) -> gettext.GNUTranslations:
    try:
        with open(path, "rb") as handle:
            catalog = read_po(handle)
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # the daily run's e-mails read it too: said plainly
        raise IsaError(f"{path}: cannot be read as a message catalog ({exc}); `isa templates check` says more") from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translator(lang: str, templates: Path | None = None) -> gettext.NullTranslations:
    """The translations for ``lang``; English is the source language and needs no catalog."""
    if lang == "en":
        return gettext.NullTranslations()
    path = catalog_path(lang, templates)
    if not path.is_file():
        raise IsaError(f"there is no message catalog for {lang!r}: add templates/locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    return _compiled(path, path.stat().st_mtime_ns)


def texts(lang: str, templates: Path | None = None) -> gettext.NullTranslations:
    """The toolkit's own words in ``lang``: the terminal's prompts and the e-mails it writes (``gettext``, and
    ``ngettext`` for a text with a count in it).

    They come from the same catalog as the documents' fixed text: the register's own (``templates`` is its
    templates folder) if it has one for the language, with the shipped one behind it for a message it does not
    translate, so a register that keeps its own catalog still speaks the words a newer toolkit adds. A message no
    catalog translates stays English, as does everything in a language no catalog is made for (English needs none).
    """
    if lang == "en":
        return gettext.NullTranslations()
    own = templates / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po" if templates else None
    paths = dict.fromkeys(path for path in (own, catalog_path(lang)) if path is not None and path.is_file())
    return _chain(tuple((path, path.stat().st_mtime_ns) for path in paths))


@cache
def _chain(catalogs: tuple[tuple[Path, int], ...]) -> gettext.NullTranslations:
    if not catalogs:
        return gettext.NullTranslations()
    # A copy heads the chain: the compiled catalog itself is what documents use, alone (:func:`translator`).
    first = copy.copy(_compiled(*catalogs[0]))
    for path, mtime_ns in catalogs[1:]:
        first.add_fallback(_compiled(path, mtime_ns))
    return first


# The locale whose conventions a language's documents follow (day before month in English too).
LOCALES = {"en": "en_GB", "fr": "fr_FR"}


def long_date(day: dt.date | None, lang: str) -> str:
    """The date written out for the language, typeset: ``1er\u00a0décembre\u00a02026``, ``1\u00a0December\u00a02026``."""
    if day is None:
        return ""
    try:
        return typeset(format_date(day, format="long", locale=LOCALES.get(lang, lang)), lang)
    except (UnknownLocaleError, ValueError):
        return day.isoformat()


# Typography. The rules work on plain text (not markup); URLs, e-mail addresses and character references
# (``&amp;``) are set aside first and put back untouched.
NBSP = "\u00a0"  # no-break space: before a colon, inside guillemets, inside a date
NNBSP = "\u202f"  # narrow no-break space: before ; ! ?
_SPACES = " \u00a0\u2009\u202f"  # what may stand between a word and its punctuation, replaced by the right one

# Each pattern starts where a run of its characters starts, so a long run is scanned once, not once a character.
_URL_START = re.compile(r"(?<![A-Za-z0-9+.\-])[A-Za-z0-9+.\-]+://|www\.|mailto:")
_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")  # &amp; &#39;
_PROTECTED = re.compile(
    rf"(?:{_URL_START.pattern})[^\s<>\"«»]+"  # a URL
    r"|(?<![\w.!#$%&'*+/=?^`{|}~\-])[\w.!#$%&'*+/=?^`{|}~\-]+@[\w\-]+(?:\.[\w\-]+)+"  # an e-mail address
    rf"|{_REFERENCE.pattern}"
)
_TRAILING = ".,;:!?'’\")]}"  # punctuation that ends a sentence rather than the URL before it

_FR_MONTHS = ("janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|"
              "décembre|decembre")
_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY = r"(?<![\w.,])(?P<day>[12][0-9]|3[01]|0?[1-9])"
_FR_DATE = re.compile(
    rf"{_DAY}(?P<er>er)?[{_SPACES}]+(?P<month>{_FR_MONTHS})(?!\w)(?:[{_SPACES}]+(?P<year>[0-9]{{4}})(?![\w]))?",
    re.IGNORECASE)
_EN_DATE = re.compile(
    rf"{_DAY}(?P<suffix>st|nd|rd|th)?[{_SPACES}]+(?P<month>{_EN_MONTHS})[{_SPACES}]+(?P<year>[0-9]{{4}})(?![\w])")

# A pair of straight double quotes round words: opened after a space or bracket, closed before one or punctuation.
_QUOTED = re.compile(rf'(?<![^\s(\[{{«—–])"[{_SPACES}]*(?P<body>[^"\s](?:[^"\n]*[^"\s])?)[{_SPACES}]*"'
                     r'(?=\Z|[\s.,;:!?)\]}…»])')
_OPENING = re.compile(r"« *(?=\S)")  # an ordinary space or none inside the guillemet
_CLOSING = re.compile(r"(?<=\S) *»")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")
# ; ! ? used as punctuation (after a word, before a space, the end or closing punctuation); a run such as ?! is one.
_HIGH = re.compile(rf"(?<=[^\s;!?(\[{{])[{_SPACES}]*(?=[;!?]+(?:\Z|[\s»\"'’)\]}}…,.:*_<]))")
# A colon used as punctuation (before a space or the end), not in 10:30, urn:x or https://.
_COLON = re.compile(rf"(?<=[^\s:(\[{{])[{_SPACES}]*:(?=\s|\Z)")


def _fr_date(match: re.Match[str]) -> str:
    day = "1er" if match["day"] == "1" else match["day"] + (match["er"] or "")
    year = f"{NBSP}{match['year']}" if match["year"] else ""
    return f"{day}{NBSP}{match['month']}{year}"


def _en_date(match: re.Match[str]) -> str:
    return f"{match['day']}{match['suffix'] or ''}{NBSP}{match['month']}{NBSP}{match['year']}"


def _set_aside(text: str) -> tuple[str, str, list[str]] | None:
    """The text with each URL, e-mail address and character reference replaced by one private-use character
    the text does not hold, that character, and what it stands for in order; None if no such character is free."""
    held = set(text)
    mark = next((chr(c) for c in chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE)) if chr(c) not in held), None)
    if mark is None:
        return None
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        found = match[0]
        end = len(found)
        start = _URL_START.match(found)
        if start:  # a URL ends before the punctuation after it (a closing bracket it opened is its own, and &amp;)
            opened, closed = found.count("("), found.count(")")
            while found[end - 1] in _TRAILING:
                if found[end - 1] == ")":
                    if opened >= closed:
                        break
                    closed -= 1
                elif found[end - 1] == ";":
                    amp = found.rfind("&", max(0, end - 32), end)
                    if amp >= 0 and _REFERENCE.fullmatch(found, amp, end):
                        break  # ends with &amp;
                end -= 1
            if end <= start.end():  # nothing left after the https:// or www.: not a URL
                return found
        kept.append(found[:end])
        return mark + found[end:]

    return _PROTECTED.sub(keep, text), mark, kept


def typeset(text: str, lang: str) -> str:
    """``text`` typeset for ``lang``; idempotent, and URLs, e-mail addresses and ``&...;`` are left as they are.

    French (any ``fr...``): a narrow no-break space before ``;``, ``!`` and ``?`` (one before a run like
    ``?!``), a no-break space before a colon used as punctuation (not ``10:30``), straight double quotes
    round words become « guillemets » and guillemets get a no-break space inside, ``l'accord`` becomes
    ``l’accord``, and a date takes no-break spaces (``1\u00a0décembre\u00a02026``), the first of a month
    being written ``1er``. Any other language: only the no-break spaces of a date like ``1 December 2026``.
    """
    french = str(lang or "").lower().startswith("fr")
    aside = _set_aside(text)
    if aside is None:
        return text
    out, mark, kept = aside
    if french:
        while True:  # a pair taken out of a quotation can leave the outer quotes a pair
            quoted = _QUOTED.sub(lambda m: f"«{NBSP}{m['body']}{NBSP}»", out)
            if quoted == out:
                break
            out = quoted
        out = _OPENING.sub("«" + NBSP, out)
        out = _CLOSING.sub(NBSP + "»", out)
        out = _APOSTROPHE.sub("’", out)
        out = _HIGH.sub(NNBSP, out)
        out = _COLON.sub(NBSP + ":", out)
        out = _FR_DATE.sub(_fr_date, out)
    else:
        out = _EN_DATE.sub(_en_date, out)
    if not kept:
        return out
    back = iter(kept)
    return re.sub(re.escape(mark), lambda _: next(back), out)
