"""Unit tests of the pure core: tokens, alignment, metadata, decoding, and robustness (hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.extract import extract_report
from pipelines.extract.alignment import fit_row
from pipelines.extract.decode import UndecodableError, decode
from pipelines.extract.metadata import extract_metadata
from pipelines.extract.tables import review_identity, row_total_identity
from pipelines.extract.tokens import Kind, tokenize_line


def _nums(line: str):
    return [t for t in tokenize_line(line, 1) if t.kind in (Kind.NUM, Kind.BLANK)]


def test_enumerator_glued_to_run_together_row_is_a_label():
    toks = tokenize_line("1.属于国家秘密00000002.其他法律行政法规禁止公开", 7)
    assert [(t.kind, t.text) for t in toks] == [
        (Kind.TEXT, "1.属于国家秘密"), (Kind.NUM, "0000000"), (Kind.TEXT, "2.其他法律行政法规禁止公开")]


def test_units_thousands_and_negative_figures():
    vals = [(t.value, t.unit) for t in _nums("x 60127896元 3,985,758 -9 60.179万元")]
    assert vals == [(Decimal("60127896"), "元"), (Decimal("3985758"), None), (Decimal("-9"), None),
                    (Decimal("60.179"), "万元")]


def test_dates_and_clause_numbers_are_prose():
    assert _nums("2021年12月31日 第20条 保留4位小数") == []


def test_run_together_row_has_one_split():
    fit = fit_row(_nums("新收640020470"), 7, row_total_identity)
    assert fit.values == [64, 0, 0, 2, 0, 4, 70] and not fit.ambiguous


def test_ambiguous_split_keeps_only_what_every_split_agrees_on():
    fit = fit_row(_nums("新收270020130"), 7, row_total_identity)
    assert fit.ambiguous and fit.values[-1] == 30
    assert None in fit.values


def test_review_block_split():
    fit = fit_row(_nums("复议10203120001200000"), 15, review_identity)
    assert fit.values == [1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0]


def test_shifted_markdown_row_is_realigned():
    fit = fit_row(_nums("| | (三) | | 1 | 2 | 3 | 0 | 0 | 0 | 6 |"), 7, row_total_identity)
    assert fit.values == [1, 2, 3, 0, 0, 0, 6]


def test_too_few_cells_with_blanks_is_missing_not_guessed():
    fit = fit_row(_nums("a\t1\t\t3\t4"), 7, row_total_identity)
    assert fit.ambiguous and fit.values == [None] * 7


def test_decode_gbk_utf16_and_rejects():
    text = "某某市教育局2021年政府信息公开工作年度报告"
    assert decode(text.encode("gbk")).text == text
    assert decode(text.encode("gb18030")).encoding == "gb18030"
    assert decode(b"\xff\xfe" + text.encode("utf-16-le")).text == text
    for bad, code in ((b"", "empty_file"), (b"  \n", "empty_file"), (b"\x00\x01\x02PK" * 50, "binary_file")):
        with pytest.raises(UndecodableError) as e:
            decode(bad)
        assert e.value.code == code


def test_metadata_title_split_and_abbreviated_agency():
    m = extract_metadata(["哈尔滨市阿城区教育局2021年", "", "政府信息公开工作年度报告", "正文"])
    assert (m.agency, m.year) == ("哈尔滨市阿城区教育局", 2021)
    m = extract_metadata(["教体局2021年政府信息公开工作年度报告", "郑县教育体育局官方微信。郑县教育体育局未收费。"])
    assert m.agency == "郑县教育体育局"


def test_rejected_file_has_an_error_issue_and_no_cells():
    r = extract_report(b"", "empty.txt")
    assert r.rejected and r.cells == [] and r.issues[0].code == "empty_file"


REAL = sorted(p for p in (FIXTURES / "real").glob("*.txt"))


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_corpus_key_figures(path):
    truth = json.loads(path.with_suffix(".truth.json").read_text("utf-8"))
    r = extract_report(path.read_bytes(), path.name)
    assert (r.agency, r.year, r.layout) == (truth["agency"], truth["year"], truth["layout"])
    keys = {"permits": ("proactive", "administrative_permits", "decisions", 1),
            "penalties": ("proactive", "administrative_penalties", "decisions", 1),
            "coercions": ("proactive", "administrative_coercions", "decisions", 1),
            "fees_wan_yuan": ("proactive", "administrative_fees", "amount_yuan", 10000),
            "new_applications_total": ("applications", "new_received", "total", 1),
            "dispositions_total": ("applications", "total", "total", 1),
            "carried_forward_total": ("applications", "carried_forward", "total", 1),
            "natural_person_new": ("applications", "new_received", "natural_person", 1),
            "review_total": ("reviews", "review", "total", 1),
            "litigation_direct_total": ("reviews", "litigation_direct", "total", 1)}
    for name, (section, k1, k2, scale) in keys.items():
        got = r.value(section, k1, k2)
        if truth["layout"] == "narrative":
            assert got is None, name
        elif truth[name] is not None and got is None:
            # Missing is allowed only with a warning on the value's own row (008's run-together 2019 rows).
            assert any(i.severity == "warning" and (i.section, i.row) == (section, k1) for i in r.issues), name
        elif truth[name] is not None:
            assert got == Decimal(str(truth[name])) * scale, name


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    r = extract_report(data, "fuzz.bin")
    assert r.issues, "every report says something about itself"
    assert all(i.code != "parser_crash" for i in r.issues)


_TABLE_WORDS = st.sampled_from(["一、本年新收政府信息公开申请数量", "(七)总计", "行政许可", "| ", " |", "\t", "\n",
                                "0", "12", "640020470", "三、收到和处理政府信息公开申请情况", "2021年", "万元",
                                "四、政府信息公开行政复议", "结果维持", "-", "1.", "||||", "二、主动公开政府信息情况"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TABLE_WORDS, st.text(max_size=8)), max_size=120))
def test_table_shaped_text_never_raises(words):
    r = extract_report("".join(words).encode("utf-8"), "fuzz.txt")
    assert all(i.code != "parser_crash" for i in r.issues)
    for c in r.cells:
        assert c.line >= 1


def test_column_identities_settle_ambiguous_run_together_rows():
    path = FIXTURES / "real" / "007_pingtan_2021.txt"
    r = extract_report(path.read_bytes(), path.name)
    granted = [r.value("applications", "granted", a) for a in
               ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                "legal_service_org", "other_org", "total")]
    assert granted == [27, 0, 0, 2, 0, 1, 30]
    # 693665 (规范性文件: 制发/废止/现行有效) has no identity to decide it: missing, with a warning.
    assert r.value("proactive", "normative_documents", "issued") is None
    assert any(i.code == "ambiguous_cells" and "normative_documents" in i.message for i in r.issues)


def test_metadata_short_unit_suffix_is_completed_from_the_body():
    m = extract_metadata(["淮安市人民政府办2019年政府信息公开工作年度报告", "本报告由淮安市人民政府办公室编制。"])
    assert m.agency == "淮安市人民政府办公室"


@pytest.mark.parametrize("signature", ["2022年1月17日", "2022.1.17", "2022-01-17", "二〇二二年一月十七日"])
def test_signature_date_forms(signature):
    m = extract_metadata(["某市教育局2021年政府信息公开工作年度报告", "正文。", "某市教育局", signature])
    assert m.published_on == "2022-01-17"


def test_signature_date_at_the_end_of_a_one_line_page():
    line = ("某市教育局2021年政府信息公开工作年度报告 " + "正文。" * 100
            + " 某市教育局 2022年1月17日 【打印本页】【关闭窗口】")
    assert extract_metadata([line]).published_on == "2022-01-17"


def test_page_number_alone_between_aligned_rows_is_not_a_cell():
    text = "\n".join([
        "某市教育局2021年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "   1、信访举报投诉类申请          0       1       0      0       0       0       1",
        "",
        "                                          2",
        "   2、重复申请                    0       0       0      0       0       0       0",
    ])
    r = extract_report(text.encode("utf-8"), "aligned.txt")
    assert [r.value("applications", "not_processed_petition", a) for a in ("natural_person", "commercial_enterprise",
                                                                           "total")] == [0, 1, 1]
    assert any("page number" in i.message for i in r.issues)


def test_run_together_row_with_wrong_arithmetic_is_read_and_flagged():
    # 1|0|0|3|0|0|1: the only split the digits allow; its 总计 (1) is not the sum of its parts (4).
    fit = fit_row(_nums("新收1003001"), 7, row_total_identity)
    assert fit.values == [1, 0, 0, 3, 0, 0, 1] and not fit.ambiguous


def test_implausible_count_is_missing_with_a_warning():
    text = "\n".join(["某市教育局2021年政府信息公开工作年度报告", "二、主动公开政府信息情况", "信息内容\t本年处理决定数量",
                      "行政许可\t12345678901234567890123", "行政处罚\t5"])
    r = extract_report(text.encode("utf-8"), "big.txt")
    assert r.value("proactive", "administrative_permits", "decisions") is None
    assert r.value("proactive", "administrative_penalties", "decisions") == 5
    assert any(i.code == "implausible_count" for i in r.issues)


def test_abbreviated_agency_matches_a_body_name_with_another_place_suffix_or_warns():
    m = extract_metadata(["县住建局2018年政府信息公开工作年度报告", "现公布达拉特旗住房和城乡建设局2018年度报告。"])
    assert (m.agency, m.agency_unsure) == ("达拉特旗住房和城乡建设局", False)
    r = extract_report("县住建局2018年政府信息公开工作年度报告\n正文。".encode(), "a.txt")
    assert r.agency == "县住建局" and any(i.code == "agency_abbreviated" for i in r.issues)
