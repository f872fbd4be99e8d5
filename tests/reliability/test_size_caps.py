"""Size caps are checked before a file is read: a huge answers file or record is refused unread, in bounded
memory, with its name."""

from __future__ import annotations

import resource

from click.testing import CliRunner

from isa_toolkit.cli import main

from ..conftest import complete_isa

ID = "ISA-2026-0001"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_huge_answers_file_is_refused_unread(make_register, tmp_path):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    huge = tmp_path / "answers.yaml"
    with open(huge, "wb") as handle:
        handle.write(b"questionnaire: isa\n")
        handle.truncate(512 << 20)  # 512 MiB (sparse: it costs no disk)
    before = peak_mib()
    result = CliRunner().invoke(main, ["-R", str(root), "new", "--answers", str(huge)])
    assert result.exit_code == 1 and "larger than 1 MiB" in result.output and "answers.yaml" in result.output
    assert peak_mib() - before < 100  # never read into memory


def test_a_huge_record_is_located_and_refused_unread(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    with open(root / "agreements" / "ISA-2026-0002.yaml", "wb") as handle:
        handle.write(b"id: ISA-2026-0002\n")
        handle.truncate(512 << 20)
    before = peak_mib()
    result = CliRunner().invoke(main, ["-R", str(root), "validate"])
    assert result.exit_code == 1
    assert "agreements/ISA-2026-0002.yaml" in result.output and "larger than 1 MiB" in result.output
    assert peak_mib() - before < 100
