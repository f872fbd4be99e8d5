"""Ids a Windows checkout cannot hold are refused like ``../x``, before any file or git call."""

from __future__ import annotations

import pytest

from isa_toolkit.errors import InvalidId
from isa_toolkit.register.ids import check_id


@pytest.mark.parametrize("record_id", ["CON", "con", "NUL", "aux", "PRN", "COM1", "com9", "LPT1", "LPT9", "CON.yaml",
                                       "nul.ISA", "COM3.x"])
def test_windows_device_names_are_refused(record_id):
    with pytest.raises(InvalidId, match="Windows keeps for a device"):
        check_id(record_id)


@pytest.mark.parametrize("record_id", ["CONSENT-1", "ISA-2026-0003", "NULL-1", "COM10", "LPT-2026-0001", "CONTACT"])
def test_names_that_only_begin_like_a_device_are_kept(record_id):
    assert check_id(record_id) == record_id


@pytest.mark.parametrize("record_id", ["CON.", "NUL ", "../x", "-D"])
def test_trailing_dots_spaces_and_paths_are_refused(record_id):
    with pytest.raises(InvalidId):
        check_id(record_id)
