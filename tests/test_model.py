"""The record model: bilingual text with parity, classification levels, fingerprints."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from isa_toolkit import register as store
from isa_toolkit.model import Agreement, Classification, Level, Localized, text_hash
from isa_toolkit.register import yamlio

from .conftest import complete_isa


def test_localized_reads_and_writes_the_plain_mapping():
    text = Localized.parse({"en": "Purpose", "fr": "Objet", "translated_from": {"fr": text_hash("Purpose")}})
    assert text.get("fr") == "Objet"
    assert text.to_mapping() == {"en": "Purpose", "fr": "Objet", "translated_from": {"fr": text_hash("Purpose")}}
    assert text.stale("en") == []


def test_a_translation_of_an_older_source_is_stale():
    text = Localized.parse({"en": "Old purpose", "fr": "Ancien objet"})
    translated = text.with_translation("fr", "Ancien objet", "en")
    assert translated.stale("en") == []
    changed = Localized(texts={**translated.texts, "en": "New purpose"}, sources=translated.sources)
    assert changed.stale("en") == ["fr"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("just text", "expected text per language"),
        ({}, "no text in any language"),
        ({"english": "x"}, "not a language code"),
        ({"en": 5}, "must be a string"),
        ({"en": "x", "translated_from": {"fr": "abc"}}, "no text in that language"),
    ],
)
def test_localized_refuses_bad_shapes(value, words):
    with pytest.raises(ValueError, match=words):
        Localized.parse(value)


def test_missing_languages_include_blank_text():
    assert Localized.parse({"en": "x", "fr": "  "}).missing(["en", "fr"]) == ["fr"]


def _agreement(**changes) -> Agreement:
    record = Agreement.model_validate(yamlio.parse(complete_isa()))
    return record.model_copy(update=changes)


def test_classification_level_is_the_highest_item_level():
    record = Agreement.model_validate(yamlio.parse(complete_isa()))
    assert record.classification_level is Level.MODERATE
    item = record.data_items[0]
    higher = record.model_copy(update={"data_items": [item, item.model_copy(update={"sensitivity": Level.SEVERE})]})
    assert higher.classification_level is Level.SEVERE


def test_fingerprint_covers_content_not_status_or_signoffs():
    record = _agreement()
    from isa_toolkit.model import Status

    assert record.content_fingerprint() == record.model_copy(update={"status": Status.SUSPENDED, "signoffs": []}).content_fingerprint()
    changed = record.model_copy(update={"purpose": Localized(texts={"en": "Another purpose", "fr": "Autre"})})
    assert changed.content_fingerprint() != record.content_fingerprint()
    assert record.content_fingerprint().startswith("sha256:")


def test_end_date_before_start_is_refused():
    data = yamlio.parse(complete_isa())
    data["end_date"] = "2024-01-01"
    with pytest.raises(ValidationError, match="before start_date"):
        Agreement.model_validate(data)


def test_classification_needs_every_level_in_order(tmp_path):
    from isa_toolkit.resources import shipped

    data = yamlio.parse((shipped("example_register") / "classification.yaml").read_text())
    assert Classification.model_validate(data).definition(Level.HIGH).level is Level.HIGH
    data["levels"] = list(reversed(data["levels"]))
    with pytest.raises(ValidationError, match="each once and in that order"):
        Classification.model_validate(data)


def test_round_trip_of_every_example_record_is_exact():
    """load -> plain data -> YAML -> load gives the same record, for each shipped example."""
    from isa_toolkit.resources import shipped

    register = store.load_register(shipped("example_register"), use_cache=False)
    assert register.agreements
    for agreement in register.agreements.values():
        again = Agreement.model_validate(yamlio.parse(yamlio.dump(store.to_plain(agreement))))
        assert again == agreement


def test_control_characters_in_a_record_are_refused_with_the_field(make_register):
    from .conftest import complete_isa

    text = complete_isa().replace("  en: Share addresses", "  en: \"Share\\a addresses").replace(
        "visits can be planned.\n", "visits can be planned.\"\n", 1)
    root = make_register({"agreements/ISA-2026-0001.yaml": text})
    [problem] = store.load_register(root).errors
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Share\\a addresses" in row)
    assert problem.field == "purpose" and "U+0007" in problem.message and problem.line == line - 1  # its key's line


def test_bidirectional_overrides_are_refused_so_a_document_shows_what_was_recorded(make_register):
    from .conftest import complete_isa

    # "Two years" written so that a reader of the document would see other text than the record holds.
    text = complete_isa().replace("period: {en: Two years.", "period: {en: \"Two \\u202eyears\"")
    root = make_register({"agreements/ISA-2026-0001.yaml": text})
    [problem] = store.load_register(root).errors
    assert problem.field == "retention.period" and "U+202E, a bidirectional override" in problem.message
    plain_marks = complete_isa().replace("period: {en: Two years.", "period: {en: \"Two \\u200fyears\"")
    assert not store.load_register(make_register({"agreements/ISA-2026-0001.yaml": plain_marks})).errors


def test_checklist_answers_and_the_organisation_hold_only_printable_text(make_register):
    from .conftest import SETTINGS, complete_isa

    risk = ("risk_assessment:\n  checklist: risk_assessment\n  answers: {recipient_security: true, "
            "refusal_risk_detail: \"Harm \\uFFFE likely\"}\n  outcome: proceed\n  by: Ava\n  date: 2026-10-01\n")
    settings = SETTINGS.replace("organisation: Testshire Council", 'organisation: "Testshire \\a Council"')
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa() + risk}, settings=settings)
    problems = {(p.path, p.field): p.message for p in store.load_register(root).errors}
    assert "U+FFFE" in problems[("agreements/ISA-2026-0001.yaml", "risk_assessment.answers")]
    assert "refusal_risk_detail" in problems[("agreements/ISA-2026-0001.yaml", "risk_assessment.answers")]
    assert "U+0007" in problems[("register.yaml", "organisation")]
