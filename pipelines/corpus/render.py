"""Seven renderings of a report's text, after the conversions real reports go through.

The renderers take a :class:`Doc` (title, prose, the three tables with their cell texts already formatted)
and write text. They never change a value cell's text, so the truth (built from the same cells) is what the
rendered text states.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field

from .noise import Style, article, numbered, paren, quoted, spaced
from .truth import Key, disposition_rows

RENDERINGS = ("pipe_cells", "tab_rows", "cell_lines", "markdown", "aligned_columns", "html_dump", "run_together")


# ---------------------------------------------------------------- document model


@dataclass
class VCell:
    key: Key
    text: str  # '' when the cell is left blank


@dataclass
class ProRow:
    label: str
    cells: list[VCell]


@dataclass
class ProBlock:
    heading: str
    header: list[str]  # ['信息内容', measure labels...]
    rows: list[ProRow]


@dataclass
class AppRow:
    key: str
    level: str  # top (spans the three label columns) | sub (spans two) | item
    label: str
    section_label: str | None = None  # 三、本年度办理结果 on the first disposition row
    group_label: str | None = None  # （三）不予公开 ... on every item row of the group
    group_first: bool = False
    cells: list[VCell] = field(default_factory=list)


@dataclass
class Tables:
    proactive: list[ProBlock]
    app_note: str
    app_applicant: str  # 申请人情况
    app_natural: str
    app_legal: str  # 法人或其他组织
    app_orgs: list[str]
    app_total: str
    apps: list[AppRow]
    rev_outcomes: list[str]
    reviews: list[VCell]

    def has_blanks(self) -> bool:
        return any(c.text == "" for r in self.apps for c in r.cells)


@dataclass
class Doc:
    agency: str
    title: list[str]
    blocks: list[tuple[str, str]]  # (kind, text); kind: para | heading | table (text = proactive|applications|reviews)
    signature: list[str]
    tables: Tables | None
    running_header: str
    chrome_top: list[str] = field(default_factory=list)
    chrome_bottom: list[str] = field(default_factory=list)
    pre_title: list[str] = field(default_factory=list)  # a page's breadcrumb above the title (title_year_first)
    head_block: list[str] = field(default_factory=list)  # a crawler's field block above the page (cms_fields)
    families: list[str] = field(default_factory=list)  # pipelines.corpus.families drawn for this report


# ---------------------------------------------------------------- labels of the tables

_DENIED = ("属于国家秘密", "其他法律行政法规禁止公开", None, "保护第三方合法权益", "属于三类内部事务信息",
           "属于四类过程性信息", "属于行政执法案卷", "属于行政查询事项")
_UNAVAILABLE = ("本机关不掌握相关政府信息", "没有现成信息需要另行制作", "补正后申请内容仍不明确")
_NOT_PROCESSED = ("信访举报投诉类申请", "重复申请", "要求提供公开出版物", "无正当理由大量反复申请",
                  "要求行政机关确认或重新出具已获取信息")
_OTHER_2021 = ("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
               "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "其他")
OUTCOME_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def application_labels(style: Style, rng: random.Random, layout: str) -> list[AppRow]:
    rows: list[AppRow] = [
        AppRow("new_received", "top", "一、本年新收政府信息公开申请数量"),
        AppRow("carried_over", "top", "二、上年结转政府信息公开申请数量"),
        AppRow("granted", "sub", paren(style, 1) + "予以公开", section_label="三、本年度办理结果"),
        AppRow("partially_granted", "sub", paren(style, 2) + "部分公开"
               + ("" if style.partial_short else "（区分处理的，只计这一情形，不计其他情形）")),
    ]

    def group(keys: tuple[str, ...], n: int, name: str, texts: tuple[str | None, ...]) -> None:
        glabel = paren(style, n) + spaced(style, rng, name)
        for i, (key, text) in enumerate(zip(keys, texts, strict=True)):
            if text is None:
                text = "危及" + quoted(style, "三安全一稳定")
            if key == "denied_prohibited_by_law" and style.prohibited_law:
                text = "其他法律法规禁止公开"
            rows.append(AppRow(key, "item", numbered(style, i + 1, text), group_label=glabel, group_first=i == 0))

    disp = disposition_rows(layout)
    group(disp[2:10], 3, "不予公开", _DENIED)
    group(disp[10:13], 4, "无法提供", _UNAVAILABLE)
    group(disp[13:18], 5, "不予处理", _NOT_PROCESSED)
    if layout == "2021":
        group(disp[18:21], 6, "其他处理", _OTHER_2021)
    else:
        rows.append(AppRow("other_handling", "sub", paren(style, 6) + spaced(style, rng, "其他处理")))
    rows.append(AppRow("total", "sub", paren(style, 7) + "总计"))
    rows.append(AppRow("carried_forward", "top", "四、结转下年度继续办理"))
    return rows


def proactive_labels(style: Style, layout: str) -> list[tuple[str, list[str], list[tuple[str, str]]]]:
    """(heading, header, [(item, row label)]) for each block of section 二."""
    normative = "规范性文件" if style.normative_short else "行政规范性文件"
    if layout == "2021":
        abolished = "本年度止件数" if style.typo_abolished else "本年废止件数"
        return [
            (article(style, 1), ["信息内容", "本年制发件数", abolished, "现行有效件数"],
             [("regulations", "规章"), ("normative_documents", normative)]),
            (article(style, 5), ["信息内容", "本年处理决定数量"], [("administrative_permits", "行政许可")]),
            (article(style, 6), ["信息内容", "本年处理决定数量"],
             [("administrative_penalties", "行政处罚"), ("administrative_coercions", "行政强制")]),
            (article(style, 8), ["信息内容", style.fee_header], [("administrative_fees", "行政事业性收费")]),
        ]
    new = ["本年新", "本年新"] if style.truncated_new else ["本年新制作数量", "本年新公开数量"]
    mgmt = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]
    return [
        (article(style, 1), ["信息内容", *new, "对外公开总数量"],
         [("regulations", "规章"), ("normative_documents", normative)]),
        (article(style, 5), mgmt,
         [("administrative_permits", "行政许可"), ("other_management_services", "其他对外管理服务事项")]),
        (article(style, 6), mgmt, [("administrative_penalties", "行政处罚"), ("administrative_coercions", "行政强制")]),
        (article(style, 8), ["信息内容", "上一年项目数量", "本年增/减"], [("administrative_fees", "行政事业性收费")]),
        (article(style, 9), ["信息内容", "采购项目数量", style.procurement_header],
         [("centralized_procurement", "政府集中采购")]),
    ]


# ---------------------------------------------------------------- helpers


def _is_mark(ch: str) -> bool:
    """The private-use characters pipelines.corpus.marks wraps value cells in (zero width, gone from the file)."""
    return "\ue000" <= ch < "\uef00"


def dwidth(s: str) -> int:
    return sum(0 if _is_mark(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def vlen(s: str) -> int:
    """A cell text's length in characters, markers left out."""
    return sum(not _is_mark(ch) for ch in s)


def pad_to(line: str, col: int, min_gap: int = 2) -> str:
    w = dwidth(line)
    if w < col:
        return line + " " * (col - w)
    if line.strip() == "":
        return line
    return line + " " * min_gap


def chunks(text: str, width: int) -> list[str]:
    """Cut a label into pieces of ``width`` display columns (CJK = 2)."""
    out, cur = [], ""
    for ch in text:
        if dwidth(cur + ch) > width and cur:
            out.append(cur)
            cur = ""
        cur += ch
    if cur:
        out.append(cur)
    return out


def _cells_text(cells: list[VCell]) -> list[str]:
    return [c.text for c in cells]


def html_labels(r: AppRow) -> list[str]:
    if r.level == "top":
        return [r.label]
    if r.level == "sub":
        return ([r.section_label] if r.section_label else []) + [r.label]
    return ([r.group_label] if r.group_first and r.group_label else []) + [r.label]


def rowspan_labels(r: AppRow) -> list[str]:
    if r.level == "top":
        return [r.label]
    if r.level == "sub":
        return [r.section_label or "", r.label]
    return ["", (r.group_label or "") if r.group_first else "", r.label]


def grid_labels(r: AppRow) -> list[str]:
    if r.level == "top":
        return [r.label, "", ""]
    if r.level == "sub":
        return [r.section_label or "", r.label, ""]
    return ["", (r.group_label or "") if r.group_first else "", r.label]


class Pager:
    """Page footers ('-3-', '第 3 页 共 7 页') and running headers, numbered through the document."""

    def __init__(self, rng: random.Random, doc: Doc, style: Style):
        self.rng = rng
        self.page = 1
        self.form = rng.choice(("-{n}-", "- {n} -", "—{n}—", "第 {n} 页 共 {t} 页", "{n}"))
        self.running = doc.running_header if rng.random() < 0.5 else None
        self.total = rng.randint(5, 9)

    def lines(self, indent: int = 0) -> list[str]:
        n = self.page
        self.page += 1
        out = ["", " " * indent + self.form.format(n=n, t=max(self.total, n))]
        if self.running:
            out += [self.running]
        return out + [""]


def _insert_page_breaks(rng: random.Random, rows: list[list[str]], pager: Pager | None, count: int) -> list[list[str]]:
    """Insert page-break line groups between row line-groups."""
    if not pager or len(rows) < 4:
        return rows
    spots = sorted(rng.sample(range(2, len(rows) - 1), min(count, len(rows) - 3)))
    out: list[list[str]] = []
    for i, r in enumerate(rows):
        if spots and i == spots[0]:
            out.append(pager.lines())
            spots.pop(0)
        out.append(r)
    return out


def _flatten(groups: list[list[str]]) -> list[str]:
    return [line for g in groups for line in g]


def _break_midword(rng: random.Random, text: str) -> list[str]:
    if len(text) > 60 and rng.random() < 0.15:
        i = rng.randrange(20, len(text) - 20)
        return [text[:i], "", text[i:]]
    return [text]


# ---------------------------------------------------------------- (a) pipe_cells


def render_pipe_cells(doc: Doc, style: Style, rng: random.Random) -> str:
    pager = Pager(rng, doc, style) if style.page_breaks else None

    def cell(t: str) -> str:
        return f"{t} |" if t else "|"

    def sep() -> str:
        return rng.choice(("|", "||", "||||", "||"))

    def tables(name: str) -> list[str]:
        t = doc.tables
        assert t is not None
        groups: list[list[str]] = []
        if name == "proactive":
            for b in t.proactive:
                groups.append([cell(b.heading), "||||"])
                groups.append([cell(h) for h in b.header] + [sep()])
                for r in b.rows:
                    groups.append([cell(r.label)] + [cell(c.text) for c in r.cells] + [sep()])
        elif name == "applications":
            groups.append([cell(t.app_note), cell(t.app_applicant), "||||||||"])
            groups.append([cell(t.app_natural), cell(t.app_legal), cell(t.app_total), "|||||||"])
            groups.append([cell(o) for o in t.app_orgs] + ["|||||"])
            for r in t.apps:
                groups.append([cell(x) for x in html_labels(r)] + [cell(c.text) for c in r.cells] + [sep()])
            groups = _insert_page_breaks(rng, groups, pager, rng.randint(1, 2))
        else:
            groups.append([cell("行政复议"), cell("行政诉讼"), "|||||||||||||"])
            groups.append([cell(o) for o in t.rev_outcomes] + [cell("未经复议直接起诉"), cell("复议后起诉"), "||||||||"])
            groups.append([cell(o) for o in t.rev_outcomes * 2] + ["|||||"])
            groups.append([cell(c.text) for c in t.reviews])
        return _flatten(groups)

    return _plain_doc(doc, style, rng, tables, para_suffix="")


def _plain_doc(doc: Doc, style: Style, rng: random.Random, tables, para_suffix: str = "", blank_between: bool = False,
               indent: str = "") -> str:
    lines: list[str] = list(doc.pre_title) + list(doc.title)
    if blank_between:
        lines.append("")
    for kind, text in doc.blocks:
        if kind == "table":
            lines += tables(text)
        elif kind == "heading":
            lines.append(indent + text + para_suffix)
        else:
            lines += [indent + x + (para_suffix if x else "") for x in _break_midword(rng, text)]
        if blank_between:
            lines.append("")
    lines += doc.signature
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- (b) tab_rows


def render_tab_rows(doc: Doc, style: Style, rng: random.Random) -> str:
    pager = Pager(rng, doc, style) if style.page_breaks else None
    t = doc.tables
    shifty = t is not None and not t.has_blanks()

    def row(cells: list[str], label_count: int) -> list[str]:
        cells = list(cells)
        if shifty and cells and cells[0] == "" and rng.random() < 0.35:
            while cells and cells[0] == "":
                cells.pop(0)
                label_count -= 1
            if rng.random() < 0.5:
                cells = cells[:label_count] + [""] + cells[label_count:] + [""]
        elif shifty and rng.random() < 0.2:
            cells.append("")
        return ["\t".join(cells)]

    def tables(name: str) -> list[str]:
        assert t is not None
        groups: list[list[str]] = []
        if name == "proactive":
            for b in t.proactive:
                groups.append(["\t".join([b.heading, "", "", ""][: max(4, len(b.header))])])
                groups.append(["\t".join(b.header + [""] * (4 - len(b.header)))])
                for r in b.rows:
                    groups.append(["\t".join([r.label, *_cells_text(r.cells)] + [""] * (3 - len(r.cells)))])
                if rng.random() < 0.3:
                    groups.append([""])
        elif name == "applications":
            groups.append(["\t".join([t.app_note, "", t.app_applicant, "", "", "", "", "", "", t.app_total, ""])])
            groups.append(["\t".join(["", "", t.app_natural, t.app_legal, "", "", "", "", ""])])
            groups.append(["\t".join(["", "", "", *t.app_orgs, ""])])
            for r in t.apps:
                labels = rowspan_labels(r)
                if r.level == "top":
                    labels = labels + [""]
                groups.append(row(labels + _cells_text(r.cells), len(labels)))
            groups = _insert_page_breaks(rng, groups, pager, rng.randint(1, 2))
        else:
            outs = [spaced(style, rng, o) for o in t.rev_outcomes]
            groups.append(["\t".join(["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9)])
            groups.append(["\t".join(outs + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""])])
            groups.append(["\t".join([""] * 5 + outs + outs)])
            groups.append(["\t".join(_cells_text(t.reviews))])
        return [""] + _flatten(groups) + [""]

    return _plain_doc(doc, style, rng, tables, blank_between=True)


# ---------------------------------------------------------------- (c) cell_lines


def render_cell_lines(doc: Doc, style: Style, rng: random.Random) -> str:
    pager = Pager(rng, doc, style) if style.page_breaks else None
    split_headers = rng.random() < 0.7

    def vertical(text: str, step: int) -> str:
        if not split_headers:
            return text
        return "\n".join(text[i : i + step] for i in range(0, len(text), step))

    def row(cells: list[str]) -> list[str]:
        return ["\t" + c for c in cells] + [""]

    def tables(name: str) -> list[str]:
        t = doc.tables
        assert t is not None
        groups: list[list[str]] = []
        if name == "proactive":
            for b in t.proactive:
                groups.append(row([b.heading]))
                groups.append(row(b.header))
                for r in b.rows:
                    groups.append(row([r.label, *_cells_text(r.cells)]))
        elif name == "applications":
            groups.append(row([t.app_note, t.app_applicant]))
            groups.append(row(["", t.app_natural, t.app_legal, t.app_total]))
            groups.append(row(["", "", *[vertical(o, 2) for o in t.app_orgs], ""]))
            for r in t.apps:
                groups.append(row(rowspan_labels(r) + _cells_text(r.cells)))
            groups = _insert_page_breaks(rng, groups, pager, rng.randint(1, 2))
        else:
            outs = [vertical(o, 1) for o in t.rev_outcomes]
            groups.append(row(["行政复议", "行政诉讼"]))
            groups.append(row(outs + ["未经复议直接起诉", "复议后起诉"]))
            if rng.random() < 0.5:
                groups += [row([""] * 7)] * rng.randint(1, 2)
            groups.append(row([""] * 5 + outs + outs))
            if rng.random() < 0.5:
                groups += [row([""] * 15)] * rng.randint(1, 3)
            groups.append(row(_cells_text(t.reviews)))
        return [""] + _flatten(groups) + [""]

    return _plain_doc(doc, style, rng, tables, indent="    " if rng.random() < 0.5 else "")


# ---------------------------------------------------------------- (d) markdown


def _md(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md_sep(n: int, rng: random.Random) -> str:
    return "|" + "|".join("-" * rng.randint(3, 12) for _ in range(n)) + "|"


def render_markdown(doc: Doc, style: Style, rng: random.Random) -> str:
    pager = Pager(rng, doc, style) if style.page_breaks else None
    t = doc.tables
    split = rng.random() < 0.85
    shift = t is not None and not t.has_blanks() and rng.random() < 0.7

    def tables(name: str) -> list[str]:
        assert t is not None
        lines: list[str] = [""]
        if name == "proactive":
            rows: list[list[str]] = []
            for b in t.proactive:
                rows.append([b.heading, "", "", ""])
                rows.append(b.header + [""] * (4 - len(b.header)))
                for r in b.rows:
                    rows.append([r.label, *_cells_text(r.cells)] + [""] * (3 - len(r.cells)))
            lines += [_md(rows[0]), _md_sep(4, rng)] + [_md(r) for r in rows[1:]]
        elif name == "applications":
            head = [
                [t.app_note, t.app_applicant, "", "", "", "", "", t.app_total],
                ["", t.app_natural, t.app_legal, "", "", "", "", ""],
                ["", "", *t.app_orgs, ""],
            ]
            first = [[r.label, *_cells_text(r.cells)] for r in t.apps[:2]]
            lines += [_md(head[0]), _md_sep(8, rng)] + [_md(r) for r in head[1:]]
            rest = t.apps[2:]
            if not split:
                # one table: three label columns before the values
                lines += [_md(r) for r in first]
                grid = [grid_labels(r) + _cells_text(r.cells) for r in rest]
                lines += [_md(g) for g in grid]
            else:
                lines += [_md(r) for r in first]
                lines += [""]
                if shift:
                    grid = []
                    for r in rest:
                        cells = rowspan_labels(r) + [""] + _cells_text(r.cells)
                        grid.append(cells + [""] * (11 - len(cells)))
                    width = 11
                else:
                    grid = [grid_labels(r) + _cells_text(r.cells) for r in rest]
                    width = 10
                body = [_md(g) for g in grid]
                if pager and len(body) > 6:
                    i = rng.randrange(3, len(body) - 2)
                    body = body[:i] + pager.lines() + body[i:]
                lines += [_md([""] * width), _md_sep(width, rng)] + body
        else:
            outs = list(t.rev_outcomes)
            rows = [
                ["行政复议", "", "", "", "", "行政诉讼"] + [""] * 9,
                outs + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
                [""] * 5 + outs + outs,
                _cells_text(t.reviews),
            ]
            lines += [_md(rows[0]), _md_sep(15, rng)] + [_md(r) for r in rows[1:]]
        return lines + [""]

    return _plain_doc(doc, style, rng, tables, blank_between=True)


# ---------------------------------------------------------------- (e) aligned_columns (pdftotext -layout)


def render_aligned(doc: Doc, style: Style, rng: random.Random) -> str:
    page_width = rng.choice((62, 66, 70))
    pager = Pager(rng, doc, style)
    lines: list[str] = []
    spaced_numbers = rng.random() < 0.6

    def space_ascii(text: str) -> str:
        """pdftotext puts spaces between Latin runs and CJK: '2024 年'."""
        if not spaced_numbers:
            return text
        out = []
        for i, ch in enumerate(text):
            prev = text[i - 1] if i else ""
            if i and (ch.isascii() and ch.isalnum()) != (prev.isascii() and prev.isalnum()) and " " not in (ch, prev) \
                    and (dwidth(ch) == 2 or dwidth(prev) == 2):
                out.append(" ")
            out.append(ch)
        return "".join(out)

    def para(text: str, indent: int = 3) -> list[str]:
        text = space_ascii(text)
        out = []
        cur = " " * indent
        for ch in text:
            if dwidth(cur + ch) > page_width:
                out.append(cur)
                cur = ""
            cur += ch
        out.append(cur)
        return out

    lines += doc.pre_title
    for i, t in enumerate(doc.title):
        lines.append(" " * (12 if i == 0 else 5) + space_ascii(t))
    lines += ["", ""]
    for kind, text in doc.blocks:
        if kind == "table":
            lines += _aligned_table(doc, style, rng, text, pager)
        elif kind == "heading":
            lines.append(" " * rng.choice((3, 5, 6)) + text)
        else:
            lines += para(text)
    lines += [""] + [" " * 40 + s for s in doc.signature]
    # page footers every ~45 lines (tables place one of their own); numbered in order at the end
    out: list[str] = []
    since = 0
    for line in lines:
        if line == "\f":
            since = 0
            continue
        out.append(line)
        since += 1
        if since > 46 and rng.random() < 0.2 and line.strip():
            out.append(_PAGE + " " * 42)
            since = 0
    out += ["", "", _PAGE + " " * 42]
    total = sum(line.startswith(_PAGE) for line in out)
    page = 0
    for i, line in enumerate(out):
        if line.startswith(_PAGE):
            page += 1
            out[i] = line[1:] + pager.form.format(n=page, t=total)
    return "\n".join(out) + "\n"


_PAGE = "\x00"  # marks a page-footer line until the pages are numbered


def _values_line(prefix: str, values: list[str], x0: int, cw: int) -> str:
    line = prefix
    for i, v in enumerate(values):
        line = pad_to(line, x0 + i * cw)
        line += v
    return line


def _aligned_table(doc: Doc, style: Style, rng: random.Random, name: str, pager: Pager) -> list[str]:
    t = doc.tables
    assert t is not None
    out: list[str] = []
    if name == "proactive":
        lw = rng.choice((18, 22, 30))
        for b in t.proactive:
            out += [b.heading, "", ""]
            cw = max(dwidth(h) for h in b.header[1:]) + rng.choice((3, 5))
            out += [_values_line(b.header[0], b.header[1:], lw, cw), "", ""]
            for r in b.rows:
                out += [_values_line(r.label, _cells_text(r.cells), lw, cw), ""]
            out += [""]
        return out + ["\f"]
    if name == "reviews":
        cw = max(6, max(vlen(c.text) for c in t.reviews) + 3)
        outs = [o.replace(" ", "") for o in t.rev_outcomes]
        tops = [o[:2] if o != "总计" else "" for o in outs]
        bottoms = [o[2:] if o != "总计" else "" for o in outs]
        out += [_values_line("行政复议", ["行政诉讼"], 5 * cw, cw), "", ""]
        out += [_values_line("", ["未经复议直接起诉", "复议后起诉"], 5 * cw, 5 * cw), "", ""]
        out += [_values_line("", tops * 3, 0, cw)]
        out += [_values_line("", ["总计" if o == "总计" else "" for o in outs] * 3, 0, cw)]
        out += [_values_line("", bottoms * 3, 0, cw), "", "", ""]
        out += [_values_line("", _cells_text(t.reviews), 0, cw), "", "", ""]
        return out + ["\f"]
    # applications
    vw = max(max(vlen(c.text) for r in t.apps for c in r.cells) + 3, 8)
    x0 = rng.choice((40, 44, 48))
    out += [" " * (x0 + 16) + t.app_applicant, ""]
    note = chunks(t.app_note, x0 - 4)
    out += [_values_line(note[0], [t.app_legal], x0 + vw, vw)]
    out += note[1:]
    out += [_values_line("", [t.app_natural] + [""] * 5 + [t.app_total], x0, vw)]
    w = rng.choice((6, 8))
    org_chunks = [chunks(o, w) for o in t.app_orgs]
    depth = max(len(c) for c in org_chunks)
    for d in range(depth):
        cells = [c[d] if d < len(c) else "" for c in org_chunks]
        out.append(_values_line("", [""] + cells, x0, vw))
    out += ["", ""]
    # data rows: records (col0, group, label, values)
    label_w = x0 - 16
    tail_w = rng.choice((14, 16)) if "wrapped_tail_after_figures" in doc.families else 0
    tight = bool(tail_w) and rng.random() < 0.7  # no blank line between the rows of a group
    records: list[list] = []
    disp_start = disp_end = None
    group_spans: dict[str, tuple[int, int]] = {}
    for r in t.apps:
        if r.key == "granted":
            disp_start = len(records)
        values = _cells_text(r.cells)
        if r.level == "top":
            records.append(["", "", r.label, values, 0])
        else:
            col = 6 if r.level == "sub" else 13
            width = (x0 - 8 if r.level == "sub" else label_w)
            if tail_w:
                width = min(width, tail_w + (10 if r.level == "sub" else 0))
            parts = chunks(r.label, width)
            start = len(records)
            if tail_w:  # wrapped_tail_after_figures: the figures on the first part's line, the rest after
                records += [["", "", p, values if i == 0 else None, col] for i, p in enumerate(parts)]
            elif len(parts) == 1:
                records.append(["", "", parts[0], values, col])
            elif len(parts) == 2 and rng.random() < 0.6:
                records += [["", "", parts[0], None, col], ["", "", "", values, col], ["", "", parts[1], None, col]]
            else:
                mid = len(parts) // 2 if len(parts) > 2 else 0
                for i, p in enumerate(parts):
                    records.append(["", "", p, values if i == mid else None, col])
            if r.level == "item" and r.group_label:
                s, _ = group_spans.get(r.group_label, (start, start))
                group_spans[r.group_label] = (s, len(records))
        if r.key == "total":
            disp_end = len(records)
        if not (tight and r.level == "item"):
            records.append(["", "", "", None, 0])  # blank line between rows
    # group labels wrapped in a narrow column, centred on their rows
    for glabel, (s, e) in group_spans.items():
        gparts = chunks(glabel.replace(" ", ""), 8)
        first = max(s, (s + e) // 2 - len(gparts) // 2)
        for i, gp in enumerate(gparts):
            if first + i < len(records):
                records[first + i][1] = gp
    # the vertical label 三、本年度办理结果, one character per line
    if disp_start is not None and disp_end is not None:
        chars = ["三、", *"本年度办理结果"]
        span = disp_end - disp_start
        for i, ch in enumerate(chars):
            records[disp_start + (i * span) // len(chars)][0] = ch
    lines: list[str] = []
    for col0, grp, label, values, col in records:
        line = col0
        if grp:
            line = pad_to(line, 6) + grp
        if label:
            line = pad_to(line, col if not grp else max(col, 13)) + label
        if values is not None:
            line = _values_line(line, values, x0, vw)
        lines.append(line.rstrip())
    # a page footer inside the table
    cut = rng.randrange(len(lines) // 3, 2 * len(lines) // 3)
    lines = lines[:cut] + ["", _PAGE + " " * rng.choice((0, 42))] + lines[cut:]
    if pager.running and rng.random() < 0.5:
        lines.insert(cut + 2, pager.running)
    return out + lines + ["", "\f"]


# ---------------------------------------------------------------- (f) html_dump


def render_html_dump(doc: Doc, style: Style, rng: random.Random) -> str:
    per_line = rng.random() < 0.6
    joiner = rng.choice((" ", "\t", "  "))
    indent = rng.choice(("", "\u3000\u3000", "  "))

    def row(cells: list[str]) -> list[str]:
        cells = [c for c in cells if c != ""]
        return cells if per_line else [joiner.join(cells)]

    def tables(name: str) -> list[str]:
        t = doc.tables
        assert t is not None
        out: list[str] = []
        if name == "proactive":
            for b in t.proactive:
                out += row([b.heading]) + row(b.header)
                for r in b.rows:
                    out += row([r.label, *_cells_text(r.cells)])
        elif name == "applications":
            out += row([t.app_note, t.app_applicant]) + row([t.app_natural, t.app_legal, t.app_total]) + row(t.app_orgs)
            for r in t.apps:
                out += row(html_labels(r) + _cells_text(r.cells))
        else:
            out += row(["行政复议", "行政诉讼"]) + row([*t.rev_outcomes, "未经复议直接起诉", "复议后起诉"])
            out += row(list(t.rev_outcomes) * 2) + row(_cells_text(t.reviews))
        return out

    lines = list(doc.head_block) + list(doc.chrome_top)
    lines += doc.title
    for kind, text in doc.blocks:
        if kind == "table":
            lines += tables(text)
        elif kind == "heading":
            lines.append(indent + text)
        else:
            lines.append(indent + text)
            if rng.random() < 0.3:
                lines.append("")
    lines += doc.signature
    lines += doc.chrome_bottom
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- (g) run_together


def render_run_together(doc: Doc, style: Style, rng: random.Random) -> str:
    """A crawler's text: the whole report on one line, table cells run together without separators."""
    t = doc.tables
    parts: list[str] = [" ".join(doc.chrome_top)]
    if rng.random() < 0.5:
        parts.append(" ".join(doc.title))
    gap = rng.choice(("", " "))

    def tables(name: str) -> str:
        assert t is not None
        seg: list[str] = []
        if name == "proactive":
            for b in t.proactive:
                seg.append(b.heading + "".join(b.header))
                for r in b.rows:
                    seg.append(r.label + "".join(_cells_text(r.cells)))
        elif name == "applications":
            seg.append(t.app_note + t.app_applicant + t.app_natural + t.app_legal + t.app_total + " " + "".join(t.app_orgs))
            for r in t.apps:
                seg.append("".join(html_labels(r)) + "".join(_cells_text(r.cells)))
        else:
            seg.append("行政复议行政诉讼" + "".join(t.rev_outcomes) + "未经复议直接起诉复议后起诉"
                       + "".join(t.rev_outcomes) * 2 + "".join(_cells_text(t.reviews)))
        return " " + "".join(seg) + " "

    for kind, text in doc.blocks:
        parts.append(tables(text) if kind == "table" else text)
    parts.append(" ".join(doc.signature))
    parts.append(" ".join(doc.chrome_bottom))
    return "".join(x + "\n" for x in doc.head_block) + gap.join(p for p in parts if p)


RENDERERS = {
    "pipe_cells": render_pipe_cells,
    "tab_rows": render_tab_rows,
    "cell_lines": render_cell_lines,
    "markdown": render_markdown,
    "aligned_columns": render_aligned,
    "html_dump": render_html_dump,
    "run_together": render_run_together,
}


def render(doc: Doc, style: Style, rng: random.Random, rendering: str) -> str:
    return RENDERERS[rendering](doc, style, rng)
