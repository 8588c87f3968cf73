"""Agency names: what looks like one, and the full name behind an abbreviation (教体局, 上海市科委)."""

from __future__ import annotations

import re
from collections import Counter

from pipelines.extract.report import Severity

# (severity, code, message, line): metadata's issues, added to the report by the pipeline.
MetaIssue = tuple[Severity, str, str, int | None]

_TAG = re.compile(r"<[^>]*>")


def strip_tags(text: str) -> str:
    """Markup left in a line (a crawler's text), each tag a space. Only the text up to the last '>' is searched: no
    '<' after it is closed, and each such '<' would be scanned to the line's end (quadratic on a long line)."""
    end = text.rfind(">") + 1
    return _TAG.sub(" ", text[:end]) + text[end:] if end else text


NOT_NAME = re.compile(r"[^\u4e00-\u9fff()（）]")
PLACE = re.compile(r"[省市县区旗州盟镇乡]|自治|国家|国务院|中华人民共和国|委员会|实验区|开发区|新区|示范区")
# How an agency's name ends: a unit, or a place standing for its government (平潭综合实验区).
_UNIT_END = re.compile(r"(?:局|委|委员会|办|办公室|厅|政府|院|会|中心|所|处|站|馆|部|队|署|室|司|组|社|行|公司|集团|"
                       r"学|校|海关|台|狱|街道|镇|乡|区|县|市|旗|盟|州|省)$")
# Words of prose or page chrome that no agency's name starts with.
_NOT_START = re.compile(r"^(?:我|本(?!溪)|该|各|现|根据|依据|按照|关于|对|由|经|在|为|首页|当前|位置|正文|附件)")
_CHROME_WORDS = re.compile(r"首页|政务公开|信息公开|年报|栏目|当前位置|网站|本站|浏览")


def clean_name(text: str, last: bool = True) -> str:
    """The last (or first) run of name characters: '标题: X' → X, 'X</div>' → X."""
    parts = [p for p in NOT_NAME.split(text.strip()) if p]
    name = (parts[-1] if last else parts[0]) if parts else ""
    name = name.strip("()（）")
    return name if len(name) <= 40 else ""


def agency_like(name: str | None) -> bool:
    return bool(name) and 2 <= len(name) <= 40 and not _NOT_START.match(name) \
        and not _CHROME_WORDS.search(name) and bool(_UNIT_END.search(name))


def is_bare_region(name: str) -> bool:
    """A region standing for its government (平潭综合实验区, 淮安市) rather than one of its offices."""
    return bool(re.search(r"(?:区|县|市|旗|盟|州|省)$", name)) and not re.search(r"(?:局|委|办|厅|院|政府|管委会)", name)


_PLACE_CHARS = frozenset("省市县区旗州盟")


def subsequence(short: str, long: str) -> bool:
    """`short`'s characters in order in `long`; a title's 县 may stand for the body's 旗 or 区."""
    it = iter(long)
    return all(any(c == ch or (ch in _PLACE_CHARS and c in _PLACE_CHARS) for c in it) for ch in short)


def related(a: str, b: str) -> bool:
    """One name is the other written shorter: the same agency, not two."""
    return a == b or subsequence(a, b) or subsequence(b, a)


_NAME_BOUNDARY = re.compile(r"报告|公布|发布|根据|现将|截至|年底|年度|本局|我局|由|经|对|向|是|了")


def expand_from_body(abbr: str, body: str, prefix: str = "") -> str | None:
    """'教体局' in a title, '郑县教育体育局' in the body: the most frequent full name that contains the
    abbreviation's characters in order and starts with a place name (with `prefix`, the abbreviation's own place:
    上海市科委 is not '总体情况上海市科委' of a heading run into the text)."""
    counts: Counter[str] = Counter()
    for m in re.finditer(re.escape(abbr[-1]), body):
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
            place = PLACE.search(cand)
            if place and place.start() > 0 and len(cand) > len(abbr) and cand.startswith(prefix) \
                    and subsequence(abbr, cand):
                counts[cand] += 1
    if not counts:
        return None
    return max(counts, key=lambda c: (counts[c], len(c)))


# Abbreviations whose full name is the same everywhere. Not 文旅局 (文化和旅游局, 文化广电和旅游局, 文化广电旅游局
# …) or 交通局 (交通局, 交通运输局): a guess there would be a wrong name.
STANDARD = {
    "科委": "科学技术委员会", "发改委": "发展和改革委员会", "卫健委": "卫生健康委员会", "卫计委": "卫生和计划生育委员会",
    "教委": "教育委员会", "住建委": "住房和城乡建设委员会", "经信委": "经济和信息化委员会",
    "国资委": "国有资产监督管理委员会", "民宗委": "民族宗教事务委员会", "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局", "市场监管局": "市场监督管理局", "医保局": "医疗保障局",
    "应急局": "应急管理局", "退役军人局": "退役军人事务局", "教体局": "教育体育局", "工信局": "工业和信息化局",
    "政府办": "人民政府办公室",
}
_STANDARD_END = re.compile("(?:" + "|".join(sorted(STANDARD, key=len, reverse=True)) + ")$")


# Pieces of names written short: 文旅 (文化旅游, 文化和旅游), 广体 (广电体育), 卫健 (卫生健康) …, no full name's words.
_SHORT_PARTS = re.compile(r"文旅|广体|文广|文体旅|卫健|卫计|住建|发改|人社|自规|市监|交运|教体|工信|医保|民宗|经信|国资|"
                          r"科委|商粮|农农|生环|政数|政务服务数据")


def abbreviated_unit(unit: str) -> bool:
    """The unit's name holds a piece written short (文旅广体局)."""
    return bool(_SHORT_PARTS.search(unit))


def standard_abbreviation(name: str) -> tuple[str, str] | None:
    """(place, abbreviation) when the name is a place followed by one of the standard abbreviations."""
    m = _STANDARD_END.search(name)
    if not m or m.start() == 0:
        return None
    return name[: m.start()], m.group(0)
