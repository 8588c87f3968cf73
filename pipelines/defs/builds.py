"""``ops/builds``: the last asset of the job, materialized only when every step before it succeeded.

It appends to ``ops.builds`` what the marts were just built from (pipelines.builds); a run that would
change neither is skipped (pipelines.freshness).
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of decorated functions.

from collections.abc import Sequence

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset
from dagster_duckdb import DuckDBResource

from pipelines import builds, settings
from pipelines.defs.agencies import raw_agencies
from pipelines.defs.dbt import xxgk_dbt
from pipelines.defs.ingest import extracted_reports, raw_report_files, raw_tables
from pipelines.defs.resources import resource_connection
from pipelines.freshness import code_state
from pipelines.plan import current_parser_version

BUILD_RECORD_KEY = AssetKey(["ops", "builds"])


def build_record_asset(upstream: Sequence[AssetsDefinition], *, with_dbt: bool) -> AssetsDefinition:
    """``ops/builds``, downstream of every sink of ``upstream`` (so it runs last, and only when every
    step before it succeeded)."""
    keys = {k for a in upstream for k in a.keys}
    parents = {p for a in upstream for deps in a.asset_deps.values() for p in deps}
    sinks = sorted(keys - parents, key=lambda k: k.to_user_string())

    @asset(
        key=BUILD_RECORD_KEY,
        deps=sinks,
        group_name="ops",
        kinds={"duckdb"},
        pool=settings.DUCKDB_POOL,
        description="DuckDB table ops.builds: one row per successful run of the whole job, with a digest of the "
        "raw tables and of the dbt project and agency code the marts were built from. A run that would "
        "change neither is skipped (xxgk run, the nightly schedule, the sensor).",
    )
    def ops_builds(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
        state = code_state()
        with resource_connection(duckdb) as con:
            row = builds.record_build(
                con, run_id=context.run.run_id, code_state=state,
                parser_version=current_parser_version(), with_dbt=with_dbt,
            )
            n = con.execute(f"SELECT count(*) FROM {builds.OPS_SCHEMA}.builds").fetchall()[0][0]
        return MaterializeResult(metadata={
            "dagster/row_count": n, "raw_state": row["raw_state"], "code_state": state, "reports": row["reports"],
        })

    return ops_builds


ops_builds = build_record_asset([raw_report_files, extracted_reports, raw_tables, raw_agencies, xxgk_dbt], with_dbt=True)
