"""Asset checks: pandera schemas of the raw tables (ERROR), and the form's arithmetic as the dbt model
marts.report_quality judges it (WARN, one rule: int_application_identities.sql).

All read the run's working copy read-only (whole tables a chunk of reports at a time:
pipelines.table_checks) and report failures as check results with the offending rows in metadata;
bad data never raises.
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

from pipelines import settings, warehouse
from pipelines.defs.ingest import raw_key
from pipelines.frames import TABLES
from pipelines.markdown import markdown_table
from pipelines.schemas import Validation
from pipelines.table_checks import validate_table


def schema_check_result(v: Validation) -> AssetCheckResult:
    """An ERROR-severity check result for a pandera validation, failing rows in metadata."""
    metadata: dict[str, object] = {"rows": v.n_rows, "failure_cases": v.failure_cases.height}
    if not v.passed:
        checks = (
            v.failure_cases.group_by(["column", "check"]).len().sort("len", descending=True)
            .rename({"len": "n"})
        )
        metadata.update({
            "failed_checks": MetadataValue.md(markdown_table(checks)),
            "offending_rows": MetadataValue.md(markdown_table(v.offending_rows)),
            "schema_failures": MetadataValue.md(
                markdown_table(v.failure_cases.filter(pl.col("index").is_null()))
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
        pool=settings.DUCKDB_POOL,
    )
    def _check(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
        with warehouse.connect_read_only(duckdb.database) as con:  # a few hundred reports at a time
            return schema_check_result(validate_table(con, table))

    return _check


schema_checks = [_schema_check(t) for t in TABLES]

# dagster-dbt's key for a model is its schema and name (see pipelines/defs/dbt.py).
REPORT_QUALITY_KEY = AssetKey(["marts", "report_quality"])

REPORT_QUALITY_SQL = """
SELECT source_file, agency, year, report_id, checks_failed, failed_check_differences AS failed_checks
FROM marts.report_quality
WHERE checks_failed > 0
ORDER BY source_file, report_id
"""


def failing_reports_result(reports: pl.DataFrame) -> AssetCheckResult:
    """WARN naming each report of ``reports`` (one row per report whose figures do not add up)."""
    files = [f"{row['source_file']} ({row['agency'] or 'agency unknown'})" for row in reports.iter_rows(named=True)]
    metadata: dict[str, object] = {
        "failing_reports": reports.height,
        "failures": int(reports.get_column("checks_failed").sum()) if reports.height else 0,
        "failing_source_files": MetadataValue.json(reports.get_column("source_file").to_list()),
        "reports": MetadataValue.md(markdown_table(reports)),
    }
    return AssetCheckResult(
        passed=reports.height == 0,
        severity=AssetCheckSeverity.WARN,
        description=(f"{reports.height} report(s) whose figures do not add up: " + "; ".join(files[:20])
                     + (f"; … and {len(files) - 20} more" if len(files) > 20 else "")) if files
        else "every identity that can be checked holds",
        metadata=metadata,
    )


@asset_check(
    asset=REPORT_QUALITY_KEY,
    name="identities_hold",
    pool=settings.DUCKDB_POOL,
    blocking=False,
    description="WARN when marts.report_quality has reports whose figures do not add up (checks_failed > "
    "0): received = handled + carried forward, total = the sum of the dispositions, the total column = "
    "the sum of the applicant columns, review total = the sum of its outcomes (blank cells are not 0). "
    "Names each report by its file in the raw dir and its agency, with the failing checks and differences.",
)
def report_quality_identities(context: AssetCheckExecutionContext, duckdb: DuckDBResource) -> AssetCheckResult:
    with warehouse.connect_read_only(duckdb.database) as con:
        reports = con.sql(REPORT_QUALITY_SQL).pl()
    return failing_reports_result(reports)
