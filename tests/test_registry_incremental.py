"""The file registry and incremental runs: one row per file ever seen, duplicates, removals, parser
versions, and runs that skip when nothing is new (``xxgk run``, the nightly schedule, the sensor).

Registry tests run the job without dbt (seconds each) with the real extractor on the sample reports;
the module fixture ``built`` runs ``xxgk run`` with dbt (the first run, the skipped second, a forced third)
and the schedule and sensor are evaluated against that warehouse.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import pipeline_defs, table_checksums
from dagster import DagsterInstance, RunRequest, SkipReason, build_schedule_context, build_sensor_context

from pipelines import freshness, rawdir, registry, warehouse
from pipelines.dbt_inputs import has_dbt_project
from pipelines.defs.automation import JOB_NAME, nightly_schedule, raw_files_sensor
from pipelines.defs.resources import XxgkConfig
from pipelines.freshness import run_decision
from pipelines.plan import LOADED

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
PER_REPORT = ("reports", "proactive", "applications", "reviews", "issues")



def run_without_dbt(env: Path):
    defs = pipeline_defs(dbt=False)
    result = defs.resolve_job_def(JOB_NAME).execute_in_process(instance=DagsterInstance.ephemeral(),
                                                               raise_on_error=False)
    return result


def extracted(result) -> int:
    return result.asset_materializations_for_node("extracted_reports")[0].metadata["files_extracted"].value


def reg(env: Path) -> dict[str, dict]:
    return {r["path"]: r for r in warehouse.read_report_files(env / "warehouse.duckdb").iter_rows(named=True)}


def report_ids(env: Path, table: str = "reports") -> set[str]:
    with warehouse.connect_read_only(env / "warehouse.duckdb") as con:
        return {r[0] for r in con.execute(f"SELECT DISTINCT report_id FROM raw.{table}").fetchall()}


# ------------------------------------------------------------------------------------------ registry


def test_same_content_under_two_names_is_one_report(env):
    raw = env / "raw"
    shutil.copyfile(SEEDS[1], raw / "a.txt")
    shutil.copyfile(SEEDS[1], raw / "b copy.txt")
    shutil.copyfile(SEEDS[3], raw / "c.txt")
    result = run_without_dbt(env)
    assert result.success and extracted(result) == 2
    rows = reg(env)
    # the primary is the first path in sort order
    assert rows["a.txt"]["status"] in LOADED
    assert rows["b copy.txt"]["status"] == "duplicate"
    assert rows["b copy.txt"]["reason"] == "same content as a.txt"
    assert rows["b copy.txt"]["report_id"] == rows["a.txt"]["report_id"]
    assert report_ids(env) == {rows["a.txt"]["report_id"], rows["c.txt"]["report_id"]}


def test_a_vanished_file_is_removed_and_its_facts_retired_then_back(env):
    raw = env / "raw"
    shutil.copyfile(SEEDS[1], raw / "a.txt")
    shutil.copyfile(SEEDS[1], raw / "a copy.txt")
    shutil.copyfile(SEEDS[3], raw / "b.txt")
    assert run_without_dbt(env).success
    first = reg(env)
    b_id, a_id = first["b.txt"]["report_id"], first["a copy.txt"]["report_id"]
    assert first["a.txt"]["status"] == "duplicate"  # "a copy.txt" sorts first: it is the primary

    (raw / "b.txt").unlink()  # no other file holds b's bytes: its facts go
    result = run_without_dbt(env)
    assert result.success and extracted(result) == 0
    rows = reg(env)
    assert rows["b.txt"]["status"] == "removed" and rows["b.txt"]["report_id"] is None
    assert rows["b.txt"]["reason"].startswith("no longer in the raw directory (noticed ")
    assert rows["b.txt"]["sha256"] == first["b.txt"]["sha256"]  # the row keeps what the file was
    for table in PER_REPORT:
        assert b_id not in report_ids(env, table), table

    (raw / "a copy.txt").unlink()  # its twin still holds the bytes: the report stays, the twin takes over
    result = run_without_dbt(env)
    assert result.success and extracted(result) == 1
    rows = reg(env)
    assert rows["a copy.txt"]["status"] == "removed" and rows["a copy.txt"]["report_id"] == a_id
    assert rows["a.txt"]["status"] in LOADED and rows["a.txt"]["report_id"] == a_id
    with warehouse.connect_read_only(env / "warehouse.duckdb") as con:
        assert con.execute("SELECT source_file FROM raw.reports WHERE report_id = ?", [a_id]).fetchall() == [("a.txt",)]

    shutil.copyfile(SEEDS[3], raw / "b.txt")  # put back: loaded again, first seen kept
    result = run_without_dbt(env)
    assert result.success and extracted(result) == 1
    rows = reg(env)
    assert rows["b.txt"]["status"] in LOADED and b_id in report_ids(env)
    assert rows["b.txt"]["first_seen"] == first["b.txt"]["first_seen"]
    assert set(rows) == {"a.txt", "a copy.txt", "b.txt"}  # one row per path ever seen


def test_a_new_parser_version_re_extracts(env, monkeypatch):
    raw = env / "raw"
    for f in SEEDS[:3]:
        shutil.copyfile(f, raw / f.name)
    shutil.copyfile(SEEDS[0], raw / "twin.txt")
    assert extracted(run_without_dbt(env)) == 3
    assert extracted(run_without_dbt(env)) == 0
    before = reg(env)

    monkeypatch.setattr("pipelines.extract.PARSER_VERSION", "99.0.0-test")
    assert rawdir.plan_directory(raw, warehouse.read_report_files(env / "warehouse.duckdb")).pending() == {
        f.name: "reparse" for f in SEEDS[:3]} | {"twin.txt": "registry"}
    result = run_without_dbt(env)
    assert result.success and extracted(result) == 3
    rows = reg(env)
    assert {r["parser_version"] for r in rows.values()} == {"99.0.0-test"}
    assert all(rows[p]["first_seen"] == before[p]["first_seen"] for p in rows)
    with warehouse.connect_read_only(env / "warehouse.duckdb") as con:
        assert con.execute("SELECT DISTINCT parser_version FROM raw.reports").fetchall() == [("99.0.0-test",)]
    assert extracted(run_without_dbt(env)) == 0


def test_loaded_with_warnings_when_the_report_has_warnings(env):
    raw = env / "raw"
    text = SEEDS[1].read_text(encoding="utf-8")
    start = text.index("三、")
    cut = start + (text.index("四、", start) - start) // 2  # in the middle of section 三's table
    (raw / "cut.txt").write_text(text[:cut], encoding="utf-8")
    shutil.copyfile(SEEDS[3], raw / "whole.txt")
    assert run_without_dbt(env).success
    rows = reg(env)
    with warehouse.connect_read_only(env / "warehouse.duckdb") as con:
        warnings = dict(con.execute(
            "SELECT report_id, count(*) FROM raw.issues WHERE severity = 'warning' GROUP BY 1").fetchall())
        n_warnings = dict(con.execute("SELECT report_id, n_warnings FROM raw.reports").fetchall())
    cut_row, whole = rows["cut.txt"], rows["whole.txt"]
    assert cut_row["status"] == "loaded_with_warnings"
    assert cut_row["reason"].startswith(f"{warnings[cut_row['report_id']]} warning(s): ")
    assert "rows_missing" in cut_row["reason"]
    assert n_warnings[cut_row["report_id"]] == warnings[cut_row["report_id"]]
    assert whole["status"] == ("loaded_with_warnings" if whole["report_id"] in warnings else "loaded")


def test_too_large_files_are_read_once_the_limit_allows(env):
    raw = env / "raw"
    shutil.copyfile(SEEDS[1], raw / "a.txt")
    db = env / "warehouse.duckdb"
    plan = rawdir.plan_directory(raw, warehouse.read_report_files(db), max_bytes=1000)
    outcome = registry.Outcome("a.txt", "rejected", "too_large: …", None, None, None, None, plan.parser_version)
    with warehouse.connect(db) as con:
        warehouse.load_frames(con, {}, registry=registry.extracted_rows(plan, plan.to_extract, {"a.txt": outcome}))
    assert rawdir.plan_directory(raw, warehouse.read_report_files(db), max_bytes=1000).nothing_new
    again = rawdir.plan_directory(raw, warehouse.read_report_files(db), max_bytes=10**6)
    assert again.pending() == {"a.txt": "retry"}


def test_a_failed_run_records_no_build_so_the_next_one_runs(env, monkeypatch):
    raw, db = env / "raw", env / "warehouse.duckdb"
    shutil.copyfile(SEEDS[1], raw / "a.txt")

    def broken(names):
        raise RuntimeError("agency resolution broke")

    with monkeypatch.context() as mp:
        mp.setattr("pipelines.defs.agencies.describe_agencies", broken)
        assert not run_without_dbt(env).success
    # a failed run publishes nothing: the file is still new, and no warehouse was published at all
    assert not db.exists()
    decision = run_decision(raw, db, with_dbt=False)
    assert decision.run and decision.reason == "1 new"
    assert run_without_dbt(env).success
    decision = run_decision(raw, db, with_dbt=False)
    assert not decision.run and decision.reason.startswith("nothing new")


# ------------------------------------------------------------------------ runs with dbt: xxgk run


@dataclass
class Built:
    raw: Path
    db: Path
    home: Path
    outputs: list[str]
    seconds: list[float]
    checksums: list[dict[str, str]]  # every table and view, after each run
    stable: list[dict[str, str]]  # the same, volatile columns (report_files.last_seen) left out


def _checksums(db: Path, volatile: bool) -> dict[str, str]:
    with warehouse.connect_read_only(db) as con:
        return table_checksums(con, volatile=volatile)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    if not has_dbt_project():
        pytest.skip("no dbt project")
    from pipelines.cli import main

    base = tmp_path_factory.mktemp("incremental")
    raw, db, home = base / "raw", base / "warehouse.duckdb", base / "dagster_home"
    raw.mkdir()
    for f in SEEDS:
        shutil.copyfile(f, raw / f.name)
    shutil.copyfile(SEEDS[0], raw / "copy.txt")
    out = Built(raw, db, home, [], [], [], [])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_RAW_DIR", str(raw))
        mp.setenv("XXGK_WAREHOUSE", str(db))
        mp.setenv("DAGSTER_HOME", str(home))
        mp.delenv("XXGK_MAX_FILE_BYTES", raising=False)
        for argv in (["run"], ["run"], ["run", "--force"]):
            buf = io.StringIO()
            t0 = time.monotonic()
            with contextlib.redirect_stdout(buf):
                code = main(argv)
            out.seconds.append(time.monotonic() - t0)
            out.outputs.append(buf.getvalue())
            assert code == 0, buf.getvalue()
            out.checksums.append(_checksums(db, volatile=True))
            out.stable.append(_checksums(db, volatile=False))
    print(f"\nxxgk run: first {out.seconds[0]:.1f} s, second (nothing new) {out.seconds[1]:.1f} s, "
          f"forced {out.seconds[2]:.1f} s")
    return out


def test_first_run_loads_everything(built):
    assert "extracted this run: 5 file(s)" in built.outputs[0]  # and one duplicate, not extracted
    assert "run succeeded" in built.outputs[0]
    assert {"marts.dim_report", "raw.reports", "ops.builds"} <= set(built.checksums[0])


def test_second_run_with_nothing_new_skips_quickly_and_changes_nothing(built):
    out = built.outputs[1]
    assert "nothing new" in out and "skipped extraction, load and dbt" in out
    assert built.seconds[1] < 15, built.seconds[1]
    assert built.checksums[1] == built.checksums[0]  # every table and view, last_seen included


def test_a_forced_run_extracts_nothing_and_leaves_every_table_identical(built):
    out = built.outputs[2]
    assert "extracted this run: nothing new" in out and "run succeeded" in out
    before, after = dict(built.stable[1]), dict(built.stable[2])
    builds_before, builds_after = before.pop("ops.builds"), after.pop("ops.builds")
    assert int(builds_after.split(":")[0]) == int(builds_before.split(":")[0]) + 1  # one more build recorded
    assert after == before  # raw, staging, intermediate, marts: only last_seen moved
    assert built.checksums[2]["raw.report_files"] != built.checksums[1]["raw.report_files"]


def _resources(built: Built) -> dict:
    return {"xxgk": XxgkConfig(raw_dir=str(built.raw), staging_dir=str(built.home / "staging"),
                               warehouse=str(built.db))}


def test_schedule_skips_when_nothing_is_new_and_runs_when_a_file_arrives(built):
    def evaluate():
        return nightly_schedule(build_schedule_context(resources=_resources(built)))

    skipped = evaluate()
    assert isinstance(skipped, SkipReason) and skipped.skip_message.startswith("nothing new")
    new = built.raw / "new.txt"
    new.write_bytes(SEEDS[2].read_bytes() + b"\n")
    try:
        request = evaluate()
        assert isinstance(request, RunRequest)
    finally:
        new.unlink()
    assert isinstance(evaluate(), SkipReason)


def test_schedule_runs_when_the_code_or_the_warehouse_changed(built, tmp_path, monkeypatch):
    def evaluate(db: Path):
        resources = {"xxgk": XxgkConfig(raw_dir=str(built.raw), staging_dir=str(tmp_path), warehouse=str(db))}
        return nightly_schedule(build_schedule_context(resources=resources))

    with monkeypatch.context() as mp:
        mp.setattr(freshness, "code_state", lambda: "another dbt project")
        assert "code changed" in run_decision(built.raw, built.db).reason
        assert isinstance(evaluate(built.db), RunRequest)

    dropped = tmp_path / "dropped.duckdb"
    shutil.copyfile(built.db, dropped)
    with warehouse.connect(dropped) as con:
        con.execute("DROP TABLE marts.fct_permits")
    assert run_decision(built.raw, dropped).reason.startswith("dbt models missing from the warehouse: marts.fct_permits")
    assert isinstance(evaluate(dropped), RunRequest)

    edited = tmp_path / "edited.duckdb"
    shutil.copyfile(built.db, edited)
    with warehouse.connect(edited) as con:
        con.execute("DELETE FROM raw.proactive WHERE item = ?", ["administrative_permits"])
    assert run_decision(built.raw, edited).reason.startswith("the raw tables changed since the last successful build")


def test_sensor_consults_the_registry(built):
    def tick(cursor):
        return raw_files_sensor(build_sensor_context(cursor=cursor, resources=_resources(built)))

    fresh = tick(None)  # no cursor yet, but every file is registered and the marts are built
    assert not fresh.run_requests and "nothing new" in fresh.skip_reason.skip_message
    same = tick(fresh.cursor)
    assert not same.run_requests and "no change" in same.skip_reason.skip_message

    touched = built.raw / SEEDS[3].name  # a new mtime, the same bytes
    st = touched.stat()
    os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    result = tick(same.cursor)
    assert not result.run_requests and "1 changed, 0 removed on disk, but nothing new" in result.skip_reason.skip_message

    new = built.raw / "new.txt"
    new.write_bytes(SEEDS[2].read_bytes() + b"\n\n")
    try:
        added = tick(result.cursor)
        assert len(added.run_requests) == 1 and added.run_requests[0].tags["xxgk/new"] == "1"
    finally:
        new.unlink()
    gone = tick(added.cursor)  # the new file went before any run: nothing to do
    assert not gone.run_requests and "nothing new" in gone.skip_reason.skip_message


def test_sensor_keeps_its_cursor_while_the_warehouse_is_locked(built, monkeypatch):
    monkeypatch.setattr("pipelines.defs.resources.run_decision", lambda *a, **k: freshness.RunDecision(
        True, "the warehouse is locked by another writer", busy=True))
    result = raw_files_sensor(build_sensor_context(cursor='{"x": "1:1"}', resources=_resources(built)))
    assert not result.run_requests and result.cursor == '{"x": "1:1"}'
    assert "locked" in result.skip_reason.skip_message
