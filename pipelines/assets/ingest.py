"""Raw files -> Reports -> the DuckDB ``raw`` schema.

``raw_report_files``  scans the raw dir and plans: which files are new/changed (extract), which
                      stand, which are duplicates, which vanished.
``extracted_reports`` extracts the planned files batch by batch with the pure core and stages each
                      batch's frames as Parquet (memory stays one batch wide).
``raw_tables``        loads each staged batch into ``raw.*`` in one transaction (rows and registry
                      together), then the registry rows of the files not extracted.
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import shutil
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
    multi_asset,
)
from dagster_duckdb import DuckDBResource

from pipelines import registry, warehouse
from pipelines.extract import Report, extract_report
from pipelines.frames import ALL_SCHEMAS, TABLES, reports_to_frames
from pipelines.resources import DUCKDB_POOL, XxgkConfig

RAW_TABLES: tuple[str, ...] = (*TABLES, "report_files")
STAGING_KEEP_SECONDS = 7 * 24 * 3600

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
        columns=[TableColumn(name, warehouse._sql_type(dtype)) for name, dtype in ALL_SCHEMAS[table].items()]
    )


RAW_SPECS = [
    AssetSpec(
        key=raw_key(t),
        deps=["extracted_reports"],
        description=f"DuckDB table raw.{t}. {_DESCRIPTIONS[t]}",
        group_name="raw",
        kinds={"duckdb"},
        metadata={
            "dagster/table_name": f"raw.{t}",
            "dagster/column_schema": _column_schema(t),
        },
    )
    for t in RAW_TABLES
]


@dataclass
class StagedBatch:
    directory: str
    paths: list[str]
    report_ids: list[str]  # every extracted file's id: their old rows go, rejected or not
    rows: dict[str, int]


@dataclass
class Extraction:
    run_dir: str
    batches: list[StagedBatch]
    remaining_registry: str  # Parquet of registry rows for files not extracted this run
    stale_report_ids: list[str]
    statuses: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # files that changed while being read


def _md_table(rows: list[dict], limit: int = 50) -> str:
    if not rows:
        return "(none)"
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows[:limit]:
        lines.append("| " + " | ".join(str(r[c]).replace("|", "\\|") for c in cols) + " |")
    if len(rows) > limit:
        lines.append(f"\n… {len(rows) - limit} more")
    return "\n".join(lines)


@asset(
    group_name="ingest",
    kinds={"python"},
    pool=DUCKDB_POOL,
    description="Scan of the raw directory: each file's SHA-256, compared with raw.report_files to plan "
    "which files to extract (new, changed, or parsed by another parser version), and the entries that "
    "are not read (links leading outside, FIFOs, unreadable files) with the reason.",
)
def raw_report_files(context: AssetExecutionContext, xxgk: XxgkConfig, duckdb: DuckDBResource) -> registry.Plan:
    previous = warehouse.read_report_files(duckdb.database)
    plan = registry.plan_directory(xxgk.raw_dir, previous, max_bytes=xxgk.max_file_bytes)
    summary = plan.describe()
    context.log.info(f"raw dir {plan.raw_dir}: {summary}")
    context.add_output_metadata({
        **plan.summary(),
        "summary": summary,
        "raw_dir": plan.raw_dir,
        "parser_version": plan.parser_version,
        "to_extract_files": MetadataValue.md(_md_table([{"path": e.path, "size": e.size} for e in plan.to_extract])),
        "not_read": MetadataValue.md(_md_table([{"path": p, "reason": r} for p, r in plan.problems.items()])),
    })
    return plan


def _clean_staging(staging: Path, keep: Path) -> None:
    if not staging.is_dir():
        return
    cutoff = time.time() - STAGING_KEEP_SECONDS
    for d in staging.iterdir():
        if d.is_dir() and d != keep and d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)


def _too_large(entry: registry.FileEntry, limit: int) -> Report:
    report = Report(source=entry.path, report_id=entry.report_id)
    report.add_issue("error", registry.TOO_LARGE, f"{entry.size:,} bytes, more than the limit of {limit:,} "
                     "(XXGK_MAX_FILE_BYTES); not read")
    return report


def _extract_one(
    context: AssetExecutionContext, raw_dir: str, entry: registry.FileEntry, max_bytes: int | None = None
) -> Report | None:
    if max_bytes is not None and entry.size > max_bytes:
        return _too_large(entry, max_bytes)
    try:
        data = registry.read_entry(raw_dir, entry)
    except registry.FileChangedError:
        context.log.warning(f"{entry.path}: changed since the scan; left for the next run")
        return None
    except OSError as exc:
        context.log.warning(f"{entry.path}: cannot read ({exc}); left for the next run")
        return None
    try:
        report = extract_report(data, entry.path)
    except Exception as exc:  # the core never raises; if it does, reject the one file, not the run
        context.log.error(f"{entry.path}: extract_report raised {exc!r}")
        report = Report(source=entry.path, report_id=entry.report_id)
        report.add_issue("error", "extractor_crashed", f"extract_report raised {exc!r}")
    if report.report_id != entry.report_id:
        context.log.warning(f"{entry.path}: report_id {report.report_id} is not the SHA-256 prefix; using it")
        report = replace(report, report_id=entry.report_id)
    if report.source != entry.path:
        report = replace(report, source=entry.path)
    return report


@asset(
    group_name="ingest",
    kinds={"python", "polars"},
    description="The planned files extracted by the pure core (extract_report), batch by batch; each "
    "batch's polars frames staged as Parquet for the warehouse load.",
)
def extracted_reports(
    context: AssetExecutionContext, raw_report_files: registry.Plan, xxgk: XxgkConfig
) -> Extraction:
    plan = raw_report_files
    staging = Path(xxgk.staging_dir)
    run_dir = staging / context.run.run_id
    _clean_staging(staging, keep=run_dir)
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)

    version = plan.parser_version
    outcomes: dict[str, registry.Outcome] = {}
    batches: list[StagedBatch] = []
    skipped: list[str] = []
    todo = plan.to_extract
    for start in range(0, len(todo), xxgk.batch_size):
        chunk = todo[start : start + xxgk.batch_size]
        entries, loaded = [], []
        for entry in chunk:
            report = _extract_one(context, plan.raw_dir, entry, plan.max_bytes)
            if report is None:
                skipped.append(entry.path)
                continue
            entries.append(entry)
            outcomes[entry.path] = registry.outcome_of(report, entry.path, version)
            if not report.rejected:
                loaded.append(report)
        if not entries:
            continue
        frames = reports_to_frames(loaded, sha256={e.report_id: e.sha256 for e in entries}, parser_version=version)
        frames["report_files"] = registry.extracted_rows(plan, entries, outcomes)
        batch_dir = run_dir / f"batch-{len(batches) + 1:05d}"
        batch_dir.mkdir()
        for table, frame in frames.items():
            frame.write_parquet(batch_dir / f"{table}.parquet")
        batches.append(StagedBatch(
            str(batch_dir), [e.path for e in entries], sorted({e.report_id for e in entries}),
            {t: f.height for t, f in frames.items()},
        ))
        context.log.info(f"batch {len(batches)}: {len(entries)} files, {len(loaded)} reports")

    remaining = registry.remaining_rows(plan, outcomes)
    remaining_path = run_dir / "remaining_report_files.parquet"
    remaining.write_parquet(remaining_path)
    if not todo:
        context.log.info("nothing new to extract")
    statuses = Counter(o.status for o in outcomes.values())
    statuses.update(remaining["status"].to_list())
    result = Extraction(str(run_dir), batches, str(remaining_path), plan.stale_report_ids,
                        dict(sorted(statuses.items())), skipped)
    context.add_output_metadata({
        "files_extracted": len(outcomes),
        "summary": f"extracted {len(outcomes)} file(s)" if outcomes else "nothing new to extract",
        "batches": len(batches),
        "skipped": len(skipped),
        "statuses": MetadataValue.json(result.statuses),
        "rejected": MetadataValue.md(_md_table(
            [{"path": o.path, "reason": o.reason} for o in outcomes.values() if o.status == "rejected"]
        )),
    })
    return result


@multi_asset(
    name="raw_tables",
    specs=RAW_SPECS,
    ins={"extracted_reports": AssetIn()},
    pool=DUCKDB_POOL,
    description="Bulk load of the staged batches into the DuckDB raw schema, one transaction per batch.",
)
def raw_tables(context: AssetExecutionContext, extracted_reports: Extraction, duckdb: DuckDBResource):
    ex = extracted_reports
    inserted = Counter()
    with warehouse.resource_connection(duckdb) as con:
        warehouse.ensure_schema(con)
        for batch in ex.batches:
            d = Path(batch.directory)
            frames = {t: pl.read_parquet(d / f"{t}.parquet") for t in TABLES}
            reg = pl.read_parquet(d / "report_files.parquet")
            inserted.update(warehouse.load_frames(con, frames, registry=reg, delete_report_ids=batch.report_ids))
        remaining = pl.read_parquet(ex.remaining_registry)
        inserted.update(
            warehouse.load_frames(con, {}, registry=remaining, delete_report_ids=ex.stale_report_ids)
        )
        totals = {
            t: con.execute(f"SELECT count(*) FROM {warehouse.SCHEMA}.{t}").fetchall()[0][0] for t in RAW_TABLES
        }
        status_rows = con.execute(
            "SELECT status, count(*) FROM raw.report_files GROUP BY status ORDER BY status"
        ).fetchall()
    shutil.rmtree(ex.run_dir, ignore_errors=True)
    statuses = dict(status_rows)
    context.log.info(f"raw tables: {totals}; registry: {statuses}")
    for t in RAW_TABLES:
        metadata = {"dagster/row_count": totals[t], "rows_written_this_run": inserted.get(t, 0)}
        if t == "report_files":
            metadata["statuses"] = MetadataValue.json(statuses)
        if t == "reports":
            metadata["stale_reports_deleted"] = len(ex.stale_report_ids)
        yield MaterializeResult(asset_key=raw_key(t), metadata=metadata)
