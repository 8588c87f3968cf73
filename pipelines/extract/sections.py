"""Find the report's sections (二 proactive, 三 applications, 四 reviews) in the token stream."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from pipelines.extract.tokens import Kind, Token
from pipelines.extract.vocabulary import vocabulary

SECTION_ORDER = ("proactive", "applications", "reviews", "end")

# Where a report omits or garbles a heading, the first label of the section's table still marks it.
_FALLBACKS = {
    "proactive": re.compile(r"第二十条第\(一\)项|第二十条第\(1\)项"),
    "applications": re.compile(r"本年新收"),
    "reviews": re.compile(r"行政复议行政诉讼|行政复议.{0,12}结果维持"),
}
# Headings numbered any way (the statistics part may restart at 一、), or not at all ...
_ANY_NUMBER = r"(?:[一二三四五六七八九十\d][、.,]?)?"
_RELAXED = {
    "proactive": re.compile(_ANY_NUMBER + r"主动公开政府信息(?:的)?情况"),
    "applications": re.compile(_ANY_NUMBER + r"收到和处理政府信息公开申请(?:的)?情况"),
    "reviews": re.compile(_ANY_NUMBER + r"(?:因)?政府信息公开(?:申请)?(?:引起的)?行政复议[、和及]?行政诉讼(?:的)?情况"),
}
# ... are taken only where the section's table follows them: the overview's list of parts ("报告全文包括…主动公开
# 政府信息情况、收到和处理…") names every heading and is followed by none of the tables.
_STRUCTURE = {
    "proactive": re.compile(r"第二十条|信息内容|制发件数|新制作数量|处理决定数量"),
    "applications": re.compile(r"申请人情况|自然人|本年新收"),
    "reviews": re.compile(r"维持|纠正|尚未审结|直接起诉|复议后起诉"),
}
_WINDOW = 300
_END = re.compile(r"[一二三四五六七八九十\d][、.,](?:(?:政府信息公开)?(?:工作)?存在的(?:主要)?问题|其他需要报告)")


def split_sections(tokens: list[Token], flattened: tuple[str, list[int]] | None = None) -> dict[str, list[Token]]:
    """Token lists per section; a section that cannot be found is absent from the result. ``flattened``: the
    tokens' ``flatten``, when the caller has it already."""
    flat, token_starts = flattened or flatten(tokens)
    starts: dict[str, int] = {}
    cursor = 0
    for name in SECTION_ORDER:
        pos = _find(name, flat, cursor)
        if pos is not None:
            starts[name] = pos
            cursor = pos + 1
    cut_points = sorted(set(starts.values()))
    pieces = _cut(tokens, token_starts, len(flat), cut_points)
    out: dict[str, list[Token]] = {}
    for name in SECTION_ORDER[:-1]:
        if name not in starts:
            continue
        later = [p for p in cut_points if p > starts[name]]
        end = later[0] if later else len(flat)
        out[name] = [t for (start, t) in pieces if starts[name] <= start < end]
    return out


def _find(name: str, flat: str, cursor: int) -> int | None:
    structure = _STRUCTURE.get(name)
    numbered = [m for p in vocabulary().sections[name] for m in [p.search(flat, cursor)] if m]
    if structure is None:  # the part after the tables, numbered any way: 五、 in the form, 四、 where renumbered
        numbered += [m for m in [_END.search(flat, cursor)] if m]
        return min((m.start() for m in numbered), default=None)
    relaxed = list(_RELAXED[name].finditer(flat, cursor)) if name in _RELAXED else []
    for m in sorted([*numbered, *relaxed], key=lambda x: x.start()):
        if _table_follows(name, flat, m.end()):
            return m.start()
    if numbered:
        return min(m.start() for m in numbered)
    fallback = _FALLBACKS.get(name)
    if fallback:
        m = fallback.search(flat, cursor)
        if m:
            return m.start()
    return None


def _table_follows(name: str, flat: str, at: int) -> bool:
    """The section's table starts soon after the heading, before any other heading (a later heading of the same
    part, where the statistics restart their numbering, is the one the table belongs to)."""
    m = _STRUCTURE[name].search(flat, at, at + _WINDOW)
    if m is None:
        return False
    return not any(p.search(flat, at, m.start()) for p in _RELAXED.values())


def flatten(tokens: list[Token]) -> tuple[str, list[int]]:
    """The tokens' text without white space (a figure or a cell boundary: one NUL, no heading spans it), and where each
    token starts in it (-1: a TEXT token of white space only). Per token, not per character: a character's owner is
    found only for the few cut points."""
    parts: list[str] = []
    starts: list[int] = []
    size = 0
    for t in tokens:
        piece = "".join(t.text.split()) if t.kind is Kind.TEXT else "\x00"  # str.split: the same white space as \s
        starts.append(size if piece else -1)
        parts.append(piece)
        size += len(piece)
    return "".join(parts), starts


_WS = re.compile(r"\s+")


def _offset(text: str, k: int) -> int:
    """Where the k-th (0-based) character that is not white space stands in text."""
    for j, ch in enumerate(text):
        if not ch.isspace():
            if k == 0:
                return j
            k -= 1
    raise ValueError(k)


def _cut(tokens: list[Token], starts: list[int], size: int, cut_points: list[int]) -> list[tuple[int, Token]]:
    """Split TEXT tokens at the cut points; return (flat position of the piece's start, piece)."""
    filled = [i for i, s in enumerate(starts) if s >= 0]
    keys = [starts[i] for i in filled]
    cuts_in_token: dict[int, list[int]] = {}
    for p in cut_points:
        if p < size:
            ti = filled[bisect_right(keys, p) - 1]
            t = tokens[ti]
            cuts_in_token.setdefault(ti, []).append(_offset(t.text, p - starts[ti]) if t.kind is Kind.TEXT else 0)
    out: list[tuple[int, Token]] = []
    for i, t in enumerate(tokens):
        base = starts[i]
        if base < 0:  # a TEXT token of white space only
            out.append((out[-1][0] if out else 0, t))
            continue
        if i not in cuts_in_token:  # nearly every token: whole, where it starts
            out.append((base, t))
            continue
        offsets = sorted({0, *cuts_in_token[i]})
        for k, off in enumerate(offsets):
            end = offsets[k + 1] if k + 1 < len(offsets) else len(t.text)
            flat_pos = base + len(_WS.sub("", t.text[:off]))
            out.append((flat_pos, replace(t, text=t.text[off:end]) if len(offsets) > 1 else t))
    return out
