"""A PDF's bytes to the line list the text path reads, as the web page reader renders a page (see html.py).

Per page: the ruling lines make tables (pdf_ruled.py); characters inside a table's cells are its cells' text, the
rest is the page's flow, where tables laid out by position alone and paragraphs are found (pdf_flow.py). Page
furniture (-3-, 第 3 页, a lone number at the foot, a header or footer repeated on most pages) is left out first, so
that a table running over a page break is one table: its rows go on, and the header rows the next page repeats
are dropped. A paragraph broken by the page break is one line again.

Each cell line carries Origin(page, bbox): the ruled cell's box, or the text's box where no lines are drawn; a
paragraph line its first page and the box of its lines there. The rendering has no lines of its own, so values
point at the rendered line (source_lines are None).

Only UndecodableError leaves this module: scanned_pdf (no text layer), unreadable_pdf (not a PDF PDFium can open:
corrupt, encrypted), pdf_too_long (past MAX_PAGES: a compilation, not a report) and pdf_layout_failed (the reader
itself failed on a page it could open; a bug to report, not a property of the file).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from pipelines.extract.decode import UndecodableError
from pipelines.extract.formats.html import clean
from pipelines.extract.formats.pdf_columns import positioned_rows
from pipelines.extract.formats.pdf_flow import FlowLine, Paragraph, PositionedTable, continues, flow_blocks, is_value
from pipelines.extract.formats.pdf_grid import OutCell, render_rows, row_key, ruled_rows
from pipelines.extract.formats.pdf_objects import PageContent, page_content
from pipelines.extract.formats.pdf_ruled import RuledTable, find_tables
from pipelines.extract.formats.pdf_text import join_lines, lines_of
from pipelines.extract.formats.rendered import Rendered
from pipelines.extract.report import Origin

MAX_PAGES = 200  # annual reports run to 5-40 pages
_LOCK = threading.Lock()  # PDFium is not thread-safe
_PAGE_NUMBER = re.compile(r"^[-—–－~\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－~\s]*$"
                          r"|^(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?$", re.I)
_FOOT, _HEAD = 0.85, 0.12  # the share of the page height below/above which furniture stands
_SAME_EDGE = 4.0  # points: the two parts of a table broken over a page have the same left and right edges


def read_pdf(data: bytes) -> Rendered:
    with _LOCK:
        pages = _load(data)
    if not any(p.chars for p in pages):
        raise UndecodableError("scanned_pdf", "no text layer (a scanned PDF); OCR is not done here")
    try:
        lines, origins = _render(pages)
    except Exception as e:  # noqa: BLE001 - the reader's contract: only UndecodableError leaves it
        raise UndecodableError("pdf_layout_failed", f"the PDF reader failed: {type(e).__name__}: {e}") from e
    return Rendered(lines, [None] * len(lines), None, origins)


def _load(data: bytes) -> list[PageContent]:
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if e.err_code == raw.FPDF_ERR_PASSWORD:
            raise UndecodableError("unreadable_pdf", "the PDF is encrypted: it opens only with a password") from e
        raise UndecodableError("unreadable_pdf", f"not a readable PDF: {e}") from e
    except Exception as e:  # noqa: BLE001 - whatever PDFium's binding raises on bytes it cannot take
        raise UndecodableError("unreadable_pdf", f"not a readable PDF: {type(e).__name__}: {e}") from e
    try:
        n = len(doc)
        if n == 0:
            raise UndecodableError("unreadable_pdf", "the PDF has no pages")
        if n > MAX_PAGES:
            raise UndecodableError("pdf_too_long", f"{n} pages; more than {MAX_PAGES} are not read (a compilation?)")
        pages = []
        for i in range(n):
            try:
                pages.append(page_content(doc, i))
            except Exception:  # noqa: BLE001, S112 - a page PDFium cannot load is left out; the others may hold the tables
                continue
        if not pages:
            raise UndecodableError("unreadable_pdf", "no page of the PDF could be loaded")
        return pages
    finally:
        doc.close()


@dataclass
class _RuledPart:
    table: RuledTable
    page: int
    rows: list[list[OutCell]]


@dataclass
class _Ruled:
    parts: list[_RuledPart]


_Block = Paragraph | PositionedTable | _Ruled


def _render(pages: list[PageContent]) -> tuple[list[str], list[Origin | None]]:
    per_page: list[tuple[PageContent, list[RuledTable], list[FlowLine]]] = []
    for page in pages:
        tables = find_tables(page.rules)
        flow = []
        for ch in page.chars:
            cell = next((c for t in tables for c in [t.cell_at(ch.cx, ch.cy)] if c is not None), None)
            if cell is not None:
                cell.chars.append(ch)
            else:
                flow.append(ch)
        per_page.append((page, tables, [FlowLine(ln, page.number) for ln in lines_of(flow)]))
    _drop_furniture(per_page)
    margins = _margins([fl for _, _, fls in per_page for fl in fls])
    blocks: list[_Block] = []
    for page, tables, flow in per_page:
        page_blocks = _page_blocks(page, tables, flow, margins)
        if blocks and page_blocks and _join(blocks[-1], page_blocks[0], margins):
            page_blocks = page_blocks[1:]
        blocks.extend(page_blocks)
    lines: list[str] = []
    origins: list[Origin | None] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            first = block.lines[0].page
            here = [fl.line for fl in block.lines if fl.page == first]
            lines.append(clean(join_lines([fl.text for fl in block.lines])))
            origins.append(Origin(page=first, bbox=(min(ln.x0 for ln in here), min(ln.top for ln in here),
                                                    max(ln.x1 for ln in here), max(ln.bottom for ln in here))))
            continue
        rows = [r for part in block.parts for r in part.rows] if isinstance(block, _Ruled) \
            else positioned_rows(block.lines)
        for text, origin in render_rows(rows):
            lines.append(text)
            origins.append(origin)
    return lines, origins


def _page_blocks(page: PageContent, tables: list[RuledTable], flow: list[FlowLine],
                 margins: tuple[float, float]) -> list[_Block]:
    """The page's tables and flow in reading order: flow lines between two tables are read on their own."""
    out: list[_Block] = []
    rest = list(flow)
    for table in sorted(tables, key=lambda t: t.ys[0]):
        above = [fl for fl in rest if fl.line.top < table.ys[0]]
        rest = [fl for fl in rest if fl.line.top >= table.ys[0]]
        out.extend(flow_blocks(above, margins))
        out.append(_Ruled([_RuledPart(table, page.number, ruled_rows(table, page.number))]))
    out.extend(flow_blocks(rest, margins))
    return out


def _join(last: _Block, first: _Block, margins: tuple[float, float]) -> bool:
    """Join the first block of a page to the last of the page before, where one goes on with the other."""
    if isinstance(last, Paragraph) and isinstance(first, Paragraph):
        if continues(last.lines[-1], first.lines[0], margins, same_page=False):
            last.lines.extend(first.lines)
            return True
        return False
    if isinstance(last, _Ruled) and isinstance(first, _Ruled):
        a, b = last.parts[-1].table.bbox, first.parts[0].table.bbox
        if abs(a[0] - b[0]) > _SAME_EDGE or abs(a[2] - b[2]) > _SAME_EDGE:
            return False
        part = first.parts[0]
        head = [row_key(r) for r in last.parts[0].rows]
        drop = _repeated(head, [row_key(r) for r in part.rows], [_has_figure(r) for r in part.rows])
        last.parts.append(_RuledPart(part.table, part.page, part.rows[drop:]))
        return True
    if isinstance(last, PositionedTable) and isinstance(first, PositionedTable):
        head = [(fl.text,) for fl in last.lines]
        drop = _repeated(head, [(fl.text,) for fl in first.lines], [bool(fl.values) for fl in first.lines])
        last.lines.extend(first.lines[drop:])
        return True
    return False


def _repeated(head: list[tuple[str, ...]], rows: list[tuple[str, ...]], figures: list[bool]) -> int:
    """How many leading rows of a table's continuation repeat its first rows (its header): rows without figures."""
    n = 0
    while n < min(len(head), len(rows)) and rows[n] == head[n] and not figures[n]:
        n += 1
    return n


def _has_figure(row: list[OutCell]) -> bool:
    return any(c.text and is_value(c.text) for c in row if not c.pad)


def _drop_furniture(per_page: list[tuple[PageContent, list[RuledTable], list[FlowLine]]]) -> None:
    """Page numbers at a page's head or foot, and running headers and footers (the same text on most pages)."""
    def zone(page: PageContent, fl: FlowLine) -> bool:
        return fl.line.top > _FOOT * page.height or fl.line.bottom < _HEAD * page.height

    def shape(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))

    # A running header or footer stands in the same place on each page; the title at the head of page 1 and the
    # agency's signature at the foot of the last page say the same words, but not in the same place.
    seen: dict[tuple[str, int], set[int]] = {}
    for page, _, flow in per_page:
        for fl in flow:
            if zone(page, fl):
                seen.setdefault((shape(fl.text), round(fl.line.top / 6)), set()).add(page.number)
    running = {key for key, on in seen.items() if len(on) >= 2 and len(on) * 2 >= len(per_page)}

    def repeats(fl: FlowLine) -> bool:
        return any((shape(fl.text), round(fl.line.top / 6) + d) in running for d in (-1, 0, 1))

    for k, (page, tables, flow) in enumerate(per_page):
        keep = list(flow)
        for end in (-1, 0):  # the last lines, then the first
            while keep and zone(page, keep[end]) and (_PAGE_NUMBER.match(keep[end].text.strip()) or repeats(keep[end])):
                keep.pop(end)
        keep = [fl for fl in keep if not (zone(page, fl) and repeats(fl))]
        per_page[k] = (page, tables, keep)


def _margins(flow: list[FlowLine]) -> tuple[float, float]:
    """The text's left and right margins: where most lines start, and where the long ones end."""
    lines = [fl.line for fl in flow if len(fl.line.chars) >= 4]
    if not lines:
        return (0.0, 0.0)
    lefts = sorted(ln.x0 for ln in lines)
    rights = sorted(ln.x1 for ln in lines)
    return lefts[len(lefts) // 10], rights[len(rights) * 9 // 10]
