"""A web page's bytes to the line list the text path reads, so one grid → canonical-name mapping serves every format.

Read as plain text, a page's markup is noise that looks like data: the digits of ``colspan="3"`` and
``width="136"`` become figures. Parsed, the page holds a clean table. The output is what the tokenizer
(tokens.py) already understands:

- a paragraph, heading, list item or ``<br>``-separated run of text is one line; words that Word-exported
  markup splits over ``<span>``/``<font>`` runs are joined without added spaces;
- a data table is one cell per line, ``text |`` (an empty cell is a bare ``|``), and each table row ends with
  a line of bars (a row break) — the rendering of the pipe-cell samples. One cell per line, not one row per
  line, so that each figure's line is the line of its own ``<td>`` in the page;
- row and column spans are expanded on a grid. A label cell (words) spanning columns or rows appears once, on
  its first row: the tokenizer takes a row's label text and then the cells after it as values, so extra copies
  would add label text, and padding would add empty value cells. A value cell (a figure, a dash or empty)
  spanning k columns is its text then k-1 empty cells, so the cells after it stay in their columns;
- site chrome (scripts, menus, headers, footers, breadcrumbs, share buttons, search forms, hidden elements)
  is left out; a crawler's meta block and the page's own 发布机构 / 发布日期 / 来源 fields stay, field
  tables as ``字段：值`` lines, where the metadata extractor looks for them.

Every output line comes with the line of the page where its text starts, so a cell's ``line`` can point
into the real file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from pipelines.extract.formats.rendered import Rendered
from pipelines.extract.report import Origin

HEAD_BYTES = 8192

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# Declared encodings that pages use for Chinese text whose strict codecs reject real pages: a page labelled
# gb2312 is GBK in practice (WHATWG decodes both labels as GBK), and GB18030 is a superset of both.
_AS_GB18030 = {"gb2312", "gbk", "cp936", "gb18030", "hz"}
# A Western single-byte label on a Chinese report is a CMS default, not the truth; these codecs never fail,
# so trusting them would turn GBK text into mojibake instead of falling through to GB18030.
_IGNORED_LABELS = {"latin_1", "iso8859-1", "cp1252", "ascii", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}

# Line breaks as str.splitlines() sees them become "\n", so output lines point at the lines the text path
# would number; other control characters (NUL stops libxml2) become spaces, keeping every line in place.
_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

_SKIP_TAGS = frozenset({
    "head", "title", "meta", "link", "base", "script", "style", "noscript", "template", "iframe", "frame",
    "frameset", "object", "embed", "applet", "svg", "math", "canvas", "map", "audio", "video", "button",
    "select", "option", "optgroup", "input", "textarea", "datalist", "xml",
})
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "listing", "plaintext", "xmp",
})
# Chrome by element or by what its class or id says. "Strong" chrome never holds the report; "weak" chrome
# (a header) may hold its title and date, as an article's own <header> does.
_STRONG_CHROME_TAGS = frozenset({"nav", "footer", "aside", "form", "menu"})
_WEAK_CHROME_TAGS = frozenset({"header"})
_STRONG_CHROME_PARTS = ("nav", "menu", "footer", "share", "crumb", "toolbar", "sidebar", "copyright", "pagination")
_STRONG_CHROME_WORDS = frozenset({"foot", "bottom", "search", "position", "location", "dqwz", "print", "pager",
                                  "side", "links", "friendlink", "topbar"})
_WEAK_CHROME_WORDS = frozenset({"head", "header", "top", "banner", "logo"})
_CLASS_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.I)
# Whatever holds these is the report, whatever its class says (ASP.NET sites wrap whole pages in a <form>).
_REPORT_BODY = re.compile(r"主动公开政府信息情况|收到和处理政府信息公开申请|政府信息公开行政复议|本年新收政府信息公开申请")
_TITLE_OR_FIELDS = re.compile(r"(?:19|20)\d{2}\s*年.{0,12}信\s*息\s*公\s*开.{0,12}(?:报\s*告|年\s*报)|"
                              r"发布机构|发文机关|发布日期|发布时间|成文日期|公开日期|索引号")
_CHROME_LINE = re.compile(r"^(?:当前位置|您的位置|您现在的位置|所在位置)\s*[:：]|^【?\s*字体\s*[:：]|^分享到|^扫一扫|"
                          r"^(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏本页|收藏)\s*[】\]]?\s*)+$")

# Field names of the metadata tables CMS pages put above the article (名称 | X | 索引号 | Y ...).
_FIELDS = frozenset({
    "名称", "标题", "题名", "索引号", "分类", "主题分类", "组配分类", "体裁分类", "信息分类", "发布机构", "发文机关",
    "发文机构", "公开机构", "发布单位", "信息来源", "来源", "单位", "公开日期", "发布日期", "发布时间", "成文日期",
    "生成日期", "文号", "发文字号", "关键词", "主题词", "时效", "有效性", "文件下载", "公开方式", "公开范围",
    "公开时限", "责任部门", "内容概述", "采集时间",
})
_FORM_WORDS = re.compile(r"信息内容|本年|申请|复议|诉讼|自然人|总计")

# A cell that is a figure (what tokens._NUMBER reads as one value) or a mark of an empty cell.
_VALUE_CELL = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?\s*(?:万元|元|件|个|项|次|条|人次|宗|起)?|[-—–/\\]+|无")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2014\u2026"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# Longer than any label of the standard tables: a cell holding the article's prose, so a layout table.
_LAYOUT_CELL_CHARS = 300
_MAX_SPAN = 64  # wider than any standard table (15 columns); bounds the grid a hostile page can ask for
_GRID_PER_CELL = 16  # grid places per cell a table may ask for (its spans); the standard tables ask for under two
ROW_BREAK = "||||"
_PRE_TAGS = frozenset({"pre", "listing", "plaintext", "xmp"})


def read_html(data: bytes) -> Rendered:
    """Never raises: a page libxml2 cannot make a tree of gives no lines."""
    text, encoding = decode_page(data)
    text = _CONTROLS.sub(" ", _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n").replace("\r", "\n")))
    # etree's parser, not lxml.html's: plain elements skip lxml.html's per-element class lookup (a third of the
    # walk's time), and nothing here needs HtmlElement's methods.
    parser = etree.HTMLParser(encoding="utf-8", huge_tree=True)
    try:
        # Bytes with the encoding stated: lxml refuses str input that carries an XML encoding declaration.
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        return Rendered([], [], encoding)
    out = _Renderer(1)
    out.walk(root)
    out.flush()
    lines: list[str] = []
    src: list[int | None] = []
    origins: list[Origin | None] = []
    for line, number, origin in zip(out.lines, out.source, out.origins, strict=True):
        if len(line) < 80 and _CHROME_LINE.search(line):
            continue
        lines.append(line)
        src.append(number)
        origins.append(origin)
    return Rendered(lines, src, encoding, origins)


def decode_page(data: bytes) -> tuple[str, str]:
    """The page's text and the codec that decoded it.

    A byte-order mark decides. Else valid UTF-8 wins over the page's declaration: GBK text is practically
    never valid UTF-8, while a page re-saved as UTF-8 by a crawler or editor often keeps its old
    ``charset=gb2312``. Then the declaration (``<meta charset>``, ``http-equiv``, an XML declaration), then
    GB18030, which covers GBK and GB2312 fragments that declare nothing; failing all, the declared or GB18030
    codec with replacement characters, so a damaged page still yields its readable parts.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(data[:HEAD_BYTES])
    for encoding in dict.fromkeys(e for e in (declared, "gb18030") if e):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    encoding = declared or "gb18030"
    return data.decode(encoding, errors="replace"), encoding


def declared_encoding(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not m:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii").lower()).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name in _AS_GB18030:
        return "gb18030"
    return None if name in _IGNORED_LABELS or name == "utf-8" else name


@dataclass
class _Cell:
    text: str
    line: int
    row: int
    col: int
    is_value: bool


@dataclass
class _Renderer:
    """Walks a tree in document order, keeping `cur`, the page line the walk has reached.

    lxml gives an element's line (that of its start tag's end; at most 65535, libxml2's cap), not a text's,
    so the walk adds the newlines of the texts it passes, and takes the larger of the two at each element.
    """

    cur: int
    lines: list[str] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    origins: list[Origin | None] = field(default_factory=list)  # the table cell each line renders, if any
    tables: int = 0
    _buf: list[str] = field(default_factory=list)
    _buf_line: int | None = None
    _pre: int = 0

    def walk(self, root: etree._Element) -> None:
        # Iterative: pages nest deeper than Python's recursion limit allows.
        stack: list[tuple[etree._Element, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                self._end(node)
                continue
            self._at(node)
            if not isinstance(node.tag, str):  # a comment or processing instruction
                self.text(node.tail)
                continue
            tag = node.tag.lower()
            if tag in _SKIP_TAGS or _hidden(node) or _chrome(node):
                self._pass(node)
                self.text(node.tail)
                continue
            if tag == "table" and self._table(node):
                self.text(node.tail)
                continue
            if tag == "br":
                self.flush()
                self.text(node.tail)
                continue
            if tag in _BLOCK_TAGS:
                self.flush()
            if tag in _PRE_TAGS:
                self._pre += 1
            self.text(node.text)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node))

    def _end(self, node: etree._Element) -> None:
        tag = node.tag.lower()
        if tag in _BLOCK_TAGS:
            self.flush()  # before leaving <pre>: its last line keeps its tabs too
        if tag in _PRE_TAGS:
            self._pre -= 1
        self.text(node.tail)

    def _at(self, node: etree._Element) -> None:
        if node.sourceline is not None and node.sourceline > self.cur:
            self.cur = node.sourceline

    def _pass(self, node: etree._Element) -> None:
        """Skip a subtree, keeping count of its lines."""
        for sub in node.iter():
            self._at(sub)
            if sub is not node and sub.tail:
                self.cur += sub.tail.count("\n")
            if isinstance(sub.tag, str) and sub.text:
                self.cur += sub.text.count("\n")

    def text(self, s: str | None) -> None:
        if not s:
            return
        if self._pre:
            # Preformatted text keeps its lines, tabs and empty lines, which the tokenizer reads as cell and row
            # boundaries: a crawler's plain-text dump wrapped in <pre>.
            first, *rest = s.split("\n")
            self._add(first)
            for piece in rest:
                self.flush(keep_empty=True)
                self.cur += 1
                self._add(piece)
            return
        self._add(s)

    def _add(self, s: str) -> None:
        if self._buf_line is None:
            body = s.lstrip()
            if body:
                self._buf_line = self.cur + s[: len(s) - len(body)].count("\n")
        self._buf.append(s)
        self.cur += s.count("\n")

    def flush(self, keep_empty: bool = False) -> None:
        raw = "".join(self._buf)
        if self._pre:
            line, keep = raw, keep_empty or bool(raw.strip())
        else:
            line = clean(raw)
            keep = bool(line)
        if keep:
            self.lines.append(line)
            self.source.append(self._buf_line or self.cur)
            self.origins.append(None)
        self._buf = []
        self._buf_line = None

    def emit(self, line: str, number: int, origin: Origin | None = None) -> None:
        self.flush()
        self.lines.append(line)
        self.source.append(number)
        self.origins.append(origin)

    # ------------------------------------------------------------------------------------------ tables

    def _table(self, table: etree._Element) -> bool:
        """Render a data or field table; False for a layout table, which the walk then reads as blocks."""
        if any(True for _ in table.iterdescendants("table")):
            return False  # a table of tables lays out the page; the inner ones are the data
        rows = _rows(table)
        self.flush()
        start = self.cur
        texts: list[list[tuple[str, int, etree._Element]]] = []
        for tr in rows:
            self._at(tr)
            self.cur += (tr.text or "").count("\n")
            row = []
            for td in tr:
                if isinstance(td.tag, str) and td.tag.lower() in ("td", "th"):
                    text, line = self._cell_text(td)
                    row.append((text, line, td))
                else:
                    self._pass(td)
                # The white space between cells: past libxml2's line cap it is all that tells the next cell's line.
                self.cur += (td.tail or "").count("\n")
            self.cur += (tr.tail or "").count("\n")
            texts.append(row)
        cells = [t for row in texts for t in row]
        width = max((sum(_span(td, "colspan") for _, _, td in row) for row in texts), default=0)
        if width <= 1 or any(len(t) > _LAYOUT_CELL_CHARS for t, _, _ in cells):
            self.cur = start  # read again, as blocks
            return False
        caption = next((c for c in table if isinstance(c.tag, str) and c.tag.lower() == "caption"), None)
        if caption is not None:
            end, self.cur = self.cur, start  # the caption stands above the rows
            text, line = self._cell_text(caption)
            self.cur = end
            if text:
                self.emit(text, line)
        if _is_field_table([t for t, _, _ in cells]):
            self._field_rows(texts)
        elif _grid_area(texts) <= _GRID_PER_CELL * len(cells) + _MAX_SPAN * _MAX_SPAN:
            self.tables += 1
            self._grid_rows(texts)
        # else: spans asking for a grid many times the table's cells (rowspan="0" on every row: rows² places) lay
        # out no table a report prints; its figures are not read.
        self.cur = start  # _pass counts the table's lines from its start
        self._pass(table)
        return True

    def _cell_text(self, cell: etree._Element) -> tuple[str, int]:
        inner = _Renderer(max(self.cur, cell.sourceline or 0))
        inner.text(cell.text)
        for child in cell:
            inner.walk(child)
        inner.flush()
        self.cur = max(self.cur, inner.cur)
        text = clean(" ".join(inner.lines)).replace("|", "¦")  # a bar inside a cell would split it
        return text, inner.source[0] if inner.source else (cell.sourceline or self.cur)

    def _field_rows(self, rows: list[list[tuple[str, int, etree._Element]]]) -> None:
        for row in rows:
            i = 0
            while i < len(row):
                text, line, _ = row[i]
                key = _field_name(text)
                if key and i + 1 < len(row) and not _field_name(row[i + 1][0]):
                    if row[i + 1][0]:
                        self.emit(f"{key}：{row[i + 1][0]}", row[i + 1][1])
                    i += 2
                    continue
                if text:
                    self.emit(text, line)
                i += 1

    def _grid_rows(self, rows: list[list[tuple[str, int, etree._Element]]]) -> None:
        grid: dict[tuple[int, int], _Cell] = {}
        for r, row in enumerate(rows):
            c = 0
            for text, line, td in row:
                while (r, c) in grid:
                    c += 1
                cell = _Cell(text, line, r, c, not text or bool(_VALUE_CELL.fullmatch(unicodedata.normalize("NFKC", text))))
                rowspan = _span(td, "rowspan", len(rows) - r)
                colspan = _span(td, "colspan")
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid.setdefault((r + dr, c + dc), cell)
                c += colspan
        columns: dict[int, list[int]] = {}  # per row, the grid's columns in it: not every column of the widest row
        for r, c in grid:
            columns.setdefault(r, []).append(c)
        for r in range(len(rows)):
            out: list[tuple[str, int, Origin | None]] = []
            for c in sorted(columns.get(r, ())):
                cell = grid[(r, c)]
                if (cell.row, cell.col) == (r, c):
                    out.append((f"{cell.text} |" if cell.text else "|", cell.line, Origin(table=self.tables, row=r + 1,
                                                                                        col=c + 1)))
                elif cell.is_value:
                    out.append(("|", cell.line, None))  # keeps the cells after a wide value cell in their columns
            if any(line != "|" for line, _, _ in out):  # a row of nothing but empty cells (Word's spacer rows) says nothing
                for line, number, origin in out:
                    self.emit(line, number, origin)
                self.emit(ROW_BREAK, out[-1][1])


def clean(text: str) -> str:
    """HTML white space: runs collapse to one space; none is kept between CJK characters (layout, not words)."""
    return _CJK_GAP.sub("", _SPACES.sub(" ", text)).strip()


def _grid_area(rows: list[list[tuple[str, int, etree._Element]]]) -> int:
    """The places the table's cells ask for on the grid, overlaps counted twice."""
    return sum(_span(td, "rowspan", len(rows) - r) * _span(td, "colspan") for r, row in enumerate(rows) for _, _, td in row)


def _rows(table: etree._Element) -> list[etree._Element]:
    rows: list[etree._Element] = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if isinstance(tr.tag, str) and tr.tag.lower() == "tr")
    return rows


def _span(td: etree._Element, name: str, rows_left: int | None = None) -> int:
    m = re.match(r"\s*(\d+)", td.get(name) or "")
    n = int(m.group(1)) if m else 1
    if n == 0 and rows_left is not None:
        return rows_left  # rowspan="0": to the end of the table
    return max(1, min(n, _MAX_SPAN if rows_left is None else rows_left))


def _field_name(text: str) -> str | None:
    key = re.sub(r"\s+", "", text).rstrip(":：")
    return key if key in _FIELDS else None


def _is_field_table(texts: list[str]) -> bool:
    filled = [t for t in texts if t]
    names = sum(1 for t in filled if _field_name(t))
    return names >= 2 and names * 4 >= len(filled) and not any(_FORM_WORDS.search(t) for t in filled)


def _hidden(node: etree._Element) -> bool:
    return node.get("hidden") is not None or bool(_HIDDEN_STYLE.search(node.get("style") or ""))


def _chrome(node: etree._Element) -> bool:
    tag = node.tag.lower()
    if tag in ("html", "body"):
        return False  # a body with id="top" is still the page
    strong = tag in _STRONG_CHROME_TAGS
    weak = tag in _WEAK_CHROME_TAGS
    for word in _CLASS_WORDS.findall(f"{node.get('class') or ''} {node.get('id') or ''}"):
        w = word.lower()
        if w in _STRONG_CHROME_WORDS or any(p in w for p in _STRONG_CHROME_PARTS):
            strong = True
        elif w in _WEAK_CHROME_WORDS:
            weak = True
    if not (strong or weak):
        return False
    text = "".join(node.itertext())
    if _REPORT_BODY.search(text):
        return False
    return strong or not _TITLE_OR_FIELDS.search(text)
