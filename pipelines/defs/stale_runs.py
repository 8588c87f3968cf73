"""Runs whose process is gone: marked failed, their slot of the warehouse pool given back.

A run killed with SIGKILL (the OOM killer, `kill -9`, a reboot) never reports its end: the instance
keeps it STARTED, and it keeps the slot of the ``xxgk_duckdb`` pool it held, so every later run waits
for that slot forever (and, under the queued run coordinator, behind the writer tag's limit of 1).
Dagster's own run monitoring cannot tell for the default run launcher, so each run records the
process running it (``xxgk/pid``: host and PID) and every launcher that is about to start a run
(``xxgk run``, the schedule, the sensor) first fails the runs whose process has ended. A run on
another host, or without the tag, is never touched: it may be alive.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from dagster import DagsterInstance, DagsterInvariantViolationError, DagsterRunStatus, RunsFilter

from pipelines import settings

PID_TAG = "xxgk/pid"
_LIVE = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


def pid_tag() -> dict[str, str]:
    """The tag naming this process, for the run it executes."""
    return {PID_TAG: f"{socket.gethostname()}:{os.getpid()}"}


def _started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), from /proc; None when that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            ticks = int(fh.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/stat", encoding="ascii") as fh:
            boot = next(int(line.split()[1]) for line in fh if line.startswith("btime"))
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def process_gone(tag: str, run_started: float | None) -> bool:
    """Whether the process a ``xxgk/pid`` tag names has ended (False when that cannot be known here)."""
    host, _, pid_text = tag.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    began = _started_at(pid)
    # The PID was reused by a process started after the run began: the run's own process is gone.
    return began is not None and run_started is not None and began > run_started + 5


def reap_dead_runs(instance: DagsterInstance, say: Callable[[str], object] = print) -> list[str]:
    """Fail the unfinished runs whose process has ended and free their pool slots; the run ids."""
    reaped: list[str] = []
    for record in instance.get_run_records(RunsFilter(statuses=_LIVE)):
        run = record.dagster_run
        tag = run.tags.get(PID_TAG)
        started = record.start_time or (record.create_timestamp.timestamp() if record.create_timestamp else None)
        if not tag or not process_gone(tag, started):
            continue
        message = (f"the process that ran it ({tag}) ended without reporting; marked failed so that its "
                   f"slot of the {settings.DUCKDB_POOL} pool is free for the next run")
        instance.report_run_failed(run, message)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        say(f"run {run.run_id}: {message}")
        reaped.append(run.run_id)
    return reaped


def reap_before_launch(context: object, say: Callable[[str], object]) -> list[str]:
    """``reap_dead_runs`` on the instance of a schedule's or sensor's context (none in a bare test context)."""
    try:
        instance = context.instance  # type: ignore[attr-defined]
    except DagsterInvariantViolationError:  # built without an instance: nothing to reap
        return []
    return reap_dead_runs(instance, say)
