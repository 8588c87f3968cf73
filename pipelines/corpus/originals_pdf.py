"""Report PDFs drawn with reportlab: paragraphs, and tables ruled or laid out by position alone.

A tiny layout engine, so that whoever draws knows where every cell went (page, box): the PDF reader's tests check
the Origin the reader gives back, the corpus (pipelines.corpus.originals) draws its reports with it. Text is in the
CID font STSong-Light (no font file: PDF readers map its codes through Adobe's GB1 CMap). Coordinates are kept as
the reader gives them, points from the page's top left; reportlab's y runs up.

reportlab is a development dependency: it is imported when the first PDF is drawn, never with this module.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field, replace
from functools import cache

from . import render
from .originals import Spec, TableSpec, blocks_of, place

FONT = "STSong-Light"
W, H = 595.0, 842.0
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 72.0, 770.0
BODY, TABLE, PAD = 11.0, 8.0, 4.0
ASCENT = 0.75  # STSong-Light's ascent: a text box [top, top + size] has its baseline at top + 0.75 size

Box = tuple[float, float, float, float]

__all__ = ["BOTTOM", "LEFT", "RIGHT", "TOP", "Doc", "Drawn", "Spec", "TableSpec", "width", "wrap"]


@cache
def _reportlab():
    """reportlab's metrics and canvas, the CID font registered (once)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return pdfmetrics, canvas


@dataclass
class Drawn:
    page: int
    cell: Box  # the cell's box (its part on this page)
    text: Box  # the box of its first line of text


@cache
def _char_width(ch: str, size: float) -> float:
    return _reportlab()[0].stringWidth(ch, FONT, size)


def width(text: str, size: float) -> float:
    return sum(_char_width(ch, size) for ch in text)


def wrap(text: str, room: float, size: float) -> list[str]:
    lines, cur, w = [], "", 0.0
    for ch in text:
        cw = _char_width(ch, size)
        if cur and w + cw > room:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    return [*lines, cur] if cur or not lines else lines


@dataclass
class Doc:
    ruled: bool
    page_numbers: bool = True
    running_header: str | None = None  # drawn above the body on every page
    page_label: str = "- {n} -"
    buf: io.BytesIO = field(default_factory=io.BytesIO)
    page: int = 1
    y: float = TOP
    drawn: dict[tuple[str, str, str], Drawn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # invariant: no creation date or random document id, so the same drawing is the same bytes
        self.c = _reportlab()[1].Canvas(self.buf, pagesize=(W, H), invariant=1)
        self._head()

    def _head(self) -> None:
        if self.running_header:
            self.put(self.running_header, LEFT, TOP - 40, 9)

    def put(self, text: str, x: float, top: float, size: float) -> Box:
        self.c.setFont(FONT, size)
        # PDFium drops a text object whose box has no width (cpdf_textpage.cpp, ProcessTextObject); without a CJK
        # font on the machine it draws STSong-Light's glyphs from a fallback that has none, so one character alone
        # (a ０, the 开 a label wraps to) would have an empty box and vanish. A trailing space gives the box its
        # width, as the glyph of the embedded font a word processor writes would: nothing visible is added.
        drawn = text + " " if len(text) == 1 and not text.isascii() else text
        self.c.drawString(x, H - top - ASCENT * size, drawn)
        return (x, top, x + width(text, size), top + size)

    def _foot(self) -> None:
        if self.page_numbers:
            label = self.page_label.format(n=self.page)
            self.put(label, (W - width(label, 9)) / 2, 800, 9)

    def new_page(self) -> None:
        self._foot()
        self.c.showPage()
        self.page += 1
        self.y = TOP
        self._head()

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
        grid = _grid(spec)
        xs = [LEFT if spec.left is None else spec.left]
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
        self._foot()
        self.c.showPage()
        self.c.save()
        return self.buf.getvalue()


def _grid(spec: TableSpec) -> dict[tuple[int, int], tuple[Spec, int, int]]:
    """Grid squares → (cell, its first row, its first column), spans expanded as a browser does."""
    grid: dict[tuple[int, int], tuple[Spec, int, int]] = {}
    for r, c, cell in place(spec.rows):
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                grid[(r + dr, c + dc)] = (cell, r, c)
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


# ---------------------------------------------------------------- a generated report as a PDF


def _fit(spec: TableSpec) -> TableSpec:
    """Value columns wide enough for their figures on one line (a figure wrapped in two is no report's); the label
    columns of the applications table give up the room, a table wider than the page's body is centred."""
    widths = list(spec.widths)
    for _, c, cell in place(spec.rows):
        if cell.key is not None and cell.colspan == 1:
            widths[c] = max(widths[c], width(cell.text, TABLE) + 2 * PAD + 1)
    over = sum(widths) - (RIGHT - LEFT)
    if over > 0 and spec.name == "applications":
        labels = sum(widths[:3])
        keep = max(120.0, labels - over) / labels
        widths[:3] = [w * keep for w in widths[:3]]
    total = sum(widths)
    left = None if total <= RIGHT - LEFT + 0.01 else max(10.0, (W - total) / 2)
    return replace(spec, widths=widths, left=left)


def render_pdf(doc: render.Doc, rng: random.Random) -> tuple[bytes, None, dict]:
    """A report as a word processor prints it: ruled tables (broken over a page, the header repeated) or tables
    laid out by position alone; page numbers, now and then a running header."""
    ruled = rng.random() < 0.6
    pdf = Doc(ruled, page_numbers=rng.random() < 0.8,
              running_header=doc.running_header if rng.random() < 0.25 else None,
              page_label=rng.choice(("- {n} -", "- {n} -", "—{n}—", "第 {n} 页", "{n}")))
    title_size = rng.choice((16.0, 18.0))
    heading_indent = rng.random() < 0.7
    over_pages: list[str] = []
    forced: int | None = None
    for b in blocks_of(doc):
        if b.kind == "title":
            pdf.paragraph(b.text, size=title_size, indent=False, align="center")
        elif b.kind == "heading":
            pdf.paragraph(b.text, indent=heading_indent)
        elif b.kind == "para":
            pdf.paragraph(b.text)
        elif b.kind == "signature":
            pdf.paragraph(b.text, indent=False, align="right")
        else:
            assert b.table is not None
            spec = _fit(b.table)
            if ruled and spec.name == "applications" and rng.random() < 0.5:
                forced = rng.randrange(spec.header_rows + 1, len(spec.rows) - 1)
                spec = replace(spec, break_before=forced)
            start = pdf.page
            pdf.table(spec)
            if pdf.page > start:
                over_pages.append(spec.name)
    data = pdf.bytes()
    return data, None, {"ruled": ruled, "pages": pdf.page, "tables_over_pages": over_pages, "break_before_row": forced,
                        "running_header": pdf.running_header is not None}
