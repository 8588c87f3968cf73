"""Faults (issue 5, item 4): a process killed in the middle of a load, two runs at once, a failing dbt build.

Every fault is caused for real, in a subprocess:

1. A loader process SIGKILLs itself at a chosen statement of ``warehouse.load_frames``'s transaction
   (a connection proxy watches BEGIN / each DELETE / each INSERT / COMMIT); afterwards every report is
   entirely its old version (killed before COMMIT) or entirely its new version (killed after it), in
   every raw table and in the registry, and the next load recovers.
2. Two ``xxgk run`` processes on one warehouse, raw dir and DAGSTER_HOME: the warehouse ends as after a
   single run; a run that loses the race must wait or stop with a clear message about the DuckDB lock.
3. ``dbt build`` fails after a good run (a raw row that fails a dbt source test; a value that breaks
   a mart's SQL at run time): the run reports failure and the previous marts stay readable with their
   previous rows.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from conftest import RAW

from pipelines import warehouse

# ============================================================================================
# 1. A load killed at a chosen point of its transaction

DRIVER = textwrap.dedent('''
    """Load old versions of reports a, b, c; then new versions of a and b, SIGKILLing this process at
    the event named by argv[2] (see KillingConnection). Exit code 3: the event never happened."""
    import os
    import re
    import signal
    import sys
    from datetime import datetime
    from decimal import Decimal

    import polars as pl

    from pipelines import warehouse
    from pipelines.extract import Cell, Issue, Report
    from pipelines.frames import REPORT_FILES, reports_to_frames

    IDS = {"a": "a" * 16, "b": "b" * 16, "c": "c" * 16}
    SEEN = {"old": datetime(2024, 1, 1, 2, 0), "new": datetime(2024, 1, 2, 2, 0)}
    BIG = 150_000  # proactive rows of the large new version: more than one DuckDB row group


    def report(name, version, size="small"):
        """Every table's rows differ between the versions: values, row counts, issues, metadata."""
        old = version == "old"
        base = 10 if old else 20
        cells = [
            Cell("proactive", "administrative_permits", "decisions", base + 1, 10),
            Cell("proactive", "administrative_fees", "amount_yuan", Decimal("1234.5") if old else Decimal("99.25"), 11),
            Cell("applications", "new_received", "total", base + 2, 20),
            Cell("reviews", "review", "total", base + 3, 30),
        ]
        if not old:
            cells += [Cell("applications", "granted", "total", base + 4, 21),
                      Cell("reviews", "review", "upheld", base + 5, 31)]
            if size == "large" and name == "a":
                cells += [Cell("proactive", "regulations", "issued", i, 100 + i) for i in range(BIG)]
        issues = [Issue("info", "note", f"{name} {version}", 5)]
        if not old:
            issues.append(Issue("warning", "blank_cell", f"{name} blank", 6))
        return Report(source=f"{name}.txt", report_id=IDS[name], agency=f"{name}局" if old else f"{name}新局",
                      year=2020 if old else 2021, layout="2019" if old else "2021", cells=cells, issues=issues)


    def batch(version, size="small"):
        names = "abc" if version == "old" else "ab"
        reports = [report(n, version, size) for n in names]
        sha = {IDS[n]: (n + version) * 8 for n in names}
        status = "loaded" if version == "old" else "loaded_with_warnings"
        registry = pl.DataFrame(
            [{"path": f"{n}.txt", "sha256": sha[IDS[n]], "size_bytes": 100 if version == "old" else 200,
              "encoding": "utf-8", "rendering": "pipe", "layout": "2019" if version == "old" else "2021",
              "status": status, "reason": None if version == "old" else "1 warning(s): blank_cell",
              "report_id": IDS[n], "first_seen": SEEN[version], "last_seen": SEEN[version],
              "parser_version": version}
             for n in names],
            schema=REPORT_FILES,
        )
        return reports, sha, registry


    def load(con, version, size="small"):
        reports, sha, registry = batch(version, size)
        return warehouse.load_frames(con, reports_to_frames(reports, sha256=sha), registry=registry)


    class KillingConnection:
        """Delegates to a DuckDB connection and SIGKILLs the process right after the event ``kill_at``:
        begin, delete:<table>, insert:<table> (statements inside the transaction), commit (COMMIT
        called, not yet run), committed (COMMIT done; views not yet dropped, connection still open)."""

        STATEMENT = re.compile(r'\\s*(DELETE FROM|INSERT INTO) raw\\."?(\\w+)"?', re.IGNORECASE)

        def __init__(self, con, kill_at):
            self._con, self._kill_at, self._in_transaction, self.events = con, kill_at, False, []

        def __getattr__(self, name):
            return getattr(self._con, name)

        def _event(self, name):
            self.events.append(name)
            if name == self._kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

        def begin(self):
            result = self._con.begin()
            self._in_transaction = True
            self._event("begin")
            return result

        def execute(self, sql, *args, **kwargs):
            result = self._con.execute(sql, *args, **kwargs)
            match = self.STATEMENT.match(sql) if self._in_transaction else None
            if match:
                self._event(("delete:" if match.group(1).upper().startswith("DELETE") else "insert:") + match.group(2))
            return result

        def commit(self):
            self._event("commit")
            result = self._con.commit()
            self._in_transaction = False
            self._event("committed")
            return result


    def main(database, kill_at, size):
        with warehouse.connect(database) as con:
            load(con, "old")
        with warehouse.connect(database) as con:
            proxy = KillingConnection(con, kill_at)
            load(proxy, "new", size)
        print("kill point never reached; events:", proxy.events)
        return 3


    if __name__ == "__main__":
        sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3]))
''')

RAW_TABLES = ("reports", "proactive", "applications", "reviews", "issues", "report_files")
REPORT_IDS = ("a" * 16, "b" * 16, "c" * 16)  # c is in the old batch only: no load may touch it

# (kill point, size of the new batch). Before COMMIT every report must be old, after it new.
BEFORE_COMMIT = [
    ("begin", "small"),
    ("delete:reports", "small"),  # the first DELETE: raw.reports rows gone inside the transaction
    ("delete:issues", "small"),  # every DELETE done, nothing inserted
    ("insert:reports", "small"),
    ("insert:applications", "small"),  # half the tables written
    ("insert:report_files", "small"),  # every row written, registry upserted
    ("commit", "small"),  # COMMIT called, not run
    ("insert:proactive", "large"),  # 150,000 rows: DuckDB writes row groups to the file before COMMIT
    ("commit", "large"),
]
AFTER_COMMIT = [("committed", "small"), ("committed", "large")]


@pytest.fixture(scope="module")
def driver(tmp_path_factory) -> tuple[Path, ModuleType]:
    """The driver script, written to a temporary file, and the same file imported here."""
    path = tmp_path_factory.mktemp("driver") / "kill_driver.py"
    path.write_text(DRIVER, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("kill_driver", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return path, module


def raw_state(database: Path) -> dict[str, dict[str, list[tuple]]]:
    """report_id -> table -> its rows (sorted), over the per-report raw tables and the registry."""
    state: dict[str, dict[str, list[tuple]]] = {rid: {t: [] for t in RAW_TABLES} for rid in REPORT_IDS}
    with warehouse.connect_read_only(database) as con:
        for table in RAW_TABLES:
            columns = [r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()]
            key = columns.index("report_id")
            for row in con.execute(f"SELECT * FROM raw.{table}").fetchall():
                state.setdefault(row[key], {t: [] for t in RAW_TABLES})[table].append(row)
    return {rid: {t: sorted(rows, key=repr) for t, rows in tables.items()} for rid, tables in state.items()}


@pytest.fixture(scope="module")
def expected(driver, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """The raw state after the old batch only, and after old + new, built without any kill."""
    _, module = driver
    out = {}
    for size in ("small", "large"):
        root = tmp_path_factory.mktemp(f"expected_{size}")
        old_db, new_db = root / "old.duckdb", root / "new.duckdb"
        with warehouse.connect(old_db) as con:
            module.load(con, "old")
        with warehouse.connect(new_db) as con:
            module.load(con, "old")
            module.load(con, "new", size)
        out["old", size], out["new", size] = raw_state(old_db), raw_state(new_db)
        # the test means something only if the versions differ in every table of a and b
        for rid in REPORT_IDS[:2]:
            assert all(out["old", size][rid][t] != out["new", size][rid][t] for t in RAW_TABLES), rid
        assert out["old", size][REPORT_IDS[2]] == out["new", size][REPORT_IDS[2]]
    return out


def versions(state: dict, old: dict, new: dict) -> dict[str, dict[str, str]]:
    """report_id -> table -> 'old' | 'new' | 'neither' (a report untouched by the new batch is 'old')."""
    return {
        rid: {t: "old" if got[t] == old.get(rid, {}).get(t) else "new" if got[t] == new.get(rid, {}).get(t)
              else "neither" for t in RAW_TABLES}
        for rid, got in sorted(state.items())
    }


def run_killed_load(driver_path: Path, database: Path, kill_at: str, size: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(driver_path), str(database), kill_at, size],
        capture_output=True, text=True, timeout=300, cwd=database.parent,
    )
    assert proc.returncode == -signal.SIGKILL, (
        f"the loader was not killed at {kill_at!r} (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}"
    )


@pytest.mark.parametrize(("kill_at", "size"), BEFORE_COMMIT + AFTER_COMMIT)
def test_a_load_killed_midway_leaves_each_report_fully_old_or_fully_new(driver, expected, tmp_path, kill_at, size):
    database = tmp_path / "warehouse.duckdb"
    run_killed_load(driver[0], database, kill_at, size)

    committed = (kill_at, size) in AFTER_COMMIT
    want = "new" if committed else "old"
    old, new = expected["old", size], expected["new", size]
    state = raw_state(database)  # a read-only open of the file the killed process left
    assert versions(state, old, new) == {rid: dict.fromkeys(RAW_TABLES, "old" if rid == REPORT_IDS[2] else want)
                                         for rid in REPORT_IDS}
    assert state == (new if committed else old)

    # The next night's load recovers: a writer opens the file and loads the new batch in full.
    _, module = driver
    with warehouse.connect(database) as con:
        module.load(con, "new", size)
    assert raw_state(database) == new


# ============================================================================================
# 2 and 3. Whole `xxgk run` processes

RUN_TIMEOUT = 600


def xxgk_command() -> list[str]:
    script = Path(sys.executable).parent / "xxgk"
    return [str(script), "run"] if script.exists() else [sys.executable, "-m", "pipelines.cli", "run"]


def run_env(database: Path, raw: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "XXGK_BATCH_SIZE"}
    env.update(XXGK_WAREHOUSE=str(database), XXGK_RAW_DIR=str(raw), DAGSTER_HOME=str(home), DO_NOT_TRACK="1")
    return env


@dataclass
class RunResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def start_run(database: Path, raw: Path, home: Path, log_dir: Path, name: str) -> tuple[subprocess.Popen, float]:
    log_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        xxgk_command(), env=run_env(database, raw, home), cwd=log_dir,
        stdout=open(log_dir / f"{name}.out", "w"), stderr=open(log_dir / f"{name}.err", "w"),  # noqa: SIM115
    )
    return proc, time.monotonic()


def finish_run(proc: subprocess.Popen, started: float, log_dir: Path, name: str) -> RunResult:
    try:
        code = proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise
    finally:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    return RunResult(code, (log_dir / f"{name}.out").read_text(), (log_dir / f"{name}.err").read_text(),
                     time.monotonic() - started)


def xxgk_run(database: Path, raw: Path, home: Path, log_dir: Path, name: str = "run") -> RunResult:
    return finish_run(*start_run(database, raw, home, log_dir, name), log_dir, name)


def describe(run: RunResult) -> str:
    return f"exit {run.returncode} after {run.seconds:.0f} s\nstdout:\n{run.stdout}\nstderr (tail):\n{run.stderr[-4000:]}"


def relations(con, schema: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name", [schema]
    ).fetchall()]


def rows(con, schema: str, name: str) -> list[tuple]:
    return sorted(con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall(), key=repr)


@dataclass
class Snapshot:
    raw: dict[str, list[tuple]]  # the per-report raw tables, every row
    registry: list[tuple]  # raw.report_files without its timestamps
    marts: dict[str, list[tuple]]  # every relation of the marts schema, every row


def snapshot(database: Path) -> Snapshot:
    """Everything a user reads, through a read-only connection; also queries every staging and
    intermediate view, so a view left pointing at nothing fails here."""
    with warehouse.connect_read_only(database) as con:
        raw = {t: rows(con, "raw", t) for t in RAW_TABLES if t != "report_files"}
        registry = sorted(con.execute(
            "SELECT path, sha256, size_bytes, encoding, rendering, layout, status, reason, report_id, parser_version "
            "FROM raw.report_files").fetchall(), key=repr)
        for schema in ("staging", "intermediate"):
            for view in relations(con, schema):
                con.execute(f'SELECT count(*) FROM "{schema}"."{view}"').fetchall()
        marts = {m: rows(con, "marts", m) for m in relations(con, "marts")}
    return Snapshot(raw, registry, marts)


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw_copy") / "raw"
    shutil.copytree(RAW, raw)
    return raw


@dataclass
class Baseline:
    database: Path
    snapshot: Snapshot
    run: RunResult


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, raw_dir) -> Baseline:
    """One good run on a fresh warehouse: the reference for the faults below."""
    root = tmp_path_factory.mktemp("baseline")
    database = root / "warehouse.duckdb"
    run = xxgk_run(database, raw_dir, root / "dagster_home", root)
    assert run.returncode == 0, describe(run)
    snap = snapshot(database)
    assert snap.raw["reports"] and snap.marts, "the baseline run built nothing"
    return Baseline(database, snap, run)


# --------------------------------------------------------------------------------------------
# 2. Two runs at once


@dataclass
class TwoRuns:
    database: Path
    runs: list[RunResult]


@pytest.fixture(scope="module")
def two_runs_at_once(tmp_path_factory, raw_dir) -> TwoRuns:
    """Two `xxgk run` processes started together on one fresh warehouse, raw dir and DAGSTER_HOME."""
    root = tmp_path_factory.mktemp("two_runs")
    database, home = root / "warehouse.duckdb", root / "dagster_home"
    started = [start_run(database, raw_dir, home, root, name) for name in ("first", "second")]
    runs = [finish_run(proc, t0, root, name) for (proc, t0), name in zip(started, ("first", "second"), strict=True)]
    return TwoRuns(database, runs)


def names_the_lock(run: RunResult, database: Path) -> bool:
    text = run.stdout + run.stderr
    return "lock" in text.lower() and database.name in text


def report_of(runs: list[RunResult]) -> str:
    return "\n\n".join(f"run {i + 1}: {describe(r)}" for i, r in enumerate(runs))


def test_two_runs_at_once_corrupt_nothing(two_runs_at_once, baseline):
    """Whatever the two runs did to each other, the warehouse holds exactly what one run builds."""
    runs, database = two_runs_at_once.runs, two_runs_at_once.database
    for run in runs:  # a run may lose the race, but only to the DuckDB lock, never to anything else
        assert run.returncode == 0 or names_the_lock(run, database), report_of(runs)

    after = snapshot(database)  # opens read-only: no lock left behind, every view and mart queryable
    assert {t: len(r) for t, r in after.raw.items()} == {t: len(r) for t, r in baseline.snapshot.raw.items()}
    assert after.raw == baseline.snapshot.raw  # no report loaded twice, none lost
    assert after.registry == baseline.snapshot.registry
    for mart, mart_rows in after.marts.items():  # no mart half-built or built from half-loaded raw tables
        assert mart_rows == baseline.snapshot.marts[mart], mart


def test_a_run_that_meets_another_waits_or_stops_with_a_clear_lock_message(two_runs_at_once, baseline):
    runs, database = two_runs_at_once.runs, two_runs_at_once.database
    assert any(r.returncode == 0 for r in runs), f"neither run completed:\n{report_of(runs)}"
    assert snapshot(database).marts == baseline.snapshot.marts
    for run in runs:
        if run.returncode == 0:
            continue  # it waited for the other run, then did its work
        assert names_the_lock(run, database), describe(run)
        assert "Traceback (most recent call last)" not in run.stderr, describe(run)
        assert len(run.stderr.strip().splitlines()) <= 10, describe(run)


# --------------------------------------------------------------------------------------------
# 3. A failing dbt build

FAKE_ID = "f" * 16  # no file backs it: no load deletes it, so it is still there when dbt runs


def inject(database: Path, fault: str) -> None:
    """Rows that make the next `dbt build` fail, written straight into the raw schema."""
    with warehouse.connect(database) as con:
        if fault == "source_test":
            # raw.reports.year must lie in [2000, 2100] (a dbt source test, severity error): every model
            # downstream of raw.reports, i.e. every mart, is skipped.
            con.execute("INSERT INTO raw.reports (report_id, source_file, agency, year, layout, n_warnings) "
                        "VALUES (?, 'injected.txt', '注入测试局', 1900, '2021', 0)", [FAKE_ID])
        elif fault == "model_error":
            # A valid report whose permit count does not fit the BIGINT of fct_permits: the source tests
            # pass, staging builds, then fct_permits fails with a conversion error at run time.
            con.execute("INSERT INTO raw.reports (report_id, source_file, agency, year, layout, n_warnings) "
                        "VALUES (?, 'injected.txt', '注入测试局', 2021, '2021', 0)", [FAKE_ID])
            con.execute("INSERT INTO raw.proactive (report_id, item, measure, value, line) VALUES "
                        "(?, 'administrative_permits', 'decisions', CAST('1e30' AS DECIMAL(38, 4)), 1)", [FAKE_ID])
        else:
            raise ValueError(fault)


@pytest.mark.parametrize("fault", ["source_test", "model_error"])
def test_a_failing_dbt_build_leaves_the_previous_marts_readable(baseline, raw_dir, tmp_path, fault):
    database = tmp_path / "warehouse.duckdb"
    shutil.copy2(baseline.database, database)
    wal = baseline.database.with_name(baseline.database.name + ".wal")
    if wal.exists():
        shutil.copy2(wal, database.with_name(database.name + ".wal"))
    inject(database, fault)

    before = snapshot(database)
    run = xxgk_run(database, raw_dir, tmp_path / "dagster_home", tmp_path)
    assert run.returncode != 0, describe(run)
    last = run.stderr.strip().splitlines()[-1]
    assert "FAILED at step xxgk_dbt" in last and "the published warehouse is unchanged" in last, describe(run)
    assert "Traceback" not in run.stderr, describe(run)

    # the run built in its working copy and published nothing: every table is exactly as before it,
    # the injected row included (no mix of two builds)
    after = snapshot(database)
    assert after == before
    with warehouse.connect_read_only(database) as con:
        assert con.execute("SELECT count(*) FROM raw.reports WHERE report_id = ?", [FAKE_ID]).fetchall() == [(1,)]
    assert set(after.marts) == set(baseline.snapshot.marts)


def test_a_run_that_finds_the_lock_held_stops_with_one_clear_line(tmp_path):
    """The lock is held by another process (within one process it is re-entrant: `xxgk run` holds it
    and the run it executes takes it again)."""
    from pipelines.runlock import WarehouseBusyError, warehouse_lock

    database = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from pipelines.runlock import "
         "warehouse_lock\nwith warehouse_lock(Path(sys.argv[1]), 0):\n print('held', flush=True); time.sleep(60)",
         str(database)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "held"
        messages: list[str] = []
        with pytest.raises(WarehouseBusyError) as exc, warehouse_lock(database, 0.6, say=messages.append):
            pass
    finally:
        holder.kill()
        holder.wait()
    assert "lock" in str(exc.value) and database.name in str(exc.value) and str(holder.pid) in str(exc.value)
    assert len(messages) == 1 and "waiting up to" in messages[0]
    with warehouse_lock(database, 0):  # released: the next run takes it at once
        pass
