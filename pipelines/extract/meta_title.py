"""The report's title, in any word order, and the agency and year it names.

Titles put the year before or after the agency (X2021年…, 2021年X…, 关于2021年度X…, X关于2021年度…的报告,
X政府信息公开工作2021年度报告), break over two or three lines, follow page chrome on the same line, and space
their characters out. The search anchors on the fixed words (信息公开 … 报告) and reads the year and name
around them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipelines.extract.meta_names import agency_like, clean_name

_TAG = re.compile(r"<[^>]*>")
# The fixed words; a year may stand inside them (X政府信息公开工作2021年度报告). Newlines may break them.
_ANCHOR = re.compile(
    r"(?:(?:政\s*府|政\s*务)\s*)?信\s*息\s*公\s*开\s*(?:工\s*作\s*)?"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*度?\s*)?"
    r"(?:情\s*况\s*)?(?:的\s*)?(?:年\s*度\s*)?(?:工\s*作\s*)?(?:报\s*告|年\s*报|情\s*况|统\s*计)"
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*度?\s*(?:的\s*)?")
_CN_YEAR = re.compile(r"[一二][〇零○O][〇零○O一二三四五六七八九]{2}(?=\s*年)")
_CN_DIGIT = str.maketrans("〇零○O一二三四五六七八九", "0000123456789")
_CHROME_HEAD = re.compile(r"首页|当前位置|您的位置|位置|栏目|年报|年度报告|信息公开")
_GAP = re.compile(r"[\s关于的]*")  # what may stand between the year and the fixed words when X comes first
_MAX_HEAD = 40000  # characters of the file's start searched: a crawler's one-line page holds the title early


@dataclass(frozen=True)
class Title:
    agency: str | None
    year: int | None
    line: int  # 1-based


def despace(line: str) -> str:
    """'政 府 信 息 公 开', '2025 年': spaces next to a lone character or between a year and 年 go; a space
    between two longer runs (a breadcrumb and the title) stays, it separates them."""
    tokens = line.split()
    if len(tokens) < 2:
        return line.strip()
    out = [tokens[0]]
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        if len(tok) == 1 or len(prev) == 1 or (prev[-1].isdigit() and tok[0] == "年"):
            out[-1] += tok
        else:
            out.append(tok)
    return " ".join(out)


def prepare(line: str) -> str:
    text = _TAG.sub(" ", line) if "<" in line else line
    text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGIT), text)
    return despace(text)


def find_title(lines: list[str]) -> Title | None:
    # Most titles stand in the first lines: those are searched first, the rest of the head only if need be.
    return _search(lines[:40]) or _search(lines[:300], yearless_ok=True)


def _search(lines: list[str], yearless_ok: bool = False) -> Title | None:
    head: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    size = 0
    for i, ln in enumerate(lines):
        text = prepare(ln)
        if not text:
            continue
        starts.append(size)
        numbers.append(i + 1)
        head.append(text)
        size += len(text) + 1
        if size > _MAX_HEAD:
            break
    if not head:
        return None
    text = "\n".join(head)
    yearless: Title | None = None
    dated: Title | None = None  # a title naming the year but not the agency ('栏目：2021年政府信息公开年报')
    for m in _ANCHOR.finditer(text):
        k = _line_of(starts, m.start())
        found = _read(text, starts, k, m)
        if found is None:
            continue
        name, year, at = found
        line = numbers[_line_of(starts, at)]
        if year is not None and name and (dated is None or dated.year == year):
            return Title(name, year, dated.line if dated else line)
        if year is not None and dated is None:
            dated = Title(None, year, line)
        if year is None and yearless is None and name:
            yearless = Title(name, None, line)
    return dated or (yearless if yearless_ok else None)


def _line_of(starts: list[int], pos: int) -> int:
    return bisect_right(starts, pos) - 1  # the last head line starting at or before pos


def _read(text: str, starts: list[int], k: int, m: re.Match[str]) -> tuple[str | None, int | None, int] | None:
    """(agency, year, offset where the title starts) for the anchor m on head line k, or None: no title."""
    # The title may begin up to two lines above the anchor, and not far back on a long line.
    begin = max(starts[max(0, k - 2)], m.start() - 90)
    window = text[begin: m.start()]
    fix = "政府" if re.match(r"政\s*府", m.group(0)) else ""
    if m.group("y2"):  # X政府信息公开工作2021年度报告
        name = _name_before(window, fix)
        return name, int(m.group("y2")), m.start() - len(name or "")
    years = list(_YEAR.finditer(window))
    if not years:
        name = _name_before(window, fix)
        # No year: a title only where the fixed words end the line (not a breadcrumb's 政府信息公开年报).
        if name and (m.end() == len(text) or text[m.end()] in "\n -|"):
            return name, None, m.start() - len(name)
        return None
    y = years[-1]
    between = window[y.end():]
    year = int(y.group(1))
    if _GAP.fullmatch(between):  # X2021年政府信息公开…, or X on the line above
        name = _name_before(window[: y.start()], "")
        return name, year, begin + y.start() - len(name or "")
    compact = re.sub(r"\s+", "", between).removeprefix("关于")
    if not compact or clean_name(compact) != compact:
        return None  # prose between the year and the fixed words: not a title
    name = _fix_name(compact, fix)
    return (name if agency_like(name) else None), year, begin + y.start()


def _name_before(window: str, fix: str) -> str | None:
    """The name ending the window; where the title's line has no text before the year, the line above."""
    for part in reversed(window.split("\n")[-3:]):
        name = _fix_name(clean_name(part), fix).removeprefix("关于").removesuffix("关于")
        fix = ""
        if _CHROME_HEAD.search(name) and not agency_like(name):
            name = _CHROME_HEAD.split(name)[-1]  # 首页政务公开年报平潭综合实验区 → 平潭综合实验区
        if agency_like(name):
            return name
        if re.search(r"[\u4e00-\u9fff]", part):
            return None  # text that is no name stands before the year: the name is not above it
    return None


def _fix_name(name: str, fix: str) -> str:
    # 金川市人民政府信息公开…: the fixed words took the government's 政府.
    return name + fix if fix and name.endswith("人民") else name
