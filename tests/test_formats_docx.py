"""Word files read as their body's paragraphs and tables: the samples made into .docx here, and hand-made bodies.

The samples' Word files are built by docx_build.py from the same blocks as their web pages in
test_formats_html.py, which are written from the hand-read tables; each must give its text version's cells.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import RAW
from docx_build import (
    APPLICATIONS_HEADER_ROWS,
    SAMPLE_FOOTER,
    SAMPLE_FOOTER_TABLE,
    SAMPLE_HEADER,
    W_NS,
    docx_of_body,
    p,
    sample_blocks,
    sample_docx,
    tbl,
    tc,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from seed_tables import SEED_TABLES
from test_formats_html import EXPECTED, _sample_page

from pipelines.corpus.originals_docx import Cell, Para, Table, build_docx, split_table
from pipelines.extract import extract_report
from pipelines.extract.decode import UndecodableError
from pipelines.extract.formats import read_docx, read_html, sniff
from pipelines.extract.formats.html import ROW_BREAK
from pipelines.extract.report import Origin


def cells(report) -> set[tuple]:
    return {(c.section, c.key1, c.key2, c.value) for c in report.cells}


@pytest.fixture(scope="module")
def samples() -> dict[str, bytes]:
    return {name: sample_docx(name) for name in sorted(EXPECTED)}


# ------------------------------------------------------------------------------------------ the samples


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_as_docx_gives_its_text_versions_cells(samples, name):
    data = samples[name]
    assert sniff(data) == "docx"
    r = extract_report(data, name.replace(".txt", ".docx"))
    text = extract_report((RAW / name).read_bytes(), name)
    assert cells(r) == cells(text)
    assert {(c.key1, c.key2): c.value for c in r.cells if c.section == "applications"} == SEED_TABLES[name]["applications"]
    # The hand-read truth (which test_extract_seeds.py holds the text version to), and the text version's own.
    e = EXPECTED[name]
    assert (r.agency, r.year, r.layout, r.published_on) == (e["agency"], e["year"], e["layout"], e["published_on"])
    assert (r.agency, r.year, r.layout) == (text.agency, text.year, text.layout)
    assert [i.message for i in r.issues if i.code == "format"] == ["read as docx"]
    assert not [i for i in r.issues if i.severity != "info"], [i for i in r.issues if i.severity != "info"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_docx_renders_as_its_page(samples, name):
    # One grid → canonical-name mapping for both formats: the same lines, the same table cells.
    page, doc = read_html(_sample_page(name)), read_docx(samples[name])
    assert doc.lines == page.lines
    assert doc.origins == page.origins
    assert doc.source_lines == [None] * len(doc.lines)


def test_origins_are_where_the_builder_put_the_cells(samples):
    r = extract_report(samples["001_0413918a63fee9e6.txt"], "001.docx")
    at = {(c.section, c.key1, c.key2): c.origin for c in r.cells}
    # Table 1: two rows per block of the 2021 proactive table; 行政许可 is the 7th row, its value in column 2.
    assert at["proactive", "administrative_permits", "decisions"] == Origin(table=1, row=7, col=2)
    # Table 2, cut after 结转 and continued by 续表 with its 3 header rows repeated: rows count on through the
    # joined table (3 header rows + 新收 + 结转 + 予以公开 = 6), columns after the 3 label columns.
    assert at["applications", "new_received", "total"] == Origin(table=2, row=4, col=10)
    assert at["applications", "granted", "natural_person"] == Origin(table=2, row=6, col=4)
    assert at["applications", "carried_forward", "other_org"] == Origin(table=2, row=28, col=9)
    assert at["reviews", "litigation_after_review", "total"] == Origin(table=3, row=4, col=15)
    # No lines of its own: a value's line is the rendered line that holds it.
    page = read_docx(samples["001_0413918a63fee9e6.txt"])
    for c in r.cells:
        shown = page.lines[c.line - 1].removesuffix(" |")
        assert shown == (format(c.value / 10000, "f") if c.key2 == "amount_yuan" else str(c.value)), c


def test_the_split_table_is_joined_and_its_repeated_header_dropped(samples):
    data = samples["004_8a5c167a3bf215e4.txt"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count("<w:tbl>") == 4 and "续表" in xml  # the builder did split it
    page = read_docx(data)
    assert max(o.table for o in page.origins if o) == 3
    assert "续表" not in page.lines
    assert page.lines.count("申请人情况 |") == page.lines.count("法人或其他组织 |") == 1
    unsplit = read_docx(build_docx(sample_blocks("004_8a5c167a3bf215e4.txt", split=False)))
    assert (unsplit.lines, unsplit.origins) == (page.lines, page.origins)


@pytest.mark.parametrize("retype", [False, True])
def test_a_cut_through_merged_labels_joins_back_to_the_uncut_grid(retype):
    # Cut before 3.危及“三安全一稳定”: through 三、本年度办理结果 and （三）不予公开, both merged down.
    name = "001_0413918a63fee9e6.txt"
    blocks = split_table(sample_blocks(name, split=False), 1, 9, APPLICATIONS_HEADER_ROWS, retype=retype)
    page = read_docx(build_docx(blocks))
    uncut = read_docx(build_docx(sample_blocks(name, split=False)))
    assert (page.lines, page.origins) == (uncut.lines, uncut.origins)
    assert cells(extract_report(build_docx(blocks), "cut.docx")) == cells(extract_report((RAW / name).read_bytes(), name))


def test_headers_and_footers_are_left_out(samples):
    data = samples["000_6c6888ab43a2d839.txt"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = "".join(z.read(n).decode() for n in z.namelist() if "header" in n or "footer" in n)
    furniture = [*SAMPLE_HEADER, *SAMPLE_FOOTER, *(t for row in SAMPLE_FOOTER_TABLE for t in row)]
    assert all(t in parts for t in furniture)  # they are in the file …
    text = "\n".join(read_docx(data).lines)
    for t in ("政务公开", "0527", "主办", "第 1 页", "3213220037", "12345678"):  # … and not in its rendering
        assert t not in text, t
    r = extract_report(data, "000.docx")
    assert cells(r) == cells(extract_report((RAW / "000_6c6888ab43a2d839.txt").read_bytes(), "000.txt"))


# ------------------------------------------------------------------------------------------ fragments


def test_merged_cells_expand_as_on_a_web_page():
    # test_formats_html.test_spans_expand_on_the_grid's table, made rectangular as Word's grid must be.
    data = build_docx([Table([
        [Cell(["（本列数据的", "勾稽关系）"], 2, 3), Cell(["申请人情况"], colspan=2)],
        [Cell(["自然人"]), Cell(["总计"])],
        [Cell(["一、本年新收政府信息公开申请数量"], colspan=3), Cell(["26"]), Cell(["26"])],
        [Cell(["三、本年度办理结果"], rowspan=3), Cell(["（一）予以公开"], colspan=2), Cell(["5"], colspan=2)],
        [Cell(["（三）不予公开"], rowspan=2), Cell(["1.属于国家秘密"]), Cell(["1"]), Cell([])],
        [Cell(["2.其他法律行政法规禁止公开"]), Cell(["3"]), Cell(["4"])],
    ])])
    page = read_docx(data)
    assert page.lines == [
        "（本列数据的勾稽关系） |", "申请人情况 |", ROW_BREAK,
        "自然人 |", "总计 |", ROW_BREAK,
        "一、本年新收政府信息公开申请数量 |", "26 |", "26 |", ROW_BREAK,
        "三、本年度办理结果 |", "（一）予以公开 |", "5 |", "|", ROW_BREAK,
        "（三）不予公开 |", "1.属于国家秘密 |", "1 |", "|", ROW_BREAK,  # an empty cell stays an empty cell
        "2.其他法律行政法规禁止公开 |", "3 |", "4 |", ROW_BREAK,
    ]
    origin = dict(zip(page.lines, page.origins, strict=True))
    assert origin["三、本年度办理结果 |"] == Origin(table=1, row=4, col=1)
    assert origin["2.其他法律行政法规禁止公开 |"] == Origin(table=1, row=6, col=3)
    assert origin["4 |"] == Origin(table=1, row=6, col=5)


def _two_tables(between: list[Para], second_header: bool = True, width: int = 3) -> bytes:
    """A table of three columns, `between`, then a second of `width` columns, repeating the header or not."""
    def header(n: int) -> list[Cell]:
        return [Cell(["信息内容"]), Cell(["本年制发件数"]), *[Cell(["现行有效件数"])] * (n - 2)]

    first = Table([header(3), [Cell(["规章"]), Cell(["1"]), Cell(["2"])]])
    second = Table(([header(width)] if second_header else []) + [[Cell(["行政规范性文件"]), *[Cell(["3"])] * (width - 1)]])
    return build_docx([first, *between, second])


def test_a_table_split_by_a_page_break_alone_is_joined():
    page = read_docx(_two_tables([Para([], page_break=True)]))
    assert page.lines == ["信息内容 |", "本年制发件数 |", "现行有效件数 |", ROW_BREAK, "规章 |", "1 |", "2 |", ROW_BREAK,
                          "行政规范性文件 |", "3 |", "3 |", ROW_BREAK]
    assert page.origins[-2] == Origin(table=1, row=3, col=3)
    joined = read_docx(_two_tables([Para(["（续表）"])], second_header=False))
    assert joined.lines == page.lines and joined.origins == page.origins


def test_tables_that_do_not_continue_stay_apart():
    headed = read_docx(_two_tables([Para(["（二）规范性文件"])]))
    assert "（二）规范性文件" in headed.lines and headed.lines.count("信息内容 |") == 2
    assert headed.origins[-2] == Origin(table=2, row=2, col=3)
    wider = read_docx(_two_tables([Para(["续表"])], width=4))
    assert "续表" in wider.lines and wider.origins[-2] == Origin(table=2, row=2, col=4)


def test_runs_breaks_and_tabs():
    page = read_docx(build_docx([Para(["某局20", "21年政府信息", "公开工作年度报告"]), Para(["  行政许可\t", "3 "])]))
    assert page.lines == ["某局2021年政府信息公开工作年度报告", "行政许可\t3"]
    body = '<w:p><w:r><w:t>二、主动公开</w:t><w:br/><w:t>政府信息情况</w:t><w:noBreakHyphen/><w:t>x</w:t></w:r></w:p>'
    assert read_docx(docx_of_body(body)).lines == ["二、主动公开", "政府信息情况-x"]


def test_what_word_keeps_that_is_not_text():
    toc = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>'
           f'<w:sdtContent>{p("二、主动公开政府信息情况", "3")}</w:sdtContent></w:sdt>')
    title = ('<w:p><w:r><w:t>某局</w:t></w:r><w:ins w:id="1"><w:r><w:t>2021</w:t></w:r></w:ins>'
             '<w:del w:id="2"><w:r><w:delText>2020</w:delText></w:r></w:del>'
             '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE 42 </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>年</w:t></w:r>'
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
             '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏99</w:t></w:r>'
             '<w:hyperlink><w:r><w:t>报告</w:t></w:r></w:hyperlink></w:p>')
    box = ('<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
           f'{p("框内文字")}</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>'
           f'<w:txbxContent>{p("框内文字")}</w:txbxContent></v:textbox></w:pict></mc:Fallback>'
           '</mc:AlternateContent></w:r></w:p>')
    control = f'<w:sdt><w:sdtContent>{p("一、总体情况")}</w:sdtContent></w:sdt>'
    assert read_docx(docx_of_body(toc + title + box + control)).lines == ["某局2021年报告", "框内文字", "一、总体情况"]


def test_legacy_merges_skipped_columns_and_deleted_rows():
    body = tbl(
        tc("行政处罚|强制", v_merge="continue") + tc("", span=2),  # a continuation with nothing above is a cell
        tc("规章") + tc("0") + tc("1"),
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + tc("5") + tc("6"),
        '<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr>' + p("行政许可") + "</w:tc>"
        + '<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>' + tc("7"),
        '<w:trPr><w:del w:id="1"/></w:trPr>' + tc("删除") + tc("8") + tc("9"),
    )
    page = read_docx(docx_of_body(body))
    assert page.lines == ["行政处罚¦强制 |", "|", "|", ROW_BREAK, "规章 |", "0 |", "1 |", ROW_BREAK, "5 |", "6 |", ROW_BREAK,
                          "行政许可 |", "7 |", ROW_BREAK]
    assert page.origins[0] == Origin(table=1, row=1, col=1)
    assert page.origins[8] == Origin(table=1, row=3, col=2) and page.origins[12] == Origin(table=1, row=4, col=3)


def test_a_value_merged_down_rows_leaves_empty_cells_below():
    body = tbl(tc("行政许可") + tc("3", v_merge="restart"), tc("行政处罚") + tc(v_merge="continue"))
    assert read_docx(docx_of_body(body)).lines == ["行政许可 |", "3 |", ROW_BREAK, "行政处罚 |", "|", ROW_BREAK]


def test_nested_tables_are_read_as_blocks_and_tables():
    inner = tbl(tc("规章") + tc("4"))
    body = tbl(tc("某局2021年政府信息公开工作年度报告") + f"<w:tc>{p('二、主动公开政府信息情况')}{inner}<w:p/></w:tc>")
    body += tbl(tc("一整个单元格的报告"))  # a one-column box around text
    page = read_docx(docx_of_body(body))
    assert page.lines == ["某局2021年政府信息公开工作年度报告", "二、主动公开政府信息情况", "规章 |", "4 |", ROW_BREAK,
                          "一整个单元格的报告"]
    assert page.origins[3] == Origin(table=1, row=1, col=2)


def test_strict_ooxml_and_macro_enabled_files_are_read():
    strict = docx_of_body(p("某局"), ns="http://purl.oclc.org/ooxml/wordprocessingml/main",
                          rel="http://purl.oclc.org/ooxml/officeDocument/relationships")
    assert read_docx(strict).lines == ["某局"]
    assert read_docx(docx_of_body(p("某局"), main_type="application/vnd.ms-word.document.macroEnabled.main+xml")).lines \
        == ["某局"]


# ------------------------------------------------------------------------------------------ what is not a Word file


def _zip(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members.items():
            z.writestr(name, body)
    return out.getvalue()


def _unreadable(data: bytes) -> str:
    with pytest.raises(UndecodableError) as e:
        read_docx(data)
    assert e.value.code == "unreadable_docx"
    r = extract_report(data, "x.docx")
    assert [i.code for i in r.issues if i.severity == "error"] == ["unreadable_docx"] and not r.cells
    return str(e.value)


def test_damaged_files_are_unreadable_docx(samples):
    good = samples["001_0413918a63fee9e6.txt"]
    _unreadable(good[: len(good) // 2])  # cut off: no central directory
    _unreadable(good[:40] + bytes(200) + good[240:])  # a member's data overwritten: bad CRC or inflate error
    with zipfile.ZipFile(io.BytesIO(docx_of_body(p("x")))) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members["word/styles.xml"] = b"<w:styles/>"  # a word/ member: the sniffer's sign of a Word file
    assert "document.xml" in _unreadable(_zip({n: b for n, b in members.items() if n != "word/document.xml"}))
    assert "no main document" in _unreadable(_zip({n: b for n, b in members.items() if n != "_rels/.rels"}))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with_xlsx_main = docx_of_body(p("x"), main_type=xlsx)
    assert "not a Word document" in _unreadable(with_xlsx_main)
    broken_xml = docx_of_body("<w:p><w:r><w:t>未闭合")
    _unreadable(broken_xml)
    members["word/document.xml"] = f'<w:document xmlns:w="{W_NS}"/>'.encode()
    assert "no document body" in _unreadable(_zip(members))


def _with_big_member(name: str, mib: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_of_body(p("某局")))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            if n != name:
                z.writestr(n, src.read(n))
        with z.open(name, "w") as f:
            for _ in range(mib):
                f.write(bytes(1 << 20))
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_inflating():
    assert "refused" in _unreadable(_with_big_member("word/document.xml", 80))
    # Parts the body does not need are never inflated, however large.
    assert read_docx(_with_big_member("word/media/image1.png", 80)).lines == ["某局"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.binary(max_size=200))
def test_bytes_that_look_like_a_zip_never_raise(head, tail):
    data = b"PK\x03\x04" + head + b"word/document.xml" + tail
    assume(sniff(data) == "docx")  # not "%PDF-" in the head
    try:
        read_docx(data)
    except UndecodableError as e:
        assert e.code == "unreadable_docx"
    r = extract_report(data, "x.docx")
    assert "parser_crash" not in {i.code for i in r.issues}


_GOOD = sample_docx("003_a71b1af0d410ed53.txt")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_GOOD) - 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=4),
       st.integers(40, len(_GOOD)))
def test_a_damaged_word_file_never_raises(patches, keep):
    data = bytearray(_GOOD[:keep])
    for at, junk in patches:
        data[at:at + len(junk)] = junk
    data = bytes(data)
    try:
        read_docx(data)
    except UndecodableError as e:
        assert e.code == "unreadable_docx"
    assert "parser_crash" not in {i.code for i in extract_report(data, "x.docx").issues}
