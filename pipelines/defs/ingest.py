"""Raw files -> Reports -> the DuckDB ``raw`` schema.

``raw_report_files``  scans the raw dir and plans: which files are new/changed (extract), which
                      stand, which are duplicates, which vanished.
``extracted_reports`` extracts the planned files batch by batch with the pure core and stages each
                      batch's frames as Parquet (pipelines.extraction; memory stays one batch wide).
``raw_tables``        loads every staged batch into ``raw.*`` at once, one statement per table and one
                      transaction (rows and registry together, with the registry rows of the files not
                      extracted).
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.


import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from pipelines import settings, shards, staging, warehouse
from pipelines.defs.resources import ReportExtractor, XxgkConfig, resource_connection
from pipelines.extract import extract_report
from pipelines.extraction import Extraction, Extractor, clean_staging, extract_planned
from pipelines.frames import ALL_SCHEMAS, TABLES
from pipelines.markdown import markdown_table
from pipelines.plan import Plan
from pipelines.rawdir import raw_dir_problem

RAW_TABLES: tuple[str, ...] = (*TABLES, "report_files")

_DESCRIPTIONS = {
    "reports": "One row per loaded report (rejected files are not loaded).",
    "proactive": "Section 二: one row per stated cell, item × measure; money in yuan as DECIMAL(38,4).",
    "applications": "Section 三: one row per stated cell, row × applicant.",
    "reviews": "Section 四: one row per stated cell, proceeding × outcome.",
    "issues": "The parser's issues on the loaded reports.",
    "report_files": "The registry of the raw directory: every file seen, its hash and status.",
}


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


def _column_schema(table: str) -> TableSchema:
    return TableSchema(
        columns=[TableColumn(name, warehouse.sql_type(dtype)) for name, dtype in ALL_SCHEMAS[table].items()]
    )


def _raw_specs() -> list[AssetSpec]:
    return [AssetSpec(
        key=raw_key(t),
        deps=["extracted_reports"],
        description=f"DuckDB table raw.{t}. {_DESCRIPTIONS[t]}",
        group_name="raw",
        kinds={"duckdb"},
        metadata={
            "dagster/table_name": f"raw.{t}",
            "dagster/column_schema": _column_schema(t),
        },
    ) for t in RAW_TABLES]


@asset(
    group_name="ingest",
    kinds={"python"},
    pool=settings.DUCKDB_POOL,
    description="Scan of the raw directory: each file's SHA-256, compared with raw.report_files to plan "
    "which files to extract (new, changed, or parsed by another parser version), and the entries that "
    "are not read (links leading outside, FIFOs, unreadable files) with the reason.",
)
def raw_report_files(context: AssetExecutionContext, xxgk: XxgkConfig, duckdb: DuckDBResource) -> Plan:
    problem = raw_dir_problem(xxgk.raw_dir)
    if problem:  # before anything is read or retired: a missing dir is not "every file removed"
        raise Failure(description=problem, allow_retries=False)
    previous = warehouse.read_report_files(duckdb.database)
    plan = xxgk.plan(previous)
    summary = plan.describe()
    context.log.info(f"raw dir {plan.raw_dir}: {summary}")
    if plan.held_back:
        context.log.warning(plan.held_back_reason())
    to_extract = pl.DataFrame([{"path": e.path, "size": e.size} for e in plan.to_extract],
                              schema={"path": pl.String, "size": pl.Int64})
    not_read = pl.DataFrame(list(plan.problems.items()), schema={"path": pl.String, "reason": pl.String}, orient="row")
    context.add_output_metadata({
        **plan.summary(),
        "summary": summary,
        "raw_dir": plan.raw_dir,
        "parser_version": plan.parser_version,
        "to_extract_files": MetadataValue.md(markdown_table(to_extract)),
        "not_read": MetadataValue.md(markdown_table(not_read)),
    })
    return plan


@asset(
    group_name="ingest",
    kinds={"python", "polars"},
    description="The planned files extracted by the pure core (extract_report), batch by batch; each "
    "batch's polars frames staged as Parquet for the warehouse load. Batches the extract_shards_job staged "
    "for the same files (same bytes, same parser version) are adopted instead of extracted again.",
)
def extracted_reports(
    context: AssetExecutionContext, raw_report_files: Plan, xxgk: XxgkConfig, extractor: ReportExtractor
) -> Extraction:
    run_dir = staging.join(xxgk.staging_dir, context.run.run_id)
    clean_staging(xxgk.staging_dir, keep=run_dir)
    adopted = shards.adopt(raw_report_files, xxgk.staging_dir, log=context.log)
    result = extract_planned(raw_report_files, run_dir, batch_size=xxgk.batch_size, extractor=core_extractor(extractor),
                             workers=xxgk.workers, file_seconds=xxgk.file_seconds,
                             file_memory_mb=xxgk.file_memory_mb, log=context.log, adopted=adopted)
    if not raw_report_files.to_extract:
        context.log.info("nothing new to extract")
    extracted_here = len(result.outcomes) - len(result.adopted)
    outcomes = result.outcomes.values()
    rejected = pl.DataFrame([{"path": o.path, "reason": o.reason} for o in outcomes if o.status == "rejected"],
                            schema={"path": pl.String, "reason": pl.String})
    skipped = pl.DataFrame(list(result.skipped.items()), schema={"path": pl.String, "reason": pl.String},
                           orient="row")
    context.add_output_metadata({
        "files_extracted": len(result.outcomes),
        "summary": f"extracted {len(result.outcomes)} file(s)" if result.outcomes else "nothing new to extract",
        "files_adopted": len(result.adopted),
        "files_extracted_in_run": extracted_here,
        "batches": len(result.batches),
        "skipped": len(result.skipped),
        "skipped_files": MetadataValue.md(markdown_table(skipped)),
        "statuses": MetadataValue.json(result.statuses),
        "rejected": MetadataValue.md(markdown_table(rejected)),
        "validation": MetadataValue.json(result.validation_summary()),
    })
    return result


def core_extractor(extractor: ReportExtractor) -> Extractor:
    """The function the worker processes run: the pure core itself unless a subclass (a test) overrides
    ``extract``; a bound method of a resource would import Dagster into every worker, so it runs in-process."""
    if type(extractor).extract is ReportExtractor.extract:
        return extract_report
    return extractor.extract


@multi_asset(
    name="raw_tables",
    specs=_raw_specs(),
    ins={"extracted_reports": AssetIn()},
    pool=settings.DUCKDB_POOL,
    description="Bulk load of the run's staged batches into the DuckDB raw schema: one statement per table "
    "over every batch's Parquet, in one transaction.",
)
def raw_tables(context: AssetExecutionContext, extracted_reports: Extraction, duckdb: DuckDBResource, xxgk: XxgkConfig):
    ex = extracted_reports
    with resource_connection(duckdb) as con:
        inserted = warehouse.load_staged(
            con, {t: [b.file(t) for b in ex.batches] for t in TABLES},
            registry=[*(b.file("report_files") for b in ex.batches), ex.remaining_registry],
            delete_report_ids=[*(rid for b in ex.batches for rid in b.report_ids), *ex.stale_report_ids],
        )
        totals = {
            t: con.execute(f"SELECT count(*) FROM {warehouse.SCHEMA}.{t}").fetchall()[0][0] for t in RAW_TABLES
        }
        status_rows = con.execute(
            "SELECT status, count(*) FROM raw.report_files GROUP BY status ORDER BY status"
        ).fetchall()
        if not staging.is_local(xxgk.staging_dir):  # shards elsewhere plan against it (pipelines.shards)
            staging.write_parquet(warehouse.read_table(con, "report_files"), shards.registry_snapshot(xxgk.staging_dir))
    staging.remove(ex.run_dir)  # adopted shard batches stay where they are (pipelines.shards)
    statuses = dict(status_rows)
    context.log.info(f"raw tables: {totals}; registry: {statuses}")
    for t in RAW_TABLES:
        metadata = {"dagster/row_count": totals[t], "rows_written_this_run": inserted.get(t, 0)}
        if t == "report_files":
            metadata["statuses"] = MetadataValue.json(statuses)
        if t == "reports":
            metadata["stale_reports_deleted"] = len(ex.stale_report_ids)
        yield MaterializeResult(asset_key=raw_key(t), metadata=metadata)
