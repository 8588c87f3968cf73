"""The report as it is published besides text: a web page, a Word file, a PDF (renderings ``html_page``, ``docx``,
``pdf``; files ``NNNNN_<rendering>.html|docx|pdf``).

The three tables of a :class:`~pipelines.corpus.render.Tables` become grids of spanning cells (:class:`Spec`), the
State Council's form as publishers draw it: the applications table's three header rows, 三、本年度办理结果 and the
group labels spanning their rows, one-measure blocks whose header and figure span the value columns. Each format
draws the same grids (originals_html.py, originals_docx.py, originals_pdf.py), so the cells are the text
renderings' cells: blanks stay blank, both layouts, the narrative without tables.

Everything a format decides (markup, ruling, a split table, chrome) is drawn from the rng it is given, which the
generator keeps apart from the report's own draws.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .noise import Style
from .render import AppRow, Doc, Tables

ORIGINALS = ("html_page", "docx", "pdf")
EXTENSIONS = {"html_page": ".html", "docx": ".docx", "pdf": ".pdf"}


@dataclass
class Spec:
    """A table cell as a web page writes it: text, spans, and the canonical cell it states (None for labels)."""

    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    key: tuple[str, str, str] | None = None
    align: str = "left"  # figures and headers are centred


@dataclass
class TableSpec:
    widths: list[float]  # points, as a PDF draws the columns
    rows: list[list[Spec]]  # as in HTML: a row lists the cells that start in it, spanned places are skipped
    header_rows: int = 0  # drawn again on the page a table goes on to
    break_before: int | None = None  # a page break before this row (a table broken over a page)
    name: str = ""  # proactive | applications | reviews
    left: float | None = None  # where a PDF draws the table's left edge (None: the page's margin)


def place(rows: list[list[Spec]]) -> list[tuple[int, int, Spec]]:
    """Each cell's (row, column) on the grid, HTML's way (a cell goes to the first square no span above took)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return out


def grid_width(rows: list[list[Spec]]) -> int:
    return max((c + cell.colspan for _, c, cell in place(rows)), default=0)


# ---------------------------------------------------------------- the three tables


def _head(text: str, **kw) -> Spec:
    return Spec(text, align="center", **kw)


def _value(cell, colspan: int = 1) -> Spec:
    return Spec(cell.text, colspan=colspan, key=tuple(cell.key) if cell.text else None, align="center")


def proactive_spec(t: Tables) -> TableSpec:
    rows: list[list[Spec]] = []
    for b in t.proactive:
        rows.append([_head(b.heading, colspan=4)])
        wide = 4 - len(b.header) + 1  # fewer measures: the last header and figure span the value columns left
        rows.append([_head(h, colspan=wide if k == len(b.header) - 1 else 1) for k, h in enumerate(b.header)])
        for r in b.rows:
            rows.append([Spec(r.label)] + [_value(c, wide if k == len(r.cells) - 1 else 1) for k, c in enumerate(r.cells)])
    return TableSpec([163.0, 96.0, 96.0, 96.0], rows, name="proactive")


def _label_cells(r: AppRow, apps: list[AppRow], i: int) -> list[Spec]:
    if r.level == "top":
        return [Spec(r.label, colspan=3)]
    out = []
    if r.section_label:  # 三、本年度办理结果, down to （七）总计
        end = next(k for k in range(i, len(apps)) if apps[k].key == "total")
        out.append(Spec(r.section_label, rowspan=end - i + 1))
    if r.level == "sub":
        return [*out, Spec(r.label, colspan=2)]
    if r.group_first and r.group_label:
        size = 1
        while i + size < len(apps) and apps[i + size].level == "item" and not apps[i + size].group_first:
            size += 1
        out.append(Spec(r.group_label, rowspan=size))
    return [*out, Spec(r.label)]


APPLICATIONS_HEADER_ROWS = 3


def applications_spec(t: Tables) -> TableSpec:
    rows = [[_head(t.app_note, rowspan=3, colspan=3), _head(t.app_applicant, colspan=7)],
            [_head(t.app_natural, rowspan=2), _head(t.app_legal, colspan=5), _head(t.app_total, rowspan=2)],
            [_head(o) for o in t.app_orgs]]
    for i, r in enumerate(t.apps):
        rows.append(_label_cells(r, t.apps, i) + [_value(c) for c in r.cells])
    return TableSpec([50.0, 50.0, 71.0] + [40.0] * 7, rows, header_rows=APPLICATIONS_HEADER_ROWS, name="applications")


def reviews_spec(t: Tables) -> TableSpec:
    outs = list(t.rev_outcomes)
    rows = [[_head("行政复议", colspan=5), _head("行政诉讼", colspan=10)],
            [_head(o, rowspan=2) for o in outs] + [_head("未经复议直接起诉", colspan=5), _head("复议后起诉", colspan=5)],
            [_head(o) for o in outs * 2],
            [_value(c) for c in t.reviews]]
    return TableSpec([451.0 / 15] * 15, rows, header_rows=3, name="reviews")


SPECS = {"proactive": proactive_spec, "applications": applications_spec, "reviews": reviews_spec}


# ---------------------------------------------------------------- the report's blocks


@dataclass
class Block:
    kind: str  # title | heading | para | table | signature
    text: str = ""
    table: TableSpec | None = None


def blocks_of(doc: Doc) -> list[Block]:
    """The report in reading order. The breadcrumb above a title (title_year_first) is a web page's: the page
    draws it among its chrome, the other formats leave it out."""
    out = [Block("title", line) for line in doc.title]
    for kind, text in doc.blocks:
        if kind == "table":
            assert doc.tables is not None
            out.append(Block("table", table=SPECS[text](doc.tables)))
        else:
            out.append(Block(kind, text))
    return out + [Block("signature", line) for line in doc.signature]


def render_original(doc: Doc, style: Style, rng: random.Random, rendering: str,
                    published_on: str | None) -> tuple[bytes, str | None, dict]:
    """The file's bytes, its text encoding (a page's charset; None for a PDF) and what the format drew."""
    if rendering == "html_page":
        from .originals_html import render_page

        return render_page(doc, style, rng, published_on)
    if rendering == "docx":
        from .originals_docx import render_docx

        return render_docx(doc, rng)
    if rendering == "pdf":
        from .originals_pdf import render_pdf

        return render_pdf(doc, rng)
    raise ValueError(f"not a format of originals: {rendering}")
