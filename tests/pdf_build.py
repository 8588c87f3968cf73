"""Report PDFs drawn with reportlab for the PDF reader's tests: paragraphs, and tables ruled or laid out by position.

A tiny layout engine, so that the tests know where every cell was drawn (page, box) and can check the Origin the
reader gives back. Text is in the CID font STSong-Light (no font file: PDF readers map its codes through Adobe's
GB1 CMap). Coordinates are kept as the reader gives them, points from the page's top left; reportlab's y runs up.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
W, H = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 72.0, 770.0
BODY, TABLE, PAD = 11.0, 8.0, 4.0
ASCENT = 0.75  # STSong-Light's ascent: a text box [top, top + size] has its baseline at top + 0.75 size

Box = tuple[float, float, float, float]


@dataclass
class Spec:
    """A table cell as a web page writes it: text, spans, and the canonical cell it states (for Origin checks)."""

    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    key: tuple[str, str, str] | None = None
    align: str = "left"  # figures are centred


@dataclass
class TableSpec:
    widths: list[float]
    rows: list[list[Spec]]
    header_rows: int = 0  # drawn again on the page a table goes on to
    break_before: int | None = None  # a page break before this row (a table broken over a page)


@dataclass
class Drawn:
    page: int
    cell: Box  # the cell's box (its part on this page)
    text: Box  # the box of its first line of text


def width(text: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, FONT, size)


def wrap(text: str, room: float, size: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and width(cur + ch, size) > room:
            lines.append(cur)
            cur = ""
        cur += ch
    return [*lines, cur] if cur or not lines else lines


@dataclass
class Doc:
    ruled: bool
    page_numbers: bool = True
    buf: io.BytesIO = field(default_factory=io.BytesIO)
    page: int = 1
    y: float = TOP
    drawn: dict[tuple[str, str, str], Drawn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.c = canvas.Canvas(self.buf, pagesize=(W, H))

    def put(self, text: str, x: float, top: float, size: float) -> Box:
        self.c.setFont(FONT, size)
        self.c.drawString(x, H - top - ASCENT * size, text)
        return (x, top, x + width(text, size), top + size)

    def new_page(self) -> None:
        if self.page_numbers:
            label = f"- {self.page} -"
            self.put(label, (W - width(label, 9)) / 2, 800, 9)
        self.c.showPage()
        self.page += 1
        self.y = TOP

    def paragraph(self, text: str, size: float = BODY, indent: bool = True, align: str = "left") -> None:
        pitch = 1.6 * size
        first = 2 * size if indent and align == "left" else 0.0
        lines = wrap(text, RIGHT - LEFT - first, size)
        if len(lines) > 1:
            lines = lines[:1] + wrap("".join(lines[1:]), RIGHT - LEFT, size)
        for k, line in enumerate(lines):
            if self.y + size > BOTTOM:
                self.new_page()
            if align == "center":
                x = (W - width(line, size)) / 2
            elif align == "right":
                x = RIGHT - width(line, size)
            else:
                x = LEFT + (first if k == 0 else 0.0)
            self.put(line, x, self.y, size)
            self.y += pitch
        self.y += 0.3 * size

    def table(self, spec: TableSpec) -> None:
        grid = _place(spec)
        xs = [LEFT]
        for w in spec.widths:
            xs.append(xs[-1] + w)
        heights = _heights(spec, grid, xs)
        pages: list[list[tuple[int, float]]] = [[]]  # per page part: (row, top)
        y = self.y
        r = 0
        while r < len(spec.rows):
            if y + heights[r] > BOTTOM or (r == spec.break_before and pages[-1]):
                self._draw_part(spec, grid, xs, heights, pages[-1])
                self.new_page()
                pages.append([])
                y = self.y
                for h in range(spec.header_rows):  # the header again, as word processors repeat it
                    pages[-1].append((h, y))
                    y += heights[h]
            pages[-1].append((r, y))
            y += heights[r]
            r += 1
        self._draw_part(spec, grid, xs, heights, pages[-1])
        self.y = y + BODY

    def _draw_part(self, spec, grid, xs, heights, part: list[tuple[int, float]]) -> None:
        if not part:
            return
        top_of = dict(part)
        repeated = len(part) > 1 and part[0][0] == 0 and part[-1][0] != len(part) - 1
        for (r, c), cell in grid.items():
            if (r, c) != (cell[1], cell[2]):
                continue
            spec_cell, r0, c0 = cell
            rows = [rr for rr in range(r0, r0 + spec_cell.rowspan) if rr in top_of]
            if repeated and r0 < spec.header_rows:
                rows = [rr for rr in rows if rr < spec.header_rows]
            if not rows:
                continue
            box = (xs[c0], top_of[rows[0]], xs[c0 + spec_cell.colspan], top_of[rows[-1]] + heights[rows[-1]])
            if self.ruled:
                self.c.setLineWidth(0.5)
                self.c.rect(box[0], H - box[3], box[2] - box[0], box[3] - box[1], stroke=1, fill=0)
            if rows[0] != r0 or not spec_cell.text:
                continue  # the rest of a cell from the page before: an empty box
            text_box = self._cell_text(spec_cell, box, heights[r0])
            if spec_cell.key is not None:
                self.drawn[spec_cell.key] = Drawn(self.page, box, text_box)

    def _cell_text(self, cell: Spec, box: Box, first_row_height: float) -> Box:
        lines = wrap(cell.text, box[2] - box[0] - 2 * PAD, TABLE)
        pitch = 1.2 * TABLE
        block = (len(lines) - 1) * pitch + TABLE
        # Ruled: centred in the cell, as Word and WPS set them. By position alone a cell spanning rows stands at the
        # top of its first row, else it would float among the rows it spans.
        span = box[3] - box[1] if self.ruled or cell.rowspan == 1 else first_row_height
        top = box[1] + max(PAD, (span - block) / 2)
        first: Box | None = None
        for k, line in enumerate(lines):
            w = width(line, TABLE)
            x = box[0] + PAD if cell.align == "left" else (box[0] + box[2] - w) / 2
            drawn = self.put(line, x, top + k * pitch, TABLE)
            first = first or drawn
        assert first is not None
        return first

    def bytes(self) -> bytes:
        if self.page_numbers:
            label = f"- {self.page} -"
            self.put(label, (W - width(label, 9)) / 2, 800, 9)
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def _place(spec: TableSpec) -> dict[tuple[int, int], tuple[Spec, int, int]]:
    """Grid squares → (cell, its first row, its first column), spans expanded as a browser does."""
    grid: dict[tuple[int, int], tuple[Spec, int, int]] = {}
    for r, row in enumerate(spec.rows):
        c = 0
        for cell in row:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = (cell, r, c)
            c += cell.colspan
    return grid


def _heights(spec: TableSpec, grid, xs: list[float]) -> list[float]:
    pitch = 1.2 * TABLE
    heights = [TABLE + 2 * PAD] * len(spec.rows)
    for (r, c), (cell, r0, c0) in grid.items():
        if (r, c) == (r0, c0) and cell.rowspan == 1:
            n = len(wrap(cell.text, xs[c0 + cell.colspan] - xs[c0] - 2 * PAD, TABLE))
            heights[r] = max(heights[r], (n - 1) * pitch + TABLE + 2 * PAD)
    for (r, c), (cell, r0, c0) in grid.items():
        if (r, c) == (r0, c0) and cell.rowspan > 1:
            n = len(wrap(cell.text, xs[c0 + cell.colspan] - xs[c0] - 2 * PAD, TABLE))
            need = (n - 1) * pitch + TABLE + 2 * PAD
            last = r0 + cell.rowspan - 1
            heights[last] += max(0.0, need - sum(heights[r0:last + 1]))
    return heights
