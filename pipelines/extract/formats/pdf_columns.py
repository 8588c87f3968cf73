"""A table without ruling lines to rows of cells: rows from vertical positions, columns from the figures.

Rows: a visual line with figures is a row. A label wrapped over lines set tight together makes one row with its
figures (vertically centred figures stand beside a middle line or between two): lines join while they stay in the
label columns (left of every figure of the table), bring no second line of figures, and start no new label, that
is no numbered line (（二）…, 3.…) under a label of the row. A numbered group label in another column (（六）其他处理
beside a long label's middle line) is the row's. Cells: chunks of a row's lines that overlap horizontally are one
cell, read top down.

Columns, per block (a block is its header lines and the rows under them, until the next header): the figures
that overlap horizontally are one column. Header words right of the labels that stand over no figure column add a
column, narrowest first, so a column blank in every row (000's applicant columns) still has its place, while a
header over several columns (法人或其他组织) adds none. In a row, a figure goes to the column it overlaps most, and
a column with nothing in it is an empty cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract.formats.html import clean
from pipelines.extract.formats.pdf_flow import _NUMBERED, FlowLine, is_value
from pipelines.extract.formats.pdf_grid import Box, OutCell
from pipelines.extract.formats.pdf_text import Line, join_lines


@dataclass
class _Cell:
    text: str
    bbox: Box

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def x1(self) -> float:
        return self.bbox[2]


@dataclass
class _Row:
    lines: list[FlowLine]
    page: int
    cells: list[_Cell] | None = None

    @property
    def has_values(self) -> bool:
        return any(fl.values for fl in self.lines)


def positioned_rows(lines: list[FlowLine]) -> list[list[OutCell]]:
    rows = _rows(lines)
    for row in rows:
        row.cells = _cells(row)
    out: list[list[OutCell]] = []
    for block in _blocks(rows):
        out.extend(_render_block(block))
    return out


def _rows(lines: list[FlowLine]) -> list[_Row]:
    # Where the labels end: left of every figure of the table (a header or heading reaches past it).
    labels_end = min((c.x0 for fl in lines for c in fl.chunks if is_value(c.text)), default=float("inf"))
    rows: list[_Row] = []
    for fl in lines:
        cur = rows[-1] if rows else None
        if cur is not None and cur.page == fl.page and _joins(cur, fl, labels_end):
            cur.lines.append(fl)
        else:
            rows.append(_Row([fl], fl.page))
    return rows


def _joins(row: _Row, fl: FlowLine, labels_end: float) -> bool:
    """`fl` belongs to `row`: set tight to it, both in the label columns but for figures, and not a new label."""
    last = row.lines[-1]
    if fl.line.top - last.line.bottom > 0.5 * max(last.line.size, fl.line.size):
        return False
    if fl.values and row.has_values:
        return False  # two lines of figures are two rows
    if any(ln.line.x1 > labels_end + 1 for ln in row.lines if not ln.values):
        return False  # a header or a block heading over the figure columns is a row of its own
    labels = [c for c in fl.chunks if not is_value(c.text)]
    if any(c.x1 > labels_end + 1 for c in labels):
        return False
    above = [c for ln in row.lines for c in ln.chunks if not is_value(c.text)]
    # A numbered label (（二）…, 3.…) under a label of the row starts the next row; one in another column (the
    # group label （六）其他处理 set beside a long label's middle line) is this row's.
    return not any(_NUMBERED.match(c.text) and any(a.x0 < c.x1 and c.x0 < a.x1 for a in above) for c in labels)


def _cells(row: _Row) -> list[_Cell]:
    groups: list[list[tuple[int, Line]]] = []
    for li, chunk in sorted(((li, ch) for li, fl in enumerate(row.lines) for ch in fl.chunks), key=lambda t: t[1].x0):
        home = next((g for g in groups if all(gl != li for gl, _ in g)
                     and any(ch.x0 < chunk.x1 - 1 and chunk.x0 < ch.x1 - 1 for _, ch in g)), None)
        if home is None:
            groups.append([(li, chunk)])
        else:
            home.append((li, chunk))
    cells = []
    for g in groups:
        g.sort(key=lambda t: (t[1].top, t[1].x0))
        text = clean(join_lines([ch.text for _, ch in g])).replace("|", "¦")
        bbox = (min(ch.x0 for _, ch in g), min(ch.top for _, ch in g), max(ch.x1 for _, ch in g),
                max(ch.bottom for _, ch in g))
        cells.append(_Cell(text, bbox))
    return sorted(cells, key=lambda c: c.x0)


def _blocks(rows: list[_Row]) -> list[list[_Row]]:
    """A header (or a heading over the figure columns) after rows of figures starts a block; a row of label alone
    (the first lines of a long label on a new page) does not."""
    figures = [c.x0 for row in rows for c in row.cells or [] if is_value(c.text)]
    labels_end = min(figures, default=float("inf"))
    blocks: list[list[_Row]] = []
    for row in rows:
        heads = not row.has_values and any(c.x1 > labels_end for c in row.cells or [])
        if not blocks or (heads and blocks[-1][-1].has_values):
            blocks.append([row])
        else:
            blocks[-1].append(row)
    return blocks


def _columns(block: list[_Row]) -> list[tuple[float, float]]:
    figures: list[tuple[float, float]] = []
    label_right = float("-inf")
    for row in block:
        if not row.has_values:
            continue
        assert row.cells is not None
        first = next((i for i, c in enumerate(row.cells) if is_value(c.text)), len(row.cells))
        figures.extend((c.x0, c.x1) for c in row.cells[first:] if is_value(c.text))
        label_right = max([label_right] + [c.x1 for c in row.cells[:first]])
    columns: list[tuple[float, float]] = []
    for x0, x1 in sorted(figures):
        if columns and x0 < columns[-1][1] - 0.5:
            columns[-1] = (columns[-1][0], max(columns[-1][1], x1))
        else:
            columns.append((x0, x1))
    headers = [c for row in block if not row.has_values for c in row.cells or [] if c.x0 >= label_right - 1]
    for c in sorted(headers, key=lambda c: c.x1 - c.x0):
        if not any(c.x0 < x1 and x0 < c.x1 for x0, x1 in columns):
            columns.append((c.x0, c.x1))
    return sorted(columns)


def _render_block(block: list[_Row]) -> list[list[OutCell]]:
    columns = _columns(block)
    out: list[list[OutCell]] = []
    for row in block:
        assert row.cells is not None
        if not row.has_values or not columns:
            out.append([OutCell(c.text, row.page, c.bbox) for c in row.cells])
            continue
        labels: list[OutCell] = []
        slots: list[OutCell | None] = [None] * len(columns)
        for c in row.cells:
            overlaps = [min(c.x1, x1) - max(c.x0, x0) for x0, x1 in columns]
            best = max(range(len(columns)), key=lambda k: overlaps[k])
            if overlaps[best] <= 0:
                if c.x1 <= columns[0][0]:
                    labels.append(OutCell(c.text, row.page, c.bbox))
                    continue
                best = min(range(len(columns)), key=lambda k: abs((c.x0 + c.x1) / 2 - sum(columns[k]) / 2))
            held = slots[best]
            slots[best] = OutCell(f"{held.text} {c.text}" if held else c.text, row.page, c.bbox)
        out.append(labels + [s if s is not None else OutCell("", row.page, None) for s in slots])
    return out
