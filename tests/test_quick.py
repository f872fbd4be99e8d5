"""A listing straight from the cache gives exactly what a full load gives, and never a stale answer."""

from __future__ import annotations

import os
import time

from isa_toolkit import register as store
from isa_toolkit.register.quick import quick_register

from .conftest import complete_isa

IDS = ["ISA-2026-0001", "ISA-2026-0002"]


def aged(root):
    """Every record file made older than a second, so the cache may keep it (a fresh one could change unseen)."""
    past = time.time() - 5
    for path in (root / "agreements").glob("*.yaml"):
        os.utime(path, (past, past))


def test_an_unchanged_register_lists_from_the_cache_as_a_full_load_would(make_register):
    root = make_register({f"agreements/{i}.yaml": complete_isa(i) for i in IDS})
    (root / "agreements" / "ISA-2026-0003.yaml").write_text("id: ISA-2026-0003\nkind: [\n")  # unreadable
    aged(root)
    assert quick_register(root) is None  # no cache yet
    full = store.load_register(root)
    quick = quick_register(root)
    assert quick is not None
    assert quick.index == full.index and quick.unreadable == full.unreadable == ["agreements/ISA-2026-0003.yaml"]
    assert quick.languages == full.languages


def test_any_change_sends_the_listing_back_to_a_full_load(make_register):
    root = make_register({f"agreements/{i}.yaml": complete_isa(i) for i in IDS})
    aged(root)
    store.load_register(root)
    assert quick_register(root) is not None
    path = root / "agreements" / IDS[0]
    path = path.with_suffix(".yaml")
    path.write_text(path.read_text().replace("version: '1.0'", "version: '1.1'"))
    assert quick_register(root) is None  # changed since the cache saw it
    aged(root)
    store.load_register(root)
    assert quick_register(root).index[IDS[0]]["version"] == "1.1"
    (root / "agreements" / f"{IDS[1]}.yaml").unlink()
    assert quick_register(root) is None  # a record removed
    store.load_register(root)
    (root / "agreements" / "stray.txt").write_text("x")
    assert quick_register(root) is None  # something the full load has a word for
