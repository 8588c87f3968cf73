"""The job that builds everything, its nightly schedule and the raw-directory sensor.

A run is worth starting only when it would change something: pipelines.freshness decides, and the
schedule and the sensor skip with its reason otherwise.
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import hashlib
import json

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)

from pipelines import settings
from pipelines.defs.resources import XxgkConfig
from pipelines.defs.stale_runs import reap_before_launch
from pipelines.rawdir import fingerprints

JOB_NAME = "xxgk_all"

# In-process: one step at a time, so no step reads the DuckDB file while another writes it. The
# writer tag lets dagster.yaml's tag_concurrency_limits keep two such runs from overlapping.
# The shard job's partitioned asset is not part of it: xxgk_all adopts what the shards staged.
xxgk_all = define_asset_job(
    JOB_NAME,
    selection=AssetSelection.all() - AssetSelection.tag(*settings.SHARD_TAG),
    description="Scan the raw directory, extract new or changed reports, load the raw schema, build dbt.",
    tags=dict([settings.WRITER_TAG]),
    executor_def=in_process_executor,
)


# ---------------------------------------------------------------------------------------------
# Schedule and sensor


@schedule(
    name="xxgk_nightly",
    job=xxgk_all,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 China Standard Time: a run when the raw directory or the code changed "
    "since the last build, else a skip saying why not.",
)
def nightly_schedule(context: ScheduleEvaluationContext, xxgk: XxgkConfig):
    decision = xxgk.decision()
    if not decision.run:
        return SkipReason(decision.reason)
    context.log.info(f"nightly run: {decision.reason}")
    reap_before_launch(context, context.log.info)
    return RunRequest()  # a busy warehouse queues the run behind the writer (tag concurrency limit 1)


def _cursor(state: dict[str, str]) -> str:
    return json.dumps(state, sort_keys=True, ensure_ascii=False)


@sensor(
    name="raw_files_sensor",
    job=xxgk_all,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a run of xxgk_all when files in the raw directory appear, change or vanish and the "
    "registry does not already account for them.",
)
def raw_files_sensor(context: SensorEvaluationContext, xxgk: XxgkConfig) -> SensorResult:
    """Cursor: JSON map of relative path -> "size:mtime_ns" as of the last evaluation that decided.

    A change of the cursor is only a hint (a file touched, copied back, or already loaded by
    ``xxgk run``): the registry decides whether a run would do anything.
    """
    current = fingerprints(xxgk.raw_dir)
    try:
        previous = json.loads(context.cursor) if context.cursor else None
    except json.JSONDecodeError:
        previous = None
    if previous is not None and previous == current:
        return SensorResult(skip_reason=f"no change in {len(current)} files", cursor=_cursor(current))
    if previous is None and not current:
        return SensorResult(skip_reason=f"no files in {xxgk.raw_dir}", cursor=_cursor(current))
    previous = previous or {}
    added = sorted(set(current) - set(previous))
    changed = sorted(p for p in current if p in previous and previous[p] != current[p])
    removed = sorted(set(previous) - set(current))
    seen = f"{len(added)} new, {len(changed)} changed, {len(removed)} removed on disk"
    decision = xxgk.decision()
    if decision.busy:  # keep the old cursor: decide again at the next tick
        return SensorResult(skip_reason=f"{seen}; {decision.reason}, deciding at the next tick",
                            cursor=context.cursor)
    state = _cursor(current)
    if not decision.run:
        return SensorResult(skip_reason=f"{seen}, but {decision.reason}", cursor=state)
    context.log.info(f"raw dir: {seen}; {decision.reason}")
    reap_before_launch(context, context.log.info)
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=hashlib.sha256(state.encode()).hexdigest()[:24],
                tags={"xxgk/new": str(len(added)), "xxgk/changed": str(len(changed)),
                      "xxgk/removed": str(len(removed))},
            )
        ],
        cursor=state,
    )
