"""Splitting run-together digits as a constraint search: the form's sums bound every cell.

A row of the applications table is six cells and their 总计; a review block is four outcomes and their 总计.
So the total is found first (a suffix of the block's digits), and the cells before it are cut so that their
running sum never passes it: a cell can be no longer than the total, and a branch ends as soon as the sum
overshoots. The search visits a handful of states where enumerating every cut visits millions.

Digits come as one string with forced cuts where tokens met a space or a delimiter (`20 0 00 0 121`): no
cell spans a forced cut, and every token yields at least one cell.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cache

Span = tuple[int, int]


class TooMany(Exception):
    """More readings than anyone could choose between: the row is left missing."""


# Cuts looked at in one search (blocks): the rows of real and generated reports need under 10,000; a string of
# digits no arithmetic prunes (60 digits of 1234567890…) would need millions, and seconds per row.
MAX_STEPS = 200_000


class Digits:
    def __init__(self, pieces: Sequence[str], cap: int) -> None:
        self.text = "".join(pieces)
        self.cuts: list[int] = []  # forced cut positions strictly inside the text
        pos = 0
        for p in pieces[:-1]:
            pos += len(p)
            self.cuts.append(pos)
        self.cap = cap
        self._counts: dict[tuple[int, int], int] = {}
        self._steps = 0

    def _step(self) -> None:
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise TooMany

    def _cuts_between(self, a: int, b: int) -> int:
        """Forced cuts strictly between a and b."""
        return bisect_left(self.cuts, b) - bisect_right(self.cuts, a)

    def _valid(self, a: int, b: int) -> bool:
        return b > a and (b - a == 1 or self.text[a] != "0") and self._cuts_between(a, b) == 0

    def sum_splits(self, start: int, end: int, k: int, target: int) -> list[list[Span]]:
        """Every cut of text[start:end] into k cells that add up to target."""

        @cache
        def rec(a: int, parts: int, left: int) -> tuple[tuple[Span, ...], ...]:
            if parts == 1:
                return (((a, end),),) if self._valid(a, end) and int(self.text[a:end]) == left else ()
            if end - a < parts or self._cuts_between(a, end) + 1 > parts:
                return ()
            out: list[tuple[Span, ...]] = []
            longest = min(len(str(left)), end - a - (parts - 1))
            for length in range(1, longest + 1):
                self._step()
                b = a + length
                if not self._valid(a, b):
                    break
                v = int(self.text[a:b])
                if v > left:
                    break
                for tail in rec(b, parts - 1, left - v):
                    out.append(((a, b), *tail))
                    if len(out) > self.cap:
                        raise TooMany
            return tuple(out)

        if start >= end:
            return []
        return [list(s) for s in rec(start, k, target)]

    def total_last(self, start: int, end: int, width: int) -> list[list[Span]]:
        """Cuts of text[start:end] into width cells whose last is the sum of the others."""
        out: list[list[Span]] = []
        for length in range(1, end - start - (width - 1) + 1):
            self._step()
            a = end - length
            if not self._valid(a, end):
                if self.text[a] == "0" and length > 1:
                    continue
                break
            total = int(self.text[a:end])
            for parts in self.sum_splits(start, a, width - 1, total):
                out.append([*parts, (a, end)])
                if len(out) > self.cap:
                    raise TooMany
        return out

    def blocks(self, count: int, width: int) -> list[list[Span]]:
        """Cuts of the whole text into `count` blocks of `width` cells, each block's last cell its sum."""

        @cache
        def rec(start: int, left: int) -> tuple[tuple[Span, ...], ...]:
            end = len(self.text)
            if left == 0:
                return ((),) if start == end else ()
            out: list[tuple[Span, ...]] = []
            for stop in range(start + width, end - (left - 1) * width + 1):
                if left == 1 and stop != end:
                    continue
                for block in self.total_last(start, stop, width):
                    for rest in rec(stop, left - 1):
                        out.append((*block, *rest))
                        if len(out) > self.cap:
                            raise TooMany
            return tuple(out)

        return [list(s) for s in rec(0, count)]

    def count_cuts(self, k: int) -> int:
        """How many ways the whole text cuts into k cells, whatever they add up to (capped past cap)."""
        return self._count(0, k) if self.text else 0

    def _count(self, a: int, parts: int) -> int:
        key = (a, parts)
        if key not in self._counts:
            self._counts[key] = self._count_uncached(a, parts)
        return self._counts[key]

    def _count_uncached(self, a: int, parts: int) -> int:
        end = len(self.text)
        if parts == 1:
            return 1 if self._valid(a, end) else 0
        total = 0
        for b in range(a + 1, end - parts + 2):
            if not self._valid(a, b):
                break
            total += self._count(b, parts - 1)
            if total > self.cap:
                break
        return total

    def only_cut(self, k: int) -> list[Span]:
        """The one cut into k cells (call only where count_cuts(k) == 1)."""
        end = len(self.text)
        out: list[Span] = []
        a = 0
        for parts in range(k, 1, -1):
            b = next(b for b in range(a + 1, end - parts + 2) if self._valid(a, b) and self._count(b, parts - 1))
            out.append((a, b))
            a = b
        out.append((a, end))
        return out
