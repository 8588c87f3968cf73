"""Rows by the form's own order: the sequence of figure rows is aligned with the form's sequence of rows.

A label is evidence, not an address. Converters wrap a long label onto the line after its figures
(`3.要求提供公开  1 158 … 167` / `出版物` / `4.无正当理由大  0 …`), so the text before a row of figures
may end with its neighbour's tail; matching each row on its own lets that tail claim the wrong figures and
shifts every later row. Here each figure row gets a score for every canonical row (its own head text, the
text that follows its figures, its ordinal), and one monotone alignment of the whole sequence picks the
assignment: a row can be matched only once, only in the form's order, so a tail can never take its
neighbour's place, and a canonical row that no figure row fits is named as missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from pipelines.extract.rows import Row
from pipelines.extract.tokens import Kind
from pipelines.extract.vocabulary import RowSpec

_CN_NUMERALS = "一二三四五六七八九十"
# Where a row's own label starts: 1. / 1、 (a row in a group), (一) (a group or row), 一、 (a part of the table).
_ORDINAL = re.compile(
    rf"(?<![\d.])(?P<sub>\d{{1,2}})[.、,](?!\d)|\((?P<group>[{_CN_NUMERALS}])\)|(?<![{_CN_NUMERALS}])(?P<top>[{_CN_NUMERALS}])、"
)

STRONG = 3.0  # the row's own head names it, at its end
HEAD = 2.0  # named in the head, not last
WRAPPED = 2.0  # named only once the text after the figures (a wrapped tail) is joined to the head
BEFORE = 0.5  # named only in unnumbered text before the row's ordinal: usually the previous row's tail
PREFIX = 2.0  # the head is the beginning of the form's label (the rest wrapped away)
MIN_PREFIX = 4
BLOCK = 1.5  # another numbered label of a block of labels printed before the figure rows
CONTEST_MARGIN = 0.5
LOOK_BACK = 8  # rows back that a row without a label of its own looks for a block of labels
ORDINAL_FITS = 1.0
ORDINAL_CLASHES = -2.0


@dataclass(frozen=True)
class Placed:
    row: Row
    key: str | None
    score: float
    by_position: bool = False  # no label evidence: the only canonical row its place in the sequence leaves
    contested: bool = False  # another row's label names the same canonical row as strongly

    @property
    def certain(self) -> bool:
        return self.key is not None and not self.by_position and not self.contested and self.score >= STRONG


def segments(label: str) -> list[tuple[str | None, str]]:
    """The label cut where each numbered label starts: [(ordinal, text from it on)], the text before the first
    ordinal (a wrapped tail of the row before, or unnumbered words) first with ordinal None."""
    out: list[tuple[str | None, str]] = []
    last_start, last_ordinal = 0, None
    for m in _ORDINAL.finditer(label):
        if m.start() > last_start or last_ordinal is not None:
            out.append((last_ordinal, label[last_start:m.start()]))
        last_start = m.start()
        last_ordinal = m.group("sub") or (f"({m.group('group')})" if m.group("group") else f"{m.group('top')}、")
    out.append((last_ordinal, label[last_start:]))
    return [(o, t) for o, t in out if t]


def head_of(label: str) -> tuple[str, str | None, str]:
    """(text before the row's own label, the ordinal the label starts with, the label from its ordinal on)."""
    segs = segments(label)
    if not segs or segs[-1][0] is None:
        return "", None, label
    return label[: len(label) - len(segs[-1][1])], segs[-1][0], segs[-1][1]


def is_prose(row: Row) -> bool:
    """Figures that a sentence runs on from are prose that strayed into a table's section, not its cells."""
    nums = [t for t in row.values if t.kind is Kind.NUM]
    return bool(nums) and all(t.in_sentence for t in nums)


def _named(text: str, specs: Sequence[RowSpec]) -> dict[str, float]:
    """Every spec named in the text: STRONG for the one whose match ends last (longest on a tie), HEAD else."""
    ends: dict[str, tuple[int, int]] = {}
    for spec in specs:
        for p in spec.patterns:
            for m in p.finditer(text):
                score = (m.end(), m.end() - m.start())
                if spec.key not in ends or score > ends[spec.key]:
                    ends[spec.key] = score
    if not ends:
        return {}
    best = max(ends.values())
    return {k: (STRONG if v == best else HEAD) for k, v in ends.items()}


@cache
def _any_name(specs: tuple[RowSpec, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for spec in specs for p in spec.patterns))


def _begins(head: str, specs: Sequence[RowSpec]) -> list[str]:
    words = _ORDINAL.sub("", head, count=1) if _ORDINAL.match(head) else head
    if len(words) < MIN_PREFIX:
        return []
    return [s.key for s in specs if _bare(s.label).startswith(words)]


@cache
def _bare(label: str) -> str:
    return _QUOTES_AND_SPACES.sub("", _ORDINAL.sub("", label))


_QUOTES_AND_SPACES = re.compile(r"[\"“”\s]")


def _add(scores: dict[str, float], named: dict[str, float] | Sequence[str], value: float | None,
         ordinal: str | None, by_key: dict[str, RowSpec]) -> None:
    """Record evidence, keeping the strongest per key; an ordinal that fits the row adds, one that clashes takes."""
    for k in named:
        v = named[k] if value is None else value  # type: ignore[index]
        if ordinal is not None:
            v += ORDINAL_FITS if ordinal in by_key[k].ordinals else ORDINAL_CLASHES
        scores[k] = max(scores.get(k, float("-inf")), v)


def _scores(rows: Sequence[Row], trailing: str, specs: Sequence[RowSpec]) -> list[dict[str, float]]:
    by_key = {s.key: s for s in specs}
    segs = [segments(r.label) for r in rows]
    out: list[dict[str, float]] = []
    seen: dict[str, dict[str, float]] = {}  # the look-back names the same texts up to LOOK_BACK times
    any_name = _any_name(tuple(specs))  # most texts name nothing: one scan instead of one per pattern

    def named(text: str) -> dict[str, float]:
        if text not in seen:
            seen[text] = _named(text, specs) if any_name.search(text) else {}
        return seen[text]

    for i, row_segs in enumerate(segs):
        scores: dict[str, float] = {}
        ordinal, head = row_segs[-1] if row_segs else (None, "")
        if i + 1 < len(segs):
            nxt = segs[i + 1]
            tail = nxt[0][1] if nxt and nxt[0][0] is None else ""
        else:
            tail = trailing
        own = named(head)
        _add(scores, own, None, ordinal, by_key)
        # The first line of a label that wraps (7、属于行政执 / 法案卷) is the start of the form's own label.
        _add(scores, [k for k in _begins(head, specs) if k not in own], PREFIX, ordinal, by_key)
        _add(scores, [k for k in named(head + tail) if k not in own], WRAPPED, ordinal, by_key)
        # A converter may print several rows' labels as one block before their figure rows: any label of the
        # block may be this row's, and a row with no label of its own may take one of an earlier block.
        for o, text in row_segs[:-1]:
            _add(scores, list(named(text)), BLOCK if o is not None else BEFORE, o, by_key)
        if not own:
            for earlier in segs[max(0, i - LOOK_BACK):i]:
                for o, text in earlier:
                    if o is not None:
                        _add(scores, list(named(text)), BLOCK, o, by_key)
        out.append({k: v for k, v in scores.items() if v > 0})
    return out


def drop_page_numbers(rows: Sequence[Row]) -> list[Row]:
    """A lone figure on a line of its own, in a table whose rows state several figures, is a page number that
    split a row's wrapped label: its words go to the row that follows, as if the number were not there."""
    multi = sum(len([t for t in r.values if t.kind is Kind.NUM]) > 1 for r in rows)
    if multi * 2 < len(rows):
        return list(rows)
    out: list[Row] = []
    carry = ""
    for r in rows:
        nums = [t for t in r.values if t.kind is Kind.NUM]
        if len(nums) == 1 and nums[0].alone and len(r.values) == 1:
            carry += r.label
            continue
        if carry:
            r = Row(carry + r.label, r.label_line, r.values, r.context, r.after)
            carry = ""
        out.append(r)
    for before, nxt in zip(out, out[1:], strict=False):
        before.after = nxt.label
    return out


def place_rows(rows: Sequence[Row], specs: Sequence[RowSpec], trailing: str = "") -> list[Placed]:
    """Assign figure rows to canonical rows, in order, maximizing the evidence of the whole sequence."""
    scores = _scores(rows, trailing, specs)
    keys = [s.key for s in specs]
    m, k = len(rows), len(keys)
    # best[i][j]: the best total for rows[:i] using canonical rows[:j] only; choice remembers the move.
    best = [[0.0] * (k + 1) for _ in range(m + 1)]
    move = [[0] * (k + 1) for _ in range(m + 1)]  # 0: row i-1 unmatched, 1: canonical j-1 skipped, 2: matched
    for i in range(1, m + 1):
        row_scores, up, here, mv = scores[i - 1], best[i - 1], best[i], move[i]
        for j in range(1, k + 1):
            # The larger total wins; on a tie, matched over skipped over unmatched.
            v, choice = (here[j - 1], 1) if here[j - 1] >= up[j] else (up[j], 0)
            s = row_scores.get(keys[j - 1])
            if s and up[j - 1] + s >= v:
                v, choice = up[j - 1] + s, 2
            here[j], mv[j] = v, choice
    assigned: list[int | None] = [None] * m
    i, j = m, k
    while i > 0 and j > 0:
        mv = move[i][j]
        if mv == 2:
            assigned[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif mv == 1:
            j -= 1
        else:
            i -= 1
    placed = [Placed(r, None if a is None else keys[a], 0.0 if a is None else scores[n][keys[a]])
              for n, (r, a) in enumerate(zip(rows, assigned, strict=True))]
    return _contest(_fill_gaps(placed, assigned, keys), scores)


def _contest(placed: list[Placed], scores: list[dict[str, float]]) -> list[Placed]:
    """A row left unmatched whose label names a canonical row as strongly as the row that took it: the labels do
    not tell which of the two holds that row's figures, so the winner is not certain either."""
    taken = {p.key: n for n, p in enumerate(placed) if p.key is not None}
    out = list(placed)
    for n, p in enumerate(placed):
        if p.key is not None or is_prose(p.row):
            continue
        for key, s in scores[n].items():
            winner = taken.get(key)
            if winner is not None and s >= HEAD and s >= placed[winner].score - CONTEST_MARGIN:
                out[winner] = Placed(placed[winner].row, key, placed[winner].score, contested=True)
    return out


def _fill_gaps(placed: list[Placed], assigned: list[int | None], keys: list[str]) -> list[Placed]:
    """Unmatched figure rows between two matched ones take the canonical rows between them, when the counts
    agree exactly: the form's order then leaves one reading (labels lost by a converter, 部分公开 as a bare
    row of figures after 予以公开)."""
    out = list(placed)
    anchors = [-1] + [n for n, a in enumerate(assigned) if a is not None] + [len(assigned)]
    for lo, hi in zip(anchors, anchors[1:], strict=False):
        gap_rows = [n for n in range(lo + 1, hi) if not is_prose(placed[n].row)]
        if not gap_rows or lo < 0 or hi >= len(assigned):
            continue  # before the first or after the last labelled row, the order does not bound the place
        j_lo, j_hi = assigned[lo], assigned[hi]
        free = list(range(j_lo + 1, j_hi))  # type: ignore[operator]
        if len(free) == len(gap_rows):
            for n, j in zip(gap_rows, free, strict=True):
                out[n] = Placed(placed[n].row, keys[j], 0.0, by_position=True)
    return out
