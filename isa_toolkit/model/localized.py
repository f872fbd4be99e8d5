"""Free text held per language, with what each translation was made from.

In a record it reads::

    purpose:
      en: Share safeguarding concerns about children between ...
      fr: Partager les préoccupations ...
      translated_from: {fr: 9c1e0b27d4aa}

``translated_from`` remembers, per translated language, a short hash of the
source-language text the translation was made from. When the source text
changes, the hash no longer matches and the translation is *stale*
(:meth:`Localized.stale`); a translation without ``translated_from`` is taken
as current, since nothing says otherwise.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic_core import core_schema

LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
META_KEY = "translated_from"
# Characters a document cannot hold (XML 1.0 forbids them) or that are not text (the C1 controls U+0080-U+009F,
# NEL among them, which YAML cannot hold unescaped either), and the explicit bidirectional embeddings, overrides
# and isolates, which make a document show text in another order than the record holds it (what a signatory
# reads must be what was recorded). The plain marks U+200E/U+200F stay. Tabs, line breaks (\n, \r, U+2028,
# U+2029), no-break and other spaces, and every other character are text: the register writes each of them so that
# it reads back exactly (register/yamlio.py).
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def bad_character(text: str) -> str | None:
    """Why ``text`` cannot go into a record, or None: the first character it must not hold, named."""
    bad = CONTROL_RE.search(text)
    if bad is None:
        return None
    code = ord(bad.group())
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (f"holds U+{code:04X}, a bidirectional override, which would make a document show the text in "
                "another order than the record holds; remove it")
    if 0x80 <= code <= 0x9F:
        return (f"holds the control character U+{code:04X}, which is not text (often a quote or a dash from text "
                "read in the wrong encoding); retype that character")
    return f"holds the control character U+{code:04X}, which a document cannot hold; remove it"


def _not_text(value: Any) -> str:
    """What a value given where text is expected is instead, and what to write."""
    if isinstance(value, bool):
        return f"must be a string (text), not {str(value).lower()}, a yes/no value; put the text in quotes"
    if isinstance(value, (int, float)):
        return f"must be a string (text), not the number {value!r}; put it in quotes (YAML reads 1.10 as the number 1.1)"
    return f"must be a string, not {type(value).__name__}"


def check_languages(value: list[str]) -> list[str]:
    """A list of language codes, each once (for ``languages:`` in records and settings)."""
    for lang in value:
        if not LANGUAGE_RE.fullmatch(lang):
            raise ValueError(f"{lang!r} is not a language code (use en, fr, ...)")
    if len(set(value)) != len(value):
        raise ValueError("a language is listed twice")
    return value


# The same rules as JSON Schema patterns, for editors (ECMA 262) and Python alike: \uXXXX escapes in a class.
# (Lone surrogates are left out: an editor's regular expressions cannot name them.)
LANGUAGE_PATTERN = LANGUAGE_RE.pattern
TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufffe\uffff]*$"


def json_schema() -> dict:
    """What a per-language text is in the YAML file, as JSON Schema: a mapping of language code to text, with the
    optional ``translated_from`` bookkeeping (language -> source hash), and text in at least one language."""
    return {
        "type": "object",
        "description": "Text per language: a language code (en, fr, ...) to the text, e.g. {en: ..., fr: ...}; "
                       f"{META_KEY} records, per translated language, the hash of the source text it was made from.",
        "properties": {
            META_KEY: {
                "type": "object",
                "description": "Per translated language, a short hash of the source text the translation was made "
                               "from (set by the toolkit).",
                "propertyNames": {"pattern": LANGUAGE_PATTERN},
                "additionalProperties": {"type": "string"},
            },
        },
        "patternProperties": {LANGUAGE_PATTERN: {"type": "string", "pattern": TEXT_PATTERN}},
        "additionalProperties": False,
        "not": {"propertyNames": {"const": META_KEY}},  # at least one key that is a language: text in some language
    }


def text_hash(text: str) -> str:
    """Short, stable hash of a text (whitespace at the ends ignored)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


class Localized:
    """Text in one or more languages, e.g. ``{en: ..., fr: ...}``.

    A plain class with its own pydantic schema rather than a model: records
    hold thousands of these, and validating them must stay cheap. Treat it as
    immutable: methods that change text return a new one.
    """

    __slots__ = ("texts", "sources")

    def __init__(self, texts: dict[str, str], sources: dict[str, str] | None = None):
        self.texts = dict(texts)
        self.sources = dict(sources) if sources else {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and self.texts == other.texts and self.sources == other.sources

    def __hash__(self) -> int:
        return hash((tuple(self.texts.items()), tuple(self.sources.items())))

    def __repr__(self) -> str:
        return f"Localized({self.texts!r}" + (f", sources={self.sources!r})" if self.sources else ")")

    def __str__(self) -> str:
        return next(iter(self.texts.values()), "")

    # -- pydantic integration ------------------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(cls.to_mapping),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict:
        return json_schema()

    @classmethod
    def parse(cls, value: Any) -> Localized:
        """Build from the record's mapping ``{en: ..., fr: ..., translated_from: {...}}``."""
        if isinstance(value, Localized):
            return value
        if not isinstance(value, dict):
            raise ValueError("expected text per language, e.g. {en: ..., fr: ...}")
        texts: dict[str, str] = {}
        sources: dict[str, str] = {}
        for key, text in value.items():
            if key == META_KEY:
                if not isinstance(text, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in text.items()
                ):
                    raise ValueError("translated_from must map a language to a source hash, e.g. {fr: 9c1e0b27d4aa}")
                sources = text
                continue
            if key not in _KNOWN_CODES:
                if not isinstance(key, str) or not LANGUAGE_RE.fullmatch(key):
                    raise ValueError(f"{key!r} is not a language code (use en, fr, ...)")
                _KNOWN_CODES.add(key)
            if type(text) is not str:
                raise ValueError(f"the {key} text {_not_text(text)}")
            if CONTROL_RE.search(text):
                raise ValueError(f"the {key} text {bad_character(text)}")
            texts[key] = text
        if not texts:
            raise ValueError("no text in any language")
        if sources:
            unknown = sorted(set(sources) - set(texts))
            if unknown:
                raise ValueError(f"translated_from names {', '.join(unknown)} but there is no text in that language")
        return cls(texts, sources)

    def to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.texts)
        if self.sources:
            out[META_KEY] = dict(self.sources)
        return out

    # -- reading -------------------------------------------------------------

    def get(self, lang: str) -> str | None:
        text = self.texts.get(lang)
        return text if text and text.strip() else None

    def missing(self, languages: list[str] | tuple[str, ...]) -> list[str]:
        """The languages among ``languages`` with no (or only blank) text."""
        return [lang for lang in languages if self.get(lang) is None]

    def stale(self, source_lang: str) -> list[str]:
        """Translated languages whose text was made from an older source text."""
        if not self.sources:
            return []
        source = self.get(source_lang)
        if source is None:
            return []
        current = text_hash(source)
        return sorted(lang for lang, made_from in self.sources.items() if lang != source_lang and made_from != current)

    def with_translation(self, lang: str, text: str, source_lang: str) -> Localized:
        """A copy with ``text`` as the ``lang`` translation of the current source text."""
        source = self.get(source_lang) or ""
        return Localized({**self.texts, lang: text}, {**self.sources, lang: text_hash(source)})


_KNOWN_CODES: set[str] = set()  # codes already checked against LANGUAGE_RE
