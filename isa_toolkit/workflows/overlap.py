"""Does an agreement already cover this partner and purpose? (seed 004: check before drafting)

Two agreements overlap when they share a partner organisation (names compared
after normalising case, punctuation, "&"/"and" and a leading "The") and their
purposes share enough significant words. The register's own organisation is
not a partner: it is a party to everything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..model import Agreement
from ..model.agreement import normalise_organisation
from ..register.load import Register

INACTIVE = {"terminated", "rejected"}
MIN_SHARED_TERMS = 2
MIN_SIMILARITY = 0.25  # shared terms / terms of the shorter purpose

STOP_WORDS = set(
    """a about after all also an and any are as at be been before between both but by can each for from has have
    how if in into is it its may more not of on or other our out over so such than that the their them then there
    these they this those to under up use used was we were what when where which while who will with within would
    share shared sharing information data agreement purpose purposes order ensure allow enable between partner
    partners party parties organisation organisations
    au aux avec ce ces dans de des du elle en et il ils la le les leur leurs mais ne ni nos notre ou par pas pour
    qu que qui sa se ses son sur un une vos votre afin entre partage partager informations donnees accord objet""".split()
)


def terms(text: str) -> set[str]:
    """The significant words of a purpose, lower-cased, accents and plural -s removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    out = set()
    for word in re.findall(r"[a-z0-9]+", plain):
        if len(word) < 3 or word in STOP_WORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word)
    return out


@dataclass(frozen=True)
class Overlap:
    agreement_id: str
    title: str
    status: str
    partners: tuple[str, ...]
    shared_terms: tuple[str, ...]
    similarity: float


def _similarity(new: dict[str, str], old: dict[str, str], names: set[str]) -> tuple[float, set[str]]:
    """Best overlap between the purposes, language by language (all text pooled when no language is shared).

    Words of the parties' names (``council``, ``constabulary``) say who, not what for: they do not count.
    """
    pairs = [(new[lang], old[lang]) for lang in new if lang in old] or [(" ".join(new.values()), " ".join(old.values()))]
    best: tuple[float, set[str]] = (0.0, set())
    for new_text, old_text in pairs:
        a, b = terms(new_text) - names, terms(old_text) - names
        shared = a & b
        score = len(shared) / min(len(a), len(b)) if a and b else 0.0
        if (score, len(shared)) > (best[0], len(best[1])):
            best = (score, shared)
    return best


def find_overlaps(register: Register, partners: list[str], purpose: dict[str, str]) -> list[Overlap]:
    """Agreements (not terminated or rejected) sharing a partner and an overlapping purpose, closest first.

    ``purpose`` is the new agreement's purpose by language, e.g. ``{"en": "..."}``. Which of them can be shared
    under on a given day is for the caller (:func:`isa_toolkit.cases.disclosures.covering_agreements`).
    """
    own = normalise_organisation(register.settings.organisation) if register.settings else ""
    wanted = {normalise_organisation(p) for p in partners} - {own, ""}
    if not wanted:
        return []
    found = []
    for record_id, entry in register.index.items():
        if entry["status"] in INACTIVE:
            continue
        shared_partners = [p for p in entry["partners"] if normalise_organisation(p) in wanted]
        if not shared_partners:
            continue
        agreement: Agreement = register.agreements[record_id]
        names = terms(" ".join([*partners, *agreement.partners]))
        similarity, shared = _similarity(purpose, agreement.purpose.texts, names)
        if len(shared) >= MIN_SHARED_TERMS and similarity >= MIN_SIMILARITY:
            found.append(Overlap(record_id, str(agreement.title), entry["status"], tuple(shared_partners),
                                 tuple(sorted(shared)), round(similarity, 2)))
    return sorted(found, key=lambda o: (-o.similarity, o.agreement_id))
