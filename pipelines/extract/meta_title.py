"""The report's title, in any word order, and the agency and year it names.

Titles put the year before or after the agency (X2021年…, 2021年X…, 关于2021年度X…, X关于2021年度…的报告,
X政府信息公开工作2021年度报告), break over two or three lines, follow page chrome on the same line, and space
their characters out. The search anchors on the fixed words (信息公开 … 报告) and reads the year and name
around them.

Not every title-like line is the report's: a sidebar lists the agency's other reports (· X2020年…报告, 【…】,
several titles in a row, a line of links) and a breadcrumb names a site column by the year of publication
(首页 > … > 2022年政府信息公开年报). A title standing alone outranks chrome, chrome outranks a list's entry; among
titles alike the statistics period decides.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipelines.extract.meta_names import agency_like, clean_name, strip_tags

# The fixed words (信息公开 or 政务公开 … 报告); a year may stand inside them (X政府信息公开工作2021年度报告).
# Newlines may break them.
_ANCHOR = re.compile(
    r"(?:(?:(?:政\s*府|政\s*务)\s*)?信\s*息|政\s*务)\s*公\s*开\s*(?:工\s*作\s*)?"
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
    # Years of other titles as plausible as this one (a sidebar's run of reports with nothing to tell them apart),
    # and what chose among them: 'period' (the statistics period agrees), 'mentions' (the year the text writes most).
    rivals: tuple[int, ...] = ()
    chosen_by: str | None = None


@dataclass(frozen=True)
class _Candidate:
    agency: str | None
    year: int | None
    line: int
    start: int  # offsets in the head text: where the title starts, where its fixed words end
    end: int
    bullet: bool  # marked as an entry of a list of links
    chrome: bool  # a breadcrumb's crumb or a site column's field: names a section of the site, not the report
    listed: bool = False  # an entry of a list (a bullet, or one of several titles in a row)
    inline: bool = False  # one of several titles in a row on one line: a line of links

    @property
    def rank(self) -> int:  # 0: the title standing alone; 1: page chrome; 2: a link to another report
        return 2 if self.listed else 1 if self.chrome else 0


# Page chrome right before a title (首页 > 政务公开 > 2022年政府信息公开年报, 栏目：…) or right after it (… > 正文).
_CRUMB_BEFORE = re.compile(r"(?:[>›»→]|当前位置|您的位置|您现在的位置|所在位置|首页|栏目|所属栏目|分类|主题分类)"
                           r"\s*[:：]?\s*$")
_CRUMB_AFTER = re.compile(r"\s*[>›»→]")
_BULLETS = frozenset("·•●◆◇■□▪▸►○◎★☆-*—【[")
# What stands between two entries of a list of links: white space, bullets, separators, their dates.
_LIST_GAP = re.compile(r"[\s·•●◆◇■□▪▸►○◎★☆\-—*|｜/,，、;；\[\]【】()（）\d.:：年月日]{0,40}")
_SCAN_ON = 40  # characters past a title standing alone searched for a next title in a row with it


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
    text = strip_tags(line)
    text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGIT), text)
    return despace(text)


def find_title(lines: list[str], period: int | None = None, text: str = "") -> Title | None:
    """The report's own title. A title in a list (a sidebar's links to the agency's other reports) or in a
    breadcrumb (a site column named by the year of publication) gives way to one standing alone; among titles
    alike, the one the statistics period `period` agrees with, else the year the `text` writes most."""
    # Most titles stand in the first lines: those are searched first, the rest of the head only if need be.
    found = _search(lines[:40])
    if not any(c.year is not None for c in found):
        found = _search(lines[:300])
    return _choose(found, period, text)


def _choose(found: list[_Candidate], period: int | None, text: str) -> Title | None:
    dated = [c for c in found if c.year is not None]
    if not dated:
        named = [c for c in found if c.agency]
        best = min(named, key=lambda c: c.rank) if named else None  # the first of the best rank
        return Title(best.agency, None, best.line) if best else None
    rank = min(c.rank for c in dated)
    pool = [c for c in dated if c.rank == rank]
    years = list(dict.fromkeys(c.year for c in pool))
    year, chosen_by = years[0], None
    if len(years) > 1:
        if period in years:
            year, chosen_by = period, "period"
        else:
            year = max(years, key=lambda y: text.count(f"{y}年"))  # ties: the first
            chosen_by = "mentions"
    same = [c for c in pool if c.year == year]
    named = [c for c in same if c.agency] or [c for c in dated if c.year == year and c.agency]
    line = same[0].line
    agency = min(named, key=lambda c: c.rank).agency if named else None
    return Title(agency, year, line, tuple(y for y in years if y != year), chosen_by)


def _search(lines: list[str]) -> list[_Candidate]:
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
        return []
    text = "\n".join(head)
    found: list[_Candidate] = []
    alone: _Candidate | None = None  # the first title standing alone: past it, nothing more is looked for
    pos, endpos = 0, len(text)
    while (m := _ANCHOR.search(text, pos, endpos)) is not None:
        pos = m.end()
        if alone is not None and m.start() > alone.end + _SCAN_ON:
            break
        k = _line_of(starts, m.start())
        read = _read(text, starts, k, m)
        if read is None:
            continue
        name, year, at = read
        at = max(at, 0)
        k_at = _line_of(starts, at)
        before = text[starts[k_at]: at]
        stripped = before.rstrip()
        # '· X2020年…报告', '【X2020年…报告】' (read '(…)'): a list's entry
        bullet = bool(stripped) and (stripped[-1] in _BULLETS or stripped[-1] in "(（" and text[m.end(): m.end() + 1]
                                     in (")", "）"))
        chrome = bool(_CRUMB_BEFORE.search(before) or _CRUMB_AFTER.match(text, m.end()))
        cand = _Candidate(name, year, numbers[k_at], at, m.end(), bullet, chrome, listed=bullet)
        prev = found[-1] if found else None
        if prev and _in_a_row(prev, cand, text):
            # Titles of different reports one after another, none marked: a list, every one of them.
            found[-1] = _listed(prev, prev.line == cand.line)
            cand = _listed(cand, prev.line == cand.line)
            if alone is prev:
                alone = None
        found.append(cand)
        if alone is None and cand.rank == 0 and cand.agency and cand.year is not None:
            alone = cand
            endpos = min(len(text), cand.end + _SCAN_ON + 60)  # room for a next title's fixed words
        elif alone is None:
            endpos = len(text)
    return found


def _in_a_row(a: _Candidate, b: _Candidate, text: str) -> bool:
    """Titles of two reports one after another: on one line, or each on a line of its own (after a line of links,
    a title alone on its line is the page's own)."""
    return bool(a.agency and b.agency and a.year is not None and b.year is not None and a.year != b.year
                and not a.bullet and not b.bullet and (a.line == b.line or not a.inline)
                and a.end <= b.start and _LIST_GAP.fullmatch(text, a.end, b.start))


def _listed(c: _Candidate, inline: bool) -> _Candidate:
    return _Candidate(c.agency, c.year, c.line, c.start, c.end, c.bullet, c.chrome, True, c.inline or inline)


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
