"""Parallel and partitioned extraction give the marts of the serial path (issue 12, *Past one machine*).

On a generated corpus: (a) ``xxgk_all`` with extraction in this process (workers=0) and with two worker
processes; (b) ``extract_shards_job`` under the multiprocess executor, once per partition (two shards), then
``xxgk_all`` adopting their batches. Every marts table (and every raw table, the scan's timestamps aside) is
checksummed; the adopting run extracts nothing itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import pipeline_defs
from dagster import AssetKey, DagsterEventType, DagsterInstance, execute_job, instance_for_test
from dagster._core.definitions.reconstruct import ReconstructableRepository

from pipelines import shards, warehouse
from pipelines.builds import table_checksum
from pipelines.defs.automation import JOB_NAME
from pipelines.defs.resources import XxgkConfig
from pipelines.defs.sharding import SHARD_JOB
from pipelines.plan import current_parser_version

ROOT = Path(__file__).resolve().parent.parent
N, SEED = 16, 12
MOVING = {"report_files": ("first_seen", "last_seen")}  # the scan's time: differs between any two runs


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    from pipelines.corpus.generate import generate_corpus

    work = tmp_path_factory.mktemp("partitioned")
    generate_corpus(work / "generated", N, SEED)
    raw = work / "raw"
    raw.mkdir()
    for f in (work / "generated").iterdir():
        if f.name != "truth.jsonl":
            shutil.copyfile(f, raw / f.name)
    shutil.copyfile(next(iter(sorted(raw.iterdir()))), raw / "zz-copy.txt")  # a duplicate among them
    return raw


def _env(mp: pytest.MonkeyPatch, raw: Path, root: Path, workers: int) -> None:
    mp.setenv("XXGK_RAW_DIR", str(raw))
    mp.setenv("XXGK_WAREHOUSE", str(root / "warehouse.duckdb"))
    mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
    mp.setenv("XXGK_STAGING_DIR", str(root / "staging"))
    mp.setenv("XXGK_WORKERS", str(max(workers, 1)))
    mp.setenv("XXGK_SHARDS", "2")
    mp.delenv("XXGK_MAX_FILE_BYTES", raising=False)


def _run_main(raw: Path, root: Path, workers: int):
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, raw, root, workers)
        defs = pipeline_defs()
        if workers == 0:  # in this process, without the limits (the resource's knob only)
            xxgk: XxgkConfig = defs.resources["xxgk"]
            defs.resources["xxgk"] = XxgkConfig(**{**xxgk.model_dump(), "workers": 0})
        result = defs.resolve_job_def(JOB_NAME).execute_in_process(
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
            instance=DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    extracted = result.asset_materializations_for_node("extracted_reports")[0].metadata
    return {k: extracted[k].value for k in ("files_extracted", "files_adopted", "files_extracted_in_run")}


def checksums(database: Path) -> dict[str, str]:
    with warehouse.connect_read_only(database) as con:
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables "
                             "WHERE table_schema IN ('raw', 'marts') ORDER BY 1, 2").fetchall()
        return {f"{s}.{t}": table_checksum(con, s, t, MOVING.get(t, ())) for s, t in tables}


@pytest.fixture(scope="module")
def serial(raw, tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("serial")
    meta = _run_main(raw, root, workers=0)
    assert meta == {"files_extracted": N, "files_adopted": 0, "files_extracted_in_run": N}
    sums = checksums(root / "warehouse.duckdb")
    assert sums["raw.reports"].startswith(f"{N}:") and sums["raw.report_files"].startswith(f"{N + 1}:")
    assert sum(1 for k in sums if k.startswith("marts.")) >= 5
    assert sums["marts.dim_report"].startswith(f"{N}:") and not sums["marts.fct_application_dispositions"].startswith("0:")
    return sums


def test_two_worker_processes_build_the_marts_of_the_serial_path(raw, serial, tmp_path):
    meta = _run_main(raw, tmp_path, workers=2)
    assert meta["files_extracted_in_run"] == N
    assert checksums(tmp_path / "warehouse.duckdb") == serial


def test_two_shards_under_the_multiprocess_executor_then_the_writer_adopting_them(raw, serial, tmp_path):
    from pipelines.defs.dbt_project import prepare

    prepare()
    with pytest.MonkeyPatch.context() as mp, instance_for_test() as instance:
        _env(mp, raw, tmp_path, workers=1)
        recon = ReconstructableRepository.for_module("pipelines.definitions", "defs", working_directory=str(ROOT))
        job = recon.get_reconstructable_job(SHARD_JOB)
        staged = {}
        for key in shards.shard_keys(2):
            result = execute_job(job, instance=instance, tags={"dagster/partition": key})
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            engine = [e.message for e in instance.all_logs(result.run_id, of_type=DagsterEventType.ENGINE_EVENT)]
            assert any("multiprocess" in (m or "") for m in engine), engine
            (mat,) = result.asset_materializations_for_node("extracted_shards")
            assert mat.partition == key
            staged[key] = mat.metadata["files_staged"].value
        assert not (tmp_path / "warehouse.duckdb").exists(), "the shards never open the warehouse"
    assert sum(staged.values()) == N and all(staged.values()), staged  # every file in one shard, both used

    meta = _run_main(raw, tmp_path, workers=1)
    assert meta == {"files_extracted": N, "files_adopted": N, "files_extracted_in_run": 0}
    assert checksums(tmp_path / "warehouse.duckdb") == serial
    kept = Path(shards.shard_dir(tmp_path / "staging", current_parser_version(), 0, 2)) / shards.MANIFEST
    assert kept.is_file()  # the shard sets stay a week (pipelines.staging.clean)


def test_the_shard_job_runs_without_the_warehouse_and_apart_from_the_writer(env):
    from pipelines.definitions import defs as code_location
    from pipelines.defs.dbt_project import prepare

    prepare()
    defs = code_location()
    job = defs.resolve_job_def(SHARD_JOB)
    assert job.executor_def.name == "multiprocess" and job.partitions_def.get_partition_keys() == ["0", "1"]
    assert "duckdb" not in job.required_resource_keys and "xxgk/warehouse" not in job.tags
    shard_key = AssetKey("extracted_shards")
    assert shard_key in job.asset_layer.executable_asset_keys
    writer = defs.resolve_job_def(JOB_NAME)
    assert shard_key not in writer.asset_layer.executable_asset_keys
    assert AssetKey("extracted_reports") in writer.asset_layer.executable_asset_keys


def test_the_writer_stages_on_memory_and_leaves_the_registry_for_remote_shards(env, monkeypatch):
    """With the staging area on a URL (here memory://, in this process) the run stages, loads from it, and
    writes the registry snapshot that shards without the warehouse plan against."""
    import polars as pl
    from conftest import RAW

    from pipelines.defs.sharding import shard_registry
    from pipelines.staging import exists, files_under, read_parquet

    for f in RAW.iterdir():
        shutil.copyfile(f, env / "raw" / f.name)
    root = "memory://xxgk-partitioned-test/staging"
    monkeypatch.setenv("XXGK_STAGING_DIR", root)
    defs = pipeline_defs(dbt=False)
    result = defs.resolve_job_def(JOB_NAME).execute_in_process(instance=DagsterInstance.ephemeral(),
                                                                raise_on_error=False)
    assert result.success
    snapshot = shards.registry_snapshot(root)
    assert exists(snapshot) and [p for p in files_under(root) if "/batch-" in p] == []  # the run's folder is gone
    with warehouse.connect_read_only(env / "warehouse.duckdb") as con:
        loaded = warehouse.read_table(con, "report_files")
        assert con.execute("SELECT count(*) FROM raw.reports").fetchall() == [(5,)]
    assert read_parquet(snapshot).sort("path").equals(loaded)

    xxgk = defs.resources["xxgk"]
    elsewhere = XxgkConfig(**{**xxgk.model_dump(), "warehouse": str(env / "not-mounted.duckdb")})
    registry, source = shard_registry(elsewhere)
    assert source == snapshot and registry.sort("path").equals(loaded)
    assert shard_registry(xxgk)[1] == str(env / "warehouse.duckdb")
    assert isinstance(registry, pl.DataFrame)
