"""Where each value stands: the line of the rendered file that holds a table cell.

Before rendering, every stated cell's text is wrapped in invisible markers (private-use characters the renderers
count as zero width); after rendering the markers are read off line by line and removed. The text that reaches
the file never holds a marker, and the renderers' layout decisions do not change.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .render import Tables, VCell
from .truth import Key

START, END = "\ue000", "\ue001"
_INDEX0 = 0xE100  # the cell's index follows START as one character
_MARK = re.compile("\ue000([\ue100-\ueeff])(.*?)\ue001", re.S)
MARK_CHARS = frozenset([START, END, *(chr(c) for c in range(_INDEX0, 0xEF00))])


def strip_marks(text: str) -> str:
    return _MARK.sub(lambda m: m.group(2), text)


def mark_tables(tables: Tables) -> tuple[Tables, list[Key]]:
    """A copy of ``tables`` whose stated cells carry markers, and the keys in marker order."""
    keys: list[Key] = []

    def mark(c: VCell) -> VCell:
        if not c.text:
            return c
        keys.append(c.key)
        return VCell(c.key, f"{START}{chr(_INDEX0 + len(keys) - 1)}{c.text}{END}")

    proactive = [replace(b, rows=[replace(r, cells=[mark(c) for c in r.cells]) for r in b.rows]) for b in tables.proactive]
    apps = [replace(r, cells=[mark(c) for c in r.cells]) for r in tables.apps]
    reviews = [mark(c) for c in tables.reviews]
    return replace(tables, proactive=proactive, apps=apps, reviews=reviews), keys


def read_lines(text: str, keys: list[Key]) -> tuple[str, dict[Key, int]]:
    """The text without markers, and the 1-based line of each marked cell. A line that holds values of more
    than one table row (a run-together body, a review table's one row of fifteen) tells no row apart: its
    cells get no line."""
    lines: dict[Key, int] = {}
    rows_on: dict[int, set[tuple[str, str]]] = {}
    for n, line in enumerate(text.split("\n"), start=1):
        for m in _MARK.finditer(line):
            key = keys[ord(m.group(1)) - _INDEX0]
            lines[key] = n
            rows_on.setdefault(n, set()).add(key[:2])
    clean = strip_marks(text)
    assert START not in clean and END not in clean
    return clean, {k: n for k, n in lines.items() if len(rows_on[n]) == 1}
