"""Tables drawn with ruling lines: the lines to a grid, the grid to cells with their spans.

Lines a hair apart are one line (snapped), pieces of one line are joined, and lines that touch make one table.
The table's distinct x and y positions cut it into a grid; two neighbouring grid squares are one cell where no
line separates them, so a merged cell (a vertical label over many rows, a header over five columns) comes out
with its row and column span, as a web page's rowspan/colspan would.

A table whose cell on this page lost its top line (the row goes on from the page before) is still a grid: only
the lines inside the table decide what is merged.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from pipelines.extract.formats.pdf_objects import Char, Rule

SNAP = 2.0  # lines closer than this (double borders, a border and a cell's shading) are one line
JOIN = 3.0  # pieces of one line with a gap no wider than this are one line
TOUCH = 2.0  # a horizontal and a vertical line this close meet
COVER = 0.6  # a line separates two grid squares when it covers this share of their common side
OUTER = 8.0  # lines reaching this far past the outermost cross line: a table without outer borders
MAX_CROSSINGS = 250_000  # pairs of lines looked at on one page; past this the page is read without ruled tables


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple[float, float, float, float]
    squares: set[tuple[int, int]]
    chars: list[Char] = field(default_factory=list)


@dataclass
class RuledTable:
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    at: dict[tuple[int, int], GridCell]  # grid square → the cell covering it

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell_at(self, x: float, y: float) -> GridCell | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[0] <= y <= self.ys[-1]):
            return None
        col = min(bisect_right(self.xs, x) - 1, len(self.xs) - 2)
        row = min(bisect_right(self.ys, y) - 1, len(self.ys) - 2)
        return self.at.get((row, col))


def find_tables(rules: list[Rule]) -> list[RuledTable]:
    h = _merge([r for r in rules if r.orient == "h"])
    v = _merge([r for r in rules if r.orient == "v"])
    if not h or not v or len(h) * len(v) > MAX_CROSSINGS:
        return []
    parent = list(range(len(h) + len(v)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(h):
        for j, b in enumerate(v):
            if a.start - TOUCH <= b.pos <= a.end + TOUCH and b.start - TOUCH <= a.pos <= b.end + TOUCH:
                parent[find(i)] = find(len(h) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, a in enumerate(h):
        groups.setdefault(find(i), ([], []))[0].append(a)
    for j, b in enumerate(v):
        groups.setdefault(find(len(h) + j), ([], []))[1].append(b)
    tables = [t for hs, vs in groups.values() if hs and vs for t in [_grid(hs, vs)] if t is not None]
    return sorted(tables, key=lambda t: (t.ys[0], t.xs[0]))


def _merge(rules: list[Rule]) -> list[Rule]:
    """Snap lines at nearly the same position to one position, then join the pieces along it."""
    out: list[Rule] = []
    ordered = sorted(rules, key=lambda r: r.pos)
    i = 0
    while i < len(ordered):
        j = i + 1
        while j < len(ordered) and ordered[j].pos - ordered[j - 1].pos <= SNAP:
            j += 1
        group = ordered[i:j]
        pos = sum(r.pos for r in group) / len(group)
        pieces = sorted(group, key=lambda r: r.start)
        start, end = pieces[0].start, pieces[0].end
        for r in pieces[1:]:
            if r.start <= end + JOIN:
                end = max(end, r.end)
            else:
                out.append(Rule(group[0].orient, pos, start, end))
                start, end = r.start, r.end
        out.append(Rule(group[0].orient, pos, start, end))
        i = j
    return out


def _positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if out and value - out[-1] <= SNAP:
            continue
        out.append(value)
    return out


def _covers(lines: list[Rule], pos: float, lo: float, hi: float) -> bool:
    need = COVER * (hi - lo)
    covered = sum(max(0.0, min(r.end, hi) - max(r.start, lo)) for r in lines if abs(r.pos - pos) <= SNAP)
    return covered >= need


def _grid(hs: list[Rule], vs: list[Rule]) -> RuledTable | None:
    xs = _positions([r.pos for r in vs])
    ys = _positions([r.pos for r in hs])
    # Open sides: a table drawn without its outer verticals (or top and bottom lines) still ends where its
    # other lines end.
    left, right = min(r.start for r in hs), max(r.end for r in hs)
    top, bottom = min(r.start for r in vs), max(r.end for r in vs)
    if left < xs[0] - OUTER:
        xs.insert(0, left)
    if right > xs[-1] + OUTER:
        xs.append(right)
    if top < ys[0] - OUTER:
        ys.insert(0, top)
    if bottom > ys[-1] + OUTER:
        ys.append(bottom)
    rows, cols = len(ys) - 1, len(xs) - 1
    if rows < 1 or cols < 1:
        return None
    parent = {(r, c): (r, c) for r in range(rows) for c in range(cols)}

    def find(sq: tuple[int, int]) -> tuple[int, int]:
        while parent[sq] != sq:
            parent[sq] = parent[parent[sq]]
            sq = parent[sq]
        return sq

    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols and not _covers(vs, xs[c + 1], ys[r], ys[r + 1]):
                parent[find((r, c + 1))] = find((r, c))
            if r + 1 < rows and not _covers(hs, ys[r + 1], xs[c], xs[c + 1]):
                parent[find((r + 1, c))] = find((r, c))
    members: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for sq in parent:
        members.setdefault(find(sq), set()).add(sq)
    if len(members) < 2:
        return None  # a frame around text, not a table
    cells: list[GridCell] = []
    at: dict[tuple[int, int], GridCell] = {}
    for squares in members.values():
        r0, r1 = min(r for r, _ in squares), max(r for r, _ in squares)
        c0, c1 = min(c for _, c in squares), max(c for _, c in squares)
        cell = GridCell(r0, c0, r1 - r0 + 1, c1 - c0 + 1, (xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]), squares)
        cells.append(cell)
        for sq in squares:
            at[sq] = cell
    cells.sort(key=lambda c: (c.row, c.col))
    if max(sum(1 for c in cells if c.row <= r < c.row + c.rowspan) for r in range(rows)) < 2:
        return None  # one column: boxes around paragraphs (WPS frames text so), not a table
    return RuledTable(xs, ys, cells, at)
