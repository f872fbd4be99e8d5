"""`isa export --format sqlite`: the register as an SQLite database (sqlite-utils), in full or as the public register."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
import sqlite_utils
from click.testing import CliRunner

from isa_toolkit.cli import main
from isa_toolkit.register.load import load_register


def run(root, *args):
    return CliRunner().invoke(main, ["-R", str(root), *args])


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example register, with a disclosure and a request recorded so every table has rows."""
    root = tmp_path_factory.mktemp("export") / "register"
    assert CliRunner().invoke(main, ["init", str(root), "--example", "--by", "Tester"]).exit_code == 0
    for command in ("disclose", "request"):
        answers = root / "examples" / f"{'disclosure' if command == 'disclose' else 'request'}-answers.yaml"
        result = run(root, command, "new", "--answers", str(answers), "--by", "Tester")
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def full(example, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "register.db"
    result = run(example, "export", "--format", "sqlite", "-o", str(out))
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(out)
    yield db
    db.close()


@pytest.fixture(scope="module")
def public(example, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "public.db"
    result = run(example, "export", "--format", "sqlite", "--public", "-o", str(out))
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(out)
    yield db
    db.close()


@pytest.fixture(scope="module")
def register(example):
    return load_register(example)


def test_the_database_holds_every_record_of_every_kind(full, register):
    for kind, table in (("agreement", "agreements"), ("disclosure", "disclosures"), ("request", "requests"),
                        ("incident", "incidents")):
        records = register.section(kind).records
        assert records, kind
        assert sorted(r["id"] for r in full[table].rows) == sorted(records), kind
    assert full["disclosures"].count == full["requests"].count == 1


def test_texts_have_a_column_per_language_and_null_where_untranslated(full, register):
    for agreement in register.agreements.values():
        row = full["agreements"].get(agreement.id)
        assert row["title_en"] == agreement.title.get("en")
        assert row["title_fr"] == agreement.title.texts.get("fr")  # None where there is no French
        assert row["purpose_en"] == agreement.purpose.get("en")
        assert row["status"] == agreement.status.value and row["in_force"] == int(agreement.status.in_force)
    assert any(r["title_fr"] for r in full["agreements"].rows)
    assert any(r["title_fr"] is None for r in full["agreements"].rows)


def test_signoffs_parties_and_data_items_match_the_records(full, register):
    signoffs = {(a.id, n): s for a in register.agreements.values() for n, s in enumerate(a.signoffs, 1)}
    rows = {(r["agreement_id"], r["position"]): r for r in full["signoffs"].rows}
    assert rows.keys() == signoffs.keys() and signoffs
    for key, s in signoffs.items():
        row = rows[key]
        assert (row["stage"], row["role"], row["name"], row["organisation"], row["decision"], row["date"],
                row["version"], row["fingerprint"]) == (s.stage, s.role, s.name, s.organisation, s.decision,
                                                         s.date.isoformat(), s.version, s.document_fingerprint)

    parties = {(a.id, n): p for a in register.agreements.values() for n, p in enumerate(a.parties, 1)}
    rows = {(r["agreement_id"], r["position"]): r for r in full["parties"].rows}
    assert rows.keys() == parties.keys()
    for key, p in parties.items():
        assert (rows[key]["organisation"], rows[key]["role"], rows[key]["controller"]) == (p.organisation, p.role,
                                                                                           p.controller)
        officer = p.designated_officer
        assert rows[key]["designated_officer_name"] == (officer.name if officer else None)
        assert rows[key]["designated_officer_email"] == (officer.email if officer else None)

    items = {(a.id, n): i for a in register.agreements.values() for n, i in enumerate(a.data_items, 1)}
    rows = {(r["agreement_id"], r["position"]): r for r in full["data_items"].rows}
    assert rows.keys() == items.keys()
    for key, i in items.items():
        row = rows[key]
        assert (row["name_en"], row["personal"], row["special_category"], row["sensitivity"]) == (
            i.name.get("en"), int(i.personal), int(i.special_category), i.sensitivity.value)
    assert any(r["special_category"] for r in full["data_items"].rows)


def test_the_parts_point_at_their_agreement_by_foreign_key(full):
    for table in ("signoffs", "parties", "data_items"):
        assert [(fk.column, fk.other_table, fk.other_column) for fk in full[table].foreign_keys] == [
            ("agreement_id", "agreements", "id")]
    # Every reference resolves (SQLite does not enforce them; the export is made so they hold).
    assert full.execute("PRAGMA foreign_key_check").fetchall() == []
    links = {(r["incident_id"], r["agreement_id"]) for r in full["incident_agreements"].rows}
    assert links == {("INC-2026-0001", "ISA-2024-0002")}


def test_full_text_search_finds_a_word_of_a_purpose_and_of_a_title(full, register):
    agreement = register.agreement("ISA-2024-0001")
    assert "safeguarding" in agreement.title.get("en").lower()
    assert [r["id"] for r in full["agreements"].search("safeguarding")] == ["ISA-2024-0001"]
    # A word found in one purpose only, whatever the register's texts are.
    words = {a.id: set(a.purpose.get("en").lower().replace(",", " ").replace(".", " ").split())
             for a in register.agreements.values()}
    unique = sorted(w for w in words["ISA-2022-0001"] if len(w) > 6 and w.isalpha()
                    and not any(w in other for key, other in words.items() if key != "ISA-2022-0001"))
    assert unique
    assert [r["id"] for r in full["agreements"].search(unique[0])] == ["ISA-2022-0001"]
    assert [r["id"] for r in full["disclosures"].search("fire")] == ["DIS-2026-0001"]


def test_the_public_database_holds_agreements_in_force_and_no_officer(public, register):
    in_force = sorted(a.id for a in register.agreements.values() if a.status.in_force)
    assert in_force and len(in_force) < len(register.agreements)
    assert sorted(r["id"] for r in public["agreements"].rows) == in_force
    assert set(public.table_names()) >= {"agreements", "parties", "data_items", "export_info"}
    assert not {"signoffs", "disclosures", "requests", "incidents"} & set(public.table_names())
    assert "name_en" in public["agreements"].columns_dict and "controllers" in public["agreements"].columns_dict
    assert [r["id"] for r in public["agreements"].search("safeguarding")] == ["ISA-2024-0001"]

    people = set()
    for a in register.agreements.values():
        contacts = [a.owner] + [c for p in a.parties
                                for c in (p.designated_officer, p.data_protection_officer, p.signatory)]
        people |= {x for c in contacts if c for x in (c.name, c.email) if x}
        people |= {s.name for s in a.signoffs} | {x for s in a.sent for x in (s.name, s.email) if x}
    assert len(people) > 20
    dump = "\n".join(public.iterdump())
    assert not [p for p in people if p in dump]


def test_without_o_a_database_is_refused(example):
    result = run(example, "export", "--format", "sqlite")
    assert result.exit_code == 2 and "-o FILE" in result.output


def test_kind_and_lang_are_refused_for_a_database(example, tmp_path):
    out = tmp_path / "r.db"
    assert run(example, "export", "--format", "sqlite", "--kind", "incident", "-o", str(out)).exit_code == 2
    assert run(example, "export", "--format", "sqlite", "--lang", "fr", "-o", str(out)).exit_code == 2
    assert not out.exists()


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_file_is_never_overwritten_and_an_earlier_export_is(example, tmp_path):
    other = tmp_path / "notes.db"
    other.write_text("my notes\n")
    result = run(example, "export", "--format", "sqlite", "-o", str(other))
    assert result.exit_code == 1 and "not an earlier export" in result.output
    assert other.read_text() == "my notes\n"

    database = tmp_path / "someone-else.db"
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(database)
    assert run(example, "export", "--format", "sqlite", "-o", str(database)).exit_code == 1
    assert digest(database) == before

    out = tmp_path / "register.db"
    assert run(example, "export", "--format", "sqlite", "--public", "-o", str(out)).exit_code == 0
    assert run(example, "export", "--format", "sqlite", "-o", str(out)).exit_code == 0
    db = sqlite_utils.Database(out)
    assert db["signoffs"].count > 0  # the full export replaced the public one
    db.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db", "register.db", "someone-else.db"]  # no leftovers


def test_a_database_is_never_written_inside_the_register(example):
    before = digest_tree(example)
    result = run(example, "export", "--format", "sqlite", "-o", str(example / "exports" / "register.db"))
    assert result.exit_code == 1 and "inside the register" in result.output
    assert digest_tree(example) == before


def digest_tree(root):
    return sorted((str(p.relative_to(root)), digest(p)) for p in root.rglob("*") if p.is_file())
