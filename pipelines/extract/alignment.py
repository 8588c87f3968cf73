"""Fit a row's cells to the form's columns, using the form's own arithmetic where cells are ambiguous.

Two ways a row's cells can fail to line up with the columns:
- shifted or padded: more cells than columns, with empty cells at the edges (Markdown tables whose
  columns shift by one, tab rows that keep merged-header padding);
- run together: fewer cells than columns, because a crawler dropped the separators ("640020470").
Every candidate fit is enumerated; a value is taken only when every fit that satisfies the identities
agrees on it. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines.extract.digit_split import Digits, TooMany
from pipelines.extract.tokens import Kind, Token

# Called on a full row and on its prefixes: False once the cells so far break an identity, None when it
# cannot be checked (cells missing or not yet filled).
Identity = Callable[[Sequence[Decimal | None]], bool | None]

MAX_SPLITS = 20000
MAX_STEPS = 2_000_000
MAX_CANDIDATES = 64
# More digits than 15 cells of counts can hold (no count reaches 10**13): garbage, not cells run together; and
# Python refuses int() of a string past 4,300 digits.
MAX_RUN_DIGITS = 256


@dataclass
class Fit:
    values: list[Decimal | None]  # one per column; None = not stated or not determinable
    tokens: list[Token | None]  # the token each value came from
    note: str | None = None  # what was repaired or why something is missing
    ambiguous: bool = False
    # Every fit that survived the row's own checks, when several did: other rows' identities may decide.
    candidates: list[tuple[list[Decimal | None], list[Token | None]]] = field(default_factory=list)
    breaks_identity: bool = False  # the digits split several ways and not one of them satisfies the identity
    lone: Token | None = None  # the row states a single figure that cannot be split: which column is the table's call
    by_identity: bool = False  # the digits split several ways and the form's sums chose this reading


def fit_row(cells: Sequence[Token], n: int, identity: Identity | None = None,
            signed: Sequence[bool] | None = None) -> Fit:
    """`signed[i]`: column i may hold a negative figure (本年增/减); elsewhere a negative split is impossible."""
    nums = [c for c in cells if c.kind is Kind.NUM]
    if not nums:
        return Fit([None] * n, [None] * n)
    alone = [c for c in nums if c.alone]
    if len(nums) == n + 1 and len(alone) == 1 and len(cells) == len(nums):
        # One figure too many, and it stood alone on a line between rows of figures: a page number.
        fit = fit_row([c for c in cells if c is not alone[0]], n, identity, signed)
        if not fit.ambiguous:
            note = f"the figure {alone[0].text} alone on line {alone[0].line} read as a page number"
            return Fit(fit.values, fit.tokens, f"{fit.note}; {note}" if fit.note else note)
        return fit
    if len(cells) > n and cells[-1].kind is Kind.NUM and cells[-1].alone and not cells[-2].alone:
        # A figure alone on its line after a row whose cells are complete: a page number, not a reason to
        # shift the row's cells by one.
        fit = _fit_windows(list(cells[:-1]), n, identity)
        if not fit.ambiguous:
            note = f"the figure {cells[-1].text} alone on line {cells[-1].line} after the row read as a page number"
            return Fit(fit.values, fit.tokens, f"{fit.note}; {note}" if fit.note else note)
    if len(cells) >= n:
        return _fit_windows(list(cells), n, identity)
    if all(c.kind is Kind.NUM for c in cells) and any(_lost_separators(c) for c in nums):
        return _fit_split(nums, n, identity, signed)
    if len(nums) == 1:
        return Fit([None] * n, [None] * n, f"one figure {nums[0].text} for {n} columns", True, lone=nums[0])
    return Fit([None] * n, [None] * n, f"{len(nums)} figures for {n} columns, and which columns they stand in "
               "is not shown", True)


def _fit_windows(cells: list[Token], n: int, identity: Identity | None) -> Fit:
    """Windows of n consecutive cells outside which every cell is empty."""
    candidates = []
    # Only windows holding every figure qualify: those from the last figure's column back to the first's, n at
    # most (copying the cells outside each window of a row of many cells would be quadratic).
    figures = [i for i, c in enumerate(cells) if c.kind is Kind.NUM]
    starts = range(max(0, figures[-1] - n + 1), min(figures[0], len(cells) - n) + 1) if figures else \
        range(len(cells) - n + 1)
    for start in starts:
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
        if len(filled) == 1:
            candidates = filled
    values, window = candidates[0]
    if len(candidates) == 1:
        shifted = len(cells) > n and any(c.kind is Kind.BLANK for c in cells[:1])
        return Fit(values, [c if c.kind is Kind.NUM else None for c in window],
                   "columns shifted by empty cells; realigned" if shifted else None)
    return _agree(candidates, n, "the row's cells fit the columns in several ways")


def _fit_split(nums: list[Token], n: int, identity: Identity | None, signed: Sequence[bool] | None) -> Fit:
    """Split run-together digit strings into n cells, cell by cell, pruning on the identities as it goes."""
    shown = " ".join(t.text for t in nums)
    if len(nums) == 1 and len(whole_digits(nums[0])) < n:
        return Fit([None] * n, [None] * n, f"one figure {shown} for {n} columns", True, lone=nums[0])
    if sum(len(whole_digits(t)) for t in nums) > MAX_RUN_DIGITS:
        return Fit([None] * n, [None] * n, f"run-together figures {_short(shown)} are too long to split into {n} "
                   "columns with confidence", True)
    blocks = getattr(identity, "blocks", None)
    if blocks is not None and all(t.text.replace(",", "").isdigit() for t in nums):
        return _fit_sums(nums, n, blocks, shown)
    solutions: list[tuple[list[Decimal], list[Token]]] = []
    steps = 0
    overflow = False

    def ok(acc: list[Decimal]) -> bool:
        col = len(acc) - 1
        if acc[-1] < 0 and not (signed is not None and signed[col]):
            return False
        return identity is None or identity(acc) is not False

    def rec(i: int, j: int, acc: list[Decimal], src: list[Token]) -> None:
        nonlocal steps, overflow
        steps += 1
        if steps > MAX_STEPS or len(solutions) > MAX_SPLITS:
            overflow = True
            return
        if i == len(nums):
            if len(acc) == n:
                solutions.append((list(acc), list(src)))
            return
        t = nums[i]
        raw = t.text.replace(",", "")
        if len(acc) >= n:
            return
        body = raw.lstrip("+-").removesuffix(t.unit or "")
        whole, _, frac = body.partition(".")
        if not whole.isdigit() or ((frac or t.unit) and not t.glued):
            # A figure standing apart with a decimal or a unit is one cell.
            if ok(acc + [t.value]):  # type: ignore[list-item]
                rec(i + 1, 0, acc + [t.value], src + [t])  # type: ignore[list-item]
            return
        # Run together, only the last piece carries the decimals: 政府集中采购012824.5056 is 0 | 12824.5056.
        frac = f".{frac}" if frac else ""
        sign = -1 if raw.startswith("-") and j == 0 else 1
        digits = whole[j:] if j else whole
        offset = j
        rest_digits = sum(len(whole_digits(x)) for x in nums[i + 1:])
        for length in range(1, len(digits) + 1):
            head = digits[:length]
            if len(head) > 1 and head.startswith("0"):
                break
            need = n - len(acc) - 1  # cells still to fill after this one
            later_tokens = len(nums) - i - 1 + (length < len(digits))
            if need < later_tokens or need > rest_digits + len(digits) - length:
                continue
            value = sign * Decimal(head + (frac if length == len(digits) else ""))
            nxt = acc + [value]
            if not ok(nxt):
                continue
            if length == len(digits):
                rec(i + 1, 0, nxt, src + [t])
            else:
                rec(i, offset + length, nxt, src + [t])

    rec(0, 0, [], [])
    if overflow:
        return Fit([None] * n, [None] * n, f"run-together figures {shown} are too long to split into {n} columns "
                   "with confidence", True)
    if not solutions:
        if identity is not None:
            # The report's own arithmetic may be wrong. Where the digits alone allow a single split, that split
            # is what the report says: take it, and let the identity checks flag the arithmetic.
            plain = _fit_split(nums, n, None, signed)
            if not plain.ambiguous and plain.note:
                return Fit(plain.values, plain.tokens, f"run-together figures {shown} fit no split into {n} columns "
                           "that satisfies the form's arithmetic; the only split the digits allow is taken")
            if "ways" in (plain.note or ""):
                return Fit([None] * n, [None] * n, f"run-together figures {shown} split into {n} columns in several "
                           "ways, and none satisfies the form's arithmetic", True, breaks_identity=True)
        return Fit([None] * n, [None] * n, f"run-together figures {shown} fit no split into {n} columns that "
                   "satisfies the form's arithmetic", True)
    if len(solutions) == 1:
        return Fit(solutions[0][0], list(solutions[0][1]),
                   f"run-together figures {shown} split into {n} columns (the only split the form's arithmetic allows)")
    return _agree([(list(v), src) for v, src in solutions], n,
                  f"run-together figures {shown} split into {n} columns in {len(solutions)} ways")


def _fit_sums(nums: list[Token], n: int, blocks: tuple[int, int], shown: str) -> Fit:
    """Unsigned run-together digits under a sum identity (blocks of cells whose last is the sum of the rest)."""
    count, width = blocks
    pieces = [t.text.replace(",", "") for t in nums]
    digits = Digits(pieces, MAX_SPLITS)
    owner = [i for i, p in enumerate(pieces) for _ in p]
    try:
        cuts = digits.blocks(count, width) if count * width == n else []
        if not cuts:
            # The report's own arithmetic may be wrong. Where the digits alone allow a single cut, that cut is
            # what the report says: take it, and let the identity checks flag the arithmetic.
            ways = digits.count_cuts(n)
            if ways == 1:
                return _from_spans(digits, owner, nums, digits.only_cut(n), f"run-together figures {shown} fit no "
                                   f"split into {n} columns that satisfies the form's arithmetic; the only split "
                                   "the digits allow is taken")
            if ways > 1:
                return Fit([None] * n, [None] * n, f"run-together figures {shown} split into {n} columns in several "
                           "ways, and none satisfies the form's arithmetic", True, breaks_identity=True)
            return Fit([None] * n, [None] * n, f"run-together figures {shown} fit no split into {n} columns that "
                       "satisfies the form's arithmetic", True)
    except TooMany:
        return Fit([None] * n, [None] * n, f"run-together figures {shown} are too long to split into {n} columns "
                   "with confidence", True)
    chose = digits.count_cuts(n) > 1
    if len(cuts) == 1:
        fit = _from_spans(digits, owner, nums, cuts[0], f"run-together figures {shown} split into {n} columns (the "
                          "only split the form's arithmetic allows)")
    else:
        candidates = [_spans_to_cells(digits, owner, nums, c) for c in cuts]
        fit = _agree(candidates, n, f"run-together figures {shown} split into {n} columns in {len(cuts)} ways")
    fit.by_identity = chose
    return fit


def _spans_to_cells(digits: Digits, owner: list[int], nums: list[Token],
                    spans: list[tuple[int, int]]) -> tuple[list[Decimal | None], list[Token | None]]:
    return [Decimal(digits.text[a:b]) for a, b in spans], [nums[owner[a]] for a, _ in spans]


def _from_spans(digits: Digits, owner: list[int], nums: list[Token], spans: list[tuple[int, int]], note: str) -> Fit:
    values, tokens = _spans_to_cells(digits, owner, nums, spans)
    return Fit(values, tokens, note)


def _lost_separators(t: Token) -> bool:
    """Digits touching a word, or digits no figure is written as (00, 0128): cells run together."""
    whole = whole_digits(t)
    return t.glued or (len(whole) > 1 and whole.startswith("0"))


def whole_digits(t: Token) -> str:
    return t.text.replace(",", "").lstrip("+-").removesuffix(t.unit or "").partition(".")[0]


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


def _short(shown: str, keep: int = 40) -> str:
    return shown if len(shown) <= 2 * keep else f"{shown[:keep]}…{shown[-keep:]} ({len(shown)} characters)"
