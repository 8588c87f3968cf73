"""Lines to a stream of tokens: TEXT (label or prose), NUM (a figure), BLANK (an empty cell), BREAK.

Every rendering of the standard tables reduces to this stream: pipe cells, Markdown rows, tab rows,
one cell per line, space-aligned columns and run-together text differ only in how cells are delimited
and whether an empty cell leaves a trace (BLANK) at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from itertools import accumulate

from pipelines.extract.normalize import is_page_furniture
from pipelines.extract.vocabulary import vocabulary


class Kind(Enum):
    TEXT = "text"
    NUM = "num"
    BLANK = "blank"
    BREAK = "break"


# Treated as immutable (changed only through dataclasses.replace) but not frozen: a frozen dataclass sets each
# field through object.__setattr__, which made building the tokens a tenth of the whole extraction.
@dataclass(slots=True, unsafe_hash=True)
class Token:
    kind: Kind
    text: str
    line: int
    value: Decimal | None = None
    unit: str | None = None  # 元 / 万元 / a count unit, when the cell states one
    alone: bool = False  # the only thing on a line of plain text: a cell of its own, or a page number
    # Where the figure ends on its line, in characters and in display columns, for space-aligned text only.
    col: int = -1
    dcol: int = -1
    in_sentence: bool = False  # a sentence goes on right after it ("发布政府信息393件，其中"): prose, not a cell
    # Touching a word with no space or delimiter between ("申请数量640020470"): only such digits may have lost
    # the separators between cells; a figure standing apart is one cell, whatever its length.
    glued: bool = False
    delimited: bool = False  # a whole cell of a delimited row (pipes, tabs): a header cell is one word of it


# A figure: optional sign, digits with optional thousands separators, optional decimals, optional unit.
# The guard before the separated form skips it where it cannot match: right after a figure of one to three digits
# and a comma, whose own try at the separated form already ran through these digits and failed (1,000,…,0000);
# without it every group of a long such run would rescan the run to its end (quadratic).
_NO_SEPARATED_RUN = "".join(rf"(?!(?<=(?<![\d.])\d{{{k}}},)\d{{3}})" for k in (1, 2, 3))
_NUMBER = re.compile(
    r"(?P<sign>(?<![A-Za-z\u4e00-\u9fff.,])[-+])?(?P<int>" + _NO_SEPARATED_RUN + r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+)"
    r"(?P<frac>\.\d+)?(?P<unit>万元|元|件|个|项|次|条|人次|宗|起)?"
)
# Digits that belong to prose or labels, not to a cell: dates, ordinals, clause numbers.
_PROSE_AFTER = re.compile(r"^(?:年|月|日|号|时|岁|%|周|天|小时|分|余|多|万(?!元)|亿|届|期|批|名|家|所|户|篇|份|位|倍|点)")
_SPACED_PROSE = re.compile(r"(\d)\s+(年|月|日|余|多|名|家|所|户|篇|份|位|倍|万(?!元)|亿)")
_ENUMERATOR_AFTER = re.compile(r"^[.、,](?!\d)")
_NEAR = 4  # characters either side of a figure that the markers above and in _cell can need (at most two)
_BLANK_CELL = re.compile(r"^(?:[-—/\\]+|无|/)$")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


ROW_END = "row end"  # the text of a BREAK that ends a row for certain (a Markdown row), not just a line
_LONE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")


def tokenize_lines(lines: list[str], pipe_table: bool = False) -> list[Token]:
    """`pipe_table`: the tables' cells are delimited ('|' or tabs), so a line of a lone small number without
    a delimiter is a page number."""
    out: list[Token] = []
    for number, line in enumerate(lines, start=1):
        if pipe_table and "|" not in line and "\t" not in line and _LONE_NUMBER.match(line):
            out.append(Token(Kind.BREAK, "", number))
            continue
        out.extend(tokenize_line(line, number))
    return out


def tokenize_line(line: str, number: int) -> list[Token]:
    stripped = line.strip()
    if not stripped:
        # A tab-only line is an empty cell in one-cell-per-line renderings; a truly empty one ends a row.
        return [Token(Kind.BLANK, "", number)] if "\t" in line else [Token(Kind.BREAK, "", number)]
    if is_page_furniture(stripped) or _MD_SEPARATOR.match(stripped) and "-" in stripped:
        return [Token(Kind.BREAK, "", number)]
    if "|" in stripped:
        return _pipe_cells(stripped, number)
    if "\t" in line:
        pieces = line.rstrip("\r\n").split("\t")
        while pieces and not pieces[0].strip():  # indentation, or the padding of a merged row header
            pieces.pop(0)
        if pieces and not pieces[-1].strip():
            pieces.pop()
        return [t for p in pieces for t in _cell(p, number, delimited=True)]
    # "统计周期为 2024 年", "近 1400 个": a converter's spaces around a figure in prose keep it prose (padded to
    # keep every later character in its column).
    spaced = _SPACED_PROSE.sub(lambda m: m.group(1) + m.group(2) + " " * (len(m.group(0)) - 2), line.rstrip())
    widths = _display_columns(spaced) if _ALIGNED_GAP.search(spaced) else None
    tokens = _mark_sentences([t for p in _PIECE.finditer(spaced) for t in _cell(p.group(), number, at=p.start(),
                                                                               widths=widths)])
    if len(tokens) == 1 and tokens[0].kind is Kind.NUM:
        return [replace(tokens[0], alone=True)]
    return tokens


_PIECE = re.compile(r"\S+")
_ALIGNED_GAP = re.compile(r"(?:^|\S) {2,}\S")
_SENTENCE_GOES_ON = re.compile(r"^[件个项次条宗起元]?[,，。;；:：]")


def _mark_sentences(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    for k, t in enumerate(tokens[:-1]):
        nxt = tokens[k + 1]
        if t.kind is Kind.NUM and nxt.kind is Kind.TEXT and _SENTENCE_GOES_ON.match(nxt.text):
            out[k] = replace(t, in_sentence=True)
    return out


def _pipe_cells(stripped: str, number: int) -> list[Token]:
    if set(stripped) <= {"|", " "}:
        bars = stripped.count("|")
        return [Token(Kind.BLANK, "", number)] if bars == 1 else [Token(Kind.BREAK, "", number)]
    pieces = stripped.split("|")
    if stripped.startswith("|"):
        pieces = pieces[1:]
    if stripped.endswith("|"):
        pieces = pieces[:-1]
    cells = [t for p in pieces for t in _cell(p, number, delimited=True)]
    if stripped.startswith("|") and stripped.endswith("|") and len(pieces) >= 3:
        # A Markdown table row is one row of the table: its end ends the row, even when the next row has lost
        # its label (PDF-extracted Markdown), so two rows of figures are never read as one.
        cells.append(Token(Kind.BREAK, ROW_END, number))
    return cells


def _display_columns(line: str) -> list[int]:
    """The display column after each character (CJK and full-width characters take two), as a PDF's layout text
    or a monospaced page aligns its columns."""
    return list(accumulate(map(_char_width, line)))


@cache
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _cell(content: str, number: int, delimited: bool = False, at: int = -1,
          widths: list[int] | None = None) -> list[Token]:
    """One cell's content. A cell may still hold a label glued to figures (run-together text).

    `delimited`: the cell's bounds are known (pipes, tabs). Such a cell holds a figure or a name; words with
    digits in them (数据1, 第3列) name a column unless the words are a row of the form glued to its figures.
    """
    content = content.strip()
    if not content:
        return [Token(Kind.BLANK, "", number)]
    if _BLANK_CELL.match(content):
        return [Token(Kind.BLANK, content, number)]
    # The two commonest cells, a bare figure and words without figures, read as the general path below reads them.
    if content.isdigit() and content.isascii():
        col = at + len(content) if at >= 0 and widths is not None else -1
        return [Token(Kind.NUM, content, number, Decimal(content), col=col,
                      dcol=widths[col - 1] if col > 0 and widths else -1)]
    if not _DIGIT.search(content):
        return [Token(Kind.TEXT, content, number, delimited=delimited)]
    if delimited and _DIGIT.search(content) and _WORD.search(_NUMBER.sub("", content)) and not _names_a_row(content):
        return [Token(Kind.TEXT, content, number, delimited=True)]
    tokens: list[Token] = []
    pos = 0
    text_start = 0
    for m in _NUMBER.finditer(content):
        if m.start() < pos:
            continue
        # Only the few characters either side are looked at (the longest marker is two): slicing the whole rest
        # of a cell for every figure in it would be quadratic in a run-together line of a thousand rows.
        before = content[max(0, m.start() - _NEAR): m.start()]
        after = content[m.end(): m.end() + _NEAR]
        raw = m.group(0)
        if before.endswith(("第", "(", "附件", "号", "〔", "[")) and not before.endswith("((") or _PROSE_AFTER.match(after):
            continue
        digits = m.group("int")
        if m.group("frac") is None and m.group("unit") is None and _ENUMERATOR_AFTER.match(after):
            # "1.属于国家秘密": a label's enumerator. In run-together text it is glued to the row before:
            # "00000002.其他…" is the row 0000000 and the enumerator 2.
            if len(digits) == 1:
                continue
            digits = digits[:-1]
            raw = (m.group("sign") or "") + digits
            end = m.start() + len(raw)
        else:
            end = m.end()
        if text_start < m.start():
            tokens.append(Token(Kind.TEXT, content[text_start: m.start()], number))
        value = _to_decimal(m.group("sign"), digits, m.group("frac") if end == m.end() else None)
        if value is None:
            continue
        unit = m.group("unit") if end == m.end() else None
        glued = _is_word(content, m.start() - 1) or (unit is None and _is_word(content, end))
        col = at + end if at >= 0 and widths is not None else -1
        tokens.append(Token(Kind.NUM, raw, number, value, unit, glued=glued,
                            col=col, dcol=widths[col - 1] if col > 0 and widths else -1))
        pos = text_start = end
    if text_start < len(content):
        tokens.append(Token(Kind.TEXT, content[text_start:], number))
    return tokens


_WORD = re.compile(r"[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")


@cache
def _row_names() -> re.Pattern[str]:
    v = vocabulary()
    return re.compile("|".join(p.pattern for spec in (*v.rows, *v.items) for p in spec.patterns))


def _names_a_row(content: str) -> bool:
    return bool(_row_names().search(re.sub(r"\s+", "", content)))


def _is_word(content: str, i: int) -> bool:
    return 0 <= i < len(content) and not content[i].isspace()


def _to_decimal(sign: str | None, digits: str, frac: str | None) -> Decimal | None:
    try:
        v = Decimal(digits.replace(",", "") + (frac or ""))
    except InvalidOperation:
        return None
    return -v if sign == "-" else v
