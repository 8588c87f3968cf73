"""The Dagster code location: definitions, lineage, automation, and in-process runs."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import pipeline_defs
from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    SensorResult,
    build_sensor_context,
)

from pipelines import settings
from pipelines.dbt_inputs import has_dbt_project
from pipelines.defs import ingest
from pipelines.defs.automation import JOB_NAME, raw_files_sensor
from pipelines.defs.dbt_project import prepare
from pipelines.defs.resources import ReportExtractor, XxgkConfig
from pipelines.extract import Cell, Report

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "data" / "raw"
RAW_TABLES = ["reports", "proactive", "applications", "reviews", "issues", "report_files"]
HAS_DBT = has_dbt_project()



# ----------------------------------------------------------------------------------------- definitions


def test_definitions_load_with_job_schedule_and_sensor():
    defs = pipeline_defs()
    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def(JOB_NAME)
    assert job.executor_def.name == "in_process"
    assert job.tags.get("xxgk/warehouse") == "write"
    schedule = defs.resolve_schedule_def("xxgk_nightly")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Shanghai"
    assert schedule.job_name == JOB_NAME
    sensor = defs.resolve_sensor_def("raw_files_sensor")
    assert sensor.job_name == JOB_NAME
    assert set(defs.resources) >= {"xxgk", "duckdb", "dbt", "extractor"}


def test_asset_keys_and_lineage_form_one_graph():
    graph = pipeline_defs().resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    expected = {AssetKey("raw_report_files"), AssetKey("extracted_reports"), *(AssetKey(["raw", t]) for t in RAW_TABLES)}
    assert expected <= keys
    assert graph.get(AssetKey("extracted_reports")).parent_keys == {AssetKey("raw_report_files")}
    for t in RAW_TABLES:
        assert graph.get(AssetKey(["raw", t])).parent_keys == {AssetKey("extracted_reports")}
    # every dependency is a defined asset: dbt sources resolve to raw/<table>, no dangling keys
    for key in keys:
        assert graph.get(key).parent_keys <= keys, key
    # every asset reaches the scan upstream (one connected lineage), but the form's vocabulary, which dbt
    # reads from pipelines/extract/vocabulary.json (models/staging/vocabulary)
    vocabulary = {k for k in keys if k.path[-1].startswith("stg_form_")}
    assert vocabulary, "the vocabulary is in the warehouse"
    for key in keys - {AssetKey("raw_report_files")} - vocabulary:
        assert _reaches(graph, key, AssetKey("raw_report_files")), key
    checks = {c.to_user_string() for c in graph.asset_check_keys}
    assert {f"raw/{t}:{t}_schema" for t in RAW_TABLES if t != "report_files"} <= checks
    assert "marts/report_quality:identities_hold" in checks
    if HAS_DBT:
        dbt_keys = {k for k in keys if k.path[0] not in ("raw", "raw_report_files", "extracted_reports")}
        assert dbt_keys, "the dbt project defines models"
        children_of_raw = {c for t in RAW_TABLES for c in graph.get(AssetKey(["raw", t])).child_keys}
        assert children_of_raw & dbt_keys, "dbt staging models hang off the raw tables"


def _reaches(graph, key: AssetKey, target: AssetKey) -> bool:
    todo, seen = [key], set()
    while todo:
        k = todo.pop()
        if k == target:
            return True
        if k not in seen:
            seen.add(k)
            todo.extend(graph.get(k).parent_keys)
    return False


def test_writers_share_the_duckdb_pool():
    assert ingest.raw_tables.op.pool == settings.DUCKDB_POOL
    assert ingest.raw_report_files.op.pool == settings.DUCKDB_POOL


def test_dbt_sources_are_the_raw_assets_and_models_are_grouped_by_folder():
    """dagster-dbt's default keys and the folders' meta.dagster.group: no translator of our own."""
    graph = pipeline_defs().resolve_asset_graph()
    stg = graph.get(AssetKey(["staging", "stg_proactive"]))
    assert stg.group_name == "staging" and AssetKey(["raw", "proactive"]) in stg.parent_keys
    assert graph.get(AssetKey(["intermediate", "int_application_identities"])).group_name == "intermediate"
    assert graph.get(AssetKey(["marts", "fct_fees"])).group_name == "marts"
    assert graph.get(AssetKey(["raw", "proactive"])).group_name == "raw"


def test_the_dbt_project_prepares_its_manifest_once():
    if not HAS_DBT:
        pytest.skip("dbt_project/dbt_project.yml does not exist yet")
    manifest = prepare()
    assert manifest == settings.DBT_MANIFEST
    built = manifest.stat().st_mtime_ns
    assert prepare() == manifest and manifest.stat().st_mtime_ns == built, "a fresh manifest is not parsed again"
    nodes = json.loads(manifest.read_text())["sources"]
    assert any(n["source_name"] == "raw" for n in nodes.values())


def test_settings_paths_are_absolute(monkeypatch):
    monkeypatch.setenv("XXGK_WAREHOUSE", "rel/wh.duckdb")
    monkeypatch.delenv("XXGK_RAW_DIR", raising=False)
    assert settings.warehouse_path().is_absolute()
    assert settings.raw_dir() == REPO / "data" / "raw"


# ---------------------------------------------------------------------------------------------- sensor


def test_sensor_requests_a_run_on_new_or_changed_files_and_skips_otherwise(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    resources = {"xxgk": XxgkConfig(raw_dir=str(raw), staging_dir=str(tmp_path / "staging"),
                                    warehouse=str(tmp_path / "warehouse.duckdb"))}

    def tick(cursor):
        result = raw_files_sensor(build_sensor_context(cursor=cursor, resources=resources))
        assert isinstance(result, SensorResult)
        return result

    empty = tick(None)
    assert not empty.run_requests and empty.skip_reason is not None

    (raw / "a.txt").write_text("A")
    first = tick(empty.cursor)
    assert len(first.run_requests) == 1
    assert json.loads(first.cursor).keys() == {"a.txt"}

    same = tick(first.cursor)
    assert not same.run_requests and "no change" in same.skip_reason.skip_message

    (raw / "b.txt").write_text("B")
    added = tick(same.cursor)
    assert len(added.run_requests) == 1 and added.run_requests[0].tags["xxgk/new"] == "1"
    assert added.run_requests[0].run_key != first.run_requests[0].run_key

    (raw / "a.txt").write_text("A changed")
    changed = tick(added.cursor)
    assert changed.run_requests[0].tags["xxgk/changed"] == "1"

    (raw / "b.txt").unlink()
    removed = tick(changed.cursor)
    assert removed.run_requests[0].tags["xxgk/removed"] == "1"
    assert not tick(removed.cursor).run_requests

    # a fresh sensor (no cursor) with files present asks for a run
    assert len(tick(None).run_requests) == 1


# ------------------------------------------------------------------------------------- in-process runs


class FakeExtractor(ReportExtractor):
    """A stand-in core given to the job as its extractor resource."""

    def extract(self, data: bytes, source: str) -> Report:
        return fake_extract(data, source)


def fake_extract(data: bytes, source: str) -> Report:
    """A stand-in core: rejects empty files, else one report whose counts come from the text."""
    import hashlib

    r = Report(source=source, report_id=hashlib.sha256(data).hexdigest()[:16], agency="某局", year=2021,
               layout="2021", encoding="utf-8", rendering="pipe")
    if not data.strip():
        r.add_issue("error", "empty_file", "the file is empty")
        return r
    n = int(data.split()[0])
    r.cells += [
        Cell("proactive", "administrative_fees", "amount_yuan", Decimal("10.5"), 2),
        Cell("applications", "new_received", "total", n, 3),
        Cell("applications", "total", "total", 1, 4),
        Cell("applications", "carried_forward", "total", 0, 5),
        Cell("applications", "granted", "total", 1, 6),
        Cell("reviews", "review", "upheld", 1, 7),
        Cell("reviews", "review", "total", 1, 8),
    ]
    if b"warn" in data:
        r.add_issue("warning", "odd_label", "an odd label", 3)
    return r


def _run(defs: Definitions):
    return defs.resolve_job_def(JOB_NAME).execute_in_process(instance=DagsterInstance.ephemeral())


def _checks(result) -> dict[str, tuple[bool, str]]:
    return {
        e.event_specific_data.asset_check_key.to_user_string(): (
            e.event_specific_data.passed, e.event_specific_data.severity.value)
        for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def test_pipeline_without_dbt_loads_incrementally(env):
    raw = env / "raw"
    (raw / "a.txt").write_text("1 a")
    (raw / "b.txt").write_text("1 b warn")
    (raw / "copy_of_a.txt").write_text("1 a")
    (raw / "empty.txt").write_text("")
    defs = pipeline_defs(dbt=False, extractor=FakeExtractor())

    result = _run(defs)
    assert result.success
    db = env / "warehouse.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    try:
        reg = dict(con.execute("SELECT path, status FROM raw.report_files").fetchall())
        assert reg == {"a.txt": "loaded", "b.txt": "loaded_with_warnings", "copy_of_a.txt": "duplicate",
                       "empty.txt": "rejected"}
        assert con.execute("SELECT count(*) FROM raw.reports").fetchall() == [(2,)]
        assert con.execute("SELECT sum(n_warnings) FROM raw.reports").fetchall() == [(1,)]
    finally:
        con.close()
    checks = _checks(result)
    assert checks["raw/applications:applications_schema"] == (True, "ERROR")
    assert not list((env / "dagster_home" / "staging").iterdir()), "staged batches are removed after the load"

    # second run: nothing to extract
    result = _run(defs)
    assert result.success
    meta = result.asset_materializations_for_node("raw_report_files")[0].metadata
    assert meta["to_extract"].value == 0 and meta["unchanged"].value == 3

    # the twin vanishes, a changes: the copy takes over, a's old report goes
    (raw / "copy_of_a.txt").unlink()
    (raw / "a.txt").write_text("2 a")
    result = _run(defs)
    assert result.success
    con = duckdb.connect(str(db), read_only=True)
    try:
        reg = dict(con.execute("SELECT path, status FROM raw.report_files").fetchall())
        assert reg["copy_of_a.txt"] == "removed" and reg["a.txt"] == "loaded"
        assert con.execute("SELECT count(*) FROM raw.reports").fetchall() == [(2,)]
        values = con.execute(
            "SELECT value FROM raw.applications WHERE \"row\" = 'new_received' ORDER BY value").fetchall()
        assert values == [(1,), (2,)]
    finally:
        con.close()


class NegativeExtractor(ReportExtractor):
    def extract(self, data: bytes, source: str) -> Report:
        r = fake_extract(data, source)
        r.cells.append(Cell("applications", "granted", "natural_person", -4, 9))
        return r


def test_bad_rows_reject_their_file_at_the_guard_and_never_reach_the_table(env):
    """A negative count is refused by the schema while the batch is framed: its file is rejected with the
    check and the line, the other file loads, the run succeeds and the table's own check passes."""
    (env / "raw" / "a.txt").write_text("1 a")
    (env / "raw" / "b.txt").write_text("2 b")

    class NegativeForA(NegativeExtractor):
        def extract(self, data: bytes, source: str) -> Report:
            return super().extract(data, source) if source == "a.txt" else fake_extract(data, source)

    result = _run(pipeline_defs(dbt=False, extractor=NegativeForA()))
    assert result.success
    evaluation = next(
        e.event_specific_data for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.asset_check_key.name == "applications_schema"
    )
    assert evaluation.passed is True
    summary = result.asset_materializations_for_node("extracted_reports")[0].metadata["validation"].value
    assert list(summary["schema_rejected"]) == ["a.txt"]
    reason = summary["schema_rejected"]["a.txt"]
    assert reason.startswith("value_out_of_range: refused by the schema: applications granted/natural_person "
                             "value = -4"), reason
    assert "at line 9" in reason
    con = duckdb.connect(str(env / "warehouse.duckdb"), read_only=True)
    try:
        reg = dict(con.execute("SELECT path, status FROM raw.report_files").fetchall())
        assert reg == {"a.txt": "rejected", "b.txt": "loaded"}
        assert con.execute("SELECT value FROM raw.applications WHERE \"row\" = 'new_received'").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM raw.applications WHERE value < 0").fetchall() == [(0,)]
    finally:
        con.close()


@pytest.mark.skipif(not HAS_DBT, reason="dbt_project/dbt_project.yml does not exist yet")
def test_full_run_with_dbt_on_the_seed_files(env):
    """`xxgk run` in-process on a copy of data/raw, dbt included."""
    from pipelines.cli import mart_row_counts, registry_counts, run_all

    raw = env / "raw"
    for f in sorted(SEED_DIR.iterdir()):
        shutil.copyfile(f, raw / f.name)
    first = sorted(SEED_DIR.iterdir())[0].name
    shutil.copyfile(SEED_DIR / first, raw / f"copy_of_{first}")
    db = env / "warehouse.duckdb"

    result = run_all()
    assert result.success, [e.event_specific_data.error for e in result.all_events if e.is_step_failure]
    counts = registry_counts(db)
    n_seeds = len(list(SEED_DIR.iterdir()))
    assert counts["duplicate"] == 1
    assert counts["loaded"] + counts["loaded_with_warnings"] + counts["rejected"] == n_seeds
    con = duckdb.connect(str(db), read_only=True)
    try:
        n_reports = con.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0]
    finally:
        con.close()
    assert n_reports == counts["loaded"] + counts["loaded_with_warnings"]
    marts = mart_row_counts(db)
    assert marts, "dbt built fct_/dim_ tables"
    assert any(k.endswith("dim_report") and v == n_reports for k, v in marts.items()), marts
    materialized = {e.asset_key for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}
    assert {AssetKey(["raw", t]) for t in RAW_TABLES} <= materialized
    assert any(k.path[0] not in ("raw", "raw_report_files", "extracted_reports") for k in materialized)

    # nothing new: the second run extracts nothing and still builds
    result = run_all()
    assert result.success
    assert result.asset_materializations_for_node("raw_report_files")[0].metadata["to_extract"].value == 0
