"""Word files made in the tests with python-docx, from a small model of blocks (paragraphs, tables of spanning cells).

The samples' Word files are the very content of their web pages in test_formats_html.py (built there from the
hand-read tables, not from the parser's output), carried over block by block: a page's ``<p>`` becomes a
paragraph with the same runs, a ``<td rowspan colspan>`` a merged cell (``vMerge``, ``gridSpan``). So the label
texts and table shapes are written once, and a Word file and a page of the same report must give the same cells.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field, replace

from docx import Document
from docx.enum.text import WD_BREAK
from lxml import etree
from test_formats_html import _sample_page


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
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            taken |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return placed, max(c for _, c in taken) + 1


def build_docx(blocks: list[Block], header: list[str] = (), footer: list[str] = (),
               footer_table: list[list[str]] | None = None) -> bytes:
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
        for r, c, cell in placed:  # merge first: python-docx moves the merged cells' paragraphs into the first
            if cell.rowspan > 1 or cell.colspan > 1:
                table.cell(r, c).merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        grid = [row.cells for row in table.rows]  # once: each table.cell() call walks the whole table
        for r, c, cell in placed:
            paragraph = grid[r][c].paragraphs[0]
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


# ------------------------------------------------------------------------------------------ from a web page


def _runs(el: etree._Element) -> list[str]:
    """A Word-exported block's runs (its <span>/<font> children), blank ones (<o:p>&nbsp;</o:p>) left out."""
    texts = ("".join(child.itertext()) for p in el.iter("p") for child in p if child.tag in ("span", "font"))
    return [t for t in texts if t.strip(" \xa0\n")]


def blocks_from_html(page: bytes) -> list[Block]:
    """The article's paragraphs and tables (its <div id="zoomcon">), without the page's chrome."""
    body = etree.HTML(page).find(".//div[@id='zoomcon']")
    blocks: list[Block] = []
    for el in body:
        if el.tag == "p":
            blocks.append(Para(_runs(el)))
        elif el.tag == "table":
            blocks.append(Table([[Cell(_runs(td), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
                                  for td in tr.iter("td")] for tr in el.iter("tr")]))
    return blocks


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


# The applications table: 3 header rows, then 新收 and 结转; the cut falls before 三、本年度办理结果.
APPLICATIONS_HEADER_ROWS = 3
APPLICATIONS_CUT = 5


def sample_blocks(name: str, split: bool = True) -> list[Block]:
    blocks = blocks_from_html(_sample_page(name))
    if split and sum(isinstance(b, Table) for b in blocks) == 3:
        blocks = split_table(blocks, 1, APPLICATIONS_CUT, APPLICATIONS_HEADER_ROWS)
    return blocks


SAMPLE_HEADER = ["某市人民政府 政务公开 2024 首页"]
SAMPLE_FOOTER = ["主办：某市人民政府办公室 电话：0527-83593059", "第 1 页 共 3 页"]
SAMPLE_FOOTER_TABLE = [["网站标识码", "3213220037"], ["ICP备", "12345678号"]]


def sample_docx(name: str, split: bool = True) -> bytes:
    """Sample `name` (a file of ../shared/seeds/) as a Word file, with a header and footer full of figures."""
    return build_docx(sample_blocks(name, split), SAMPLE_HEADER, SAMPLE_FOOTER, SAMPLE_FOOTER_TABLE)


# ------------------------------------------------------------------------------------------ raw WordprocessingML

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/></Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/></Relationships>"""
MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def docx_of_body(body: str, ns: str = W_NS, main_type: str = MAIN_TYPE,
                 rel: str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships") -> bytes:
    """The smallest package Word's readers accept around `body` (the XML inside <w:body>, prefix w:), for the
    elements python-docx has no API to write: tracked changes, fields, content controls, legacy merges."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{ns}" '
                'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                'xmlns:v="urn:schemas-microsoft-com:vml" '
                'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
                f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.format(main=main_type))
        z.writestr("_rels/.rels", _RELS.format(rel=rel))
        z.writestr("word/document.xml", document)
    return out.getvalue()


def p(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs) + "</w:p>"


def tc(text: str = "", span: int = 1, v_merge: str | None = None) -> str:
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + (
        "" if v_merge is None else "<w:vMerge/>" if v_merge == "continue" else f'<w:vMerge w:val="{v_merge}"/>')
    return f"<w:tc>{f'<w:tcPr>{pr}</w:tcPr>' if pr else ''}{p(text) if text else '<w:p/>'}</w:tc>"


def tbl(*rows: str) -> str:
    return "<w:tbl>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"
