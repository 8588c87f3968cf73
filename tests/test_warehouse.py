"""The DuckDB raw schema: contract DDL, idempotent transactional loads, the file registry."""

from __future__ import annotations

import hashlib
import os
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines import rawdir, registry, warehouse
from pipelines.extract import Cell, Issue, Report
from pipelines.frames import REPORT_FILES, reports_to_frames
from pipelines.plan import Plan, make_plan

# The contract of the raw schema, spelled out (dbt's sources are built on exactly this).
ORIGIN = [("page", "INTEGER"), ("bbox", "VARCHAR"), ("table_no", "INTEGER"), ("table_row", "INTEGER"),
          ("table_col", "INTEGER")]
CONTRACT = {
    "reports": [("report_id", "VARCHAR"), ("source_file", "VARCHAR"), ("sha256", "VARCHAR"),
                ("agency", "VARCHAR"), ("year", "INTEGER"), ("layout", "VARCHAR"), ("published_on", "DATE"),
                ("rendering", "VARCHAR"), ("encoding", "VARCHAR"), ("parser_version", "VARCHAR"),
                ("n_warnings", "INTEGER")],
    "proactive": [("report_id", "VARCHAR"), ("item", "VARCHAR"), ("measure", "VARCHAR"),
                  ("value", "DECIMAL(38,4)"), ("line", "INTEGER"), *ORIGIN],
    "applications": [("report_id", "VARCHAR"), ("row", "VARCHAR"), ("applicant", "VARCHAR"),
                     ("value", "BIGINT"), ("line", "INTEGER"), *ORIGIN],
    "reviews": [("report_id", "VARCHAR"), ("proceeding", "VARCHAR"), ("outcome", "VARCHAR"),
                ("value", "BIGINT"), ("line", "INTEGER"), *ORIGIN],
    "issues": [("report_id", "VARCHAR"), ("severity", "VARCHAR"), ("code", "VARCHAR"), ("message", "VARCHAR"),
               ("line", "INTEGER"), ("section", "VARCHAR"), ("row_key", "VARCHAR")],
    "report_files": [("path", "VARCHAR"), ("sha256", "VARCHAR"), ("size_bytes", "BIGINT"),
                     ("encoding", "VARCHAR"), ("rendering", "VARCHAR"), ("layout", "VARCHAR"),
                     ("status", "VARCHAR"), ("reason", "VARCHAR"), ("report_id", "VARCHAR"),
                     ("first_seen", "TIMESTAMP"), ("last_seen", "TIMESTAMP"), ("parser_version", "VARCHAR")],
    "agencies": [("agency", "VARCHAR"), ("agency_key", "VARCHAR"), ("province", "VARCHAR"),
                 ("prefecture", "VARCHAR"), ("county", "VARCHAR"), ("division_code", "VARCHAR"),
                 ("admin_level", "VARCHAR"), ("sector", "VARCHAR"), ("region_status", "VARCHAR"),
                 ("region_reason", "VARCHAR"), ("dataset", "VARCHAR")],
}
PER_REPORT = ("reports", "proactive", "applications", "reviews", "issues")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def make_report(name: str, decisions: int = 17, extra: bool = False) -> tuple[Report, str]:
    digest = sha(name)
    cells = [
        Cell("proactive", "administrative_permits", "decisions", decisions, 10),
        Cell("proactive", "administrative_fees", "amount_yuan", Decimal("1234.5"), 11),
        Cell("applications", "new_received", "total", 4, 20),
        Cell("reviews", "review", "total", 1, 30),
    ]
    if extra:
        cells.append(Cell("applications", "granted", "total", 2, 21))
    r = Report(source=f"{name}.txt", report_id=digest[:16], agency="某局", year=2021, layout="2021",
               cells=cells, issues=[Issue("info", "note", "a note", 5)])
    return r, digest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "wh" / "warehouse.duckdb"


def snapshot(db: Path) -> dict[str, list[tuple]]:
    with warehouse.connect_read_only(db) as con:
        return {t: sorted(con.execute(f"SELECT * FROM raw.{t}").fetchall(), key=repr) for t in PER_REPORT}


def load(db: Path, *reports_and_shas, registry_frame=None, delete=()):
    reports = [r for r, _ in reports_and_shas]
    shas = {r.report_id: s for r, s in reports_and_shas}
    with warehouse.connect(db) as con:
        return warehouse.load_frames(con, reports_to_frames(reports, sha256=shas), registry=registry_frame,
                                     delete_report_ids=delete)


def test_schema_matches_the_contract(db):
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
        warehouse.ensure_schema(con)  # idempotent
        rows = con.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position"
        ).fetchall()
        pks = con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() "
            "WHERE schema_name = 'raw' AND constraint_type = 'PRIMARY KEY' ORDER BY table_name"
        ).fetchall()
    found: dict[str, list] = {}
    for table, column, dtype in rows:
        found.setdefault(table, []).append((column, dtype))
    assert found == CONTRACT
    assert pks == [("report_files", ["path"]), ("reports", ["report_id"])]


def test_schema_with_other_columns_is_refused(db):
    with warehouse.connect(db) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.reports (report_id VARCHAR)")
        with pytest.raises(RuntimeError, match="raw.reports has columns"):
            warehouse.ensure_schema(con)


def test_load_is_idempotent(db):
    a, b = make_report("a"), make_report("b")
    counts = load(db, a, b)
    assert counts == {"reports": 2, "proactive": 4, "applications": 2, "reviews": 2, "issues": 2}
    first = snapshot(db)
    load(db, a, b)
    assert snapshot(db) == first
    with warehouse.connect_read_only(db) as con:
        assert con.execute("SELECT value FROM raw.proactive WHERE measure = 'amount_yuan'").fetchall() == [
            (Decimal("1234.5000"),), (Decimal("1234.5000"),)
        ]


def test_reload_replaces_a_reports_rows_and_keeps_others(db):
    a, b = make_report("a"), make_report("b")
    load(db, a, b)
    a2 = make_report("a", decisions=99, extra=True)
    load(db, a2)
    with warehouse.connect_read_only(db) as con:
        decisions = dict(con.execute(
            "SELECT report_id, value FROM raw.proactive WHERE measure = 'decisions'").fetchall())
        apps = con.execute("SELECT report_id, count(*) FROM raw.applications GROUP BY 1 ORDER BY 1").fetchall()
        n_reports = con.execute("SELECT count(*) FROM raw.reports").fetchall()[0][0]
    assert decisions == {a[0].report_id: Decimal(99), b[0].report_id: Decimal(17)}
    assert dict(apps) == {a[0].report_id: 2, b[0].report_id: 1}
    assert n_reports == 2


def test_delete_report_ids_removes_reports_without_new_rows(db):
    a, b = make_report("a"), make_report("b")
    load(db, a, b)
    with warehouse.connect(db) as con:
        warehouse.load_frames(con, {}, delete_report_ids=[a[0].report_id])
    snap = snapshot(db)
    assert all(row[0] == b[0].report_id for t in PER_REPORT for row in snap[t])


def test_failing_insert_rolls_back_and_keeps_old_rows(db):
    a, b = make_report("a"), make_report("b")
    load(db, a, b)
    before = snapshot(db)
    # The same report twice in one batch violates raw.reports' primary key *after* the deletes
    # and some inserts ran: everything must roll back.
    a2 = make_report("a", decisions=99)
    frames = reports_to_frames([a2[0], a2[0]], sha256={a2[0].report_id: a2[1]})
    with warehouse.connect(db) as con, pytest.raises(duckdb.ConstraintException):
        warehouse.load_frames(con, frames)
    assert snapshot(db) == before


def test_failing_registry_upsert_rolls_back_the_rows_too(db):
    a = make_report("a")
    load(db, a)
    before = snapshot(db)
    now = datetime(2024, 1, 1)
    row = {"path": "a.txt", "sha256": a[1], "size_bytes": 1, "encoding": None, "rendering": None, "layout": None,
           "status": "loaded", "reason": None, "report_id": a[0].report_id, "first_seen": now, "last_seen": now,
           "parser_version": "1"}
    dup_paths = pl.DataFrame([row, row], schema=REPORT_FILES)
    a2 = make_report("a", decisions=99)
    with warehouse.connect(db) as con, pytest.raises(ValueError, match="repeat paths"):
        warehouse.load_frames(con, reports_to_frames([a2[0]], sha256={a2[0].report_id: a2[1]}), registry=dup_paths)
    assert snapshot(db) == before
    assert warehouse.read_report_files(db).height == 0


def test_registry_upsert_keeps_first_seen(db):
    t1, t2 = datetime(2024, 1, 1), datetime(2024, 2, 1)

    def row(status: str, seen: datetime) -> dict:
        return {"path": "x.txt", "sha256": "ab" * 32, "size_bytes": 3, "encoding": "utf-8", "rendering": "pipe",
                "layout": "2021", "status": status, "reason": None, "report_id": None, "first_seen": seen,
                "last_seen": seen, "parser_version": "1"}

    with warehouse.connect(db) as con:
        warehouse.load_frames(con, {}, registry=pl.DataFrame([row("loaded", t1)], schema=REPORT_FILES))
        warehouse.load_frames(con, {}, registry=pl.DataFrame([row("removed", t2)], schema=REPORT_FILES))
    reg = warehouse.read_report_files(db)
    assert reg.select("status", "first_seen", "last_seen").rows() == [("removed", t1, t2)]
    assert reg.schema == pl.Schema(REPORT_FILES)


def test_connections_are_closed_and_readers_are_read_only(db):
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
    with pytest.raises(duckdb.ConnectionException):
        con.execute("SELECT 1")
    with warehouse.connect_read_only(db) as ro, pytest.raises(duckdb.Error, match="read-only"):
        ro.execute("CREATE TABLE raw.t (x INTEGER)")
    # closed even when the body raises: a writer can open the file right after
    with pytest.raises(RuntimeError, match="boom"), warehouse.connect_read_only(db):
        raise RuntimeError("boom")
    with warehouse.connect(db) as con:
        assert con.execute("SELECT count(*) FROM raw.reports").fetchall() == [(0,)]


def test_read_report_files_without_a_warehouse(tmp_path):
    reg = warehouse.read_report_files(tmp_path / "missing.duckdb")
    assert reg.height == 0 and reg.schema == pl.Schema(REPORT_FILES)
    assert not (tmp_path / "missing.duckdb").exists()


# ------------------------------------------------------------------------------------------- registry


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_scan_takes_regular_files_and_no_links_out_of_the_raw_dir(tmp_path):
    raw = tmp_path / "raw"
    write(raw / "a.txt", "A")
    write(raw / "sub" / "b.txt", "B")
    write(raw / ".hidden", "H")
    write(tmp_path / "outside.txt", "O")
    os.symlink(tmp_path / "outside.txt", raw / "link_out.txt")
    os.symlink(raw / "a.txt", raw / "link_in.txt")
    os.symlink(tmp_path, raw / "dirlink")
    entries = rawdir.scan_dir(raw).files
    assert [e.path for e in entries] == ["a.txt", "link_in.txt", "sub/b.txt"]
    a = entries[0]
    assert a.sha256 == sha("A") and a.size == 1 and a.report_id == sha("A")[:16]
    assert set(rawdir.fingerprints(raw)) == {"a.txt", "link_in.txt", "sub/b.txt"}


def _apply(plan: Plan, db: Path, status: str = "loaded") -> None:
    """Stand in for extraction + load: every planned file 'loads' with the given status."""
    outcomes = {
        e.path: registry.Outcome(e.path, status, None, e.report_id if status != "rejected" else None,
                                 "utf-8", "pipe", "2021", plan.parser_version)
        for e in plan.to_extract
    }
    with warehouse.connect(db) as con:
        warehouse.load_frames(con, {}, registry=registry.extracted_rows(plan, plan.to_extract, outcomes))
        warehouse.load_frames(con, {}, registry=registry.remaining_rows(plan, outcomes))


def test_plan_is_incremental(tmp_path, db):
    raw = tmp_path / "raw"
    write(raw / "a.txt", "A")
    write(raw / "b.txt", "B")
    write(raw / "copy_of_a.txt", "A")

    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    assert [e.path for e in plan.to_extract] == ["a.txt", "b.txt"]
    assert plan.duplicates == {"copy_of_a.txt": "a.txt"}
    _apply(plan, db)
    reg = {r["path"]: r for r in warehouse.read_report_files(db).iter_rows(named=True)}
    assert reg["copy_of_a.txt"]["status"] == "duplicate"
    assert reg["copy_of_a.txt"]["reason"] == "same content as a.txt"
    assert reg["copy_of_a.txt"]["report_id"] == sha("A")[:16]

    # nothing changed: nothing to extract
    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    assert plan.to_extract == [] and plan.unchanged == ["a.txt", "b.txt"] and plan.removed == []

    # a new parser version re-extracts every primary
    plan2 = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "2.0")
    assert [e.path for e in plan2.to_extract] == ["a.txt", "b.txt"]

    # b changes, a vanishes (its copy takes over), c is new
    write(raw / "b.txt", "B2")
    (raw / "a.txt").unlink()
    write(raw / "c.txt", "C")
    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    assert [e.path for e in plan.to_extract] == ["b.txt", "c.txt", "copy_of_a.txt"]
    assert plan.removed == ["a.txt"]
    assert plan.stale_report_ids == [sha("B")[:16]]  # A is still backed by its copy
    _apply(plan, db)
    reg = {r["path"]: r for r in warehouse.read_report_files(db).iter_rows(named=True)}
    assert reg["a.txt"]["status"] == "removed" and reg["a.txt"]["report_id"] == sha("A")[:16]
    assert reg["copy_of_a.txt"]["status"] == "loaded"
    assert reg["b.txt"]["sha256"] == sha("B2")


def test_rejected_files_are_not_re_extracted_and_removed_ones_lose_their_report(tmp_path, db):
    raw = tmp_path / "raw"
    write(raw / "bad.bin", "\x00")
    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    _apply(plan, db, status="rejected")
    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    assert plan.to_extract == [] and plan.unchanged == ["bad.bin"]
    (raw / "bad.bin").unlink()
    plan = make_plan(raw, rawdir.scan_dir(raw).files, warehouse.read_report_files(db), "1.0")
    assert plan.removed == ["bad.bin"]
    rows = registry.remaining_rows(plan, {})
    assert rows.select("path", "status", "report_id").rows() == [("bad.bin", "removed", None)]


def test_outcome_statuses():
    r, _ = make_report("a")
    assert registry.outcome_of(r, "a.txt", "1").status == "loaded"
    r.add_issue("warning", "blank_cell", "x", 3)
    o = registry.outcome_of(r, "a.txt", "1")
    assert (o.status, o.reason, o.report_id) == ("loaded_with_warnings", "1 warning(s): blank_cell", r.report_id)
    r.add_issue("error", "binary_file", "not text")
    o = registry.outcome_of(r, "a.txt", "1")
    assert (o.status, o.report_id) == ("rejected", None)
    assert "binary_file: not text" in o.reason
