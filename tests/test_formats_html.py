"""Web pages read as parsed markup: the real saved page, hand-written fragments, and the samples rendered as pages.

The samples' pages are written here from the hand-read tables (seed_tables.py, seeds_expected.json), not from
the text path's output, so the text path is not its own judge.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from decimal import Decimal
from html import escape

import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_forms import PROACTIVE_2019, PROACTIVE_2021, ROW_LABELS
from seed_tables import APPLICANTS, ROWS_2019, ROWS_2021, SEED_TABLES

from pipelines.extract import extract_report
from pipelines.extract.formats import format_of_name, read_html, sniff
from pipelines.extract.formats.html import ROW_BREAK, decode_page

REAL_PAGE = ROOT.parent / "shared" / "corpus" / "real" / "024_shuyang_drc_2023.html"
EXPECTED = {k: v for k, v in json.loads((FIXTURES / "seeds_expected.json").read_text("utf-8")).items()
            if not k.startswith("_")}


def cells_of(report, section: str) -> dict[tuple[str, str], int | Decimal]:
    return {(c.key1, c.key2): c.value for c in report.cells if c.section == section}


# ------------------------------------------------------------------------------------------ the real page


@pytest.fixture(scope="module")
def real():
    if not REAL_PAGE.exists():
        pytest.skip(f"{REAL_PAGE} not found (shared/ is laid beside the project)")
    data = REAL_PAGE.read_bytes()
    return data, extract_report(data, REAL_PAGE.name)


def test_real_page_key_figures(real):
    _, r = real
    truth = json.loads(REAL_PAGE.with_name("024_shuyang_drc_2023.truth.json").read_text("utf-8"))
    assert (r.agency, r.year, r.layout) == (truth["agency"], truth["year"], truth["layout"])
    keys = {"permits": ("proactive", "administrative_permits", "decisions", 1),
            "penalties": ("proactive", "administrative_penalties", "decisions", 1),
            "coercions": ("proactive", "administrative_coercions", "decisions", 1),
            "fees_wan_yuan": ("proactive", "administrative_fees", "amount_yuan", 10000),
            "new_applications_total": ("applications", "new_received", "total", 1),
            "carried_over_total": ("applications", "carried_over", "total", 1),
            "granted_total": ("applications", "granted", "total", 1),
            "partial_total": ("applications", "partially_granted", "total", 1),
            "dispositions_total": ("applications", "total", "total", 1),
            "carried_forward_total": ("applications", "carried_forward", "total", 1),
            "natural_person_new": ("applications", "new_received", "natural_person", 1),
            "review_total": ("reviews", "review", "total", 1),
            "litigation_direct_total": ("reviews", "litigation_direct", "total", 1),
            "litigation_after_review_total": ("reviews", "litigation_after_review", "total", 1)}
    for name, (section, k1, k2, scale) in keys.items():
        assert r.value(section, k1, k2) == Decimal(str(truth[name])) * scale, name
    assert (r.value("proactive", "normative_documents", "issued"), r.value("proactive", "normative_documents", "in_force")) \
        == (8, 18)
    assert r.value("reviews", "review", "pending") == 1


def test_real_page_blank_legal_person_columns_stay_missing(real):
    _, r = real
    apps = cells_of(r, "applications")
    assert apps, "no applications cells"
    assert {applicant for _, applicant in apps} == {"natural_person", "total"}
    assert len(apps) == 2 * len(ROWS_2021)  # every row, 自然人 and 总计 only
    assert not [i for i in r.issues if i.severity != "info"], r.issues


def test_real_page_takes_no_figure_from_markup(real):
    data, r = real
    page_lines = data.decode("utf-8").splitlines()
    assert {c.value for c in r.cells} <= {0, 1, 8, 18, 26}  # not colspan="3", width="136", 607 …
    for c in r.cells:
        shown = re.sub(r"<[^>]*>", "", page_lines[c.line - 1]).strip()  # the page line, text only
        assert shown == str(c.value), (c, page_lines[c.line - 1])


def test_real_page_chrome_and_fields(real):
    data, r = real
    page = read_html(data)
    text = "\n".join(page.lines)
    for chrome in ("繁體版", "无障碍", "走进沭阳", "办事服务", "websiteId", "星期二", "请输入关键词"):
        assert chrome not in text, chrome
    assert "标题：沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局" in page.lines[:12]
    assert "发布机构：沭阳县发展和改革局" in page.lines[:12]
    assert "公开日期：2024-01-17" in page.lines[:12]
    assert r.published_on == "2024-01-17"
    assert [i.message for i in r.issues if i.code == "format"] == ["read as html"]
    assert not [i for i in r.issues if i.code == "format_mismatch"]
    assert page.encoding == r.encoding == "utf-8"
    assert len(page.lines) == len(page.source_lines)
    assert page.source_lines == sorted(page.source_lines)


# ------------------------------------------------------------------------------------------ fragments


def test_spans_expand_on_the_grid():
    page = read_html("""<table>
<tr><td colspan="3" rowspan="2">（本列数据的勾稽关系）</td><td colspan="2">申请人情况</td></tr>
<tr><td>自然人</td><td>总计</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>26</td><td>26</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td colspan="2">5</td></tr>
<tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>1</td><td>2</td></tr>
<tr><td>2.其他法律行政法规禁止公开</td><td>3</td><td>4</td></tr>
</table>""".encode())
    assert page.lines == [
        "（本列数据的勾稽关系） |", "申请人情况 |", ROW_BREAK,
        "自然人 |", "总计 |", ROW_BREAK,
        "一、本年新收政府信息公开申请数量 |", "26 |", "26 |", ROW_BREAK,
        # The vertical label appears on its first row only; the wide value keeps the next column empty.
        "三、本年度办理结果 |", "（一）予以公开 |", "5 |", "|", ROW_BREAK,
        "（三）不予公开 |", "1.属于国家秘密 |", "1 |", "2 |", ROW_BREAK,
        "2.其他法律行政法规禁止公开 |", "3 |", "4 |", ROW_BREAK,
    ]
    assert page.source_lines[:3] == [2, 2, 2] and page.source_lines[-2] == 7


def test_a_value_cell_wider_than_its_column_is_one_value():
    r = extract_report(_page(_proactive_2021({("administrative_permits", "decisions"): 7})), "p.html")
    assert r.value("proactive", "administrative_permits", "decisions") == 7
    assert not [i for i in r.issues if i.code in ("ambiguous_cells", "cells_repaired")], r.issues


def test_words_split_over_spans_and_fonts_are_joined():
    page = read_html("""<div><p class="MsoNormal"><span>申请人情</span><span>况</span><span><o:p></o:p></span></p>
<p><span>三</span>
   <span>、本</span><font face="Times New Roman">2023</font><font face="x">年</font></p>
<p>a<br>b<br/>c</p></div>""".encode())
    assert page.lines == ["申请人情况", "三、本2023年", "a", "b", "c"]
    assert page.source_lines == [1, 2, 4, 4, 4]


def test_word_blank_cells_are_empty_not_zero():
    page = read_html("""<table><tr><td><p class=MsoNormal>自然人</p></td><td><p class=MsoNormal><span>
    <o:p>&nbsp;</o:p></span></p></td><td><p class=MsoNormal>3</p></td></tr></table>""".encode())
    assert page.lines == ["自然人 |", "|", "3 |", ROW_BREAK]
    r = extract_report(_page(_applications("2021", {(row, "natural_person"): 0 for row in ROWS_2021}
                                              | {(row, "total"): 0 for row in ROWS_2021})), "blank.html")
    apps = cells_of(r, "applications")
    assert apps == {(row, a): 0 for row in ROWS_2021 for a in ("natural_person", "total")}


def test_gbk_page_declared_gb2312():
    # 镕 is in GBK but not in GB2312: pages labelled gb2312 are GBK in practice.
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>"
            "<p>朱镕基路某某局2023年政府信息公开工作年度报告</p></body></html>")
    data = html.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    page = read_html(data)
    assert page.encoding == "gb18030"
    assert page.lines == ["朱镕基路某某局2023年政府信息公开工作年度报告"]
    r = extract_report(data, "gbk.htm")
    assert (r.year, r.encoding) == (2023, "gb18030")


def test_fragment_without_head_or_declaration():
    data = ("<p>某县教育局2022年政府信息公开工作年度报告</p>\n<div>一、总体情况</div>\n"
            "<table><tr><td>规章</td><td>0</td></tr></table>")
    raw = data.encode("gb18030")
    assert sniff(raw) == "html"
    page = read_html(raw)
    assert page.encoding == "gb18030"
    assert page.lines == ["某县教育局2022年政府信息公开工作年度报告", "一、总体情况", "规章 |", "0 |", ROW_BREAK]
    assert page.source_lines == [1, 2, 3, 3, 3]


def test_declared_charset_loses_to_valid_utf8_and_bom():
    utf8 = "<meta charset=gb2312><p>公开</p>".encode()
    assert decode_page(utf8) == ("<meta charset=gb2312><p>公开</p>", "utf-8")
    assert decode_page(b"\xef\xbb\xbf<p>x</p>") == ("<p>x</p>", "utf-8")
    assert decode_page("<p>公开</p>".encode("utf-16-le").join([b"\xff\xfe", b""]))[1] == "utf-16-le"
    big5 = "<meta charset=big5><p>公開</p>".encode("big5")
    assert decode_page(big5) == ("<meta charset=big5><p>公開</p>", "big5")


def test_chrome_is_left_out_and_fields_kept():
    page = read_html("""<!DOCTYPE html><html><head><title>某局</title><style>p{width:136px}</style></head><body>
<div class="header-menu"><a href="/">首页</a> <a>走进某县</a></div>
<nav><ul><li>导航菜单 2023</li></ul></nav>
<div class="bread-crumbs">当前位置：首页 &gt; 政府信息公开</div>
<form class="search"><input value="搜索"><button>搜索 99</button></form>
<div class="meta"><div><strong>标题：</strong>某局2023年政府信息公开工作年度报告</div>
<div><strong>来源：</strong>http://example.gov.cn/a.shtml</div></div>
<table class="info"><tr><td>发布机构</td><td>某县某局</td><td>发布日期</td><td>2024-01-17</td></tr>
<tr><td>文号</td><td></td><td>索引号</td><td>0143/2024-00002</td></tr></table>
<article><header><h1>某局2023年政府信息公开工作年度报告</h1></header><p>正文。</p>
<p style="display:none">隐藏 42</p><script>var n = 12345;</script></article>
<div class="bdsharebuttonbox">分享到：微信</div>
<footer>版权所有 电话 0527-83593059 ICP备12345678号</footer>
<div id="footer">主办单位 123</div>
</body></html>""".encode())
    text = "\n".join(page.lines)
    for chrome in ("首页", "导航菜单", "当前位置", "搜索", "隐藏", "12345", "分享到", "版权所有", "主办单位", "136"):
        assert chrome not in text, chrome
    assert page.lines == ["标题：某局2023年政府信息公开工作年度报告", "来源：http://example.gov.cn/a.shtml",
                          "发布机构：某县某局", "发布日期：2024-01-17", "索引号：0143/2024-00002",
                          "某局2023年政府信息公开工作年度报告", "正文。"]


def test_a_form_wrapping_the_whole_page_is_not_chrome():
    # ASP.NET sites put the whole page, report included, inside one <form>.
    body = _tables_html("2021", SEED_TABLES["001_0413918a63fee9e6.txt"], "吕梁市教育局", 2021)
    data = f"<html><body><form id='form1' action='x.aspx'><input type=hidden value=1>{body}</form></body></html>"
    r = extract_report(data.encode(), "form.aspx")
    assert cells_of(r, "reviews") == SEED_TABLES["001_0413918a63fee9e6.txt"]["reviews"]


def test_a_layout_table_is_read_as_blocks():
    data = ("<table><tr><td><a>首页</a></td><td><p>某局2021年政府信息公开工作年度报告</p>"
            f"<p>{'总体情况，' * 80}</p><table><tr><td>规章</td><td>0</td></tr></table></td></tr></table>")
    page = read_html(data.encode())
    assert page.lines[:2] == ["首页", "某局2021年政府信息公开工作年度报告"]
    assert page.lines[-3:] == ["规章 |", "0 |", ROW_BREAK]


def test_source_lines_past_libxml2s_line_cap():
    # libxml2 numbers lines up to 65535 only; the walk counts the newlines it passes.
    data = ("<html><body>" + "\n" * 70000 + "<p>标题</p>\n<table><tr><td>规章</td>\n<td>5</td></tr>\n"
            "<tr><td>x</td><td>\n7</td></tr></table><pre>a\nb</pre></body></html>").encode()
    page = read_html(data)
    assert list(zip(page.lines, page.source_lines, strict=True)) == [
        ("标题", 70001), ("规章 |", 70002), ("5 |", 70003), (ROW_BREAK, 70003), ("x |", 70004), ("7 |", 70005),
        (ROW_BREAK, 70005), ("a", 70005), ("b", 70006)]


def test_preformatted_text_keeps_its_lines():
    page = read_html("<html><body><pre>二、主动公开政府信息情况\n行政许可\t3\n\n行政处罚\t0</pre></body></html>".encode())
    assert page.lines == ["二、主动公开政府信息情况", "行政许可\t3", "", "行政处罚\t0"]
    assert page.source_lines == [1, 2, 3, 4]


def test_format_is_told_by_content_and_a_mismatch_noted():
    r = extract_report(_page(_proactive_2021({("administrative_permits", "decisions"): 3})), "saved.txt")
    codes = {i.code: i.message for i in r.issues if i.severity == "info"}
    assert codes["format"] == "read as html"
    assert codes["format_mismatch"] == "the name says text, the content is html"
    r = extract_report("二、主动公开政府信息情况\n行政许可 3\n".encode(), "plain.html")
    assert "format" not in {i.code for i in r.issues}
    assert [i.message for i in r.issues if i.code == "format_mismatch"] == ["the name says html, the content is text"]


def test_sniff():
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(b"%PDF-1.7\n1 0 obj") == "pdf"
    assert sniff(docx.getvalue()) == "docx"
    assert sniff(other_zip.getvalue()) == "text"
    assert sniff(b"\xef\xbb\xbf  <!DOCTYPE html><html><body>x") == "html"
    assert sniff(b"<head><meta charset=gbk></head><body>x</body>") == "html"
    assert sniff(b"<?xml version='1.0'?>\n<!-- saved -->\n<html xmlns='http://www.w3.org/1999/xhtml'>") == "html"
    assert sniff("<p>一</p><p>二</p><table><tr><td>0</td></tr></table>".encode("gbk")) == "html"
    assert sniff("<html><body><p>x</p></body></html>".encode("utf-16")) == "html"
    assert sniff("某局2021年政府信息公开工作年度报告\n<p>一</p>".encode()) == "text"
    assert sniff(b"<div align=center><img src=a.png></div>\n\n# Title\n\n| a | b |\n|---|---|\n") == "text"
    assert sniff(b"| a | b |\n") == "text"
    assert sniff(b"<1>") == "text"
    assert (format_of_name("a/b.SHTML"), format_of_name("x.md"), format_of_name("noext"), format_of_name("a.xyz")) \
        == ("html", "text", None, None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_after_html_never_raise(tail):
    data = b"<html>" + tail
    page = read_html(data)
    assert len(page.lines) == len(page.source_lines)
    r = extract_report(data, "x.html")
    assert "parser_crash" not in {i.code for i in r.issues}


_MARKUP = st.lists(st.sampled_from(list("<>/=\"' \n\r\t&;#tdrpabn0123456789表一、本年新收总计") + [
    "<td>", "<tr>", "</td>", "<table>", "</table>", "<th>", "<br>", "<o:p>", "&nbsp;", " colspan=\"", " rowspan=\"0\"",
    "<!--", "-->", "<script>", "<pre>", "<p>", "<div class=nav>", "<span>"]), max_size=200).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_MARKUP)
def test_broken_markup_never_raises(text):
    data = ("<html>" + text).encode()
    page = read_html(data)
    n = len(data.decode().splitlines())  # lines as the text path numbers them
    assert all(1 <= s <= n for s in page.source_lines)
    assert "parser_crash" not in {i.code for i in extract_report(data, "x.html").issues}


# ------------------------------------------------------------------------------------------ the samples as pages

# The form's tables and row labels (canonical-tables.md), shared with the PDF builder; group headings below stand
# vertically over their rows.
_PROACTIVE_2021, _PROACTIVE_2019, _ROW_LABELS = PROACTIVE_2021, PROACTIVE_2019, ROW_LABELS
_GROUPS = {"denied_state_secret": "（三）不予公开", "unavailable_not_held": "（四）无法提供",
           "not_processed_petition": "（五）不予处理", "other_handling_no_correction": "（六）其他处理"}


def _runs(text: str) -> str:
    """Word-exported markup: a label's words cut into runs of two characters, alternately <span> and <font>."""
    pieces = [escape(text[i:i + 2]) for i in range(0, len(text), 2)]
    return "".join(f'<span style="font-family: 仿宋;">{p}</span>' if k % 2 == 0 else f'<font face="方正仿宋_GBK">{p}</font>'
                   for k, p in enumerate(pieces))


def _td(text: str = "", rowspan: int = 1, colspan: int = 1) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    inner = _runs(text) if text else "<span><o:p>&nbsp;</o:p></span>"
    return f'\n  <td{spans} width="136" valign="center">\n    <p class="MsoNormal" align="">{inner}<o:p></o:p></p>\n  </td>'


def _num(value: int | Decimal | None, colspan: int = 1, money: str = "") -> str:
    if value is None:
        return _td(colspan=colspan)
    if money == "wan":
        value = Decimal(value) / 10000
    text = format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)
    return _td(text + ("元" if money == "yuan" else ""), colspan=colspan)


def _table(rows: list[str]) -> str:
    body = "".join(f"\n<tr>{r}\n</tr>" for r in rows)
    return f'<table style="BORDER-COLLAPSE:collapse" cellspacing="0" border="1">\n<tbody>{body}\n</tbody></table>'


def _proactive(blocks, cells: dict) -> str:
    rows = []
    for heading, header, items, measures in blocks:
        rows.append(_td(heading, colspan=4))
        wide = 4 - len(header) + 1  # a one-measure block's header and value span the three value columns
        rows.append("".join(_td(h, colspan=wide if k == len(header) - 1 else 1) for k, h in enumerate(header)))
        for label, item in items:
            tds = [_td(label)]
            for k, m in enumerate(measures):
                money = "" if m != "amount_yuan" else ("wan" if blocks is _PROACTIVE_2021 else "yuan")
                tds.append(_num(cells.get((item, m)), colspan=wide if k == len(measures) - 1 else 1, money=money))
            rows.append("".join(tds))
    return _table(rows)


def _proactive_2021(cells: dict) -> str:
    return _proactive(_PROACTIVE_2021, cells)


def _applications(layout: str, cells: dict) -> str:
    rows_of = ROWS_2021 if layout == "2021" else ROWS_2019
    dispositions = rows_of[rows_of.index("granted"):rows_of.index("carried_forward")]
    group_size = {}
    for start in _GROUPS:
        if start in rows_of:
            members = [r for r in rows_of[rows_of.index(start):] if r not in ("total", "carried_forward")]
            prefix = {"denied_state_secret": "denied_", "unavailable_not_held": "unavailable_",
                      "not_processed_petition": "not_processed_", "other_handling_no_correction": "other_handling_"}[start]
            group_size[start] = len([r for r in members if r.startswith(prefix)])
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows = [_td(note, rowspan=3, colspan=3) + _td("申请人情况", colspan=7),
            _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2),
            "".join(_td(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))]
    for row in rows_of:
        tds = []
        if row in ("new_received", "carried_over", "carried_forward"):
            tds.append(_td(_ROW_LABELS[row], colspan=3))
        else:
            if row == dispositions[0]:
                tds.append(_td("三、本年度办理结果", rowspan=len(dispositions)))
            if row in group_size:
                tds.append(_td(_GROUPS[row], rowspan=group_size[row]) + _td(_ROW_LABELS[row]))
            elif any(row.startswith(p) for p in ("denied_", "unavailable_", "not_processed_", "other_handling_")):
                tds.append(_td(_ROW_LABELS[row]))
            else:
                tds.append(_td(_ROW_LABELS[row], colspan=2))
        tds += [_num(cells.get((row, a))) for a in APPLICANTS]
        rows.append("".join(tds))
    return _table(rows)


def _reviews(cells: dict) -> str:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    keys = ["upheld", "corrected", "other", "pending", "total"]
    rows = [_td("行政复议", colspan=5) + _td("行政诉讼", colspan=10),
            "".join(_td(o, rowspan=2) for o in outcomes) + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5),
            "".join(_td(o) for o in outcomes * 2),
            "".join(_num(cells.get((p, k)))
                    for p in ("review", "litigation_direct", "litigation_after_review") for k in keys)]
    return _table(rows)


def _p(text: str) -> str:
    return f'<p class="MsoNormal" style="text-indent:2em">{_runs(text)}<span><o:p></o:p></span></p>\n'


def _tables_html(layout: str, tables: dict, agency: str, year: int) -> str:
    proactive = _proactive(_PROACTIVE_2021 if layout == "2021" else _PROACTIVE_2019, tables["proactive"])
    return (_p(f"{agency}{year}年政府信息公开工作年度报告") + _p("一、总体情况")
            + _p(f"{year}年，本机关认真贯彻《中华人民共和国政府信息公开条例》，全年主动公开政府信息。")
            + _p("二、主动公开政府信息情况") + proactive
            + _p("三、收到和处理政府信息公开申请情况") + _applications(layout, tables["applications"])
            + _p("四、政府信息公开行政复议、行政诉讼情况") + _reviews(tables["reviews"])
            + _p("五、存在的主要问题及改进情况") + _p("信息公开工作仍有不足。") + _p("六、其他需要报告的事项") + _p("无。"))


def _page(body: str, signature: str = "") -> bytes:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开</title>
<script>var width = 136, colspan = 3;</script><style>td {{ width: 607px }}</style></head>
<body>
<div class="mainNav"><ul><li><a href="/">首页</a></li><li><a>政务公开 2024</a></li></ul></div>
<div class="position">当前位置：首页 &gt; 政府信息公开年报</div>
<div id="zoomcon" class="article-content">
{body}{_p(signature) if signature else ""}</div>
<div class="share">分享到：微博 微信</div>
<div class="footer">主办：某市人民政府办公室 电话：0527-83593059 网站标识码 3213220037</div>
</body></html>""".encode()


def _sample_page(name: str) -> bytes:
    e = EXPECTED[name]
    signature = ""
    if e["published_on"]:
        y, m, d = (int(x) for x in e["published_on"].split("-"))
        signature = f"{y}年{m}月{d}日"
    if e["layout"] == "narrative":
        body = (_p(f"{e['agency']}{e['year']}年度政府信息公开情况")
                + _p(f"{e['year']}年，市教育局公开了权责清单，公开行政权力24项，其中行政许可2项、行政处罚12项。")
                + _p("在今后的工作中，我们将进一步加大信息公开工作力度。"))
        return _page(body, signature)
    return _page(_tables_html(e["layout"], SEED_TABLES[name], e["agency"], e["year"]), signature)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_as_a_page_gives_its_cells(name):
    data = _sample_page(name)
    assert sniff(data) == "html"
    r = extract_report(data, name.replace(".txt", ".html"))
    e = EXPECTED[name]
    assert (r.agency, r.year, r.layout, r.published_on) == (e["agency"], e["year"], e["layout"], e["published_on"])
    for section in ("proactive", "applications", "reviews"):
        assert cells_of(r, section) == SEED_TABLES[name][section], section
    assert not [i for i in r.issues if i.severity != "info"], [i for i in r.issues if i.severity != "info"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_page_cells_point_at_their_own_td(name):
    data = _sample_page(name)
    lines = data.decode("utf-8").splitlines()
    for c in extract_report(data, "x.html").cells:
        shown = re.sub(r"<[^>]*>", "", lines[c.line - 1]).strip()
        wan = c.key2 == "amount_yuan" and EXPECTED[name]["layout"] == "2021"  # the 2021 form states 万元
        want = format((Decimal(c.value) / 10000).normalize(), "f") if wan else str(c.value)
        assert shown.removesuffix("元") == want, (c, lines[c.line - 1])


def test_parse_time_is_small(real):
    # Not a benchmark: a guard against an accidental quadratic walk (one page is about 10 ms here).
    import time

    data, _ = real
    start = time.perf_counter()
    for _ in range(5):
        read_html(data)
    assert (time.perf_counter() - start) / 5 < 0.5
