"""Asset checks: pandera schemas of the raw tables (ERROR) and the form's arithmetic (WARN), on the raw
tables and on the dbt mart marts.report_quality.

All read the warehouse read-only and report failures as check results with the offending rows in
metadata; bad data never raises.
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import polars as pl
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from pipelines import warehouse
from pipelines.assets.ingest import raw_key
from pipelines.extract.vocabulary import vocabulary
from pipelines.frames import TABLES
from pipelines.resources import DUCKDB_POOL
from pipelines.schemas import Validation, validate_frame

MAX_ROWS_IN_METADATA = 50


def frame_markdown(frame: pl.DataFrame, limit: int = MAX_ROWS_IN_METADATA) -> str:
    """A polars frame as a Markdown table for check metadata (first ``limit`` rows)."""
    if frame.height == 0:
        return "(none)"
    cols = frame.columns
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.head(limit).iter_rows():
        cells = ("" if v is None else str(v).replace("|", "\\|").replace("\n", " ")[:200] for v in row)
        lines.append("| " + " | ".join(cells) + " |")
    if frame.height > limit:
        lines.append(f"\n… and {frame.height - limit} more rows")
    return "\n".join(lines)


def schema_check_result(v: Validation) -> AssetCheckResult:
    """An ERROR-severity check result for a pandera validation, failing rows in metadata."""
    metadata: dict[str, object] = {"rows": v.n_rows, "failure_cases": v.failure_cases.height}
    if not v.passed:
        checks = (
            v.failure_cases.group_by(["column", "check"]).len().sort("len", descending=True)
            .rename({"len": "n"})
        )
        metadata.update({
            "failed_checks": MetadataValue.md(frame_markdown(checks)),
            "offending_rows": MetadataValue.md(frame_markdown(v.offending_rows)),
            "schema_failures": MetadataValue.md(
                frame_markdown(v.failure_cases.filter(pl.col("index").is_null()))
            ),
            "n_offending_rows": v.offending_rows.height,
        })
    return AssetCheckResult(passed=v.passed, severity=AssetCheckSeverity.ERROR, metadata=metadata)


def _schema_check(table: str) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_key(table),
        name=f"{table}_schema",
        description=f"pandera: raw.{table} has the contract's dtypes, canonical names, non-negative "
        "counts and unique keys.",
        blocking=False,
        pool=DUCKDB_POOL,
    )
    def _check(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
        with warehouse.connect_read_only(duckdb.database) as con:
            frame = warehouse.read_table(con, table)
        return schema_check_result(validate_frame(table, frame))

    return _check


schema_checks = [_schema_check(t) for t in TABLES]


# The form's own identities (勾稽关系), on the raw tables, with the rule of the dbt model
# int_application_identities (and of pipelines/extract/identities.py): an identity is judged when every
# cell it involves is stated, or when one side of its equation is fully stated and the stated cells of the
# other side already add up to more (counts are never negative, so no value of the blanks can make it
# hold). A blank cell is never read as 0. These checks run without dbt; with dbt, the check on
# marts/report_quality below names the same reports from the mart.

DISPOSITION_EXCLUDED = ("new_received", "carried_over", "total", "carried_forward")


def _identity_terms() -> list[tuple[str, str, str, str, str, str, str]]:
    """(section, check_kind, subject, key1, key2, side, style) for every cell of every identity.

    style: the disposition rows of the 2019 form ('2019', one （六）其他处理 row), of the 2021 form ('2021',
    three numbered sub-rows) or of both ('both')."""
    vocab = vocabulary()
    rows_2019 = [r.key for r in vocab.rows_for("2019")]
    rows_2021 = [r.key for r in vocab.rows_for("2021")]
    rows = {r: ("both" if r in rows_2019 and r in rows_2021 else "2019" if r in rows_2019 else "2021")
            for r in [*rows_2021, *(r for r in rows_2019 if r not in rows_2021)]}
    applicants = list(vocab.applicants)  # the six columns, then total
    terms = []
    for a in applicants:
        for r in ("new_received", "carried_over", "total", "carried_forward"):
            side = "expected" if r in ("new_received", "carried_over") else "actual"
            terms.append(("applications", "column_balance", a, r, a, side, "both"))
        for r, style in rows.items():
            if r == "total":
                terms.append(("applications", "column_dispositions", a, r, a, "expected", style))
            elif r not in DISPOSITION_EXCLUDED:
                terms.append(("applications", "column_dispositions", a, r, a, "actual", style))
    for r, style in rows.items():
        for a in applicants:
            side = "expected" if a == "total" else "actual"
            terms.append(("applications", "row_applicants", r, r, a, side, style))
    for p in vocab.proceedings:
        for o in vocab.outcomes:
            side = "expected" if o == "total" else "actual"
            terms.append(("reviews", "review_outcomes", p, p, o, side, "both"))
    return terms


def _values_sql(rows: list[tuple]) -> str:
    return ",\n    ".join("(" + ", ".join("'" + v.replace("'", "''") + "'" for v in row) + ")" for row in rows)


def identities_sql(section: str) -> str:
    """Every failing identity of section 'applications' or 'reviews': one row per report × check."""
    terms = [t for t in _identity_terms() if t[0] == section]
    cells = 'raw.applications AS c ON c."row" = t.key1 AND c.applicant = t.key2' if section == "applications" \
        else "raw.reviews AS c ON c.proceeding = t.key1 AND c.outcome = t.key2"
    if section == "applications":
        scope = """
  SELECT r.report_id,
    CASE WHEN bool_or(coalesce(starts_with(a."row", 'other_handling_'), false)) THEN '2021'
         WHEN bool_or(coalesce(a."row" = 'other_handling', false)) THEN '2019'
         WHEN r.layout = '2019' THEN '2019' ELSE '2021' END AS style
  FROM raw.reports AS r
  LEFT JOIN raw.applications AS a ON a.report_id = r.report_id AND a.value IS NOT NULL
  GROUP BY r.report_id, r.layout
  HAVING r.layout IN ('2019', '2021') OR count(a.report_id) > 0"""
    else:
        scope = """
  SELECT r.report_id, 'both' AS style
  FROM raw.reports AS r
  LEFT JOIN raw.reviews AS a ON a.report_id = r.report_id AND a.value IS NOT NULL
  GROUP BY r.report_id, r.layout
  HAVING r.layout IN ('2019', '2021') OR count(a.report_id) > 0"""
    return f"""
WITH terms(section, check_kind, subject, key1, key2, side, style) AS (VALUES
    {_values_sql(terms)}
),
scope AS ({scope}
),
term_values AS (
  SELECT s.report_id, t.check_kind, t.subject, t.side, c.value
  FROM scope AS s
  JOIN terms AS t ON t.style IN ('both', s.style)
  LEFT JOIN {cells} AND c.report_id = s.report_id AND c.value IS NOT NULL
),
checks AS (
  SELECT report_id, check_kind, subject,
    bool_and(side <> 'expected' OR value IS NOT NULL) AS expected_complete,
    bool_and(side <> 'actual' OR value IS NOT NULL) AS actual_complete,
    coalesce(sum(value) FILTER (WHERE side = 'expected'), 0) AS expected,
    coalesce(sum(value) FILTER (WHERE side = 'actual'), 0) AS actual
  FROM term_values
  GROUP BY report_id, check_kind, subject
)
SELECT c.report_id, r.source_file, r.agency, r.year, c.check_kind || ':' || c.subject AS check_name,
       c.expected, c.actual, c.actual - c.expected AS difference,
       CASE WHEN c.expected_complete AND c.actual_complete THEN 'all_cells' ELSE 'stated_cells' END AS judged_on
FROM checks AS c
LEFT JOIN raw.reports AS r USING (report_id)
WHERE c.expected <> c.actual
  AND ((c.expected_complete AND c.actual_complete)
       OR (c.expected_complete AND c.actual > c.expected)
       OR (c.actual_complete AND c.expected > c.actual))
{_parser_failures_sql(section)}
ORDER BY source_file, report_id, check_name
"""


def _parser_failures_sql(section: str) -> str:
    """Rows the parser found unreadable because no reading satisfies their identity (as in the dbt model)."""
    if section != "applications":
        return ""
    return """UNION ALL
SELECT i.report_id, r.source_file, r.agency, r.year, regexp_extract(i.message, '^([a-z_]+:[a-z_]+):', 1),
       NULL, NULL, NULL, 'every_split'
FROM raw.issues AS i
JOIN raw.reports AS r USING (report_id)
WHERE i.code = 'identity_fails_every_split'"""


def failing_reports(failures: pl.DataFrame) -> pl.DataFrame:
    """One row per report in ``failures`` (source_file, agency, year, report_id), with its failing checks."""
    if failures.height == 0:
        return pl.DataFrame(schema={"source_file": pl.String, "agency": pl.String, "year": pl.Int64,
                                    "report_id": pl.String, "checks_failed": pl.UInt32,
                                    "failed_checks": pl.String})
    return (
        failures.group_by("report_id", "source_file", "agency", "year", maintain_order=True)
        .agg(
            pl.len().alias("checks_failed"),
            pl.format("{} ({})", "check_name", "difference").str.join(", ").alias("failed_checks"),
        )
        .select("source_file", "agency", "year", "report_id", "checks_failed", "failed_checks")
        .sort("source_file", "report_id", nulls_last=True)
    )


def identity_check_result(failures: pl.DataFrame) -> AssetCheckResult:
    """A WARN-severity result naming the reports whose identities fail (failures: one row per check)."""
    return failing_reports_result(failing_reports(failures), n_failures=failures.height,
                                  details=frame_markdown(failures))


def failing_reports_result(reports: pl.DataFrame, *, n_failures: int, details: str | None = None) -> AssetCheckResult:
    files = [f"{row['source_file']} ({row['agency'] or 'agency unknown'})" for row in reports.iter_rows(named=True)]
    metadata: dict[str, object] = {
        "failing_reports": reports.height,
        "failures": n_failures,
        "failing_source_files": MetadataValue.json(reports.get_column("source_file").to_list()),
        "reports": MetadataValue.md(frame_markdown(reports)),
    }
    if details is not None:
        metadata["failing_identities"] = MetadataValue.md(details)
    return AssetCheckResult(
        passed=reports.height == 0,
        severity=AssetCheckSeverity.WARN,
        description=(f"{reports.height} report(s) whose figures do not add up: " + "; ".join(files[:20])
                     + (f"; … and {len(files) - 20} more" if len(files) > 20 else "")) if files
        else "every identity that can be checked holds",
        metadata=metadata,
    )


@asset_check(
    asset=raw_key("applications"),
    additional_deps=[raw_key("reports")],
    pool=DUCKDB_POOL,
    description="Section 三's arithmetic per report: received = handled + carried forward, total = the "
    "sum of the dispositions, and the total column = the sum of the applicant columns (blank cells are "
    "not 0: an identity with blanks fails only when its stated parts already exceed its total).",
)
def applications_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        failures = con.sql(identities_sql("applications")).pl()
    return identity_check_result(failures)


@asset_check(
    asset=raw_key("reviews"),
    additional_deps=[raw_key("reports")],
    pool=DUCKDB_POOL,
    description="Section 四's arithmetic per report and proceeding: total = the sum of the four outcomes.",
)
def reviews_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        failures = con.sql(identities_sql("reviews")).pl()
    return identity_check_result(failures)


# The same identities read from the dbt mart: the check hangs off the report_quality model's asset
# (dagster-dbt's key for a model is its name, prefixed by its schema: see XxgkDbtTranslator).
REPORT_QUALITY_KEY = AssetKey(["marts", "report_quality"])

REPORT_QUALITY_SQL = """
SELECT source_file, agency, year, report_id, checks_failed, failed_check_differences AS failed_checks
FROM marts.report_quality
WHERE checks_failed > 0
ORDER BY source_file, report_id
"""


@asset_check(
    asset=REPORT_QUALITY_KEY,
    name="identities_hold",
    pool=DUCKDB_POOL,
    blocking=False,
    description="WARN when marts.report_quality has reports whose figures do not add up (checks_failed > "
    "0); names each report by its file in the raw dir and its agency, with the failing checks and their "
    "differences.",
)
def report_quality_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        reports = con.sql(REPORT_QUALITY_SQL).pl()
    n_failures = int(reports.get_column("checks_failed").sum()) if reports.height else 0
    return failing_reports_result(reports, n_failures=n_failures)


ALL_CHECKS = [*schema_checks, applications_identities, reviews_identities, report_quality_identities]
