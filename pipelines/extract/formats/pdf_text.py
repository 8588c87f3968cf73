"""Characters to text: visual lines by their vertical position, chunks by the gaps between them, words joined.

A PDF has no words or lines, only glyphs at positions. Two glyphs belong to one line when their vertical centres
are close; a line falls into chunks where a gap is wider than a full character (table columns, a signature's
padding), while the small gaps of justified Chinese text stay inside a chunk. Inside a chunk a space is kept only
between Latin letters or digits that stand apart (hzzwgk@126.com, "WPS Office"), never next to a Chinese
character, as the web page reader's clean() does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pipelines.extract.formats.pdf_objects import Char

COLUMN_GAP = 0.9  # a gap wider than this many character heights separates chunks (columns)
_WORD_GAP = 0.18  # between Latin characters, a gap wider than this (in heights) is a space
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2018-\u201d\u2014\u2026]")


@dataclass
class Line:
    """A run of characters on one baseline, left to right (never changed once made: its measures are cached)."""

    chars: list[Char]

    @cached_property
    def x0(self) -> float:
        return self.chars[0].x0

    @cached_property
    def x1(self) -> float:
        return max(c.x1 for c in self.chars)

    @cached_property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @cached_property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @cached_property
    def size(self) -> float:
        return _median([c.size for c in self.chars])

    @cached_property
    def text(self) -> str:
        return join_run(self.chars)

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.x0, self.top, self.x1, self.bottom)


def _median(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2] if s else 0.0


def lines_of(chars: list[Char]) -> list[Line]:
    """Visual lines, top to bottom: a character joins the line whose centre it is vertically near.

    Sorted by centre, a new line starts where the next centre is further than 40% of a character height from the
    running line's centre; superscripts and mixed fonts on one baseline stay in their line.
    """
    if not chars:
        return []
    ordered = sorted(chars, key=lambda c: (c.cy, c.x0))
    groups: list[list[Char]] = [[ordered[0]]]
    centre = ordered[0].cy
    for ch in ordered[1:]:
        group = groups[-1]
        if abs(ch.cy - centre) <= 0.4 * max(ch.size, group[0].size):
            group.append(ch)
            centre += (ch.cy - centre) / len(group)
        else:
            groups.append([ch])
            centre = ch.cy
    lines = []
    for group in groups:
        group.sort(key=lambda c: c.x0)
        lines.extend(_split_overprint(group))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _split_overprint(chars: list[Char]) -> list[Line]:
    """Glyphs drawn twice at one place (fake bold: WPS prints a heading twice, a hair apart) count once."""
    out = [chars[0]]
    for ch in chars[1:]:
        last = out[-1]
        if ch.text == last.text and abs(ch.x0 - last.x0) < 0.3 * last.size and abs(ch.top - last.top) < 0.3 * last.size:
            continue
        out.append(ch)
    return [Line(out)]


def chunks_of(line: Line) -> list[Line]:
    """The line cut where the gap between two characters is wider than a column gap."""
    out: list[list[Char]] = [[line.chars[0]]]
    for prev, ch in zip(line.chars, line.chars[1:], strict=False):
        if ch.x0 - prev.x1 > COLUMN_GAP * max(prev.size, ch.size):
            out.append([ch])
        else:
            out[-1].append(ch)
    return [Line(c) for c in out]


def join_run(chars: list[Char]) -> str:
    parts: list[str] = [chars[0].text] if chars else []
    for prev, ch in zip(chars, chars[1:], strict=False):
        gap = ch.x0 - prev.x1
        if gap > _WORD_GAP * max(prev.size, ch.size) and not _CJK.match(prev.text) and not _CJK.match(ch.text):
            parts.append(" ")
        parts.append(ch.text)
    return "".join(parts)


def join_lines(texts: list[str]) -> str:
    """Lines of one cell or paragraph as one text: no space where either side is Chinese (a wrapped line)."""
    out = ""
    for text in texts:
        text = text.strip()
        if not text:
            continue
        if out and not _CJK.match(out[-1]) and not _CJK.match(text[0]):
            out += " "
        out += text
    return out


def text_of(chars: list[Char]) -> str:
    """A cell's characters as one text, its lines top to bottom (a vertical label's characters one per line)."""
    return join_lines([ln.text for ln in lines_of(chars)])
