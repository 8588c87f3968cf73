"""One test per family of real renderings that issue 8 names, on a real file or a minimal excerpt written from a
real layout: the values come out right, or missing with a warning on their own row — never wrong."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FIXTURES

from pipelines.extract import extract_report
from pipelines.extract.report import Report

EXCERPTS = FIXTURES / "excerpts"
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total")


def _read(path: Path) -> Report:
    return extract_report(path.read_bytes(), path.name)


def _row(r: Report, row: str) -> list[int | Decimal | None]:
    return [r.value("applications", row, a) for a in APPLICANTS]


def _warned(r: Report, section: str, row: str) -> bool:
    return any(i.severity in ("warning", "error") and i.section == section and i.row == row for i in r.issues)


@pytest.mark.parametrize("name", ["pdftotext_wrapped_tails.txt", "pdftotext_wrapped_tails_unnumbered.txt"])
def test_wrapped_tail_after_figures_never_claims_the_next_row(name: str) -> None:
    # `3.要求提供公开  1 …` / `出版物` / `4.无正当理由大  7 …` / `量反复申请`: the tail 出版物 must not pull the
    # next row's figures under 要求提供公开出版物, nor shift the rows after it.
    r = _read(EXCERPTS / name)
    assert _row(r, "not_processed_publication") == [1, 0, 0, 0, 0, 0, 1]
    assert _row(r, "not_processed_excessive") == [7, 0, 0, 0, 0, 0, 7]
    assert _row(r, "not_processed_confirmation") == [8, 0, 0, 0, 0, 0, 8]
    assert _row(r, "other_handling_no_correction") == [6, 1, 0, 0, 0, 0, 7]
    assert _row(r, "other_handling_unpaid_fee") == [0] * 7
    assert _row(r, "other_handling_other") == [13, 0, 0, 0, 0, 1, 14]
    assert _row(r, "total") == [181, 2, 0, 0, 0, 3, 186]
    assert _row(r, "carried_forward") == [3, 0, 0, 0, 0, 0, 3]
    assert not [i for i in r.issues if i.code in ("rows_missing", "unmatched_row")]


def test_a_split_the_sums_chose_is_withdrawn_when_the_sums_fail() -> None:
    # 予以公开 `120000021` is 12|0|0|0|0|0|21 in the report (its own 总计 mistyped); the only reading the row's sum
    # allows, 1|20|0|0|0|0|21, would put 20 under 商业企业. The columns' sums then fail, so it is withdrawn.
    r = _read(FIXTURES / "adversarial" / "crawler_row_total_error.txt")
    assert _row(r, "granted") == [None] * 7 and _warned(r, "applications", "granted")


def test_a_shift_the_labels_cannot_settle_leaves_rows_missing_with_warnings() -> None:
    # Two rows whose labels name the same row of the form: which one holds its figures is not known.
    text = (EXCERPTS / "pdftotext_wrapped_tails_unnumbered.txt").read_text(encoding="utf-8")
    text = text.replace("其他                            13", "缴纳费用                        13")
    r = extract_report(text.encode(), "contested.txt")
    assert _row(r, "other_handling_unpaid_fee") == [None] * 7
    assert _warned(r, "applications", "other_handling_unpaid_fee")
    assert _row(r, "other_handling_other") == [None] * 7
    assert _warned(r, "applications", "other_handling_other")
    assert _row(r, "total") == [181, 2, 0, 0, 0, 3, 186]


@pytest.mark.parametrize("name", ["pdftotext_totals_only.txt", "crawler_totals_only.txt"])
def test_tables_stating_only_the_total_column(name: str) -> None:
    r = _read(EXCERPTS / name)
    totals = {row: r.value("applications", row, "total") for row in
              ("new_received", "carried_over", "granted", "partially_granted", "denied_third_party_rights",
               "unavailable_not_held", "not_processed_petition", "other_handling_other", "total", "carried_forward")}
    assert totals == {"new_received": 70, "carried_over": 3, "granted": 30, "partially_granted": 5,
                      "denied_third_party_rights": 1, "unavailable_not_held": 20, "not_processed_petition": 4,
                      "other_handling_other": 2, "total": 69, "carried_forward": 4}
    assert all(c.key2 == "total" for c in r.cells if c.section == "applications")  # a blank is never a 0
    assert any(i.code == "totals_only" for i in r.issues)


def test_2019_procurement_count_run_into_its_amount() -> None:
    r = _read(EXCERPTS / "crawler_2019_procurement.txt")
    assert r.layout == "2019"
    assert r.value("proactive", "centralized_procurement", "projects") == 0
    assert r.value("proactive", "centralized_procurement", "amount_yuan") == Decimal("128245056")
    # 00 for three columns cannot be split: missing, with the warning on its row
    assert r.value("proactive", "normative_documents", "new_made") is None
    assert _warned(r, "proactive", "normative_documents")


def _truth(name: str) -> dict:
    return json.loads((FIXTURES / "real" / f"{name}.truth.json").read_text(encoding="utf-8"))


def test_ocr_markdown_one_table_per_row_with_numbered_column_headers() -> None:
    # 数据1…数据6 name columns: their digits are not figures; a converter's wrong header row changes nothing.
    r = _read(FIXTURES / "real" / "021_shuyang_county_gov_2025.txt")
    t = _truth("021_shuyang_county_gov_2025")
    assert _row(r, "new_received") == [705, 3, 0, 0, 5, 0, 713]
    assert r.value("applications", "carried_over", "total") == t["carried_over_total"]
    assert r.value("applications", "total", "total") == t["dispositions_total"]
    assert _row(r, "other_handling_unpaid_fee") == [7, 0, 0, 0, 0, 0, 7]
    assert r.value("applications", "carried_forward", "total") == t["carried_forward_total"]
    assert [r.value("reviews", p, "total") for p in ("review", "litigation_direct", "litigation_after_review")] == \
        [61, 3, 10]
    assert not any(i.code in ("unmatched_row", "rows_missing", "ambiguous_cells") for i in r.issues)


def test_pdf_markdown_with_labels_detached_from_their_figures() -> None:
    # Labels printed as blocks before rows of bare figures; the form's order places each row, and the one row
    # placed by its position alone says so on its row.
    r = _read(FIXTURES / "real" / "022_shanghai_stcsm_2024.md")
    assert _row(r, "partially_granted") == [0] * 7 and _warned(r, "applications", "partially_granted")
    assert _row(r, "denied_internal_affairs") == [1, 0, 0, 0, 0, 0, 1]
    assert _row(r, "unavailable_not_held") == [4, 0, 0, 0, 0, 0, 4]
    assert _row(r, "unavailable_needs_creation") == [6, 0, 0, 0, 0, 0, 6]
    assert _row(r, "unavailable_unclear") == [0] * 7
    assert _row(r, "other_handling_no_correction") == [8, 2, 0, 0, 0, 0, 10]
    assert _row(r, "other_handling_unpaid_fee") == [0] * 7  # the stray '1' before it is a page number
    assert _row(r, "total") == [33, 2, 0, 0, 0, 0, 35]
    assert _row(r, "carried_forward") == [1, 0, 0, 0, 0, 0, None]  # its 总计 cell is empty: missing, not inferred


def test_renumbered_sections_keep_prose_figures_out_of_the_tables() -> None:
    # The statistics part restarts at 一、主动公开…; its headings 四、/五、 are missing, and prose with
    # `2024 年` and `发布政府信息 393 件` surrounds the tables.
    r = _read(FIXTURES / "real" / "022_shanghai_stcsm_2024.md")
    assert r.value("proactive", "administrative_permits", "decisions") == 97
    assert r.value("proactive", "normative_documents", "issued") == 13
    reviews = [r.value("reviews", p, o) for p in ("review", "litigation_direct", "litigation_after_review")
               for o in ("upheld", "corrected", "other", "pending", "total")]
    assert reviews == [1, 0, 0, 0, 1] + [0] * 10
    assert not any(c.value in (2024, 393, 1400) for c in r.cells)


def test_a_report_whose_own_arithmetic_breaks_is_flagged_not_fixed() -> None:
    # Its rows add up to 27 requests handled, its 总计 says 21: flagged, never repaired. The rows whose run-together
    # digits only the (failing) sums could split are withdrawn, with the warning on their rows.
    r = _read(FIXTURES / "real" / "008_pingtan_2020.txt")
    assert any(i.code == "identity_failed" and "dispositions_sum:total" in i.message for i in r.issues)
    assert r.value("applications", "total", "total") is None and _warned(r, "applications", "total")
    assert _row(r, "new_received") == [None] * 7 and _warned(r, "applications", "new_received")  # `200 000121`
    assert _row(r, "granted") == [6, 0, 0, 0, 0, 1, 7]  # one reading whatever the sums say
    assert _row(r, "carried_forward") == [0] * 7  # `0 0 00 00 0`: the 00s lost their separators, one reading


def test_prose_totals_are_cross_checked_and_never_change_the_table() -> None:
    text = (EXCERPTS / "pdftotext_wrapped_tails.txt").read_text(encoding="utf-8")
    prose = "全年共收到政府信息公开申请185件，办结180件，结转下年度继续办理3件。\n"
    text = text.replace("     三、收到和处理", prose + "     三、收到和处理")
    r = extract_report(text.encode(), "prose.txt")
    said = [i for i in r.issues if i.code == "prose_disagrees"]
    assert [(i.section, i.row) for i in said] == [("applications", "total")]
    assert r.value("applications", "total", "total") == 186


def test_space_aligned_blank_cells_keep_their_columns() -> None:
    # The real 淮安 pdftotext text with one row's applicant zeros blanked: the two figures left stand under 自然人
    # and 总计, and the columns of the rows around say so (a PDF's columns move from page to page).
    r = _read(EXCERPTS / "pdftotext_blank_cells.txt")
    assert _row(r, "not_processed_duplicate") == [25, None, None, None, None, None, 25]
    assert _row(r, "not_processed_petition") == [56, 6, 0, 0, 0, 0, 62]


def test_statistics_part_restarting_its_numbering_after_a_narrative_of_the_same_name() -> None:
    # The narrative's own 二、主动公开政府信息情况 says `制发行政规范性文件 5 件`; the table under the statistics
    # part's 一、主动公开政府信息情况 says 2. Only the table's figure is the form's.
    r = _read(EXCERPTS / "renumbered_statistics.txt")
    assert r.value("proactive", "normative_documents", "issued") == 2
    assert r.value("proactive", "normative_documents", "in_force") == 9
    assert r.value("proactive", "administrative_permits", "decisions") == 120
    assert not any(c.value in (5, 1400) for c in r.cells)
