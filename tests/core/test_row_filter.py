"""A filter's allowed rows are the same whichever way membership is looked up."""

from __future__ import annotations

import numpy as np
import pytest

from nearby.core.storage import row_filter
from nearby.core.storage.row_filter import RowFilter, id_array


@pytest.mark.parametrize("top", [1_000, 5_000_000, 2**40])  # the last past TABLE_MAX: looked up by sorting
def test_masks_match_numpy_isin_for_small_and_huge_ids(top: int) -> None:
    rng = np.random.default_rng(top % 97)
    items = rng.integers(1, top, 20_000)
    passages = rng.integers(1, top, 20_000)
    allowed, barred, kept = (id_array(rng.choice(items, n).tolist()) for n in (3_000, 500, 9_000))
    only = RowFilter(items=allowed, not_items=barred, passages=kept)
    expected = np.isin(items, allowed) & ~np.isin(items, barred) & np.isin(passages, kept)
    assert np.array_equal(only.mask(items, passages), expected)
    assert np.array_equal(RowFilter(items=id_array([top + 5])).mask(items), np.zeros(len(items), dtype=bool))
    assert not RowFilter(items=id_array([])).mask(items).any()


def test_the_table_and_the_sort_agree_past_the_tables_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    items = rng.integers(0, 100_000, 50_000)
    allowed = id_array(rng.choice(items, 7_000).tolist())
    by_table = RowFilter(items=allowed).mask(items)
    monkeypatch.setattr(row_filter, "TABLE_MAX", 10)
    assert np.array_equal(RowFilter(items=allowed).mask(items), by_table)
    assert np.array_equal(by_table, np.isin(items, allowed))
    negative = np.array([-3, 5, 7])
    assert RowFilter(items=id_array([-3, 7])).mask(negative).tolist() == [True, False, True]
