"""Dates: the signature's date (published_on), and where the signature stands, for the name beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DATE_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_ISO = re.compile(r"((?:19|20)\d{2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)")
# 二〇二二年一月十七日: a signature date in Chinese numerals.
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_DATE_CN_NUMERALS = re.compile(r"([〇零○O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*"
                               r"([一二三四五六七八九十]{1,3})\s*日")
_PUBLISHED_FIELD = re.compile(r"(?:发布|成文|印发)(?:时间|日期)\s*[::]?\s*")
_CHROME = re.compile(r"责任编辑|分享到|打印本页|关闭窗口|扫一扫|附件下载|相关链接|【|^\s*[|]\s*$")


@dataclass(frozen=True)
class Signature:
    published_on: str | None
    text: str | None  # the signature line's text before its date ('某市教育局 ' or '')
    lines: tuple[str, ...]  # the non-blank lines around it, nearest first, for the name on a line of its own
    line: int | None  # 1-based


def find_date(text: str) -> tuple[re.Match[str] | None, str]:
    """The last date in the text, with the text it was found in (Chinese numerals rewritten as digits)."""
    m = _DATE_CN_NUMERALS.search(text)
    if m:
        y = "".join(str(_CN_DIGITS[c]) for c in m.group(1))
        text = text[: m.start()] + f"{y}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日" + text[m.end():]
    found = [*DATE_CN.finditer(text), *DATE_ISO.finditer(text)]
    return (max(found, key=lambda x: x.start()) if found else None), text


def _cn_number(s: str) -> int:
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _CN_DIGITS[s[1]]
    if s.endswith("十"):
        return _CN_DIGITS[s[0]] * 10
    if "十" in s:
        return _CN_DIGITS[s[0]] * 10 + _CN_DIGITS[s[2]]
    return _CN_DIGITS[s]


def _strip_chrome(line: str) -> str:
    """A short line of page chrome goes whole; a crawler's one-line page loses only its chrome tail."""
    m = _CHROME.search(line)
    if not m:
        return line.strip()
    if len(line) <= 200:
        return ""
    tail = _CHROME.search(line, max(0, len(line) - 120))
    return line[: tail.start()].strip() if tail else line.strip()


def signature(lines: list[str], year: int | None) -> Signature:
    tail: list[tuple[int, str]] = []
    for i in range(len(lines) - 1, -1, -1):  # the last eight lines of text, chrome left out
        t = _strip_chrome(lines[i]) if lines[i].strip() else ""
        if t:
            tail.append((i, t))
            if len(tail) == 8:
                break
    tail.reverse()
    for k in range(len(tail) - 1, -1, -1):
        i, ln = tail[k]
        m, text = find_date(ln)
        if not m:
            continue
        around = tuple(t for _, t in (tail[k - 1: k] if k else []) + tail[k + 1: k + 2])
        # A signature line: the date, perhaps the agency's name, and little else.
        if len(re.sub(r"\s|\|", "", text)) <= len(m.group(0)) + 24 and "。" not in text:
            d = _date(m, year)
            if d:
                return Signature(d, text[: m.start()], around, i + 1)
        # A crawler's one-line text: the signature is the end of the line.
        stop = text.rfind("。", 0, m.start())
        if len(text) > 200 and len(text) - m.end() <= 12 and m.start() - stop <= 45:
            d = _date(m, year)
            if d:
                return Signature(d, text[stop + 1: m.start()], (), i + 1)
    for ln in lines[:30]:
        f = _PUBLISHED_FIELD.search(ln)
        if f:
            m = DATE_ISO.search(ln, f.end()) or DATE_CN.search(ln, f.end())
            d = _date(m, year) if m else None
            if d:
                return Signature(d, None, (), None)
    return Signature(None, None, (), None)


def _date(m: re.Match[str], year: int | None) -> str | None:
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if year is not None and not (year <= d.year <= year + 2):
        return None
    return d.isoformat()
