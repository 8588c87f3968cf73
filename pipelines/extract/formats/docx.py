"""A Word file's bytes to the line list the text path reads, rendered as web pages are (html.py), so that one
grid → canonical-name mapping serves both:

- the body's paragraphs and tables in document order (headers, footers, footnotes and comments are other parts
  of the package, never read); runs joined without added spaces; a line break starts a new line, a tab stays;
- a table is one cell per line, ``text |`` (an empty cell a bare ``|``), each row ended by a line of bars;
  merged cells (``gridSpan``, ``vMerge``) are expanded on a grid exactly as html.py expands col/rowspans;
- a table split by a paragraph saying only 续表 (or nothing: a page break) is joined back when the second part
  has the first's column count, without the header rows it repeats: its rows count on through one table;
- a table of tables, a one-column table or one whose cells hold prose lays the page out: its cells are read
  as blocks, the tables inside them as tables.

Each cell line carries its Origin (table, row, column; 1-based, merged cells expanded). Word has no lines of
its own: the source lines are None, and a value's line is the line of this rendering.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.opc.packuri import PACKAGE_URI
from docx.opc.phys_pkg import PhysPkgReader
from docx.opc.pkgreader import _ContentTypeMap, _SerializedRelationships
from lxml import etree

from pipelines.extract.decode import UndecodableError
from pipelines.extract.formats.html import _VALUE_CELL, ROW_BREAK, clean
from pipelines.extract.formats.rendered import Rendered
from pipelines.extract.normalize import is_page_furniture
from pipelines.extract.report import Origin

# Transitional and Strict OOXML name the same elements in two namespaces.
_NAMESPACES = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main")
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_MAIN_TYPES = frozenset({  # .docx, .docm, .dotx, .dotm: the same body
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
})
_MAX_INFLATED = 64 << 20
_MAX_RATIO = 64
_MAX_SPAN = 64  # as html.py: wider than any standard table, and bounds the grid a hostile file can ask for
_LAYOUT_CELL_CHARS = 300  # as html.py: longer than any label, so a cell holding the report's prose
# What may stand between the two parts of a split table: 续表 (续上表, 接上表, （续表一）…) or page furniture.
_CONTINUED = re.compile(r"[（(【\[]?(?:续表|续上表|接上表)[\s\S]{0,30}")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True, remove_pis=True)


def read_docx(data: bytes) -> Rendered:
    """Never raises but UndecodableError("unreadable_docx", ...): zipfile, zlib, python-docx and lxml each raise
    their own errors on a damaged file, and the pipeline rejects a file only on that one."""
    try:
        root, encoding = _main_document(data)
        out = _Renderer(_Tags(etree.QName(root).namespace or ""))
        body = root.find(out.t.body)
        if body is None:
            raise UndecodableError("unreadable_docx", "the Word file has no document body")
        out.blocks(body)
    except UndecodableError:
        raise
    except Exception as e:  # noqa: BLE001 - see the docstring
        raise UndecodableError("unreadable_docx", f"not a readable Word file: {type(e).__name__}: {e}") from e
    return Rendered(out.lines, [None] * len(out.lines), encoding, out.origins)


def _main_document(data: bytes) -> tuple[etree._Element, str]:
    """The main document part's tree and encoding. python-docx's package reader finds it by content types and
    relationships, not by its name; only that part and the two that name it are inflated. (Its Document() would
    parse every part, the styles often ten times the body, and it refuses the .docm and .dotx content types,
    whose bodies are the same.)"""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sizes = {i.filename: i.file_size for i in z.infolist()}
    phys = PhysPkgReader(io.BytesIO(data))
    try:
        _refuse_bombs(sizes, len(data), "[Content_Types].xml", "_rels/.rels")
        types = _ContentTypeMap.from_xml(phys.content_types_xml)
        rels = _SerializedRelationships.load_from_xml(PACKAGE_URI.baseURI, phys.rels_xml_for(PACKAGE_URI))
        main = next((r for r in rels if not r.is_external and r.reltype.endswith("/officeDocument")), None)
        if main is None:
            raise UndecodableError("unreadable_docx", "the package names no main document (word/document.xml)")
        if (content_type := types[main.target_partname]) not in _MAIN_TYPES:
            raise UndecodableError("unreadable_docx", f"not a Word document: its main part is {content_type}")
        _refuse_bombs(sizes, len(data), main.target_partname.membername)
        blob = phys.blob_for(main.target_partname)
    finally:
        phys.close()
    root = etree.fromstring(blob, _PARSER)
    if etree.QName(root).namespace not in _NAMESPACES:
        raise UndecodableError("unreadable_docx", f"not WordprocessingML: {root.tag}")
    return root, (root.getroottree().docinfo.encoding or "utf-8").lower()


def _refuse_bombs(sizes: dict[str, int], size: int, *members: str) -> None:
    """Refuse a zip bomb from its central directory, before inflating: zipfile inflates a member to no more
    than its declared size. A real report's XML inflates some 5-20 times."""
    for member in members:
        if sizes.get(member, 0) > _MAX_INFLATED + _MAX_RATIO * size:
            raise UndecodableError("unreadable_docx", f"{member} would inflate to {sizes[member]} bytes: refused")


class _Tags:
    """Clark names of the elements read, in the document's namespace."""

    def __init__(self, ns: str) -> None:
        def w(name: str) -> str:
            return f"{{{ns}}}{name}"

        self.body, self.p, self.tbl, self.tr, self.tc, self.r, self.t = map(w, ("body", "p", "tbl", "tr", "tc", "r", "t"))
        self.tab, self.ptab, self.br, self.cr, self.nbhyphen = map(w, ("tab", "ptab", "br", "cr", "noBreakHyphen"))
        self.sdt, self.sdt_content, self.txbx = w("sdt"), w("sdtContent"), w("txbxContent")
        self.val, self.vanish, self.rpr = w("val"), w("vanish"), w("rPr")
        self.grid_span, self.v_merge, self.h_merge, self.grid_before = map(w, ("gridSpan", "vMerge", "hMerge", "gridBefore"))
        self.tc_pr, self.tr_pr, self.deleted = w("tcPr"), w("trPr"), w("del")
        self.gallery = f"{w('sdtPr')}/{w('docPartObj')}/{w('docPartGallery')}"
        # Containers looked through to the blocks, rows or cells they wrap (content controls, custom XML,
        # tracked insertions and moves).
        self.wrappers = frozenset(map(w, ("customXml", "ins", "moveTo", "smartTag")))
        # Never text: properties, deleted or moved-away text, field codes (PAGE, HYPERLINK "…"), and the VML
        # copy of a drawing that mc:Choice already holds.
        self.skip = frozenset([*map(w, ("pPr", "rPr", "del", "moveFrom", "delText", "instrText", "sectPr")),
                               f"{_MC}Fallback"])
        # What only the slow walk of a paragraph reads right (w:vanish marks a hidden run).
        self.special = (self.tab, self.ptab, self.br, self.cr, self.nbhyphen, self.txbx, self.vanish, w("del"),
                        w("moveFrom"), f"{_MC}Fallback")


@dataclass
class _Tc:
    text: str
    span: int
    v_merge: str | None  # "restart", "continue" or None


@dataclass
class _Cell:
    text: str
    row: int
    col: int
    is_value: bool


_Row = tuple[int, list[_Tc]]  # the grid columns skipped before the row's first cell (gridBefore), its cells


@dataclass
class _Table:
    """Rows on a grid that grows a row at a time, so that joining a continuation costs only its own rows."""

    rows: list[_Row] = field(default_factory=list)
    # Per row, the grid cell at each column it covers, in column order (merged cells expanded).
    grid: list[list[tuple[int, _Cell]]] = field(default_factory=list)
    width: int = 0

    def add(self, row: _Row) -> None:
        r = len(self.rows)
        above = dict(self.grid[-1]) if self.grid else {}
        out: list[tuple[int, _Cell]] = []
        for c, tc in _columns(row):
            # A vMerge continuation is the cell above it, grown down a row; one with nothing above starts a cell.
            cell = above.get(c) if tc.v_merge == "continue" else None
            if cell is None:
                value = not tc.text or bool(_VALUE_CELL.fullmatch(unicodedata.normalize("NFKC", tc.text)))
                cell = _Cell(tc.text, r, c, value)
            out.extend((c + dc, cell) for dc in range(tc.span))
        self.rows.append(row)
        self.grid.append(out)
        self.width = max(self.width, out[-1][0] + 1 if out else 0)

    def texts(self, r: int) -> list[tuple[int, str]]:
        return [(c, cell.text) for c, cell in self.grid[r]]

    def join(self, rest: _Table) -> None:
        """Add a continuation's rows, without the header rows it repeats."""
        k = 0
        while k < min(len(self.rows), len(rest.rows)) and self.texts(k) == rest.texts(k):
            k += 1
        if self.rows and k < len(rest.rows):
            # Word cuts a merged cell the cut runs through in two: below, a new cell, empty or with the label
            # typed again. It continues the cell above, so that the joined grid is the uncut table's.
            merged = {c for c, tc in _columns(self.rows[-1]) if tc.v_merge}
            anchors = dict(self.grid[-1])
            for c, tc in _columns(rest.rows[k]):
                if c in merged and tc.v_merge != "continue" and tc.text in ("", anchors[c].text):
                    tc.v_merge = "continue"
        for row in rest.rows[k:]:
            self.add(row)


@dataclass
class _Renderer:
    t: _Tags
    lines: list[str] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)
    tables: int = 0

    def emit(self, line: str, origin: Origin | None = None) -> None:
        self.lines.append(line)
        self.origins.append(origin)

    def blocks(self, container: etree._Element) -> None:
        """Paragraphs and tables in document order. A table is held back while only empty or 续表 paragraphs
        follow it, so that a continuation can join it."""
        t = self.t
        pending: _Table | None = None
        held: list[list[str]] = []  # the paragraphs after the held table, emitted unless a continuation comes
        for el in self._unwrap(container, (t.p, t.tbl)):
            if el.tag == t.p:
                lines, boxes = self.paragraph(el)
                if pending is not None and not boxes and all(_continued(ln) for ln in lines):
                    held.append(lines)
                    continue
                self._close(pending, held)
                pending, held = None, []
                for line in lines:
                    self.emit(line)
                for box in boxes:
                    self.blocks(box)
                continue
            rows = self.rows(el)
            if rows is not None and pending is not None and rows.width == pending.width:
                pending.join(rows)
                held = []  # the 续表 line says nothing the joined table does not
                continue
            self._close(pending, held)
            pending, held = None, []
            if rows is None:
                for tr in self._unwrap(el, (t.tr,)):
                    for tc in self._unwrap(tr, (t.tc,)):
                        self.blocks(tc)
            else:
                pending = rows
        self._close(pending, held)

    def _close(self, pending: _Table | None, held: list[list[str]]) -> None:
        if pending is not None:
            self.table(pending)
        for lines in held:
            for line in lines:
                self.emit(line)

    def _unwrap(self, el: etree._Element, tags: tuple[str, ...]) -> Iterator[etree._Element]:
        t = self.t
        for child in el:
            if child.tag in tags:
                yield child
            elif child.tag == t.sdt:
                gallery = child.find(t.gallery)
                if gallery is not None and (gallery.get(t.val) or "").startswith("Table of Contents"):
                    continue  # a table of contents repeats the section headings, with page numbers
                content = child.find(t.sdt_content)
                if content is not None:
                    yield from self._unwrap(content, tags)
            elif child.tag in t.wrappers:
                yield from self._unwrap(child, tags)

    def paragraph(self, p: etree._Element) -> tuple[list[str], list[etree._Element]]:
        """The paragraph's lines (split at its line breaks), and the text boxes anchored in it."""
        t = self.t
        if next(p.iter(*t.special), None) is None:  # most paragraphs: plain runs, read by lxml in one pass
            text = clean("".join(p.itertext(t.t, with_tail=False)))
            return ([text] if text else []), []
        lines: list[list[str]] = [[]]
        boxes: list[etree._Element] = []
        stack = list(reversed(p))
        while stack:
            el = stack.pop()
            tag = el.tag
            if tag == t.t:
                lines[-1].append(el.text or "")
            elif tag in (t.tab, t.ptab):
                lines[-1].append("\t")
            elif tag in (t.br, t.cr):
                lines.append([])
            elif tag == t.nbhyphen:
                lines[-1].append("-")
            elif tag == t.txbx:
                boxes.append(el)
            elif tag in t.skip or (tag == t.r and self._hidden(el)):
                continue
            else:
                stack.extend(reversed(el))
        out = ("\t".join(clean(piece) for piece in "".join(line).split("\t")).strip() for line in lines)
        return [line for line in out if line], boxes

    def _hidden(self, run: etree._Element) -> bool:
        rpr = run.find(self.t.rpr)
        vanish = rpr.find(self.t.vanish) if rpr is not None else None
        return vanish is not None and vanish.get(self.t.val, "true") not in ("0", "false", "off")

    # ------------------------------------------------------------------------------------------ tables

    def rows(self, tbl: etree._Element) -> _Table | None:
        """The table's rows of cells; None for a table that lays the page out."""
        t = self.t
        if any(True for _ in tbl.iterdescendants(t.tbl)):
            return None  # a table of tables: the inner ones are the data
        table = _Table()
        for tr in self._unwrap(tbl, (t.tr,)):
            tr_pr = tr.find(t.tr_pr)
            if tr_pr is not None and tr_pr.find(t.deleted) is not None:
                continue  # a row deleted with changes tracked
            before = _int(tr_pr.find(t.grid_before), t.val, 0) if tr_pr is not None else 0
            cells: list[_Tc] = []
            for tc in self._unwrap(tr, (t.tc,)):
                pr = tc.find(t.tc_pr)
                span = _int(pr.find(t.grid_span), t.val, 1) if pr is not None else 1
                v = pr.find(t.v_merge) if pr is not None else None
                h = pr.find(t.h_merge) if pr is not None else None
                if h is not None and h.get(t.val, "continue") == "continue" and cells:
                    cells[-1].span = min(_MAX_SPAN, cells[-1].span + span)  # the legacy horizontal merge
                    continue
                texts = [line for p in self._unwrap(tc, (t.p,)) for line in self.paragraph(p)[0]]
                text = clean(" ".join(texts)).replace("|", "¦")  # a bar inside a cell would split it
                cells.append(_Tc(text, span, None if v is None else v.get(t.val, "continue")))
            table.add((before, cells))
        if table.width <= 1 or any(len(c.text) > _LAYOUT_CELL_CHARS for _, cells in table.rows for c in cells):
            return None
        return table

    def table(self, table: _Table) -> None:
        """As html.py's grid: a label cell once, on its first row and column; a value cell spanning k columns
        its text then k-1 empty cells, so that the cells after it stay in their columns."""
        self.tables += 1
        for r, row in enumerate(table.grid):
            out: list[tuple[str, Origin | None]] = []
            for c, cell in row:
                if (cell.row, cell.col) == (r, c):
                    out.append((f"{cell.text} |" if cell.text else "|", Origin(table=self.tables, row=r + 1, col=c + 1)))
                elif cell.is_value:
                    out.append(("|", None))
            if any(line != "|" for line, _ in out):  # a row of empty cells (a spacer) says nothing
                for line, origin in out:
                    self.emit(line, origin)
                self.emit(ROW_BREAK)


def _columns(row: _Row) -> Iterator[tuple[int, _Tc]]:
    c, cells = row
    for tc in cells:
        yield c, tc
        c += tc.span


def _continued(line: str) -> bool:
    return bool(_CONTINUED.fullmatch(line.replace(" ", ""))) or is_page_furniture(line)


def _int(el: etree._Element | None, attr: str, default: int) -> int:
    m = re.match(r"\s*(\d{1,6})", el.get(attr) or "") if el is not None else None
    return max(default, min(_MAX_SPAN, int(m.group(1)))) if m else default
