"""Table rows to the lines the text path reads: the web page reader's rendering, so one grid mapping serves both.

Each cell is a line ``text |`` (an empty cell a bare ``|``) and each row ends with ``||||``. A label cell spanning
rows or columns appears once, on its first row; a value cell spanning k columns is its text then k-1 empty cells,
so the cells after it keep their columns (see html.py). One thing more than a web page needs: an empty cell left
of every figure of its table says nothing and is left out. On paper a label spanning rows that goes on over a page
break is drawn again as an empty box on the next page; kept, it would read as a blank first figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract.formats.html import ROW_BREAK, clean
from pipelines.extract.formats.pdf_flow import is_value
from pipelines.extract.formats.pdf_ruled import RuledTable
from pipelines.extract.formats.pdf_text import text_of
from pipelines.extract.report import Origin

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class OutCell:
    text: str
    page: int
    bbox: Box | None  # the ruled cell's box, or the text's where no lines are drawn
    pad: bool = False  # the k-1 empty cells after a value spanning k columns (they point at nothing)


def cell_text(chars: list) -> str:
    return clean(text_of(chars)).replace("|", "¦")  # a bar inside a cell would split it


def ruled_rows(table: RuledTable, page: int) -> list[list[OutCell]]:
    texts = {id(cell): cell_text(cell.chars) for cell in table.cells}
    rows: list[list[OutCell]] = []
    for r in range(len(table.ys) - 1):
        out: list[OutCell] = []
        for c in range(len(table.xs) - 1):
            cell = table.at.get((r, c))
            if cell is None:
                continue
            text = texts[id(cell)]
            if (r, c) == min(cell.squares):
                out.append(OutCell(text, page, cell.bbox))
            elif not text or is_value(text):
                out.append(OutCell("", page, cell.bbox, pad=True))
        rows.append(out)
    return rows


def row_key(row: list[OutCell]) -> tuple[str, ...]:
    """What a repeated header row is recognised by on the next page: its texts."""
    return tuple(c.text for c in row if not c.pad)


def render_rows(rows: list[list[OutCell]]) -> list[tuple[str, Origin | None]]:
    figures = [c.bbox[0] for row in rows for c in row if c.bbox is not None and not c.pad and is_value(c.text) and c.text]
    first_figure = min(figures, default=None)
    out: list[tuple[str, Origin | None]] = []
    for row in rows:
        kept = [c for c in row if c.text or c.bbox is None or first_figure is None or c.bbox[2] > first_figure + 2]
        if not any(c.text for c in kept):
            continue  # a row of nothing but empty cells (spacer rows, the rest of a label from the page before)
        for c in kept:
            origin = None if c.pad else Origin(page=c.page, bbox=c.bbox)
            out.append((f"{c.text} |" if c.text else "|", origin))
        out.append((ROW_BREAK, None))
    return out
