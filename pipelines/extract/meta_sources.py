"""Where a report names its agency and year besides its title: a CMS's or crawler's fields, the signature, the
body's own words (本报告由X编制), the statistics period (统计期限自2021年1月1日起至2021年12月31日止)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipelines.extract.meta_dates import Signature
from pipelines.extract.meta_names import agency_like, clean_name, strip_tags


def _spaced(word: str) -> str:
    return r"\s*".join(word)  # 发 布 机 构, 名　　称: forms pad their labels


# The publisher as the page's CMS records it. 来源 is apart: on many sites it is the portal's owner, not the author.
_PUBLISHER_LABELS = ("发布机构", "发文机关", "发布单位", "发文单位", "发布部门", "公开单位", "制发机关", "信息来源", "单位")
_FIELD = re.compile(
    r"(?P<label>" + "|".join(_spaced(w) for w in _PUBLISHER_LABELS) + r"|来\s*源)\s*[:：]"
)
# A value ends at the next label ('来源：X 时间：…'), a wide gap, or a cell border.
_VALUE_END = re.compile(r"\s{2,}|\s+[\u4e00-\u9fff]{1,6}\s*[:：]|[|｜]|$")


_NAME_RUN = re.compile(r"[\u4e00-\u9fff()（）]+")  # what meta_names.clean_name keeps


def _after_footer_word(text: str, at: int) -> bool:
    """The text before `at` ends with a word of the site's footer (主办单位: the site's owner, not the author), white
    space apart; read in place, not by copying the line's start for every field."""
    while at > 0 and text[at - 1].isspace():
        at -= 1
    return text.endswith(_FOOTER_WORDS, 0, at)


_FOOTER_WORDS = ("主办", "承办", "协办", "运维", "维护", "技术支持", "挂牌")


class _ValueEnds:
    """Where a field's value starting at a position ends (_VALUE_END): the first end found serves every later start
    before it, so a line is searched once however many fields it holds."""

    def __init__(self, text: str) -> None:
        self.text, self.start, self.end = text, -1, -1

    def at(self, start: int) -> int:
        if not self.start <= start <= self.end:
            self.start, self.end = start, _VALUE_END.search(self.text, start).start()  # type: ignore[union-attr]
        return self.end


@dataclass(frozen=True)
class Named:
    source: str  # how the report names it, for the messages: '发布机构', 'signature', …
    name: str
    line: int | None


def fields(lines: list[str]) -> tuple[list[Named], list[Named]]:
    """(publisher fields, 来源 fields) in the file's first lines."""
    publishers: list[Named] = []
    sources: list[Named] = []
    for i, ln in enumerate(lines[:200]):
        if "：" not in ln and ":" not in ln:
            continue
        text = strip_tags(ln)
        ends = _ValueEnds(text)
        for m in _FIELD.finditer(text):
            if _after_footer_word(text, m.start()):
                continue
            start = m.end()
            while start < len(text) and text[start].isspace():
                start += 1
            end = ends.at(start)
            # The value's first run of name characters (clean_name(value, last=False)), read in place: slicing the
            # rest of the line for every field would be quadratic on a crawler's one-line page.
            run = _NAME_RUN.search(text, start, end)
            name = run.group(0).strip("()（）") if run else ""
            name = name if len(name) <= 40 else ""
            if not agency_like(name) or text[start] != name[0]:
                continue  # an empty field takes nothing from the next one, nor a URL's words
            label = re.sub(r"\s+", "", m.group("label"))
            (sources if label == "来源" else publishers).append(Named(label, name, i + 1))
    return publishers, sources


def signed_name(sig: Signature) -> Named | None:
    """The agency beside the signature's date: before it on its line, or alone on the line above or below."""
    if sig.text is not None:
        name = clean_name(sig.text)
        if agency_like(name) and re.sub(r"[\s()（）]", "", sig.text).endswith(name):
            return Named("signature", name, sig.line)
    for ln in sig.lines:
        text = re.sub(r"[\s|]+", "", strip_tags(ln))
        if agency_like(text) and clean_name(text) == text:
            return Named("signature", text, sig.line)
    return None


@dataclass(frozen=True)
class Compact:
    """The file's first lines without white space, so a sentence broken over lines reads whole."""
    text: str
    starts: list[int]

    def line(self, pos: int) -> int:
        return bisect_right(self.starts, pos)  # 1-based: the count of lines starting at or before pos


_WS = re.compile(r"\s+")


def compact(lines: list[str], max_chars: int = 12000) -> Compact:
    parts: list[str] = []
    starts: list[int] = []
    size = 0
    for ln in lines:
        c = _WS.sub("", ln)
        starts.append(size)
        parts.append(c)
        size += len(c)
        if size > max_chars:
            break
    return Compact("".join(parts), starts)


_Y = r"((?:19|20)\d{2})年"
# Every wording of the statistics period: 统计期限/周期/时限 …, 自/从/为, 起至/至/到 … 止.
_STAT = re.compile(r"统计(?:期限|周期|时限|时段|区间|期间|时间|范围)(?:为|是|从|自|:|：|均为)?(?:自|从)?" + _Y)
_SPAN = re.compile(r"(?<!\d)" + _Y + r"1月1日起?(?:至|到|—+|-|~|－)(?:" + _Y + r")?12月31日")
_NIANDU = re.compile(r"(?<!\d)" + _Y + r"度")


def period_year(head: Compact) -> tuple[int, int] | None:
    """(year, line) of the statistics period."""
    m = _STAT.search(head.text)
    if m:
        return int(m.group(1)), head.line(m.start())
    for m in _SPAN.finditer(head.text):
        if m.group(2) is None or m.group(2) == m.group(1):
            return int(m.group(1)), head.line(m.start())
    return None


def niandu_year(head: Compact, within: int = 3000) -> tuple[int, int] | None:
    """(year, line) of the first 'YYYY年度' near the start: 本报告…2021年度…"""
    m = _NIANDU.search(head.text, 0, within)
    return (int(m.group(1)), head.line(m.start())) if m else None


# 本报告由X编制 / 本报告由X根据…编制 / …要求，X编制了本报告: the compiler names itself.
_COMPILER = re.compile(r"本(?:年度)?报告由([\u4e00-\u9fff()（）]{3,40}?)(?:根据|依据|按照|依照|负责|编制|组织|结合)"
                       r"|(?:^|[，。,;；])([\u4e00-\u9fff()（）]{3,30}?)(?:编制完成了|编制了|编写了|编制)本(?:年度)?报告")


def compiler(head: Compact) -> Named | None:
    for m in _COMPILER.finditer(head.text, 0, 8000):
        name = m.group(1) or m.group(2)
        if agency_like(name):
            return Named("body", name, head.line(m.start()))
    return None
