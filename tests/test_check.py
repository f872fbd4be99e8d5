"""Completeness, translation and register-rule checks."""

from __future__ import annotations

from isa_toolkit import register as store

from .conftest import complete_isa

ID = "ISA-2026-0001"
PATH = f"agreements/{ID}.yaml"


def _problems(make_register, text, **kwargs):
    root = make_register({PATH: text}, **kwargs)
    return store.load_register(root).problems


def test_the_complete_record_has_nothing_to_say(make_register):
    assert _problems(make_register, complete_isa()) == []


def test_special_category_data_needs_a_condition(make_register):
    text = complete_isa().replace("    personal: true\n", "    personal: true\n    special_category: true\n")
    [problem] = _problems(make_register, text)
    assert problem.field == "legal_basis" and problem.record_id == ID
    assert "condition for the special-category data" in problem.message and "ICO" in problem.message


def test_each_missing_item_is_named(make_register):
    text = complete_isa().replace("contact: information.sharing@example.org\n", "").replace("areas: [Testshire]\n", "")
    messages = sorted(p.message for p in _problems(make_register, text))
    assert messages == [
        f"{ID}: missing a contact point for the public (DEA public register)",
        f"{ID}: missing the areas (places) the sharing covers (DEA public register)",
    ]


def test_missing_and_stale_translations(make_register):
    from isa_toolkit.model import text_hash

    text = complete_isa().replace("  fr: Titre en français\n", "").replace(
        "  fr: Partager les adresses des personnes à risque afin de planifier les visites.\n",
        "  fr: Partager les adresses.\n  translated_from: {fr: " + text_hash("an older English purpose") + "}\n",
    )
    problems = {(p.field, p.message) for p in _problems(make_register, text)}
    assert ("title", f"{ID}: no fr text (the agreement's languages are en, fr)") in problems
    assert ("purpose", f"{ID}: the fr text was translated from an older en text; update the translation") in problems


def test_signoff_by_a_role_outside_the_chain_is_an_error(make_register):
    text = complete_isa().replace("role: partner_signatory", "role: chief_wizard")
    [problem] = _problems(make_register, text)
    assert problem.severity.value == "error" and problem.field == "signoffs[0].role"
    assert "unknown role 'chief_wizard'" in problem.message


def test_a_register_chain_override_is_used(make_register):
    from .conftest import SETTINGS

    settings = SETTINGS + (
        "signoff_chain:\n"
        "  - id: board\n"
        "    title: {en: Board, fr: Conseil}\n"
        "    roles: [chief_wizard]\n"
    )
    text = complete_isa().replace("role: partner_signatory", "role: chief_wizard").replace("stage: 4", "stage: 1")
    assert _problems(make_register, text, settings=settings) == []


def test_a_signoff_for_a_future_version_is_an_error(make_register):
    text = complete_isa().replace("    version: '1.0'", "    version: '2.0'")
    [problem] = _problems(make_register, text)
    assert problem.field == "signoffs[0].version" and "agreement is at 1.0" in problem.message


def test_a_finding_about_a_field_in_the_file_carries_its_line(make_register):
    text = complete_isa().replace("role: partner_signatory", "role: chief_wizard")
    [problem] = _problems(make_register, text)
    assert problem.line == text.splitlines().index("    role: chief_wizard") + 1
    missing = complete_isa().replace("training: {en: Annual training., fr: Formation annuelle.}\n", "")
    [problem] = _problems(make_register, missing)
    assert problem.line == 0  # a missing field has no line
