"""Columns of space-aligned text (pdftotext -layout, monospaced pages): where the full rows put their figures,
a row with blank cells puts its figures too. A figure under the 总计 column is the total."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median

from pipelines.extract.rows import Row
from pipelines.extract.tokens import Kind, Token

MIN_FULL_ROWS = 2
MAX_SPREAD = 3
NEIGHBOURS = 2  # columns wander by a character or two between rows; more, and they are not columns


def _anchors() -> dict[str, Callable[[Token], float]]:
    # A PDF table cell may align its figure left, right or centred; in characters or in display columns.
    return {
        "end": lambda t: t.col, "start": lambda t: t.col - len(t.text), "centre": lambda t: t.col - len(t.text) / 2,
        "dend": lambda t: t.dcol, "dstart": lambda t: t.dcol - len(t.text),
        "dcentre": lambda t: t.dcol - len(t.text) / 2,
    }


@dataclass(frozen=True)
class Columns:
    anchor: Callable[[Token], float]
    centres: list[float]
    tolerance: float

    def place(self, nums: Sequence[Token]) -> list[Token | None] | None:
        """Each figure in the column it stands under, or None when one stands under none or two share one."""
        out: list[Token | None] = [None] * len(self.centres)
        for t in nums:
            if t.col < 0:
                return None
            x = self.anchor(t)
            c = min(range(len(self.centres)), key=lambda i: abs(self.centres[i] - x))
            if abs(self.centres[c] - x) > self.tolerance or out[c] is not None:
                return None
            out[c] = t
        return out


def columns_near(rows: Sequence[Row], i: int, n: int) -> Columns | None:
    """The columns of the full rows nearest row i: a PDF's columns move from page to page, so the rows around
    a row, not the whole table, say where its columns stand."""
    full = [k for k, r in enumerate(rows) if _full(r, n)]
    before = [k for k in full if k < i][-NEIGHBOURS:]
    after = [k for k in full if k > i][:NEIGHBOURS]
    for chosen in (before + after, before, after):
        cols = _columns([[t for t in rows[k].values if t.kind is Kind.NUM] for k in chosen], n)
        if cols is not None:
            return cols
    return None


def _full(r: Row, n: int) -> bool:
    nums = [t for t in r.values if t.kind is Kind.NUM]
    return len(nums) == n and all(t.col >= 0 for t in nums)


def _columns(full: list[list[Token]], n: int) -> Columns | None:
    if len(full) < MIN_FULL_ROWS:
        return None
    best: tuple[float, Columns] | None = None
    for anchor in _anchors().values():
        per = [[anchor(row[c]) for row in full] for c in range(n)]
        spread = max(max(p) - min(p) for p in per)
        centres = [median(p) for p in per]
        gap = min((b - a for a, b in zip(centres, centres[1:], strict=False)), default=0)
        if spread <= MAX_SPREAD and gap > 2 * spread + 2 and (best is None or spread < best[0]):
            best = (spread, Columns(anchor, centres, spread + 1))
    return best[1] if best else None
