"""The extraction in shards (pipelines.shards): a partitioned asset and its own job, off the single writer.

``extracted_shards`` needs no ``duckdb`` resource: each partition plans the raw dir against the
published registry read-only (or the snapshot the last load left in the staging area, where the
published file is out of reach, as in a k8s pod), extracts the files of its shard and leaves its
batches and manifest under ``<staging>/shards/``. ``extract_shards_job`` runs it under the multiprocess
executor here, under dagster-k8s's ``k8s_job_executor`` or dagster-celery's ``celery_executor`` with
XXGK_SHARD_EXECUTOR and run config only (docs/executors/). The writer's run (``xxgk_all``) adopts
the batches that match its plan and extracts the rest (pipelines/defs/ingest.py).
"""

# No `from __future__ import annotations`: Dagster inspects the annotations of asset functions.

from pathlib import Path

import polars as pl
from dagster import (
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    multiprocess_executor,
)

from pipelines import settings, shards, staging, warehouse
from pipelines.defs.ingest import core_extractor, raw_key
from pipelines.defs.resources import ReportExtractor, XxgkConfig
from pipelines.frames import REPORT_FILES
from pipelines.rawdir import raw_dir_problem

SHARD_JOB = "extract_shards_job"
SHARD_PARTITIONS = StaticPartitionsDefinition(shards.shard_keys(settings.shards()))


def shard_registry(xxgk: XxgkConfig) -> tuple[pl.DataFrame, str]:
    """The registry a shard plans against, and where it was read: the published warehouse (read-only),
    else the load's snapshot in the staging area, else none (every file is extracted)."""
    if Path(xxgk.warehouse).exists():
        return warehouse.read_report_files(xxgk.warehouse), xxgk.warehouse
    snapshot = shards.registry_snapshot(xxgk.staging_dir)
    if staging.exists(snapshot):
        return staging.read_parquet(snapshot), snapshot
    return pl.DataFrame(schema=REPORT_FILES), "none (no warehouse yet)"


@asset(
    partitions_def=SHARD_PARTITIONS,
    deps=[raw_key("report_files")],
    tags=dict([settings.SHARD_TAG]),
    group_name="ingest",
    kinds={"python", "polars"},
    description="One shard of the files to extract (a stable hash of the path), planned against the published "
    "registry and extracted by the pure core away from the warehouse's writer; its batches and manifest wait "
    "in the staging area until xxgk_all's extracted_reports adopts them.",
)
def extracted_shards(context: AssetExecutionContext, xxgk: XxgkConfig, extractor: ReportExtractor) -> MaterializeResult:
    problem = raw_dir_problem(xxgk.raw_dir)
    if problem:
        raise Failure(description=problem, allow_retries=False)
    previous, source = shard_registry(xxgk)
    plan = xxgk.plan(previous)
    shard, count = int(context.partition_key), len(SHARD_PARTITIONS.get_partition_keys())
    manifest = shards.extract_shard(plan, xxgk.staging_dir, shard, count, batch_size=xxgk.batch_size,
                                    extractor=core_extractor(extractor), workers=xxgk.workers,
                                    file_seconds=xxgk.file_seconds, file_memory_mb=xxgk.file_memory_mb, log=context.log)
    files = sum(len(b["entries"]) for b in manifest["batches"])
    context.log.info(f"shard {shard} of {count}: {files} file(s) in {len(manifest['batches'])} batch(es), "
                     f"planned against {source}")
    return MaterializeResult(metadata={
        "shard": shard,
        "shards": count,
        "files_to_extract": manifest["to_extract"],
        "files_staged": files,
        "batches": len(manifest["batches"]),
        "skipped": len(manifest["skipped"]),
        "statuses": MetadataValue.json(manifest["statuses"]),
        "registry": source,
        "parser_version": plan.parser_version,
        "manifest": shards.shard_dir(xxgk.staging_dir, plan.parser_version, shard, count) + "/" + shards.MANIFEST,
    })


def _executor():
    """The executor XXGK_SHARD_EXECUTOR names; dagster-k8s and dagster-celery are installed apart."""
    name = settings.shard_executor()
    if name == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if name == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    return multiprocess_executor


extract_shards_job = define_asset_job(
    SHARD_JOB,
    selection=[extracted_shards],
    partitions_def=SHARD_PARTITIONS,
    executor_def=_executor(),
    description="Extract one shard of the raw files per partition, without the warehouse: any number at once, "
    "on any executor; the next xxgk_all run adopts what they staged.",
)
