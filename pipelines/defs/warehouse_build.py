"""The ``duckdb`` resource of every run: DuckDB on the run's working copy, published when the run succeeds.

Dagster initializes it once per run (the job runs in-process) before the first step that opens the
warehouse, and tears it down after the last. So whatever launched the run — ``xxgk run``, the nightly
schedule, the sensor, the UI, any asset selection — the run takes the single-writer lock (waiting, and
saying for whom), works on a fresh copy of the published file (pipelines.publish), and at the end
publishes it only if no step failed; otherwise the published file stays as it was and the run's log and
the receipt beside the warehouse say so in one line.
"""

# No `from __future__ import annotations`: Dagster inspects resource annotations.

from pathlib import Path

import dagster as dg
from dagster import DagsterEventType
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from pipelines import publish, runlock, settings
from pipelines.defs import stale_runs


class WarehouseBuild(DuckDBResource):
    """DuckDB on ``database`` (the working copy) for one run, published as ``published`` at its end."""

    published: str = Field(description="The warehouse readers query (XXGK_WAREHOUSE); replaced only by "
                           "a complete build.")
    lock_wait_seconds: float = Field(default=settings.DEFAULT_LOCK_WAIT_SECONDS,
                                     description="How long a run waits for another writer (XXGK_LOCK_WAIT).")
    _release: object = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        published = Path(self.published)
        run_id = context.run.run_id if context.run else "-"
        if context.instance and context.run and stale_runs.PID_TAG not in context.run.tags:
            context.instance.add_run_tags(run_id, stale_runs.pid_tag())  # a launcher's run: who runs it
        try:
            self._release = runlock.acquire(
                published, self.lock_wait_seconds, say=context.log.info if context.log else print,
                who=f"Dagster run {run_id}",
            )
        except runlock.WarehouseBusyError as exc:  # the holder's run goes on; this one says why it did nothing
            publish.write_receipt(published, run_id, done=False, reason=str(exc))
            raise
        try:
            publish.begin(published)
        except BaseException as exc:
            publish.write_receipt(published, run_id, done=False, reason=str(exc).splitlines()[0] if str(exc) else
                                  "the run stopped before its working copy was made")
            self._release()
            self._release = None
            raise

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._release is None:
            return
        published = Path(self.published)
        run_id = context.run.run_id if context.run else "-"
        try:
            failed = _failed_steps(context, run_id)
            if failed:
                publish.discard(published)
                receipt = publish.write_receipt(published, run_id, done=False, reason=(
                    f"step {', '.join(failed)} failed; the published warehouse is unchanged"))
            else:
                try:
                    publish.publish(published)
                except publish.PublishError as exc:
                    publish.discard(published)
                    publish.write_receipt(published, run_id, done=False, reason=str(exc))
                    raise
                receipt = publish.write_receipt(published, run_id, done=True, reason=f"{published}")
            if context.log:
                (context.log.info if receipt.published else context.log.error)(receipt.line())
        finally:
            self._release()
            self._release = None


def _failed_steps(context: dg.InitResourceContext, run_id: str) -> list[str]:
    """Steps of this run that failed (recorded in the instance's event log before teardown)."""
    if context.instance is None:
        return []
    records = context.instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records
    return sorted({r.event_log_entry.step_key or "?" for r in records})


def warehouse_build() -> WarehouseBuild:
    published = settings.warehouse_path()
    return WarehouseBuild(
        database=str(publish.working_path(published)), published=str(published),
        lock_wait_seconds=settings.lock_wait_seconds(), connection_config=settings.duckdb_config(),
    )
