"""A file that holds more than one report (two reports pasted together, a crawler that joined pages)."""

from __future__ import annotations

import re

from pipelines.extract.normalize import compact
from pipelines.extract.vocabulary import vocabulary

_FORM = ("proactive", "applications", "reviews")
# A title line: an agency name (optional, it may stand on the line above), the year, 政府信息公开工作年度报告.
_TITLE_LINE = re.compile(
    r"^(?:标题[:：])?(?P<name>[\u4e00-\u9fff()（）]{0,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*的?\s*(?:政府)?\s*"
    r"信息公开\s*(?:工作)?\s*(?:年度)?\s*(?:报告|情况|年报)$"
)


def detect_multiple_reports(lines: list[str]) -> tuple[str, str] | None:
    """(severity, message) when the file seems to hold more than one report, else None.

    The parser reads one report per file: the agency and year from the first title, the tables from
    the first run of the standard sections 二 (主动公开), 三 (收到和处理申请), 四 (行政复议、行政诉讼).
    Two signals that a second report was appended (two reports pasted into one file, a crawler that
    concatenated pages):

    - a second complete run of those three headings, in order: the figures loaded are the first
      report's, under its title -> a ``warning`` (loaded_with_warnings);
    - otherwise, title lines of different years: the tables may belong to another title than the one
      they would be filed under -> an ``error`` (rejected; split the file).
    """
    # `lines`: the report's normalized lines.
    flat = compact("".join(lines))
    sections = vocabulary().sections
    events = sorted({(m.start(), name) for name in _FORM for p in sections[name] for m in p.finditer(flat)})
    forms, expect = 0, 0
    for _, name in events:
        i = _FORM.index(name)
        if i == 0:
            expect = 1
        elif i == expect:
            expect += 1
            if expect == len(_FORM):
                forms, expect = forms + 1, 0
    titles: list[tuple[str, str]] = []  # (year, title) of each title line; a title may span two lines
    bare = [compact(ln.strip(" |\t")) for ln in lines]
    nonblank = [i for i, b in enumerate(bare) if b]
    for k, i in enumerate(nonblank):
        m = _TITLE_LINE.match(bare[i])
        if m is None and k + 1 < len(nonblank) and bare[i].endswith("年"):
            m = _TITLE_LINE.match(bare[i] + bare[nonblank[k + 1]])
        if m:
            titles.append((m.group("year"), m.group(0)))
    # Agency names are no signal (a title abbreviates the name the body spells out): years are.
    distinct = list({year: (year, title) for year, title in reversed(titles)}.values())[::-1]
    shown = " / ".join(t[1] for t in (distinct if len(distinct) > 1 else titles)[:4])
    if forms >= 2:
        listed = f"; titles: {shown}" if len(titles) >= 2 else ""
        return "warning", (f"holds {forms} reports (sections 二, 三, 四 appear {forms} times{listed}); only the "
                           "first report's tables were read")
    if len(distinct) >= 2:
        return "error", (f"holds {len(distinct)} reports (titles: {shown}); the tables cannot be attributed "
                         "to one of them: split the file")
    return None
