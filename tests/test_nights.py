"""Nights that hold (issue 11): each situation caused for real, with `xxgk run` in a subprocess.

- the raw dir mistyped: exit 2 with one line, the published warehouse byte for byte as it was;
- the raw dir emptied: nothing retired without ``--retire-missing``; with it, every report retired;
- an analyst holds the published file open read-only through a run: the run publishes, the reader's
  queries never fail, its connection keeps the old snapshot, a new connection sees the new build;
- the run SIGKILLed while dbt builds: the published file is exactly the old one, the next run recovers
  (it fails the killed run, which still held the warehouse pool's slot: tests/test_stale_runs.py);
- a corrupt warehouse and a full disk (a real 12 MB tmpfs): one line saying what to do, nothing changed;
- another writer holds the lock: a Dagster run waits, saying for whom, or stops with one line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, RAW, table_checksums
from test_faults import describe, run_env, xxgk_command

from pipelines import publish, warehouse

RUN_TIMEOUT = 900


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(database: Path, raw: Path, home: Path, *args: str, extra_env: dict | None = None):
    env = {**run_env(database, raw, home), **(extra_env or {})}
    started = time.monotonic()
    proc = subprocess.run([*xxgk_command()[:-1], *args], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    from test_faults import RunResult

    return RunResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def checksums(database: Path) -> dict[str, str]:
    with warehouse.connect_read_only(database) as con:
        return table_checksums(con, volatile=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One good run on the sample reports: its raw dir and its published warehouse."""
    root = tmp_path_factory.mktemp("night")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    database = root / "warehouse.duckdb"
    run = run_cli(database, raw, root / "home", "run")
    assert run.returncode == 0, describe(run)
    assert "warehouse published by run" in run.stdout, describe(run)
    return root, raw, database


@pytest.fixture
def copy(built, tmp_path):
    """A private copy of the built warehouse and raw dir for one test."""
    _, raw, database = built
    shutil.copytree(raw, tmp_path / "raw")
    shutil.copy2(database, tmp_path / "warehouse.duckdb")
    return tmp_path / "raw", tmp_path / "warehouse.duckdb", tmp_path / "home"


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    assert "Traceback" not in stderr, stderr[-3000:]
    return lines[-1]


def test_a_mistyped_raw_dir_stops_with_one_line_and_changes_nothing(copy, tmp_path):
    raw, database, home = copy
    before = file_digest(database)
    run = run_cli(database, tmp_path / "raw-typo", home, "run")
    assert run.returncode == 2, describe(run)
    assert len(run.stderr.strip().splitlines()) == 1, describe(run)
    assert "raw-typo does not exist" in one_line(run.stderr) and "XXGK_RAW_DIR" in run.stderr
    assert file_digest(database) == before


def test_an_emptied_raw_dir_retires_nothing_until_told_to(copy, tmp_path):
    raw, database, home = copy
    before = checksums(database)
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_cli(database, empty, home, "run")
    assert run.returncode == 0, describe(run)
    assert "5 of 5 registered file(s) are missing" in run.stdout and "--retire-missing" in run.stdout, describe(run)
    assert checksums(database) == before  # skipped: nothing new, nothing retired
    with warehouse.connect_read_only(database) as con:
        assert dict(con.execute("SELECT status, count(*) FROM raw.report_files GROUP BY 1").fetchall()) == {"loaded": 5}

    run = run_cli(database, empty, home, "run", "--retire-missing")
    assert run.returncode == 0, describe(run)
    with warehouse.connect_read_only(database) as con:
        assert dict(con.execute("SELECT status, count(*) FROM raw.report_files GROUP BY 1").fetchall()) == {"removed": 5}
        assert con.execute("SELECT count(*) FROM marts.dim_report").fetchall() == [(0,)]


READER = textwrap.dedent('''
    """Hold the published warehouse read-only through a run; query it all along."""
    import sys, time, duckdb
    database, stop = sys.argv[1], sys.argv[2]
    SQL = "SELECT count(*), sum(hash(report_id)) FROM marts.dim_report"
    con = duckdb.connect(database, read_only=True)
    first = con.execute(SQL).fetchall()[0]
    print("ready", flush=True)
    errors = queries = 0
    import os
    while not os.path.exists(stop):
        try:
            other = duckdb.connect(database, read_only=True)  # a second reader, opened during the run
            other.execute(SQL).fetchall()
            other.close()
            con.execute(SQL).fetchall()
            queries += 1
        except duckdb.Error as exc:
            errors += 1
            print("error", exc, flush=True)
        time.sleep(0.05)
    same = con.execute(SQL).fetchall()[0]
    con.close()
    fresh = duckdb.connect(database, read_only=True).execute(SQL).fetchall()[0]
    print(f"result {queries} {errors} {first == same} {fresh[0]} {first[0]}", flush=True)
''')


def test_a_reader_holding_the_warehouse_never_blocks_the_run_nor_sees_a_mix(copy, tmp_path):
    raw, database, home = copy
    shutil.copy(FIXTURES / "real" / "003_pingtan_2025.txt", raw / "pingtan_2025.txt")  # the run changes the marts
    script = tmp_path / "reader.py"
    script.write_text(READER, encoding="utf-8")
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, str(script), str(database), str(stop)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert reader.stdout.readline().strip() == "ready"
        run = run_cli(database, raw, home, "run")
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=120)
    assert run.returncode == 0, describe(run)
    result = [line for line in out.splitlines() if line.startswith("result")][0].split()
    queries, errors, same, fresh, first = int(result[1]), int(result[2]), result[3], int(result[4]), int(result[5])
    assert errors == 0 and queries > 10, out
    assert same == "True", "the reader's open connection must keep its old snapshot"
    assert (first, fresh) == (5, 6), "a new connection sees the new build"


def _dbt_child(pid: int) -> bool:
    """Whether a descendant of ``pid`` runs dbt build."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            group = os.getpgid(int(entry.name))
        except (OSError, ProcessLookupError):
            continue
        if b"dbt" in cmd and b" build" in cmd and group == pid:
            return True
    return False


def test_a_run_killed_while_dbt_builds_leaves_the_published_file_as_it_was(copy):
    raw, database, home = copy
    shutil.copy(FIXTURES / "real" / "003_pingtan_2025.txt", raw / "pingtan_2025.txt")
    before = file_digest(database)
    err = home.parent / "killed.err"
    with open(err, "w") as stderr:
        proc = subprocess.Popen(xxgk_command(), env=run_env(database, raw, home), start_new_session=True,
                                stdout=stderr, stderr=stderr)
    deadline = time.monotonic() + RUN_TIMEOUT
    while not _dbt_child(proc.pid):
        assert proc.poll() is None, f"the run ended before dbt started: {err.read_text()[-3000:]}"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(2)  # dbt is writing the working copy
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert file_digest(database) == before
    run = run_cli(database, raw, home, "run")  # the next run starts afresh from the published file
    assert run.returncode == 0, describe(run)
    with warehouse.connect_read_only(database) as con:
        assert con.execute("SELECT count(*) FROM marts.dim_report").fetchall() == [(6,)]
    assert not publish.working_path(database).exists()


def test_a_corrupt_warehouse_says_to_move_it_aside(copy):
    raw, database, home = copy
    data = bytearray(database.read_bytes())
    data[:8192] = os.urandom(8192)
    database.write_bytes(bytes(data))
    before = file_digest(database)
    run = run_cli(database, raw, home, "run", "--force")
    assert run.returncode == 1, describe(run)
    line = one_line(run.stderr)
    assert "is corrupt: move it aside and run again" in line, describe(run)
    assert file_digest(database) == before


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_with_one_line_and_leaves_the_published_file(copy, small_disk):
    raw, database, home = copy
    shutil.copy(FIXTURES / "real" / "003_pingtan_2025.txt", raw / "pingtan_2025.txt")
    published = small_disk / "warehouse.duckdb"
    shutil.copy2(database, published)  # ~7.6 MB: a second copy does not fit in 12 MB
    before = file_digest(published)
    run = run_cli(published, raw, home, "run")
    assert run.returncode == 1, describe(run)
    assert f"the disk is full at {small_disk}" in one_line(run.stderr), describe(run)
    assert file_digest(published) == before
    assert not publish.working_path(published).exists()


HOLDER = textwrap.dedent('''
    import sys, time
    from pathlib import Path
    from pipelines.runlock import warehouse_lock
    with warehouse_lock(Path(sys.argv[1]), 0, who="xxgk run (test holder)"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
''')


def test_a_dagster_run_waits_for_the_writer_lock_and_says_for_whom(copy, tmp_path, monkeypatch):
    from conftest import pipeline_defs
    from dagster import DagsterInstance

    from pipelines.defs.automation import JOB_NAME

    raw, database, home = copy
    before = file_digest(database)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(database), "60"], stdout=subprocess.PIPE,
                              text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
        monkeypatch.setenv("XXGK_WAREHOUSE", str(database))
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        monkeypatch.setenv("XXGK_LOCK_WAIT", "2")
        instance = DagsterInstance.ephemeral()
        result = pipeline_defs(dbt=False).resolve_job_def(JOB_NAME).execute_in_process(
            instance=instance, raise_on_error=False)
    finally:
        holder.kill()
        holder.wait()
    assert not result.success
    messages = " ".join(r.message for r in instance.all_logs(result.run_id))
    assert f"held by PID {holder.pid}, xxgk run (test holder)" in messages, messages[-2000:]
    receipt = publish.read_receipt(database)
    assert receipt and not receipt.published and "still holds the warehouse lock" in receipt.reason, receipt
    assert file_digest(database) == before
