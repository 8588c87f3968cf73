"""Dagster resources: where the raw files are, the DuckDB warehouse, and the dbt CLI."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from pipelines import settings

# Every step that opens the DuckDB file claims this pool; DAGSTER_HOME/dagster.yaml limits it to 1.
DUCKDB_POOL = "xxgk_duckdb"
# Runs carrying this tag are dequeued one at a time (tag_concurrency_limits in dagster.yaml).
WRITER_TAGS = {"xxgk/warehouse": "write"}


class XxgkConfig(ConfigurableResource):
    """The raw directory, the staging area between extraction and load, and the batch size."""

    raw_dir: str = Field(description="Directory of the raw report files (XXGK_RAW_DIR).")
    staging_dir: str = Field(description="Where extracted batches wait as Parquet until they are loaded.")
    batch_size: int = Field(default=settings.DEFAULT_BATCH_SIZE, description="Reports per load transaction.")
    max_file_bytes: int = Field(
        default=settings.DEFAULT_MAX_FILE_BYTES,
        description="Larger files are not read but rejected as too_large (XXGK_MAX_FILE_BYTES).",
    )
    warehouse: str = Field(
        default="",
        description="The DuckDB file, for the sensor and schedule's registry look-ups (empty: XXGK_WAREHOUSE).",
    )

    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve() if self.warehouse else settings.warehouse_path()


def dbt_executable() -> str:
    """The dbt next to the running interpreter (a venv's python runs without the venv on PATH)."""
    return str(Path(sys.executable).parent / "dbt")


def build_resources(
    *,
    raw_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    staging_dir: str | Path | None = None,
    batch_size: int | None = None,
    with_dbt: bool = True,
) -> dict[str, object]:
    """The resources of the code location; arguments default to the environment (settings.py)."""
    resources: dict[str, object] = {
        "xxgk": XxgkConfig(
            raw_dir=str(Path(raw_dir or settings.raw_dir()).resolve()),
            staging_dir=str(Path(staging_dir or settings.staging_dir()).resolve()),
            batch_size=batch_size or settings.batch_size(),
            max_file_bytes=settings.max_file_bytes(),
            warehouse=str(Path(warehouse or settings.warehouse_path()).resolve()),
        ),
        "duckdb": DuckDBResource(database=str(Path(warehouse or settings.warehouse_path()).resolve())),
    }
    if with_dbt:
        from dagster_dbt import DbtCliResource

        project_dir = str(settings.DBT_PROJECT_DIR)
        resources["dbt"] = DbtCliResource(
            project_dir=project_dir, profiles_dir=project_dir, dbt_executable=dbt_executable()
        )
    return resources
