"""Fixed text of the documents, from Babel message catalogs (``templates/locale/<lang>/LC_MESSAGES/messages.po``).

Templates write their fixed text in English through ``t("...")``; a catalog
gives each language's translation. The ``.po`` sources are compiled when first
needed (no build step), so adding a language is adding a catalog. Dates are
formatted by Babel for the locale.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache
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
    with open(path, "rb") as handle:
        catalog = read_po(handle)
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


# The locale whose conventions a language's documents follow (day before month in English too).
LOCALES = {"en": "en_GB", "fr": "fr_FR"}


def long_date(day: dt.date | None, lang: str) -> str:
    if day is None:
        return ""
    try:
        return format_date(day, format="long", locale=LOCALES.get(lang, lang))
    except (UnknownLocaleError, ValueError):
        return day.isoformat()
