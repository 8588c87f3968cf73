from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Every path of the pipeline under tmp_path (env vars restored after the test)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("XXGK_MAX_FILE_BYTES", raising=False)
    return tmp_path


def pipeline_defs(*, dbt: bool = True, extractor=None):
    """The code location's definitions with the paths of the environment now; ``dbt=False`` leaves the
    dbt assets out (and records builds as without dbt), ``extractor`` replaces the ReportExtractor."""
    from dagster import Definitions

    from pipelines.defs.dbt_project import prepare

    prepare()  # pipelines.defs.builds imports the dbt assets, which are built from the manifest
    from pipelines.definitions import defs
    from pipelines.defs import agencies, builds, checks, ingest
    from pipelines.defs.automation import nightly_schedule, raw_files_sensor, xxgk_all

    if dbt:
        full = defs()
        resources = dict(full.resources)
        assets, asset_checks = list(full.assets), list(full.asset_checks)
    else:
        from pipelines.defs.resources import resources as resource_defs

        resources = {k: v for k, v in resource_defs().resources.items() if k != "dbt"}
        upstream = [ingest.raw_report_files, ingest.extracted_reports, ingest.raw_tables, agencies.raw_agencies]
        assets = [*upstream, builds.build_record_asset(upstream, with_dbt=False)]
        asset_checks = list(checks.schema_checks)
    if extractor is not None:
        resources["extractor"] = extractor
    return Definitions(assets=assets, asset_checks=asset_checks, jobs=[xxgk_all], schedules=[nightly_schedule],
                       sensors=[raw_files_sensor], resources=resources)


def run_pipeline(raw: Path, warehouse: Path, *, log_level: str = "ERROR", extractor=None):
    """One in-process run of the whole job on ``raw`` into ``warehouse`` (DAGSTER_HOME beside it)."""
    from dagster import DagsterInstance

    from pipelines.defs.automation import JOB_NAME

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_RAW_DIR", str(raw))
        mp.setenv("XXGK_WAREHOUSE", str(warehouse))
        mp.setenv("DAGSTER_HOME", str(Path(warehouse).parent / "dagster_home"))
        job = pipeline_defs(extractor=extractor).resolve_job_def(JOB_NAME)
        return job.execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
            instance=DagsterInstance.ephemeral(), raise_on_error=False,
        )


def table_checksums(con, *, volatile: bool = True) -> dict[str, str]:
    """``schema.table`` -> checksum of every table and view; ``volatile=False`` leaves out the columns that
    move on every scan (pipelines.builds.VOLATILE_COLUMNS)."""
    from pipelines.builds import VOLATILE_COLUMNS, table_checksum

    rows = con.execute(
        "SELECT t.table_schema, t.table_name, list(c.column_name) FILTER (WHERE list_contains(?, c.column_name)) "
        "FROM information_schema.tables AS t JOIN information_schema.columns AS c "
        "USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_catalog = current_database() GROUP BY ALL ORDER BY 1, 2",
        [list(VOLATILE_COLUMNS)],
    ).fetchall()
    return {f"{schema}.{table}": table_checksum(con, schema, table, () if volatile else moving or ())
            for schema, table, moving in rows}
