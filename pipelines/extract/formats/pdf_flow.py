"""The text outside ruled tables: tables laid out by position alone, and paragraphs.

A table without lines shows itself by its rows: a line that falls into chunks (gaps wider than a character) with a
figure among them. Two or more such rows close together make a table, with the header lines above them and the
short lines between them (a block heading, a wrapped label); a section heading (三、收到和处理…), a line of prose
or a wide gap ends it. Everything else is paragraphs: lines joined where a line runs to the right margin and the
next starts at the left one, without indent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pipelines.extract.formats.html import _VALUE_CELL
from pipelines.extract.formats.pdf_text import Line, chunks_of

_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]")
_NUMBERED = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[.．、])")
_SENTENCE_END = re.compile(r"[。；;！？]$")
MAX_ROW_GAP = 2.5  # line heights between two lines of one table


def is_value(text: str) -> bool:
    return bool(_VALUE_CELL.fullmatch(unicodedata.normalize("NFKC", text)))


@dataclass
class FlowLine:
    line: Line
    page: int
    chunks: list[Line] = field(init=False)

    def __post_init__(self) -> None:
        self.chunks = chunks_of(self.line)

    @property
    def values(self) -> int:
        return sum(1 for c in self.chunks if is_value(c.text))

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.chunks)


@dataclass
class Paragraph:
    lines: list[FlowLine]


@dataclass
class PositionedTable:
    """A table without ruling lines: its visual lines in order (rows and columns are found once it is whole)."""

    lines: list[FlowLine]


def flow_blocks(lines: list[FlowLine], margins: tuple[float, float]) -> list[Paragraph | PositionedTable]:
    """One page's lines outside ruled tables, top to bottom, as paragraphs and positioned tables."""
    in_table = _table_spans(lines, margins)
    blocks: list[Paragraph | PositionedTable] = []
    i = 0
    while i < len(lines):
        span = next((s for s in in_table if s[0] == i), None)
        if span is not None:
            blocks.append(PositionedTable(lines[span[0]:span[1]]))
            i = span[1]
            continue
        line = lines[i]
        last = blocks[-1] if blocks else None
        if isinstance(last, Paragraph) and continues(last.lines[-1], line, margins):
            last.lines.append(line)
        else:
            blocks.append(Paragraph([line]))
        i += 1
    return blocks


def continues(prev: FlowLine, line: FlowLine, margins: tuple[float, float], same_page: bool = True) -> bool:
    """`line` goes on with `prev`'s paragraph: prev ran to the right margin, line starts at the left one."""
    left, right = margins
    size = max(prev.line.size, line.line.size)
    if prev.line.x1 < right - 1.5 * size or line.line.x0 > left + 0.5 * size:
        return False
    if abs(prev.line.size - line.line.size) > 0.25 * size:
        return False
    return not same_page or line.line.top - prev.line.bottom <= 1.2 * size


def _is_prose(fl: FlowLine, margins: tuple[float, float]) -> bool:
    left, right = margins
    return len(fl.chunks) == 1 and (fl.line.x1 - fl.line.x0 > 0.6 * (right - left) or bool(_SENTENCE_END.search(fl.text)))


def _breaks_table(fl: FlowLine, margins: tuple[float, float]) -> bool:
    if _is_prose(fl, margins):
        return True
    return len(fl.chunks) == 1 and not fl.values and bool(_SECTION_HEADING.match(fl.text))


def _tight(a: FlowLine, b: FlowLine) -> bool:
    return b.line.top - a.line.bottom <= 0.5 * max(a.line.size, b.line.size)


def _rows_at(lines: list[FlowLine]) -> list[bool]:
    """Lines that are a table's rows: a label and figures, or figures alone set tight beside a wrapped label."""
    out = []
    for k, fl in enumerate(lines):
        if fl.values and len(fl.chunks) >= 2:
            out.append(fl.values < len(fl.chunks) or fl.values >= 3)
        elif fl.values:
            out.append((k > 0 and not lines[k - 1].values and _tight(lines[k - 1], fl))
                       or (k + 1 < len(lines) and not lines[k + 1].values and _tight(fl, lines[k + 1])))
        else:
            out.append(False)
    return out


def _near(a: FlowLine, b: FlowLine) -> bool:
    return b.line.top - a.line.bottom <= MAX_ROW_GAP * max(a.line.size, b.line.size)


def _table_spans(lines: list[FlowLine], margins: tuple[float, float]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    is_row = _rows_at(lines)
    i = 0
    while i < len(lines):
        if not is_row[i]:
            i += 1
            continue
        end = i + 1  # past the last row
        j = i + 1
        while j < len(lines) and not _breaks_table(lines[j], margins) and _near(lines[j - 1], lines[j]):
            if lines[j].values:
                end = j + 1
            j += 1
        # Rows end where the last line with a figure is; lines after it (a note, a signature) are text, but for
        # the rest of a label wrapped below its figures, set tight under them.
        while end < len(lines) and not lines[end].values and len(lines[end].chunks) == 1 \
                and not _breaks_table(lines[end], margins) and not _NUMBERED.match(lines[end].text) \
                and lines[end].line.top - lines[end - 1].line.bottom <= 0.3 * lines[end].line.size:
            end += 1
        rows = sum(is_row[i:end])
        if rows < 2 and lines[i].values < 3:  # one row of three figures or more is a table (the review table's)
            i = end
            continue
        start, floor = i, spans[-1][1] if spans else 0
        while start > floor:  # the header lines and the block heading above the first row
            above = lines[start - 1]
            if _breaks_table(above, margins) or not _near(above, lines[start]):
                break
            start -= 1
        spans.append((start, end))
        i = end
    return spans
