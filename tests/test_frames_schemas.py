"""Reports -> polars frames (exact dtypes and values) and their pandera schemas."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from dagster import AssetCheckSeverity

from pipelines import frames, schemas
from pipelines.defs.checks import schema_check_result
from pipelines.extract import Cell, Issue, Report
from pipelines.frames import reports_to_frames
from pipelines.schemas import validate_frame


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


SHA_A = _sha("report a")
SHA_B = _sha("report b")
ID_A, ID_B = SHA_A[:16], SHA_B[:16]


def report_a() -> Report:
    return Report(
        source="a.txt",
        report_id=ID_A,
        agency="郑县教育体育局",
        year=2021,
        layout="2021",
        published_on="2022-01-17",
        encoding="utf-8",
        rendering="pipe",
        cells=[
            Cell("proactive", "administrative_fees", "amount_yuan", Decimal("601278.96"), 40),
            Cell("proactive", "administrative_permits", "decisions", 17, 42),
            Cell("applications", "new_received", "natural_person", 3, 80),
            Cell("applications", "new_received", "total", 3, 80),
            Cell("reviews", "review", "total", 0, 120),
        ],
        issues=[
            Issue("warning", "identity_mismatch", "total differs", 95),
            Issue("info", "label_variant", "规范性文件", None),
            Issue("warning", "blank_cell", "blank", 81),
        ],
    )


def report_b() -> Report:
    return Report(
        source="sub/b.txt",
        report_id=ID_B,
        year=2019,
        layout="2019",
        published_on="not a date",
        cells=[
            Cell("proactive", "administrative_permits", "items_change", -3, 12),
            Cell("proactive", "centralized_procurement", "amount_yuan", 1234567, 13),
            Cell("applications", "total", "total", Decimal("5"), 30),
        ],
    )


@pytest.fixture
def batch() -> dict[str, pl.DataFrame]:
    return reports_to_frames([report_a(), report_b()], sha256={ID_A: SHA_A, ID_B: SHA_B}, parser_version="9.9")


# ----------------------------------------------------------------------------------------------- frames


def test_frames_have_exact_dtypes(batch):
    assert set(batch) == {"reports", "proactive", "applications", "reviews", "issues"}
    for table, frame in batch.items():
        assert frame.schema == pl.Schema(frames.SCHEMAS[table]), table
    assert batch["proactive"].schema["value"] == pl.Decimal(38, 4)
    assert batch["applications"].schema["value"] == pl.Int64
    assert batch["reports"].schema["published_on"] == pl.Date
    assert batch["reports"].schema["year"] == pl.Int32


def test_reports_frame_values(batch):
    rows = batch["reports"].to_dicts()
    assert rows[0] == {
        "report_id": ID_A, "source_file": "a.txt", "sha256": SHA_A, "agency": "郑县教育体育局", "year": 2021,
        "layout": "2021", "published_on": date(2022, 1, 17), "rendering": "pipe", "encoding": "utf-8",
        "parser_version": "9.9", "n_warnings": 2,
    }
    # A date that is not ISO becomes null; absent metadata stays null, never a default.
    assert rows[1]["published_on"] is None
    assert rows[1]["agency"] is None and rows[1]["encoding"] is None
    assert rows[1]["n_warnings"] == 0


def test_cell_frames_values(batch):
    proactive = batch["proactive"].to_dicts()
    assert proactive[0] == {"report_id": ID_A, "item": "administrative_fees", "measure": "amount_yuan",
                            "value": Decimal("601278.9600"), "line": 40, "page": None, "bbox": None,
                            "table_no": None, "table_row": None, "table_col": None}
    assert [r["value"] for r in proactive] == [Decimal("601278.96"), Decimal(17), Decimal(-3), Decimal(1234567)]
    apps = batch["applications"]
    assert apps.select("row", "applicant", "value", "line").rows() == [
        ("new_received", "natural_person", 3, 80), ("new_received", "total", 3, 80), ("total", "total", 5, 30),
    ]
    assert batch["reviews"].rows() == [(ID_A, "review", "total", 0, 120, None, None, None, None, None)]
    issues = batch["issues"]
    assert issues.height == 3
    assert issues["line"].to_list() == [95, None, 81]
    assert set(issues.columns) >= {"section", "row_key"}
    assert set(issues["report_id"]) == {ID_A}


def test_empty_batch_gives_typed_empty_frames():
    out = reports_to_frames([])
    for table, frame in out.items():
        assert frame.height == 0
        assert frame.schema == pl.Schema(frames.SCHEMAS[table])


def test_fractional_count_is_refused():
    r = Report(source="x.txt", report_id=ID_A, layout="2021",
               cells=[Cell("applications", "granted", "total", Decimal("2.5"), 3)])
    with pytest.raises(ValueError, match="whole number"):
        reports_to_frames([r])


# ----------------------------------------------------------------------------------------------- schemas


def test_valid_batch_passes_every_schema(batch):
    for table, frame in batch.items():
        v = validate_frame(table, frame)
        assert v.passed, (table, v.failure_cases)
        assert v.n_rows == frame.height


def test_negative_items_change_is_accepted(batch):
    assert (batch["proactive"]["value"] < 0).sum() == 1  # the -3 items_change
    assert validate_frame("proactive", batch["proactive"]).passed


def test_negative_count_is_rejected(batch):
    bad = batch["applications"].with_columns(
        pl.when(pl.col("applicant") == "natural_person").then(-1).otherwise(pl.col("value")).alias("value")
    )
    v = validate_frame("applications", bad)
    assert not v.passed
    assert v.failure_cases.filter(pl.col("column") == "value")["check"].to_list() == [
        "greater_than_or_equal_to(0)"
    ]
    assert v.offending_rows.select("applicant", "value").rows() == [("natural_person", -1)]


def test_negative_proactive_count_other_than_items_change_is_rejected(batch):
    bad = batch["proactive"].with_columns(
        pl.when(pl.col("measure") == "decisions").then(pl.lit(Decimal(-17))).otherwise(pl.col("value"))
        .cast(pl.Decimal(38, 4)).alias("value")
    )
    v = validate_frame("proactive", bad)
    assert not v.passed
    assert v.offending_rows["measure"].to_list() == ["decisions"]
    assert "non_negative_except_signed" in v.failure_cases["check"].to_list()


def test_unknown_canonical_names_are_rejected(batch):
    bad = batch["applications"].with_columns(pl.col("row").replace({"new_received": "newly_received"}))
    v = validate_frame("applications", bad)
    assert not v.passed
    assert set(v.failure_cases["failure_case"]) == {"newly_received"}
    assert v.offending_rows.height == 2

    bad_item = batch["proactive"].with_columns(pl.col("item").replace({"administrative_fees": "fees"}))
    assert not validate_frame("proactive", bad_item).passed
    bad_outcome = batch["reviews"].with_columns(pl.lit("won").alias("outcome"))
    assert not validate_frame("reviews", bad_outcome).passed


def test_measure_must_belong_to_its_item(batch):
    bad = batch["proactive"].with_columns(pl.col("item").replace({"administrative_permits": "regulations"}))
    v = validate_frame("proactive", bad)
    assert not v.passed
    assert "measure_belongs_to_item" in v.failure_cases["check"].to_list()


def test_duplicate_key_is_rejected(batch):
    dup = pl.concat([batch["reviews"], batch["reviews"].with_columns(pl.lit(7, pl.Int32).alias("line"))])
    v = validate_frame("reviews", dup)
    assert not v.passed
    assert set(v.failure_cases["check"]) == {"multiple_fields_uniqueness"}
    assert v.offending_rows["line"].to_list() == [120, 7]


def test_wrong_dtype_is_rejected(batch):
    v = validate_frame("proactive", batch["proactive"].with_columns(pl.col("value").cast(pl.Float64)))
    assert not v.passed
    assert "value" in v.failure_cases["column"].to_list()
    v = validate_frame("reports", batch["reports"].with_columns(pl.col("year").cast(pl.Int64)))
    assert not v.passed


def test_report_id_must_be_the_sha256_prefix(batch):
    bad = batch["reports"].with_columns(pl.lit(SHA_B).alias("sha256"))
    v = validate_frame("reports", bad)
    assert "report_id_is_sha256_prefix" in v.failure_cases["check"].to_list()


def test_lazy_frames_are_collected_so_data_checks_run(batch):
    bad = batch["applications"].with_columns(pl.lit(-5, pl.Int64).alias("value")).lazy()
    v = validate_frame("applications", bad)
    assert not v.passed
    assert v.offending_rows.height == batch["applications"].height


def test_schema_check_result_carries_offending_rows(batch):
    bad = batch["applications"].with_columns(pl.col("row").replace({"total": "grand_total"}))
    result = schema_check_result(validate_frame("applications", bad))
    assert result.passed is False
    assert result.severity == AssetCheckSeverity.ERROR
    assert result.metadata["n_offending_rows"].value == 1
    assert "grand_total" in result.metadata["offending_rows"].value
    ok = schema_check_result(validate_frame("applications", batch["applications"]))
    assert ok.passed is True and ok.metadata["rows"].value == 3


# The names of /work/shared/spec/canonical-tables.md, written out by hand: item -> layout -> measures;
# rows; columns; proceedings; outcomes.
SPEC_ITEMS: dict[str, dict[str, tuple[str, ...]]] = {
    "regulations": {"2021": ("issued", "abolished", "in_force"),
                    "2019": ("new_made", "new_published", "total_published")},
    "normative_documents": {"2021": ("issued", "abolished", "in_force"),
                            "2019": ("new_made", "new_published", "total_published")},
    "administrative_permits": {"2021": ("decisions",), "2019": ("prior_year_items", "items_change", "decisions")},
    "other_management_services": {"2019": ("prior_year_items", "items_change", "decisions")},
    "administrative_penalties": {"2021": ("decisions",), "2019": ("prior_year_items", "items_change", "decisions")},
    "administrative_coercions": {"2021": ("decisions",), "2019": ("prior_year_items", "items_change", "decisions")},
    "administrative_fees": {"2021": ("amount_yuan",), "2019": ("prior_year_items", "items_change")},
    "centralized_procurement": {"2019": ("projects", "amount_yuan")},
}
SPEC_NAMES: dict[str, frozenset[str]] = {
    "item": frozenset(SPEC_ITEMS),
    "measure": frozenset(m for by_layout in SPEC_ITEMS.values() for ms in by_layout.values() for m in ms),
    "row": frozenset({
        "new_received", "carried_over", "granted", "partially_granted",
        "denied_state_secret", "denied_prohibited_by_law", "denied_security_stability",
        "denied_third_party_rights", "denied_internal_affairs", "denied_process_information",
        "denied_enforcement_files", "denied_inquiry_matter",
        "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
        "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
        "not_processed_excessive", "not_processed_confirmation",
        "other_handling", "other_handling_no_correction", "other_handling_unpaid_fee", "other_handling_other",
        "total", "carried_forward",
    }),
    "applicant": frozenset({"natural_person", "commercial_enterprise", "research_institution",
                            "social_welfare_org", "legal_service_org", "other_org", "total"}),
    "proceeding": frozenset({"review", "litigation_direct", "litigation_after_review"}),
    "outcome": frozenset({"upheld", "corrected", "other", "pending", "total"}),
    "layout": frozenset({"2021", "2019", "narrative"}),
}




def test_names_agree_with_the_spec():
    """The allowed names (the form's vocabulary, vocabulary.json) are the spec's names."""
    for key in ("item", "measure", "row", "applicant", "proceeding", "outcome", "layout"):
        assert schemas.NAMES.names[key] == SPEC_NAMES[key], key
    spec_pairs = {(i, m) for i, by in SPEC_ITEMS.items() for ms in by.values() for m in ms}
    assert schemas.NAMES.pairs == spec_pairs
    assert "items_change" in schemas.NAMES.signed_measures
