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

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
META_KEY = "translated_from"


def text_hash(text: str) -> str:
    """Short, stable hash of a text (whitespace at the ends ignored)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


class Localized(BaseModel):
    """Text in one or more languages, e.g. ``{en: ..., fr: ...}``."""

    model_config = ConfigDict(frozen=True)

    texts: dict[str, str]
    sources: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_mapping(cls, value: Any) -> Any:
        if isinstance(value, Localized):
            return value
        if isinstance(value, dict) and "texts" in value and isinstance(value.get("texts"), dict):
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
                sources = dict(text)
                continue
            if not isinstance(key, str) or not LANGUAGE_RE.match(key):
                raise ValueError(f"{key!r} is not a language code (use en, fr, ...)")
            if not isinstance(text, str):
                raise ValueError(f"the {key} text must be a string, not {type(text).__name__}")
            texts[key] = text
        if not texts:
            raise ValueError("no text in any language")
        unknown = sorted(set(sources) - set(texts))
        if unknown:
            raise ValueError(f"translated_from names {', '.join(unknown)} but there is no text in that language")
        return {"texts": texts, "sources": sources}

    @model_serializer
    def _to_mapping(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.texts)
        if self.sources:
            out[META_KEY] = dict(self.sources)
        return out

    def get(self, lang: str) -> str | None:
        text = self.texts.get(lang)
        return text if text and text.strip() else None

    def missing(self, languages: list[str] | tuple[str, ...]) -> list[str]:
        """The languages among ``languages`` with no (or only blank) text."""
        return [lang for lang in languages if self.get(lang) is None]

    def stale(self, source_lang: str) -> list[str]:
        """Translated languages whose text was made from an older source text."""
        source = self.get(source_lang)
        if source is None:
            return []
        current = text_hash(source)
        return sorted(lang for lang, made_from in self.sources.items() if lang != source_lang and made_from != current)

    def with_translation(self, lang: str, text: str, source_lang: str) -> "Localized":
        """A copy with ``text`` as the ``lang`` translation of the current source text."""
        source = self.get(source_lang) or ""
        return Localized(
            texts={**self.texts, lang: text}, sources={**self.sources, lang: text_hash(source)}
        )

    def __str__(self) -> str:
        return next(iter(self.texts.values()), "")
