"""A run SIGKILLed while it holds the warehouse pool's slot: the next launcher fails it and frees the slot.

Real processes on a real DAGSTER_HOME instance (SQLite storage, dagster.yaml as ``xxgk run`` writes it):
a job whose one op claims the ``xxgk_duckdb`` slot is killed with SIGKILL; without the reaper the next run
would wait for that slot for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from pipelines import settings
from pipelines.defs.stale_runs import PID_TAG, process_gone, reap_dead_runs

ROOT = Path(__file__).resolve().parent.parent

RUNNER = textwrap.dedent('''
    import sys, time
    import dagster as dg
    from pipelines import settings
    from pipelines.defs.stale_runs import pid_tag

    @dg.op(pool=settings.DUCKDB_POOL)
    def writes(context):
        print("claimed", flush=True)
        time.sleep(float(sys.argv[1]))

    @dg.job
    def holder():
        writes()

    settings.ensure_dagster_home()
    with dg.DagsterInstance.get() as instance:
        result = holder.execute_in_process(instance=instance, tags=pid_tag())
        print("done" if result.success else "failed", flush=True)
''')


def _runner(home: Path, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(seconds)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "DAGSTER_HOME": str(home)})


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return settings.ensure_dagster_home()


def test_a_killed_run_is_failed_and_its_slot_freed_so_the_next_run_completes(home):
    killed = _runner(home, 600)
    assert killed.stdout.readline().strip() == "claimed", killed.stderr.read()
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    with DagsterInstance.get() as instance:
        [record] = instance.get_run_records()
        assert record.dagster_run.status == DagsterRunStatus.STARTED  # nobody reported its end
        assert record.dagster_run.tags[PID_TAG].endswith(f":{killed.pid}")
        claimed = instance.event_log_storage.get_concurrency_info(settings.DUCKDB_POOL).claimed_slots
        assert [s.run_id for s in claimed] == [record.dagster_run.run_id]
        said: list[str] = []
        assert reap_dead_runs(instance, said.append) == [record.dagster_run.run_id]
        assert "ended without reporting" in said[0]
        assert instance.get_run_by_id(record.dagster_run.run_id).status == DagsterRunStatus.FAILURE
        assert instance.event_log_storage.get_concurrency_info(settings.DUCKDB_POOL).claimed_slots == []
        assert reap_dead_runs(instance, said.append) == []  # nothing left to reap
    after = _runner(home, 0)
    out, err = after.communicate(timeout=120)  # without the reaper: waits for the slot for ever
    assert out.split() == ["claimed", "done"], err[-2000:]


def test_a_live_run_and_a_run_of_another_host_are_never_reaped(home):
    live = _runner(home, 600)
    try:
        assert live.stdout.readline().strip() == "claimed"
        with DagsterInstance.get() as instance:
            assert reap_dead_runs(instance, print) == []
            [record] = instance.get_run_records()
            assert record.dagster_run.status == DagsterRunStatus.STARTED
    finally:
        live.kill()
        live.wait()
    assert not process_gone(f"another-host:{live.pid}", None)  # cannot tell there: left alone
    assert process_gone(f"{os.uname().nodename}:{live.pid}", None)
