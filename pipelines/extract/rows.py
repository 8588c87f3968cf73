"""Segment a section's tokens into rows (label + value cells) and map labels to canonical names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipelines.extract.normalize import compact
from pipelines.extract.tokens import ROW_END, Kind, Token

CONTEXT = 240


@dataclass
class Row:
    label: str  # white space removed
    label_line: int
    values: list[Token]  # NUM and BLANK tokens, in order
    context: str = ""  # the section's text just before this row (header words: units, column names)
    after: str = ""  # the text between this row's figures and the next row's (or the section's end)

    @property
    def line(self) -> int:
        nums = [t.line for t in self.values if t.kind is Kind.NUM]
        return nums[0] if nums else self.label_line


def segment_rows(tokens: Sequence[Token]) -> list[Row]:
    """A row is the text since the previous figure, then the cells up to the next text.

    Labels that wrap across lines, vertical text split one character per line, and a label's tail that
    a PDF converter puts after the figures all end up in the label text; matching then picks the
    vocabulary phrase that stands last (nearest the figures).
    """
    rows: list[Row] = []
    label: list[str] = []
    label_line = 0
    values: list[Token] = []
    has_num = False  # a NUM among values
    seen = ""  # the section's text so far, its last CONTEXT characters only: joining it all is quadratic
    closed = False  # a row break after figures: empty cells from here on pad the next row's label
    for t in tokens:
        kind = t.kind
        if kind is Kind.TEXT:
            closed = False
            if has_num:
                rows.append(Row(compact("".join(label)), label_line, values, compact(seen)))
                label, values, has_num = [], [], False
            elif values:
                values = []  # empty cells of a header row
            if not label:
                label_line = t.line
            label.append(t.text)
            seen = (seen + t.text)[-CONTEXT:]
        elif kind is Kind.BREAK:
            closed = has_num
            if closed and t.text == ROW_END:
                rows.append(Row(compact("".join(label)), label_line or t.line, values, compact(seen)))
                label, values, label_line, closed, has_num = [], [], 0, False, False
        elif kind is Kind.NUM:
            closed = False
            values.append(t)
            has_num = True
        elif not closed:
            values.append(t)
    if has_num:
        rows.append(Row(compact("".join(label)), label_line, values, compact(seen)))
        label = []
    for before, nxt in zip(rows, rows[1:], strict=False):
        before.after = nxt.label
    if rows:
        rows[-1].after = compact("".join(label))
    return rows


def match_label(label: str, candidates: Iterable[tuple[str, Sequence[re.Pattern[str]]]]) -> str | None:
    """The canonical key whose pattern matches latest in the label (longest match on a tie)."""
    best: tuple[int, int, str] | None = None
    for key, patterns in candidates:
        for p in patterns:
            for m in p.finditer(label):
                score = (m.end(), m.end() - m.start(), key)
                if best is None or score[:2] > best[:2]:
                    best = score
    return best[2] if best else None
