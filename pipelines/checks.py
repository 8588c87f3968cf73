"""Asset checks on the raw tables: pandera schemas (ERROR) and the form's arithmetic (WARN).

Both read the warehouse read-only and report failures as check results with the offending rows in
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
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from pipelines import warehouse
from pipelines.assets.ingest import raw_key
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


# The form's own identities (勾稽关系); a missing cell adds nothing, and an identity is judged only
# when its total and at least one of its parts are stated.
APPLICATION_IDENTITIES_SQL = """
WITH a AS (SELECT report_id, "row" AS r, applicant, value FROM raw.applications),
per_applicant AS (
  SELECT report_id, applicant,
    max(value) FILTER (WHERE r = 'new_received') AS new_received,
    max(value) FILTER (WHERE r = 'carried_over') AS carried_over,
    max(value) FILTER (WHERE r = 'total') AS total,
    max(value) FILTER (WHERE r = 'carried_forward') AS carried_forward,
    sum(value) FILTER (WHERE r NOT IN ('new_received', 'carried_over', 'total', 'carried_forward',
                                       'other_handling')) AS dispositions,
    max(value) FILTER (WHERE r = 'other_handling') AS other_handling,
    count(*) FILTER (WHERE starts_with(r, 'other_handling_')) AS n_other_parts,
    count(*) FILTER (WHERE r NOT IN ('new_received', 'carried_over', 'total', 'carried_forward')) AS n_dispositions
  FROM a GROUP BY report_id, applicant
),
per_row AS (
  SELECT report_id, r,
    max(value) FILTER (WHERE applicant = 'total') AS total,
    sum(value) FILTER (WHERE applicant <> 'total') AS parts,
    count(*) FILTER (WHERE applicant <> 'total') AS n_parts
  FROM a GROUP BY report_id, r
),
failures AS (
  SELECT report_id, 'new_received + carried_over = total + carried_forward' AS identity, applicant AS "at",
         coalesce(total, 0) + coalesce(carried_forward, 0) AS stated,
         coalesce(new_received, 0) + coalesce(carried_over, 0) AS computed
  FROM per_applicant
  WHERE total IS NOT NULL AND (new_received IS NOT NULL OR carried_over IS NOT NULL)
  UNION ALL
  SELECT report_id, 'total = sum of the disposition rows', applicant, total,
         coalesce(dispositions, 0) + CASE WHEN n_other_parts > 0 THEN 0 ELSE coalesce(other_handling, 0) END
  FROM per_applicant
  WHERE total IS NOT NULL AND n_dispositions > 0
  UNION ALL
  SELECT report_id, 'total column = sum of the six applicant columns', r, total, parts
  FROM per_row
  WHERE total IS NOT NULL AND n_parts > 0
)
SELECT f.report_id, r.source_file, r.agency, r.year, f.identity, f."at", f.stated, f.computed
FROM failures f LEFT JOIN raw.reports r USING (report_id)
WHERE f.stated <> f.computed
ORDER BY f.report_id, f.identity, f."at"
"""

REVIEW_IDENTITIES_SQL = """
WITH per_proceeding AS (
  SELECT report_id, proceeding,
    max(value) FILTER (WHERE outcome = 'total') AS total,
    sum(value) FILTER (WHERE outcome <> 'total') AS parts,
    count(*) FILTER (WHERE outcome <> 'total') AS n_parts
  FROM raw.reviews GROUP BY report_id, proceeding
)
SELECT p.report_id, r.source_file, r.agency, r.year,
       'total = upheld + corrected + other + pending' AS identity, p.proceeding AS "at",
       p.total AS stated, p.parts AS computed
FROM per_proceeding p LEFT JOIN raw.reports r USING (report_id)
WHERE p.total IS NOT NULL AND p.n_parts > 0 AND p.total <> p.parts
ORDER BY p.report_id, p.proceeding
"""


def identity_check_result(failures: pl.DataFrame) -> AssetCheckResult:
    reports = failures.select("report_id", "source_file", "agency", "year").unique().sort("report_id")
    return AssetCheckResult(
        passed=failures.height == 0,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "failing_reports": reports.height,
            "failures": failures.height,
            "reports": MetadataValue.md(frame_markdown(reports)),
            "failing_identities": MetadataValue.md(frame_markdown(failures)),
        },
    )


@asset_check(
    asset=raw_key("applications"),
    additional_deps=[raw_key("reports")],
    pool=DUCKDB_POOL,
    description="Section 三's arithmetic per report: received = handled + carried forward, total = the "
    "sum of the dispositions, and the total column = the sum of the applicant columns.",
)
def applications_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        failures = con.sql(APPLICATION_IDENTITIES_SQL).pl()
    return identity_check_result(failures)


@asset_check(
    asset=raw_key("reviews"),
    additional_deps=[raw_key("reports")],
    pool=DUCKDB_POOL,
    description="Section 四's arithmetic per report and proceeding: total = the sum of the four outcomes.",
)
def reviews_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        failures = con.sql(REVIEW_IDENTITIES_SQL).pl()
    return identity_check_result(failures)


ALL_CHECKS = [*schema_checks, applications_identities, reviews_identities]
