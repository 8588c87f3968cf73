"""The column identities' search over the ambiguous rows' combinations (numpy, in chunks) keeps exactly the
combinations the one-by-one check keeps, in the same order."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.extract import crossrow
from pipelines.extract.crossrow import _columns_hold, _surviving

ROWS = ("new_received", "carried_over", "total", "carried_forward", "granted", "denied", "other")
DISPOSITIONS = ("granted", "denied", "other")
WIDTH = 3

cell = st.one_of(st.none(), st.integers(0, 6).map(Decimal))
row_values = st.lists(cell, min_size=WIDTH, max_size=WIDTH)


def _brute(fixed, open_rows, options, dispositions):
    out = []
    for combo in product(*options):
        grid = {**fixed, **{r: c[0] for r, c in zip(open_rows, combo, strict=True)}}
        if _columns_hold(grid, dispositions) is not False:
            out.append(combo)
    return out


@st.composite
def grids(draw):
    rows = draw(st.permutations(ROWS).map(lambda p: p[: draw(st.integers(2, len(ROWS)))]))
    n_open = draw(st.integers(1, len(rows)))
    open_rows = list(rows[:n_open])
    fixed = {r: draw(row_values) for r in rows[n_open:]}
    options = [[(draw(row_values), f"token-{r}-{k}") for k in range(draw(st.integers(1, 3)))] for r in open_rows]
    return fixed, open_rows, options


@settings(max_examples=300, deadline=None)
@given(grids(), st.sampled_from([1, 2, 4096]))
def test_the_array_search_keeps_what_the_one_by_one_check_keeps(grid, chunk):
    fixed, open_rows, options = grid
    old = crossrow._CHUNK
    crossrow._CHUNK = chunk  # chunks of one and two cross every boundary between chunks
    try:
        assert _surviving(fixed, open_rows, options, DISPOSITIONS) == _brute(fixed, open_rows, options, DISPOSITIONS)
    finally:
        crossrow._CHUNK = old


def test_a_fraction_takes_the_one_by_one_path_with_the_same_answer():
    fixed = {"total": [Decimal("1.5"), Decimal(1), None], "granted": [Decimal("1.5"), Decimal(1), None]}
    options = [[([Decimal(0), Decimal(0), None], "a"), ([Decimal(1), Decimal(0), None], "b")]]
    kept = _surviving(fixed, ["denied"], options, ("granted", "denied"))
    assert kept == _brute(fixed, ["denied"], options, ("granted", "denied"))
    assert [c[1] for (c,) in kept] == ["a"]
