"""Dagster resources: the raw directory and its knobs, the DuckDB warehouse, and the dbt CLI.

Built when the definitions load, from pipelines/settings.py (the environment at that moment): paths
are decided there and only there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines import settings
from pipelines.defs.dbt_project import dbt_resource
from pipelines.defs.warehouse_build import warehouse_build
from pipelines.extract import Report, extract_report
from pipelines.freshness import RunDecision, run_decision
from pipelines.plan import Plan
from pipelines.rawdir import plan_directory


class XxgkConfig(dg.ConfigurableResource):
    """The raw directory, the staging area between extraction and load, and the batch size."""

    raw_dir: str = Field(description="Directory of the raw report files (XXGK_RAW_DIR).")
    staging_dir: str = Field(description="Where extracted batches wait as Parquet until they are loaded: a folder "
                             "or an fsspec URL such as s3://bucket/prefix (XXGK_STAGING_DIR).")
    batch_size: int = Field(default=settings.DEFAULT_BATCH_SIZE, description="Reports per load transaction.")
    max_file_bytes: int = Field(
        default=settings.DEFAULT_MAX_FILE_BYTES,
        description="Larger files are not read but rejected as too_large (XXGK_MAX_FILE_BYTES).",
    )
    warehouse: str = Field(description="The DuckDB file, for the sensor and schedule's registry look-ups.")
    max_missing_share: float = Field(
        default=settings.DEFAULT_MAX_MISSING_SHARE,
        description="A scan missing more than this share of the registered files retires none of them "
        "(XXGK_MAX_MISSING_SHARE).",
    )
    retire_missing: bool = Field(default=False, description="Retire missing files even past that share "
                                 "(xxgk run --retire-missing, XXGK_RETIRE_MISSING=1).")
    workers: int = Field(default=1, description="Worker processes extracting files (XXGK_WORKERS; default the "
                         "CPU count); 0 (here only) extracts in this process, without the per-file limits.")
    file_seconds: float = Field(default=settings.DEFAULT_FILE_SECONDS, description="A file whose extraction "
                                "takes longer is rejected as too_slow (XXGK_FILE_SECONDS).")
    file_memory_mb: int = Field(default=settings.DEFAULT_FILE_MEMORY_MB, description="A file whose extraction "
                                "needs more memory is rejected as too_much_memory (XXGK_FILE_MEMORY_MB).")

    def decision(self) -> RunDecision:
        """Whether a run would change anything (pipelines.freshness), with these knobs."""
        return run_decision(self.raw_dir, self.warehouse_path(), max_bytes=self.max_file_bytes,
                            max_missing_share=self.max_missing_share, retire_missing=self.retire_missing)

    def plan(self, previous: pl.DataFrame) -> Plan:
        """Scan the raw dir against the registry ``previous`` with these knobs."""
        return plan_directory(self.raw_dir, previous, max_bytes=self.max_file_bytes,
                              max_missing_share=self.max_missing_share, retire_missing=self.retire_missing)

    def warehouse_path(self) -> Path:
        return Path(self.warehouse)


class ReportExtractor(dg.ConfigurableResource):
    """The pure core's ``extract_report``; tests give the job another extractor as this resource."""

    def extract(self, data: bytes, source: str) -> Report:
        return extract_report(data, source)


def xxgk_config() -> XxgkConfig:
    return XxgkConfig(
        raw_dir=str(settings.raw_dir()), staging_dir=str(settings.staging_dir()), batch_size=settings.batch_size(),
        max_file_bytes=settings.max_file_bytes(), warehouse=str(settings.warehouse_path()),
        max_missing_share=settings.max_missing_share(), retire_missing=settings.retire_missing(),
        workers=settings.workers(), file_seconds=settings.file_seconds(), file_memory_mb=settings.file_memory_mb(),
    )


@contextlib.contextmanager
def resource_connection(resource: DuckDBResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """``DuckDBResource.get_connection()``, but closed even when the body raises."""
    Path(resource.database).parent.mkdir(parents=True, exist_ok=True)
    with resource.get_connection() as con:
        try:
            yield con
        finally:
            con.close()


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={
        "xxgk": xxgk_config(),
        "extractor": ReportExtractor(),
        "duckdb": warehouse_build(),
        "dbt": dbt_resource(),
    })
