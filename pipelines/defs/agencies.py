"""raw/agencies: every agency name of raw.reports with its region, level and sector (pipelines.agencies)."""

# No `from __future__ import annotations`: Dagster inspects the annotations of decorated functions.

import polars as pl
from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset
from dagster_duckdb import DuckDBResource

from pipelines import settings, warehouse
from pipelines.agencies import describe_agencies
from pipelines.defs.ingest import raw_key
from pipelines.defs.resources import resource_connection
from pipelines.frames import AGENCIES


def agencies_frame(names: list[str]) -> pl.DataFrame:
    rows = [info.as_row() for info in describe_agencies(names)]
    return pl.DataFrame(rows, schema=AGENCIES, orient="row") if rows else pl.DataFrame(schema=AGENCIES)


@asset(
    key=raw_key("agencies"),
    deps=[raw_key("reports")],
    pool=settings.DUCKDB_POOL,
    group_name="raw",
    description="One row per agency name in raw.reports: normalized key, region resolved against the "
    "administrative divisions (GB/T 2260) that the cpca package ships, administrative level, sector.",
)
def raw_agencies(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
    with resource_connection(duckdb) as con:
        warehouse.ensure_schema(con)
        names = [r[0] for r in con.execute(
            "SELECT DISTINCT agency FROM raw.reports WHERE agency IS NOT NULL ORDER BY 1").fetchall()]
        frame = agencies_frame(names)
        warehouse.replace_table(con, "agencies", frame)
    unresolved = frame.filter(pl.col("region_status") != "resolved")
    context.log.info(f"agencies: {frame.height}, unresolved {unresolved.height}")
    return MaterializeResult(metadata={
        "dagster/row_count": frame.height,
        "unresolved": MetadataValue.md(
            "\n".join(f"- {a}: {r}" for a, r in unresolved.select("agency", "region_reason").iter_rows()) or "none"),
    })
