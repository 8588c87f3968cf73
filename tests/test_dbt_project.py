"""Build the dbt project (dbt_project/) on a small raw warehouse and check the marts' values.

The raw rows below follow the contract of the `raw` schema and transcribe the sample reports
in data/raw (values and source lines), plus one made-up report whose section 三 does not add up.
The SQL logic of single models (the identities, disposition shares, year-over-year changes, carry
links) is tested by dbt unit tests in the models' YAML, which run in the same `dbt build`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from seed_tables import APPLICANTS, ROWS_2019, ROWS_2021

from pipelines.agencies import describe_agencies
from pipelines.extract.vocabulary import vocabulary
from pipelines.warehouse import table_ddl

REPO = Path(__file__).resolve().parents[1]
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"

OUTCOMES = ["upheld", "corrected", "other", "pending", "total"]
PROCEEDINGS = ["review", "litigation_direct", "litigation_after_review"]

RAW_DDL = """
create schema raw;
create table raw.reports (
    report_id varchar primary key, source_file varchar, sha256 varchar, agency varchar, year integer,
    layout varchar, published_on date, rendering varchar, encoding varchar, parser_version varchar,
    n_warnings integer);
create table raw.proactive (report_id varchar, item varchar, measure varchar, value decimal(38, 4), line integer,
    page integer, bbox varchar, table_no integer, table_row integer, table_col integer);
create table raw.applications (report_id varchar, "row" varchar, applicant varchar, value bigint, line integer,
    page integer, bbox varchar, table_no integer, table_row integer, table_col integer);
create table raw.reviews (report_id varchar, proceeding varchar, outcome varchar, value bigint, line integer,
    page integer, bbox varchar, table_no integer, table_row integer, table_col integer);
create table raw.issues (report_id varchar, severity varchar, code varchar, message varchar, line integer,
                         section varchar, row_key varchar);
create table raw.report_files (
    path varchar primary key, sha256 varchar, size_bytes bigint, encoding varchar, rendering varchar, layout varchar,
    status varchar, reason varchar, report_id varchar, first_seen timestamp, last_seen timestamp,
    parser_version varchar);
"""

# Report ids of the fixture.
SHUANGLIAO = "6c6888ab43a2d839"  # 000: 双辽市教育局 2020, layout 2019, applicant columns blank
LVLIANG = "0413918a63fee9e6"  # 001: 吕梁市教育局 2021
DINGXI = "d8b684135bb33e7b"  # 002: 定西市教育局 2017, narrative
ACHENG = "a71b1af0d410ed53"  # 003: 哈尔滨市阿城区教育局 2021
ZHENGXIAN = "8a5c167a3bf215e4"  # 004: 郑县教育体育局 2021
BROKEN = "f00dfacecafe0001"  # made up: 清河县教育局 2022, section 三 does not add up


def _zero_table(report_id: str, rows: list[str], first_line: int, applicants=APPLICANTS) -> list[tuple]:
    """A section 三 table of zeros, one source line per row."""
    return [(report_id, row, applicant, 0, first_line + i) for i, row in enumerate(rows) for applicant in applicants]


def _zero_reviews(report_id: str, line: int) -> list[tuple]:
    return [(report_id, p, o, 0, line) for p in PROCEEDINGS for o in OUTCOMES]


def _proactive_2021(report_id: str, lines: dict[str, int], permits, penalties, coercions, fees_yuan):
    rows = []
    for item in ("regulations", "normative_documents"):
        for measure in ("issued", "abolished", "in_force"):
            rows.append((report_id, item, measure, Decimal(0), lines[item]))
    if permits is not None:
        rows.append((report_id, "administrative_permits", "decisions", Decimal(permits), lines["permits"]))
    rows.append((report_id, "administrative_penalties", "decisions", Decimal(penalties), lines["penalties"]))
    rows.append((report_id, "administrative_coercions", "decisions", Decimal(coercions), lines["coercions"]))
    rows.append((report_id, "administrative_fees", "amount_yuan", Decimal(fees_yuan), lines["fees"]))
    return rows


def raw_rows() -> dict[str, list[tuple]]:
    reports = [
        (
            SHUANGLIAO,
            "000_6c6888ab43a2d839.txt",
            "11270e18fef50adbf82c3703d34ed9bcb8c901941620d14e6fa5c92ef86007d1",
            "双辽市教育局",
            2020,
            "2019",
            None,
            "cell_per_line",
            "utf-8",
            "0.1.0",
            1,
        ),
        (
            LVLIANG,
            "001_0413918a63fee9e6.txt",
            "4669a3c73eefef69a1c712099d94e86d9c7d196fe917cb8b18647ec9f85e2d27",
            "吕梁市教育局",
            2021,
            "2021",
            date(2022, 1, 17),
            "tsv",
            "utf-8",
            "0.1.0",
            0,
        ),
        (
            DINGXI,
            "002_d8b684135bb33e7b.txt",
            "398b7ffd1e7fcd71a2b2d43b74efe372d07669d25b3a7a8e8041454734b64a58",
            "定西市教育局",
            2017,
            "narrative",
            date(2017, 12, 30),
            "prose",
            "utf-8",
            "0.1.0",
            0,
        ),
        (
            ACHENG,
            "003_a71b1af0d410ed53.txt",
            "3d5c47922056f09c2409b3cdc25f5fbe41891661e6e208bf82f07ebf13b309e5",
            "哈尔滨市阿城区教育局",
            2021,
            "2021",
            None,
            "cell_per_line",
            "utf-8",
            "0.1.0",
            0,
        ),
        (
            ZHENGXIAN,
            "004_8a5c167a3bf215e4.txt",
            "e84a1ac00aa88737bb82d46476989aa6593e3888c62a2a6c77f7779ba0205767",
            "郑县教育体育局",
            2021,
            "2021",
            None,
            "markdown",
            "utf-8",
            "0.1.0",
            0,
        ),
        (
            BROKEN,
            "005_f00dfacecafe0001.txt",
            "0" * 64,
            "清河县教育局",
            2022,
            "2021",
            date(2023, 1, 20),
            "tsv",
            "utf-8",
            "0.1.0",
            1,
        ),
    ]

    # 双辽 2020 (2019 layout): every measure stated; 行政事业性收费 gives item counts only.
    proactive = [
        (SHUANGLIAO, "regulations", "new_made", Decimal(0), 19),
        (SHUANGLIAO, "regulations", "new_published", Decimal(0), 20),
        (SHUANGLIAO, "regulations", "total_published", Decimal(0), 21),
        (SHUANGLIAO, "normative_documents", "new_made", Decimal(0), 24),
        (SHUANGLIAO, "normative_documents", "new_published", Decimal(0), 25),
        (SHUANGLIAO, "normative_documents", "total_published", Decimal(0), 26),
        (SHUANGLIAO, "administrative_permits", "prior_year_items", Decimal(28), 36),
        (SHUANGLIAO, "administrative_permits", "items_change", Decimal(-9), 37),
        (SHUANGLIAO, "administrative_permits", "decisions", Decimal(173), 38),
        (SHUANGLIAO, "other_management_services", "prior_year_items", Decimal(0), 41),
        (SHUANGLIAO, "other_management_services", "items_change", Decimal(0), 42),
        (SHUANGLIAO, "other_management_services", "decisions", Decimal(0), 43),
        (SHUANGLIAO, "administrative_penalties", "prior_year_items", Decimal(3), 53),
        (SHUANGLIAO, "administrative_penalties", "items_change", Decimal(-3), 54),
        (SHUANGLIAO, "administrative_penalties", "decisions", Decimal(0), 55),
        (SHUANGLIAO, "administrative_coercions", "prior_year_items", Decimal(0), 58),
        (SHUANGLIAO, "administrative_coercions", "items_change", Decimal(0), 59),
        (SHUANGLIAO, "administrative_coercions", "decisions", Decimal(0), 60),
        (SHUANGLIAO, "administrative_fees", "prior_year_items", Decimal(5), 69),
        (SHUANGLIAO, "administrative_fees", "items_change", Decimal(0), 70),
        (SHUANGLIAO, "centralized_procurement", "projects", Decimal(16), 79),
        (SHUANGLIAO, "centralized_procurement", "amount_yuan", Decimal(60127896), 80),
    ]
    # 60.179 万元 = 601790 yuan.
    proactive += _proactive_2021(
        LVLIANG,
        {"regulations": 55, "normative_documents": 56, "permits": 59, "penalties": 63, "coercions": 64, "fees": 67},
        permits=0,
        penalties=0,
        coercions=0,
        fees_yuan="601790",
    )
    proactive += _proactive_2021(
        ACHENG,
        {"regulations": 22, "normative_documents": 27, "permits": 37, "penalties": 45, "coercions": 48, "fees": 56},
        permits=17,
        penalties=0,
        coercions=0,
        fees_yuan=0,
    )
    proactive += _proactive_2021(
        ZHENGXIAN,
        {"regulations": 32, "normative_documents": 33, "permits": 36, "penalties": 39, "coercions": 40, "fees": 43},
        permits=627,
        penalties=0,
        coercions=0,
        fees_yuan=0,
    )
    # The made-up report states no 行政许可 row; 0.12345 万元 = 1234.5 yuan.
    proactive += _proactive_2021(
        BROKEN,
        {"regulations": 30, "normative_documents": 31, "permits": 0, "penalties": 36, "coercions": 37, "fees": 40},
        permits=None,
        penalties=2,
        coercions=0,
        fees_yuan="1234.5",
    )

    # 双辽's applicant columns are blank: only the 总计 column is stated.
    applications = _zero_table(SHUANGLIAO, ROWS_2019, 93, applicants=["total"])
    applications += _zero_table(LVLIANG, ROWS_2021, 74)
    applications += _zero_table(ACHENG, ROWS_2021, 73)
    applications += _zero_table(ZHENGXIAN, ROWS_2021, 51)
    # The made-up report: 6 new requests (5 natural persons, 1 enterprise), 1 carried over;
    # 4 granted, 1 partially granted, 1 not held, 1 carried forward. Its 总计 column says 7 new
    # requests where the applicant columns add up to 6 (a typo in the report).
    broken = {
        "new_received": {"natural_person": 5, "commercial_enterprise": 1, "total": 7},
        "carried_over": {"natural_person": 1, "total": 1},
        "granted": {"natural_person": 3, "commercial_enterprise": 1, "total": 4},
        "partially_granted": {"natural_person": 1, "total": 1},
        "unavailable_not_held": {"natural_person": 1, "total": 1},
        "total": {"natural_person": 5, "commercial_enterprise": 1, "total": 6},
        "carried_forward": {"natural_person": 1, "total": 1},
    }
    for i, row in enumerate(ROWS_2021):
        for applicant in APPLICANTS:
            applications.append((BROKEN, row, applicant, broken.get(row, {}).get(applicant, 0), 50 + i))

    reviews = (
        _zero_reviews(SHUANGLIAO, 328)
        + _zero_reviews(LVLIANG, 106)
        + _zero_reviews(ACHENG, 190)
        + _zero_reviews(ZHENGXIAN, 83)
        + _zero_reviews(BROKEN, 80)
    )

    issues = [
        (SHUANGLIAO, "warning", "blank_cells", "section 三: the six applicant columns are blank", 93, "applications",
         None),
        (BROKEN, "warning", "identity_failed", "section 三: 总计 column of 一、本年新收 is not the sum", 50,
         "applications", "new_received"),
        (DINGXI, "info", "narrative", "no standard tables; figures only in prose", None, None, None),
    ]

    seen = datetime(2026, 5, 1, 12, 0, 0)
    files = [
        (
            f"data/raw/{r[1]}",
            r[2],
            8000,
            "utf-8",
            r[7],
            r[5],
            "loaded_with_warnings" if r[10] else "loaded",
            None,
            r[0],
            seen,
            seen,
            "0.1.0",
        )
        for r in reports
    ]
    files += [
        (
            "data/raw/006_empty.txt",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            0,
            None,
            None,
            None,
            "rejected",
            "empty file",
            None,
            seen,
            seen,
            "0.1.0",
        ),
        (
            "data/raw/copy_of_001.txt",
            reports[1][2],
            11259,
            "utf-8",
            "tsv",
            "2021",
            "duplicate",
            "same content as data/raw/001_0413918a63fee9e6.txt",
            LVLIANG,
            seen,
            seen,
            "0.1.0",
        ),
    ]
    return {
        "reports": reports,
        "proactive": proactive,
        "applications": applications,
        "reviews": reviews,
        "issues": issues,
        "report_files": files,
    }


def build_raw_warehouse(path: Path) -> Path:
    """Create a DuckDB file at `path` holding the `raw` schema filled with the fixture rows."""
    con = duckdb.connect(str(path))
    try:
        con.execute(RAW_DDL)
        for table, rows in raw_rows().items():
            width = con.execute("select count(*) from information_schema.columns where table_schema = 'raw' "
                                "and table_name = ?", [table]).fetchall()[0][0]
            rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]  # provenance beyond the line: none here
            placeholders = ", ".join("?" * width)
            con.executemany(f"insert into raw.{table} values ({placeholders})", rows)
        # raw.agencies as the pipeline derives it from the reports' agency names.
        con.execute(table_ddl("agencies"))
        names = [r[0] for r in con.execute("select distinct agency from raw.reports where agency is not null").fetchall()]
        agencies = [tuple(i.as_row().values()) for i in describe_agencies(names)]
        con.executemany(f"insert into raw.agencies values ({', '.join('?' * len(agencies[0]))})", agencies)
    finally:
        con.close()
    return path


def run_dbt(args: list[str], warehouse: Path, work: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XXGK_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    cmd = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT),
        "--profiles-dir",
        str(DBT_PROJECT),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    return subprocess.run(cmd, cwd=DBT_PROJECT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("dbt")
    path = build_raw_warehouse(work / "warehouse.duckdb")
    result = run_dbt(["build"], path, work)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    return path


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_schemas_are_named_verbatim(warehouse):
    schemas = {r[0] for r in query(warehouse, "select schema_name from information_schema.schemata")}
    assert {"raw", "staging", "intermediate", "marts"} <= schemas
    assert not {s for s in schemas if s.startswith("main_")}


def test_fct_permits(warehouse):
    rows = query(warehouse, "select agency, year, decisions from marts.fct_permits order by year, agency")
    assert rows == [
        ("双辽市教育局", 2020, 173),
        ("吕梁市教育局", 2021, 0),
        ("哈尔滨市阿城区教育局", 2021, 17),
        ("郑县教育体育局", 2021, 627),
    ]
    shuangliao = query(
        warehouse,
        f"select layout, prior_year_items, items_change, line from marts.fct_permits where report_id = '{SHUANGLIAO}'",
    )
    assert shuangliao == [("2019", 28, -9, 38)]
    assert query(warehouse, f"select prior_year_items from marts.fct_permits where report_id = '{ACHENG}'") == [(None,)]


def test_narrative_report_in_dim_report_only(warehouse):
    assert query(
        warehouse, "select layout, has_tables, published_on from marts.dim_report where agency = '定西市教育局'"
    ) == [("narrative", False, date(2017, 12, 30))]
    assert query(warehouse, "select count(*) from marts.fct_permits where agency = '定西市教育局'") == [(0,)]
    assert query(warehouse, "select count(*) from marts.dim_report") == [(6,)]


def test_fct_fees(warehouse):
    rows = query(warehouse, "select agency, year, amount_yuan, line from marts.fct_fees order by year, agency")
    assert ("吕梁市教育局", 2021, Decimal("601790.0000"), 67) in rows
    assert ("清河县教育局", 2022, Decimal("1234.5000"), 40) in rows
    # 2019 layout: item counts, no amount.
    assert query(
        warehouse, f"select amount_yuan, prior_year_items, items_change from marts.fct_fees where report_id = '{SHUANGLIAO}'"
    ) == [(None, 5, 0)]
    assert query(
        warehouse,
        "select data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_fees' and column_name = 'amount_yuan'",
    ) == [("DECIMAL(38,4)",)]


def test_fct_penalties(warehouse):
    rows = query(
        warehouse,
        "select kind, decisions, prior_year_items, items_change from marts.fct_penalties "
        f"where report_id = '{SHUANGLIAO}' order by kind",
    )
    assert rows == [("coercion", 0, 0, 0), ("penalty", 0, 3, -3)]
    assert query(
        warehouse, f"select kind, decisions from marts.fct_penalties where report_id = '{BROKEN}' and kind = 'penalty'"
    ) == [("penalty", 2)]
    assert query(warehouse, "select count(*) from marts.fct_penalties") == [(10,)]


def test_fct_application_dispositions(warehouse):
    groups = query(
        warehouse,
        "select row_group, sum(value) from marts.fct_application_dispositions "
        f"where report_id = '{BROKEN}' and not is_applicant_total group by row_group order by row_group",
    )
    assert groups == [
        ("denied", 0),
        ("granted", 4),
        ("not_processed", 0),
        ("other", 0),
        ("partially_granted", 1),
        ("unavailable", 1),
    ]
    # 双辽 states only the 总计 column: 19 disposition rows of the 2019 form.
    assert query(
        warehouse,
        "select count(*), bool_and(is_applicant_total) from marts.fct_application_dispositions "
        f"where report_id = '{SHUANGLIAO}'",
    ) == [(19, True)]
    assert query(warehouse, f"select count(*) from marts.fct_application_dispositions where report_id = '{LVLIANG}'") == [
        (21 * 7,)
    ]


def test_report_quality_flags_exactly_the_broken_report(warehouse):
    rows = query(
        warehouse,
        "select report_id, checks_total, checks_failed, checks_incomplete, failed_checks "
        "from marts.report_quality order by report_id",
    )
    by_id = {r[0]: r[1:] for r in rows}
    assert len(by_id) == 6
    assert {rid for rid, r in by_id.items() if r[1] > 0} == {BROKEN}
    assert by_id[BROKEN] == (42, 2, 0, "column_balance:total, row_applicants:new_received")
    # 2021 form: 7 + 7 column checks, 25 row checks, 3 review checks; all hold.
    assert by_id[LVLIANG] == (42, 0, 0, None)
    # 双辽's blank applicant columns: the checks that involve them are incomplete, not failed.
    total, failed, incomplete, names = by_id[SHUANGLIAO]
    assert (total, failed, names) == (40, 0, None)
    assert incomplete == 6 + 6 + 23  # six applicant columns × 2 column checks, every row check
    assert by_id[DINGXI] == (0, 0, 0, None)


def test_dim_agency(warehouse):
    rows = query(warehouse, "select agency, n_reports, first_year, last_year, province, prefecture, county, "
                            "division_code, admin_level, sector, region_status from marts.dim_agency order by agency")
    assert len(rows) == 6
    assert ("双辽市教育局", 1, 2020, 2020, "吉林省", "四平市", "双辽市", "220382", "县级", "教育", "resolved") in rows
    zheng = next(r for r in rows if r[0] == "郑县教育体育局")
    assert zheng[4:9] == (None, None, None, None, None) and zheng[10] == "unresolved"


def test_docs_persisted_as_comments(warehouse):
    comment = query(
        warehouse,
        "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'fct_permits'",
    )[0][0]
    assert comment and "administrative-permit" in comment
    column_comment = query(
        warehouse,
        "select comment from duckdb_columns() "
        "where schema_name = 'marts' and table_name = 'fct_permits' and column_name = 'decisions'",
    )[0][0]
    assert column_comment


def test_a_broken_mart_fails_the_build(tmp_path):
    """The reconciliation tests bite: a raw decisions value with a fraction cannot survive the cast."""
    path = build_raw_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    try:
        con.execute(
            "update raw.proactive set value = 627.5 "
            f"where report_id = '{ZHENGXIAN}' and item = 'administrative_permits' and measure = 'decisions'"
        )
    finally:
        con.close()
    result = run_dbt(["build"], path, tmp_path)
    assert result.returncode != 0
    assert "assert_marts_reconcile_with_raw" in result.stdout


def test_parse_and_docs_generate(warehouse, tmp_path):
    assert run_dbt(["parse"], warehouse, tmp_path).returncode == 0
    result = run_dbt(["docs", "generate"], warehouse, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:]
    assert (tmp_path / "target" / "catalog.json").exists()


def test_unit_tests_run_in_the_build(warehouse):
    """`dbt build` runs the models' unit tests (the nightly build too) and they pass."""
    results = json.loads((warehouse.parent / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = {r["unique_id"].split(".")[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert {"identities_hold_or_fail_when_every_cell_is_stated", "identities_with_blank_cells",
            "disposition_shares_by_year_and_level", "enforcement_change_on_the_year_before",
            "carry_links_between_consecutive_years"} <= set(unit)
    assert set(unit.values()) == {"pass"}, unit


def test_vocabulary_models_are_vocabulary_json(warehouse):
    """The warehouse's vocabulary is pipelines/extract/vocabulary.json, the parser's, entry for entry and in order."""
    v = vocabulary()
    raw = json.loads((REPO / "pipelines" / "extract" / "vocabulary.json").read_text(encoding="utf-8"))
    rows = query(warehouse, "select row_name, row_group, row_label, row_order, layouts, is_disposition "
                            "from staging.stg_form_rows order by row_order")
    groups = {g["group"]: g for g in raw["applications"]["row_groups"]}
    assert rows == [
        (r.key, spec["group"], spec["form_label"], i, list(r.layouts), groups[spec["group"]]["disposition"])
        for i, (r, spec) in enumerate(zip(v.rows, raw["applications"]["rows"], strict=True), start=1)
    ]
    assert [r[0] for r in rows if "2021" in r[4]] == ROWS_2021
    assert [r[0] for r in rows if "2019" in r[4]] == ROWS_2019
    assert query(warehouse, "select row_group, group_label, is_disposition from staging.stg_form_row_groups "
                            "order by group_order") == [
        (g["group"], g.get("form_label"), g["disposition"]) for g in raw["applications"]["row_groups"]]
    assert {r[1] for r in rows} == set(groups)
    labels = raw["applications"]["applicant_labels"]
    assert query(warehouse, "select applicant, applicant_label, applicant_order, is_total "
                            "from staging.stg_form_applicants order by applicant_order") == [
        (a, labels[a], i, a == "total") for i, a in enumerate(v.applicants, start=1)]
    assert list(v.applicants) == APPLICANTS
    labels = raw["reviews"]["proceeding_labels"]
    assert query(warehouse, "select proceeding, proceeding_label, proceeding_order from staging.stg_form_proceedings "
                            "order by proceeding_order") == [
        (p, labels[p], i) for i, p in enumerate(v.proceedings, start=1)]
    labels = raw["reviews"]["outcome_labels"]
    assert query(warehouse, "select outcome, outcome_label, outcome_order, is_total from staging.stg_form_outcomes "
                            "order by outcome_order") == [
        (o, labels[o], i, o == "total") for i, o in enumerate(v.outcomes, start=1)]
    assert query(warehouse, "select item, item_label, item_order from staging.stg_form_items order by item_order") == [
        (i.key, i.label, n) for n, i in enumerate(v.items, start=1)]
    assert sorted(query(warehouse, "select item, layout, measure, measure_order, is_money, is_signed "
                                   "from staging.stg_form_measures")) == sorted(
        (i.key, layout, m, n, m in v.money_measures, m in v.signed_measures)
        for i in v.items for layout, ms in i.measures.items() for n, m in enumerate(ms, start=1))
    # int_proactive_items pivots the measures into columns: one for each measure of the vocabulary
    pivoted = {r[0] for r in query(warehouse, "select column_name from information_schema.columns "
                                              "where table_schema = 'intermediate' and table_name = 'int_proactive_items'")}
    assert {m for i in v.items for ms in i.measures.values() for m in ms} <= pivoted


def test_the_attached_target_builds_the_marts_in_another_database(tmp_path):
    """XXGK_DBT_TARGET=attached: the marts go to XXGK_MARTS_DATABASE (a DuckDB file here, MotherDuck with md:),
    reading the raw tables from the warehouse file attached read-only, which keeps no model of its own."""
    path = build_raw_warehouse(tmp_path / "warehouse.duckdb")
    marts = tmp_path / "elsewhere.duckdb"  # not marts.duckdb: its catalog would shadow the schema marts
    env = {"XXGK_MARTS_DATABASE": str(marts)}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        result = run_dbt(["build", "--target", "attached"], path, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    con = duckdb.connect(str(marts), read_only=True)
    try:
        permits = con.execute("select sum(decisions) from marts.fct_permits").fetchone()[0]
        reports = con.execute("select count(*) from marts.dim_report").fetchone()[0]
    finally:
        con.close()
    assert permits > 0 and reports == len(query(path, "select report_id from raw.reports"))
    assert query(path, "select count(*) from information_schema.tables where table_schema = 'marts'") == [(0,)]
