"""Word files written with python-docx from a small model of blocks (paragraphs, tables of spanning cells).

A table is given as HTML gives it (a row lists the cells that start in it) and written with merged cells
(``vMerge``, ``gridSpan``). A table can be split as Word's users split them: cut by a page break and a 续表
paragraph, the continuation repeating the header rows, a merged cell the cut runs through cut in two. The Word
reader's tests build their files with this; the corpus (rendering ``docx``) writes its reports with it.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass, field, replace

from . import render
from .originals import blocks_of
from .originals import place as _place


@dataclass
class Cell:
    runs: list[str] = field(default_factory=list)
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    rows: list[list[Cell]]  # as in HTML: a row lists the cells that start in it, spanned places are skipped


@dataclass
class Para:
    runs: list[str]
    page_break: bool = False  # a page break before the runs, in the same paragraph


Block = Para | Table


def place(table: Table) -> tuple[list[tuple[int, int, Cell]], int]:
    """Each cell's (row, column) on the grid, HTML's way; and the grid's width."""
    placed = _place(table.rows)
    return placed, max(c + cell.colspan for _, c, cell in placed)


def build_docx(blocks: list[Block], header: list[str] = (), footer: list[str] = (),
               footer_table: list[list[str]] | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.table import _Cell

    doc = Document()
    for block in blocks:
        if isinstance(block, Para):
            p = doc.add_paragraph()
            if block.page_break:
                p.add_run().add_break(WD_BREAK.PAGE)
            for run in block.runs:
                p.add_run(run)
            continue
        placed, width = place(block)
        table = doc.add_table(rows=len(block.rows), cols=width)
        # Merged as Word writes them, on the fresh grid's w:tc elements: python-docx's merge() walks the whole table
        # for every cell it names, which made a report's Word file take a quarter of a second.
        tcs = [list(tr.tc_lst) for tr in table._tbl.tr_lst]
        for r, c, cell in placed:
            for dr in range(cell.rowspan):
                tc = tcs[r + dr][c]
                for dc in range(1, cell.colspan):
                    tc._add_width_of(tcs[r + dr][c + dc])
                    tc.getparent().remove(tcs[r + dr][c + dc])
                if cell.colspan > 1:
                    tc.grid_span = cell.colspan
                if cell.rowspan > 1:
                    tc.vMerge = "restart" if dr == 0 else "continue"
            paragraph = _Cell(tcs[r][c], table).paragraphs[0]
            for run in cell.runs:
                paragraph.add_run(run)
    section = doc.sections[0]
    for part, texts in ((section.header, header), (section.footer, footer)):
        for text in texts:
            part.add_paragraph(text)
    if footer_table:
        t = section.footer.add_table(rows=len(footer_table), cols=len(footer_table[0]), width=section.page_width)
        for r, row in enumerate(footer_table):
            for c, text in enumerate(row):
                t.cell(r, c).text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def split_table(blocks: list[Block], which: int, after_row: int, header_rows: int, retype: bool = False) -> list[Block]:
    """Table number `which` (0-based) cut before row `after_row` by a page break and a 续表 paragraph; the
    continuation repeats the first `header_rows` rows, as Word's 'repeat header rows' prints them. A merged cell
    the cut runs through is cut in two: its lower part a new cell, empty (as Word's Split Table leaves it) or,
    with `retype`, with the label typed again."""
    tables = [i for i, b in enumerate(blocks) if isinstance(b, Table)]
    i = tables[which]
    placed, _ = place(blocks[i])
    assert not [c for r, _, c in placed if r < header_rows < r + c.rowspan], "a merged cell would cross the header"
    first: list[list[Cell]] = [[] for _ in range(after_row)]
    rest: list[list[tuple[int, Cell]]] = [[] for _ in range(len(blocks[i].rows) - after_row)]
    for r, c, cell in placed:
        if r >= after_row:
            rest[r - after_row].append((c, cell))
        elif r + cell.rowspan <= after_row:
            first[r].append(cell)
        else:
            first[r].append(replace(cell, rowspan=after_row - r))
            rest[0].append((c, Cell(cell.runs if retype else [], r + cell.rowspan - after_row, cell.colspan)))
    continued = [[cell for _, cell in sorted(row, key=lambda x: x[0])] for row in rest]
    return [*blocks[:i], Table(first), Para(["续表"], page_break=True), Table(blocks[i].rows[:header_rows] + continued),
            *blocks[i + 1:]]


# ---------------------------------------------------------------- a generated report as a Word file


def _deterministic(data: bytes) -> bytes:
    """The package with its members' times fixed: zipfile stamps each member with the clock (python-docx writes
    them so), and the corpus is the same bytes for the same seed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), src.read(info),
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _runs(rng: random.Random, text: str) -> list[str]:
    """Word keeps a paragraph's text in runs cut wherever the typist's formatting changed."""
    out, i = [], 0
    while i < len(text):
        n = rng.randint(2, 12)
        out.append(text[i:i + n])
        i += n
    return out


def render_docx(doc: render.Doc, rng: random.Random) -> tuple[bytes, str, dict]:
    """The report's blocks; the applications table (or now and then the proactive one) split by a 续表 paragraph
    in some files; a header and a footer with figures in some (the reader never reads them)."""
    blocks: list[Block] = []
    specs = []
    for b in blocks_of(doc):
        if b.table is None:
            blocks.append(Para(_runs(rng, b.text)))
            continue
        specs.append(b.table)
        blocks.append(Table([[Cell(_runs(rng, s.text) if s.text else [], s.rowspan, s.colspan) for s in row]
                             for row in b.table.rows]))
    split = None
    if specs and rng.random() < 0.5:
        which = next(k for k, s in enumerate(specs) if s.name == "applications")
        if rng.random() < 0.25:
            which = next(k for k, s in enumerate(specs) if s.name == "proactive")
        spec = specs[which]
        after = rng.randrange(spec.header_rows + 1, len(spec.rows))
        retype = rng.random() < 0.5
        blocks = split_table(blocks, which, after, spec.header_rows, retype)
        split = {"table": spec.name, "before_row": after, "retyped": retype}
    header = [doc.running_header] if rng.random() < 0.4 else []
    footer = [rng.choice(("第 1 页 共 5 页", "- 1 -", "1"))] if rng.random() < 0.6 else []
    data = _deterministic(build_docx(blocks, header, footer))
    return data, "utf-8", {"split": split, "header_footer": bool(header or footer)}
