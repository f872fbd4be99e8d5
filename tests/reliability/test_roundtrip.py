"""Every text the model accepts is written and read back identically, by the store's own writer and reader: in a
new record (written whole) and in a change to a record a person wrote by hand (merged into it, comments and
layout kept). The writer picks each text's style: a literal block only where one reads back the same (not for a
first line starting with a tab, nor trailing spaces, nor a U+2028), double quotes otherwise."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from isa_toolkit import register as store
from isa_toolkit.cli import main
from isa_toolkit.model import Localized
from isa_toolkit.model.localized import CONTROL_RE
from isa_toolkit.register import yamlio

from ..conftest import complete_isa

ID = "ISA-2026-0001"
HAND_WRITTEN = 150  # records written by hand, each changed by one example (more examples reuse them, restyled)
_NUMBERS = itertools.count()

# A record as a person writes one: comments, a literal block, a folded block, quotes of both kinds.
COMMENT = "# A comment a person wrote, which a change made by the toolkit keeps."


def hand_written(record_id: str) -> str:
    text = complete_isa(record_id)
    text = text.replace("title:\n  en: Home fire safety visits\n",
                        "title:\n  en: >\n    Home fire\n    safety visits\n")
    text = text.replace(
        "purpose:\n  en: Share addresses of people at risk so that visits can be planned.\n",
        f"{COMMENT}\npurpose:\n  en: |\n    Share addresses of people at risk\n    so that visits can be planned.\n")
    text = text.replace("contact: information.sharing@example.org",
                        "contact: 'information.sharing@example.org'  # single-quoted\nbusiness_area: \"Safety\"")
    text = text.replace("areas: [Testshire]", "areas:\n  - |-\n    Testshire\n    and around\n  - 'North'")
    assert text.count("en: >") == 1 and text.count("en: |") == 1 and "  - |-" in text and "business_area" in text
    return text


# The pieces texts are made of: YAML's indicators and document markers, quotes, white space of every kind (tabs,
# no-break spaces, line and paragraph separators, carriage returns), the byte-order mark, emoji, very long lines.
PIECES = ["\t", " ", "\n", "\r", "\r\n", ": ", " #", "#", "'", '"', "---", "...", "|", ">", "&", "*", "!", "%", "@",
          "-", "?", ",", "[", "]", "{", "}", "\\", "\u2028", "\u2029", "\u00a0", "\ufeff", "\u200b", "😀", "é", "消防",
          "a", "Word", "1.10", "true", "~", "null", "x" * 5000, "word " * 1000]
TEXTS = st.lists(st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=8)), min_size=1, max_size=12).map(
    "".join).filter(lambda text: not CONTROL_RE.search(text))


def with_text(record, text: str, record_id: str):
    """``record`` with ``text`` in fields of each kind of text: per language, free text, one line, list items."""
    line = " ".join(text.replace("\r", " ").replace("\u2028", " ").replace("\u2029", " ").split("\n"))
    return record.model_copy(update={
        "id": record_id,
        "title": Localized({"en": text, "fr": "Titre"}),
        "purpose": Localized({"en": text, "fr": text}),
        "contact": text if text.strip() else f"x{text}",
        "business_area": line if line.strip() else f"x{line}",
        "areas": [text if text.strip() else f"x{text}", "North"],
    })


@pytest.fixture
def hand_register(make_register):
    files = {f"agreements/ISA-2026-{n:04d}.yaml": hand_written(f"ISA-2026-{n:04d}") for n in range(1, HAND_WRITTEN + 1)}
    return make_register(files)


@settings(max_examples=100, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=TEXTS)
@example(text="First line\n\tsecond line starts with a tab")
@example(text="\tFirst line starts with a tab\nsecond")
@example(text="\t\n\tonly tabs")
@example(text="  leading spaces\nand a second line")
@example(text="trailing spaces  \nand a second line  ")
@example(text="\n\nleading empty lines")
@example(text="trailing empty lines\n\n\n")
@example(text="a line\n\n\nempty lines in the middle\n")
@example(text="key: value # not a comment\n- not a list\n--- not a document\n...")
@example(text="| > & * ! % @ ` are only text here")
@example(text="'single' and \"double\" quotes")
@example(text="line\u2028separator and paragraph\u2029separator")
@example(text="carriage\rreturn and\r\nwindows line ending")
@example(text="no-break\u00a0space, byte-order\ufeffmark, zero\u200bwidth, emoji 😀")
@example(text="x" * 5000 + "\u2028" + "word " * 1000)
@example(text="1.10")
def test_every_allowed_text_reads_back_from_a_new_record_and_a_changed_one(hand_register, text):
    n = next(_NUMBERS)
    original_id, new_id = f"ISA-2026-{(n % HAND_WRITTEN) + 1:04d}", f"ISA-2027-{n + 1:04d}"
    base = store.load_agreement(hand_register, original_id)
    changed, created = with_text(base, text, original_id), with_text(base, text, new_id)
    store.save_records(hand_register, [changed, created], subject=original_id, change="round trip", by="Test")
    assert store.load_agreement(hand_register, new_id) == created  # written whole (yamlio.dump)
    assert store.load_agreement(hand_register, original_id) == changed  # merged into the file (yamlio.update)
    kept = (hand_register / "agreements" / f"{original_id}.yaml").read_text(encoding="utf-8")
    assert COMMENT in kept and "# single-quoted" in kept



@pytest.mark.parametrize(("old", "new"), [
    ("purpose:\n  en: >\n    Share addresses of people at risk\n    so that visits can be planned.\n",
     "First line\n\tsecond line starts with a tab"),
    ("purpose:\n  en: |\n    Share addresses of people at risk\n    so that visits can be planned.\n",
     "\tFirst line starts with a tab\nsecond line"),
], ids=["folded-block-second-line-tab", "literal-block-first-line-tab"])
def test_amend_with_a_line_starting_with_a_tab_is_written_and_shown_back(make_register, tmp_path, old, new):
    record = complete_isa(ID, status="draft").replace(
        "purpose:\n  en: Share addresses of people at risk so that visits can be planned.\n", old)
    root = make_register({f"agreements/{ID}.yaml": record})
    changes = tmp_path / "changes.yaml"
    changes.write_text(f"purpose:\n  en: {json.dumps(new)}\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["-R", str(root), "amend", ID, "--answers", str(changes), "--detail", "Tabs",
                                  "--date", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert "fault in the toolkit" not in result.output
    shown = runner.invoke(main, ["-R", str(root), "show", ID, "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["record"]["purpose"]["en"] == new
    assert store.load_agreement(root, ID).purpose.get("en") == new


@pytest.mark.parametrize("character", ["\x85", "\x92", "\x9f"])
def test_c1_control_characters_are_refused_by_the_model_with_a_reason(make_register, tmp_path, character):
    """NEL and the other C1 controls are not text (YAML cannot hold them unescaped either): refused, named."""
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID, status="draft")})
    changes = tmp_path / "changes.yaml"
    changes.write_text(f"purpose:\n  en: {json.dumps('Line one' + character + 'two')}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-R", str(root), "amend", ID, "--answers", str(changes), "--detail", "x"])
    assert result.exit_code == 1
    assert f"holds the control character U+{ord(character):04X}" in result.output
    assert "Traceback" not in result.output


def test_the_writer_escapes_what_only_an_escape_can_hold():
    """Below the store: a NEL or a line separator written by ruamel.yaml as it is would read back as a space."""
    for text in ("a\x85b", "a\u2028b", "tab\u2029", "x" * 5000 + "\u2028 a #"):
        assert yamlio.parse(yamlio.dump({"t": text})) == {"t": text}
        assert yamlio.parse(yamlio.update("t: |\n  old\n", {"t": text})) == {"t": text}
