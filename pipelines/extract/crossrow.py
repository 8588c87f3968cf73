"""Rows whose cells fit several ways are settled, where possible, by the table's column identities.

A run-together row such as 270020130 may split two ways; the column identities (per applicant:
new + carried over = total + carried forward, total = sum of the dispositions) usually allow only one
choice once the other rows are known. A cell is taken only when every combination of choices that
satisfies the identities agrees on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import reduce
from itertools import product

import numpy as np

from pipelines.extract.alignment import Fit

MAX_COMBINATIONS = 50000
Grid = dict[str, list[Decimal | None]]


def settle_by_columns(fits: dict[str, Fit], dispositions: Sequence[str]) -> dict[str, Fit]:
    """Return the fits of the ambiguous rows that the column identities settle (fully or in part)."""
    open_rows = [r for r, f in fits.items() if f.candidates]
    if not open_rows:
        return {}
    options = [fits[r].candidates for r in open_rows]
    count = 1
    for o in options:
        count *= len(o)
    if count > MAX_COMBINATIONS:
        return {}
    fixed: Grid = {r: f.values for r, f in fits.items() if not f.candidates}
    surviving = _surviving(fixed, open_rows, options, dispositions)
    if not surviving or len(surviving) == count:
        return {}
    settled: dict[str, Fit] = {}
    for i, row in enumerate(open_rows):
        n = len(fits[row].values)
        values: list[Decimal | None] = []
        tokens = []
        for col in range(n):
            seen = {combo[i][0][col] for combo in surviving}
            values.append(next(iter(seen)) if len(seen) == 1 else None)
            tokens.append(surviving[0][i][1][col] if len(seen) == 1 else None)
        if values != fits[row].values:
            unknown = sum(v is None for v in values)
            settled[row] = Fit(values, tokens, f"the table's column identities leave {len(surviving)} of {count} "
                               f"combinations of the ambiguous rows; {unknown} cell(s) of this row still undecided",
                               unknown > 0)
    return settled


def _surviving(fixed: Grid, open_rows: list[str], options: list[list[tuple]], dispositions: Sequence[str]) -> list[tuple]:
    """The combinations of the open rows' candidates under which no column identity fails (``_columns_hold``
    is not False), in the order of ``itertools.product``: thousands at once as integer arrays, a combination per row of
    the arrays, when every figure is a whole number numpy holds exactly."""
    width = len(next(iter(fixed.values()), options[0][0][0]))
    rows = [*fixed.values(), *(c[0] for o in options for c in o)]
    if not all(len(r) == width and _whole(r) for r in rows):
        grid: Grid = dict(fixed)
        out = []
        for combo in product(*options):
            grid.update({r: c[0] for r, c in zip(open_rows, combo, strict=True)})
            if _columns_hold(grid, dispositions) is not False:
                out.append(combo)
        return out
    shape = tuple(len(o) for o in options)
    fixed_arrays = {row: _arrays([cells]) for row, cells in fixed.items()}
    candidates = [_arrays([c[0] for c in cands]) for cands in options]
    out = []
    total = int(np.prod(shape))
    for start in range(0, total, _CHUNK):  # a chunk of combinations at a time: memory stays a few MB
        index = np.unravel_index(np.arange(start, min(start + _CHUNK, total)), shape)  # C order, as product
        values = dict(fixed_arrays)  # row -> (figures, known), each combinations (or 1) × width
        for n, row in enumerate(open_rows):
            v, k = candidates[n]
            values[row] = (v[index[n]], k[index[n]])
        for i in np.flatnonzero(~_fails(values, dispositions, len(index[0]), width)):
            out.append(tuple(options[r][index[r][i]] for r in range(len(options))))
    return out


def _fails(values: dict[str, tuple[np.ndarray, np.ndarray]], dispositions: Sequence[str], count: int,
           width: int) -> np.ndarray:
    """Per combination: some column identity fails with every cell it involves known."""
    unknown = (np.zeros((1, width), dtype=np.int64), np.zeros((1, width), dtype=bool))
    n, o, t, f = (values.get(r, unknown) for r in ("new_received", "carried_over", "total", "carried_forward"))
    fails = n[1] & o[1] & t[1] & f[1] & (n[0] + o[0] != t[0] + f[0])
    parts = [values.get(r, unknown) for r in dispositions]
    if parts:
        known = t[1] & reduce(np.logical_and, [p[1] for p in parts])
        fails = fails | (known & (reduce(np.add, [p[0] for p in parts]) != t[0]))
    return np.broadcast_to(fails, (count, width)).any(axis=1)


_CHUNK = 4096
_EXACT = 2**53  # far below int64's limit even summed over every row


def _whole(figures: list[Decimal | None]) -> bool:
    return all(v is None or (v == v.to_integral_value() and abs(v) < _EXACT) for v in figures)


def _arrays(rows: list[list[Decimal | None]]) -> tuple[np.ndarray, np.ndarray]:
    figures = np.array([[0 if v is None else int(v) for v in r] for r in rows], dtype=np.int64)
    known = np.array([[v is not None for v in r] for r in rows], dtype=bool)
    return figures, known


def _columns_hold(grid: Grid, dispositions: Sequence[str]) -> bool | None:
    """False when a column identity fails with every cell involved known; else True/None."""
    width = len(next(iter(grid.values())))
    verdict: bool | None = True
    for col in range(width):
        n, o, t, f = (grid.get(r, [None] * width)[col] for r in ("new_received", "carried_over", "total",
                                                                 "carried_forward"))
        if None not in (n, o, t, f):
            if n + o != t + f:  # type: ignore[operator]
                return False
        else:
            verdict = None
        parts = [grid.get(r, [None] * width)[col] for r in dispositions]
        if t is not None and all(p is not None for p in parts) and parts:
            if sum(parts) != t:  # type: ignore[arg-type]
                return False
        else:
            verdict = None
    return verdict


def broken_identities(grid: Grid, dispositions: Sequence[str]) -> list[str]:
    """The table's identities that fail on its stated cells, a missing row or cell counting as an unknown
    count (never negative): parts that already exceed their total break it whatever the blanks hold.
    Row 总计 cells are checked against their six applicant cells the same way."""
    width = len(next(iter(grid.values()), []))
    broken: list[str] = []

    def exceeds(total: Decimal | None, parts: list[Decimal | None]) -> bool:
        if total is None:
            return False
        known = [p for p in parts if p is not None]
        return sum(known) > total or (len(known) == len(parts) and sum(known) != total)

    for col in range(width):
        n, o, t, f = (grid.get(r, [None] * width)[col] for r in ("new_received", "carried_over", "total",
                                                                 "carried_forward"))
        if None not in (n, o, t, f) and n + o != t + f:  # type: ignore[operator]
            broken.append(f"balance:{col}")
        if exceeds(t, [grid.get(r, [None] * width)[col] for r in dispositions]):
            broken.append(f"dispositions_sum:{col}")
    for row, values in grid.items():
        if width and exceeds(values[-1], list(values[:-1])):
            broken.append(f"row_total:{row}")
    return broken
