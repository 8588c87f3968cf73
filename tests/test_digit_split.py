"""The constraint search finds exactly the readings a brute-force enumeration of every cut finds."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.extract.digit_split import Digits


def _brute(text: str, cuts: set[int], k: int, block: int) -> list[list[tuple[int, int]]]:
    out = []
    for inner in combinations(range(1, len(text)), k - 1):
        if not cuts <= set(inner):
            continue
        bounds = [0, *inner, len(text)]
        spans = list(zip(bounds, bounds[1:], strict=False))
        if any(b - a > 1 and text[a] == "0" for a, b in spans):
            continue
        vals = [int(text[a:b]) for a, b in spans]
        if all(sum(vals[i:i + block - 1]) == vals[i + block - 1] for i in range(0, k, block)):
            out.append(spans)
    return sorted(out)


cells = st.lists(st.integers(0, 120), min_size=6, max_size=6)


@settings(max_examples=150, deadline=None)
@given(cells, st.lists(st.booleans(), min_size=6, max_size=6))
def test_row_splits_match_brute_force(parts: list[int], apart: list[bool]) -> None:
    values = [*parts, sum(parts)]
    pieces: list[str] = []
    for v, sep in zip(values, [True, *apart], strict=True):
        if sep or not pieces:
            pieces.append(str(v))
        else:
            pieces[-1] += str(v)
    d = Digits(pieces, 10**6)
    assert sorted(d.blocks(1, 7)) == _brute(d.text, set(d.cuts), 7, 7)
    assert any([int(d.text[a:b]) for a, b in s] == values for s in d.blocks(1, 7))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 15), min_size=12, max_size=12))
def test_review_blocks_match_brute_force(outcomes: list[int]) -> None:
    values = []
    for b in range(3):
        block = outcomes[b * 4:(b + 1) * 4]
        values += [*block, sum(block)]
    d = Digits(["".join(map(str, values))], 10**6)
    if len(d.text) <= 22:
        assert sorted(d.blocks(3, 5)) == _brute(d.text, set(), 15, 5)
    assert any([int(d.text[a:b]) for a, b in s] == values for s in d.blocks(3, 5))


def test_count_and_only_cut() -> None:
    d = Digits(["20", "0", "00", "0", "121"], 100)
    assert d.count_cuts(7) == 3
    d = Digits(["20", "0", "00", "0", "1", "21"], 100)
    assert d.count_cuts(7) == 1 and [d.text[a:b] for a, b in d.only_cut(7)] == ["20", "0", "0", "0", "0", "1", "21"]
