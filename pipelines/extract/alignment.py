"""Fit a row's cells to the form's columns, using the form's own arithmetic where cells are ambiguous.

Two ways a row's cells can fail to line up with the columns:
- shifted or padded: more cells than columns, with empty cells at the edges (Markdown tables whose
  columns shift by one, tab rows that keep merged-header padding);
- run together: fewer cells than columns, because a crawler dropped the separators ("640020470").
Every candidate fit is enumerated; a value is taken only when every fit that satisfies the identities
agrees on it. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from math import comb

from pipelines.extract.tokens import Kind, Token

# Called on a full row and on its prefixes: False once the cells so far break an identity, None when it
# cannot be checked (cells missing or not yet filled).
Identity = Callable[[Sequence[Decimal | None]], bool | None]

MAX_SPLITS = 20000
MAX_CANDIDATES = 64


@dataclass
class Fit:
    values: list[Decimal | None]  # one per column; None = not stated or not determinable
    tokens: list[Token | None]  # the token each value came from
    note: str | None = None  # what was repaired or why something is missing
    ambiguous: bool = False
    # Every fit that survived the row's own checks, when several did: other rows' identities may decide.
    candidates: list[tuple[list[Decimal | None], list[Token | None]]] = field(default_factory=list)


def fit_row(cells: Sequence[Token], n: int, identity: Identity | None = None) -> Fit:
    nums = [c for c in cells if c.kind is Kind.NUM]
    if not nums:
        return Fit([None] * n, [None] * n)
    if len(cells) >= n:
        return _fit_windows(list(cells), n, identity)
    if all(c.kind is Kind.NUM for c in cells):
        return _fit_split(nums, n, identity)
    return Fit([None] * n, [None] * n, f"{len(nums)} figures with empty cells for {n} columns", True)


def _fit_windows(cells: list[Token], n: int, identity: Identity | None) -> Fit:
    """Windows of n consecutive cells outside which every cell is empty."""
    candidates = []
    for start in range(len(cells) - n + 1):
        outside = cells[:start] + cells[start + n:]
        if any(c.kind is Kind.NUM for c in outside):
            continue
        window = cells[start:start + n]
        values = [c.value if c.kind is Kind.NUM else None for c in window]
        candidates.append((values, window))
    if not candidates:
        return Fit([None] * n, [None] * n, f"{sum(c.kind is Kind.NUM for c in cells)} figures spread over "
                   f"{len(cells)} cells for {n} columns", True)
    if len(candidates) > 1 and identity is not None:
        holding = [c for c in candidates if identity(c[0]) is True]
        if holding:
            candidates = holding
    if len(candidates) > 1:
        # A trailing empty cell that ends a row (pipe renderings) or pads it (Markdown) leaves two fits that
        # differ only by one shift; the form always fills its last column (总计), so the fit that does wins.
        filled = [c for c in candidates if c[0][-1] is not None]
        if len(filled) == 1 and sum(v is not None for v in filled[0][0]) == 1:
            candidates = filled
    values, window = candidates[0]
    if len(candidates) == 1:
        shifted = len(cells) > n and any(c.kind is Kind.BLANK for c in cells[:1])
        return Fit(values, [c if c.kind is Kind.NUM else None for c in window],
                   "columns shifted by empty cells; realigned" if shifted else None)
    return _agree(candidates, n, "the row's cells fit the columns in several ways")


def _fit_split(nums: list[Token], n: int, identity: Identity | None) -> Fit:
    """Split run-together digit strings into n cells."""
    total_digits = sum(len(t.text) for t in nums)
    if comb(max(total_digits - 1, 0), max(n - len(nums), 0)) > MAX_SPLITS * 50:
        return Fit([None] * n, [None] * n, f"run-together figures {' '.join(t.text for t in nums)} are too long "
                   f"to split into {n} columns with confidence", True)
    solutions: list[list[Decimal]] = []
    sources: list[list[Token]] = []

    def rec(i: int, remaining: int, acc: list[Decimal], src: list[Token]) -> None:
        if len(solutions) > MAX_SPLITS:
            return
        if identity is not None and acc and identity(acc) is False:
            return  # a completed block of cells already breaks the arithmetic
        if i == len(nums):
            if remaining == 0:
                solutions.append(list(acc))
                sources.append(list(src))
            return
        t = nums[i]
        raw = t.text.replace(",", "")
        left_tokens = len(nums) - i - 1
        if not raw.isdigit():  # a decimal, a signed figure or one with a unit is one cell
            rec(i + 1, remaining - 1, acc + [t.value], src + [t])
            return
        for k in range(1, min(len(raw), remaining - left_tokens) + 1):
            for parts in _splits(raw, k):
                rec(i + 1, remaining - k, acc + [Decimal(p) for p in parts], src + [t] * k)

    rec(0, n, [], [])
    if not solutions:
        return Fit([None] * n, [None] * n, f"run-together figures {' '.join(t.text for t in nums)} fit no split "
                   f"into {n} columns that satisfies the form's arithmetic", True)
    candidates = [(s, src) for s, src in zip(solutions, sources, strict=True)]
    if len(candidates) == 1:
        return Fit(candidates[0][0], list(candidates[0][1]),
                   f"run-together figures {' '.join(t.text for t in nums)} split into {n} columns "
                   f"(the only split the form's arithmetic allows)")
    return _agree(candidates, n, f"run-together figures {' '.join(t.text for t in nums)} split into {n} "
                  f"columns in {len(candidates)} ways")


def _agree(candidates: list, n: int, why: str) -> Fit:
    values: list[Decimal | None] = []
    tokens: list[Token | None] = []
    for col in range(n):
        seen = {c[0][col] for c in candidates}
        if len(seen) == 1 and None not in seen:
            values.append(next(iter(seen)))
            tokens.append(candidates[0][1][col])
        else:
            values.append(None)
            tokens.append(None)
    unknown = sum(v is None for v in values)
    return Fit(values, tokens, f"{why}; {unknown} cell(s) left missing, the rest agree in every fit", unknown > 0,
               [(list(c[0]), list(c[1])) for c in candidates[:MAX_CANDIDATES]] if unknown else [])


def _splits(digits: str, k: int) -> Iterator[list[str]]:
    """All ways to cut a digit string into k numbers written without leading zeros."""
    if k == 1:
        if digits == "0" or not digits.startswith("0"):
            yield [digits]
        return
    for cut in range(1, len(digits) - k + 2):
        head = digits[:cut]
        if len(head) > 1 and head.startswith("0"):
            break
        for rest in _splits(digits[cut:], k - 1):
            yield [head, *rest]
