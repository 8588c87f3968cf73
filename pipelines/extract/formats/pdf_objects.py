"""What a PDF page holds for the reader: its characters with their boxes, and the ruling lines drawn on it.

pypdfium2 (PDFium, Apache-2.0) rather than pdfplumber: on the Hongze originals pdfplumber gives 10-14 pages/s
for words alone (pdfminer interprets every page in Python), PDFium about ten times that for characters, boxes and
path objects together. Coordinates are turned into pdfplumber's convention, which Origin promises: PDF points
from the page's top left, (x0, top, x1, bottom).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw

MAX_CHARS_PER_PAGE = 40000  # a dense A4 page of text holds ~2000; past this it is a data dump, not a report
MAX_PATH_SEGMENTS_PER_PAGE = 20000  # a full-page table is drawn with a few hundred
MAX_FORM_DEPTH = 6
RULE_THICKNESS = 2.5  # a filled box thinner than this is a drawn line (Word and WPS draw borders so)
_VISIBLE_BELOW = 235  # a colour with every channel above this is white on white: background boxes, not rules
_AXIS_SLACK = 0.6  # how far off horizontal/vertical a segment may be and still be a rule


@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def size(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True, slots=True)
class Rule:
    """An axis-aligned line: horizontal ('h') at y=pos from start to end in x, or vertical ('v') at x=pos."""

    orient: str
    pos: float
    start: float
    end: float


@dataclass(frozen=True)
class PageContent:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char]
    rules: list[Rule]


def page_content(doc: pdfium.PdfDocument, index: int) -> PageContent:
    page = doc[index]
    try:
        left, bottom, right, top = page.get_mediabox()
        flip = _Flip(left, top)
        chars = _chars(page, flip)
        rules = _rules(page, flip)
        return PageContent(index + 1, right - left, top - bottom, chars, rules)
    finally:
        page.close()


@dataclass(frozen=True)
class _Flip:
    """PDF user space (y up, origin at the media box's lower left) to top-left page points."""

    left: float
    top: float

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (min(x0, x1) - self.left, self.top - max(y0, y1), max(x0, x1) - self.left, self.top - min(y0, y1))


def _chars(page: pdfium.PdfPage, flip: _Flip) -> list[Char]:
    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = min(raw.FPDFText_CountChars(tp), MAX_CHARS_PER_PAGE)
        rect = raw.FS_RECTF()
        matrix = raw.FS_MATRIX()
        out: list[Char] = []
        for i in range(n):
            code = raw.FPDFText_GetUnicode(tp, i)
            # PDFium adds spaces and line breaks of its own; word gaps are measured here from the boxes instead.
            if code <= 32 or code in (0xA0, 0x3000, 0xFFFE, 0xFFFF) or raw.FPDFText_IsGenerated(tp, i) == 1:
                continue
            if not raw.FPDFText_GetLooseCharBox(tp, i, rect):
                continue
            # The loose box spans the font's ascent to descent, as pdfplumber's boxes do; the tight box of a
            # dash or a dot is a sliver, which would break lines apart.
            x0, top, x1, bottom = flip.box(rect.left, rect.bottom, rect.right, rect.top)
            size = _em(tp, i, matrix)
            if size > 0 and (bottom - top > 1.6 * size or x1 - x0 > 3 * size):
                # PDFium's loose box of a glyph in some vertical-writing fonts (WPS's stacked labels, 三、本年度办理
                # 结果) is a square twenty times too big; an em square around the glyph's own outline stands in.
                left, bottom_, right, top_ = (ctypes.c_double() for _ in range(4))
                if not raw.FPDFText_GetCharBox(tp, i, left, right, bottom_, top_):
                    continue
                gx0, gtop, gx1, gbottom = flip.box(left.value, bottom_.value, right.value, top_.value)
                cx, cy = (gx0 + gx1) / 2, (gtop + gbottom) / 2
                x0, top, x1, bottom = cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2
            if x1 - x0 <= 0 or bottom - top <= 0:
                continue
            out.append(Char(chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd", x0, top, x1, bottom))
        return out
    finally:
        textpage.close()


def _em(tp, i: int, matrix) -> float:
    """The character's font size on the page, in points (the font size scaled by the text matrix)."""
    size = raw.FPDFText_GetFontSize(tp, i)
    if size <= 0 or not raw.FPDFText_GetMatrix(tp, i, matrix):
        return 0.0
    return size * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5


_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _compose(outer: _Matrix, inner: _Matrix) -> _Matrix:
    """The matrix applying `inner` first, then `outer` (PDF's [a b c d e f] row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer  # noqa: N806 - the standard names of a matrix's entries
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _rules(page: pdfium.PdfPage, flip: _Flip) -> list[Rule]:
    out: list[Rule] = []
    budget = [MAX_PATH_SEGMENTS_PER_PAGE]
    count = raw.FPDFPage_CountObjects(page.raw)
    for i in range(count):
        _object_rules(raw.FPDFPage_GetObject(page.raw, i), _IDENTITY, flip, out, budget, 0)
        if budget[0] <= 0:
            break
    return out


def _object_rules(obj, parent: _Matrix, flip: _Flip, out: list[Rule], budget: list[int], depth: int) -> None:
    kind = raw.FPDFPageObj_GetType(obj)
    if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM):
        return
    m = raw.FS_MATRIX()
    matrix = _compose(parent, (m.a, m.b, m.c, m.d, m.e, m.f)) if raw.FPDFPageObj_GetMatrix(obj, m) else parent
    if kind == raw.FPDF_PAGEOBJ_FORM:
        if depth < MAX_FORM_DEPTH:
            for k in range(raw.FPDFFormObj_CountObjects(obj)):
                _object_rules(raw.FPDFFormObj_GetObject(obj, k), matrix, flip, out, budget, depth + 1)
        return
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke):
        return
    stroked = bool(stroke.value) and _visible(obj, raw.FPDFPageObj_GetStrokeColor)
    filled = fill.value != 0 and _visible(obj, raw.FPDFPageObj_GetFillColor)
    if not (stroked or filled):
        return
    n = raw.FPDFPath_CountSegments(obj)
    budget[0] -= max(n, 0)
    if n <= 0 or budget[0] < 0:
        return
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[list[tuple[float, float]]] = []
    curved: list[bool] = []
    for k in range(n):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        if not seg or not raw.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        kind_k = raw.FPDFPathSegment_GetType(seg)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind_k == raw.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
            curved.append(False)
        else:
            subpaths[-1].append(point)
            curved[-1] = curved[-1] or kind_k == raw.FPDF_SEGMENT_BEZIERTO
        if raw.FPDFPathSegment_GetClose(seg) and len(subpaths[-1]) > 1:
            subpaths[-1].append(subpaths[-1][0])
    for points, is_curved in zip(subpaths, curved, strict=True):
        if is_curved:
            continue  # rounded corners, circles, seals: not table borders
        if stroked:
            for p, q in zip(points, points[1:], strict=False):
                _add_line(p, q, flip, out)
        elif filled:
            _add_thin_box(points, flip, out)


def _visible(obj, getter) -> bool:
    r, g, b, alpha = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, alpha):
        return True  # a pattern or an unknown colour space: assume it shows
    return alpha.value > 0 and min(r.value, g.value, b.value) < _VISIBLE_BELOW


def _add_line(p: tuple[float, float], q: tuple[float, float], flip: _Flip, out: list[Rule]) -> None:
    x0, top, x1, bottom = flip.box(p[0], p[1], q[0], q[1])
    if bottom - top <= _AXIS_SLACK and x1 - x0 >= 1:
        out.append(Rule("h", (top + bottom) / 2, x0, x1))
    elif x1 - x0 <= _AXIS_SLACK and bottom - top >= 1:
        out.append(Rule("v", (x0 + x1) / 2, top, bottom))


def _add_thin_box(points: list[tuple[float, float]], flip: _Flip, out: list[Rule]) -> None:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if len(points) < 4 or len(points) > 6:
        return
    x0, top, x1, bottom = flip.box(min(xs), min(ys), max(xs), max(ys))
    width, height = x1 - x0, bottom - top
    if height <= RULE_THICKNESS and width > height:
        out.append(Rule("h", (top + bottom) / 2, x0, x1))
    elif width <= RULE_THICKNESS and height > width:
        out.append(Rule("v", (x0 + x1) / 2, top, bottom))
