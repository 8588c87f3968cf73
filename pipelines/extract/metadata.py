"""Report metadata: the publishing agency, the year reported on, the date of publication."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政\s*府\s*)?信\s*息\s*公\s*开\s*(?:工\s*作\s*)?(?:年\s*度\s*)?"
    r"(?:报\s*告|情\s*况|年\s*报|统\s*计)"
)
_PERIOD = re.compile(r"统计期限?(?:为|是)?自?\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_DATE_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?!\d)")
# 二〇二二年一月十七日: a signature date in Chinese numerals.
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_DATE_CN_NUMERALS = re.compile(r"([〇零○O一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*"
                               r"([一二三四五六七八九十]{1,3})\s*日")
_PUBLISHED_FIELD = re.compile(r"(?:发布|成文|印发)(?:时间|日期)\s*[::]?\s*")
_LABEL_PREFIX = re.compile(r"^.*?(?:标题|题目|名称)\s*[::]\s*")
_NOT_NAME = re.compile(r"[^\u4e00-\u9fff()（）]")
_PLACE = re.compile(r"[省市县区旗州盟镇乡]|自治|国家|国务院|中华人民共和国|委员会|实验区|开发区|新区|示范区")
_CHROME = re.compile(r"责任编辑|分享到|打印本页|关闭窗口|扫一扫|附件下载|相关链接|【|^\s*[|]\s*$")


@dataclass(frozen=True)
class Metadata:
    agency: str | None
    year: int | None
    published_on: str | None
    title_line: int | None
    agency_unsure: bool = False  # the title abbreviates the name and the body does not spell it out


def extract_metadata(lines: list[str]) -> Metadata:
    agency, year, title_line = _title(lines)
    if year is None:
        m = _PERIOD.search("".join(lines[:200]))
        year = int(m.group(1)) if m else None
    body = "".join(re.sub(r"\s+", "", ln) for ln in lines)
    place = _PLACE.search(agency) if agency else None
    unsure = False
    if agency and (place is None or place.start() == 0):  # '教体局', '县文旅局': no place name before the unit
        full = _expand_abbreviation(agency, body)
        unsure = full is None
        agency = full or agency
    for short, rest in (("办", "公室"), ("委", "员会")):  # 人民政府办 → 人民政府办公室 where the body says so
        if agency and agency.endswith(short) and agency + rest in body:
            agency += rest
    return Metadata(agency, year, _published_on(lines, year), title_line, unsure)


def _title(lines: list[str]) -> tuple[str | None, int | None, int | None]:
    head = [(i, ln) for i, ln in enumerate(lines[:80]) if ln.strip()]
    for k, (i, ln) in enumerate(head):
        # A title may be split over two lines ("…教育局2021年" / "政府信息公开工作年度报告").
        joined = ln.strip() + (head[k + 1][1].strip() if k + 1 < len(head) else "")
        m = _TITLE.search(joined)
        if not m or m.start() > len(ln.strip()):
            continue
        before = _LABEL_PREFIX.sub("", joined[: m.start()])
        name = _clean_name(before)
        j = k
        while not name and j > 0 and k - j < 3:  # the agency on the line(s) above the title
            j -= 1
            name = _clean_name(_LABEL_PREFIX.sub("", head[j][1]))
        return name or None, int(m.group("year")), i + 1
    return None, None, None


def _clean_name(text: str) -> str:
    # The name is the last run of name characters before the year ("标题: X2021年…" → X).
    parts = [p for p in _NOT_NAME.split(text.strip()) if p]
    name = parts[-1] if parts else ""
    return name.strip("()（）") if len(name) <= 40 else ""


_NAME_BOUNDARY = re.compile(r"报告|公布|发布|根据|现将|截至|年底|年度|本局|我局|由|经|对|向|是|了")


def _expand_abbreviation(abbr: str, body: str) -> str | None:
    """'教体局' in a title, '郑县教育体育局' in the body: the most frequent full name that contains the
    abbreviation's characters in order and starts with a place name."""
    counts: Counter[str] = Counter()
    last = abbr[-1]
    for m in re.finditer(re.escape(last), body):
        start = m.end()
        run_start = start
        while run_start > 0 and start - run_start < 20 and "\u4e00" <= body[run_start - 1] <= "\u9fff":
            run_start -= 1
        # Prose runs into the name with no punctuation ("…报告现公布达拉特旗…局"): start after the last word
        # that never stands inside an agency's name.
        lead = list(_NAME_BOUNDARY.finditer(body, run_start, start))
        if lead:
            run_start = lead[-1].end()
        for s in range(run_start, start - len(abbr) + 1):
            cand = body[s:start]
            if cand.endswith("委") and body.startswith("员会", start):
                cand += "员会"  # 卫健委 → …卫生健康委员会
            place = _PLACE.search(cand)
            if place and place.start() > 0 and subsequence(abbr, cand):
                counts[cand] += 1
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], len(c)))


_PLACE_CHARS = frozenset("省市县区旗州盟")


def subsequence(short: str, long: str) -> bool:
    """`short`'s characters in order in `long`; a title's 县 may stand for the body's 旗 or 区."""
    it = iter(long)
    return all(any(c == ch or (ch in _PLACE_CHARS and c in _PLACE_CHARS) for c in it) for ch in short)


def _find_date(text: str) -> tuple[re.Match[str] | None, str]:
    """The last date in the text, with the text it was found in (Chinese numerals rewritten as digits)."""
    m = _DATE_CN_NUMERALS.search(text)
    if m:
        y = "".join(str(_CN_DIGITS[c]) for c in m.group(1))
        text = text[: m.start()] + f"{y}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日" + text[m.end():]
    found = [*_DATE_CN.finditer(text), *_DATE_ISO.finditer(text)]
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


def _published_on(lines: list[str], year: int | None) -> str | None:
    tail = [_strip_chrome(ln) for ln in lines if ln.strip()]
    for ln in reversed([t for t in tail if t][-8:]):
        m, text = _find_date(ln)
        # A signature line: the date, perhaps the agency's name, and little else.
        if m and len(re.sub(r"\s|\|", "", text)) <= len(m.group(0)) + 24 and "。" not in text:
            d = _date(m, year)
            if d:
                return d
        # A crawler's one-line text: the signature is the end of the line.
        if m and len(text) > 200 and len(text) - m.end() <= 12 and m.start() - text.rfind("。", 0, m.start()) <= 45:
            d = _date(m, year)
            if d:
                return d
    for ln in lines[:30]:
        f = _PUBLISHED_FIELD.search(ln)
        if f:
            m = _DATE_ISO.search(ln, f.end()) or _DATE_CN.search(ln, f.end())
            d = _date(m, year) if m else None
            if d:
                return d
    return None


def _date(m: re.Match[str], year: int | None) -> str | None:
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if year is not None and not (year <= d.year <= year + 2):
        return None
    return d.isoformat()
