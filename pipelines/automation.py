"""The job that builds everything, its nightly schedule, the raw-directory sensor, and the build record.

A run is worth starting only when it would change something. ``run_decision`` says so from the
registry and the warehouse, reading both read-only: a file is new, changed, removed or parsed by
another parser version (the registry plan), or the marts were not built from the raw tables as
they are (``ops.builds``: the last successful build's digest of the raw tables, and of the dbt
project and agency code it ran), or a dbt model is missing. Otherwise ``xxgk run``, the nightly
schedule and the sensor skip, and say why.
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb as duckdb_lib
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    MaterializeResult,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset,
    define_asset_job,
    in_process_executor,
    schedule,
    sensor,
)
from dagster_duckdb import DuckDBResource

from pipelines import registry, settings, warehouse
from pipelines.registry import fingerprints
from pipelines.resources import DUCKDB_POOL, WRITER_TAGS, XxgkConfig

JOB_NAME = "xxgk_all"
BUILD_RECORD_KEY = AssetKey(["ops", "builds"])

# In-process: one step at a time, so no step reads the DuckDB file while another writes it. The
# writer tag lets dagster.yaml's tag_concurrency_limits keep two such runs from overlapping.
xxgk_all = define_asset_job(
    JOB_NAME,
    selection=AssetSelection.all(),
    description="Scan the raw directory, extract new or changed reports, load the raw schema, build dbt.",
    tags=WRITER_TAGS,
    executor_def=in_process_executor,
)


# ---------------------------------------------------------------------------------------------
# Is there anything to do?

_DBT_INPUT_DIRS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
_DBT_INPUT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")
_AGENCY_CODE = (settings.REPO_ROOT / "pipelines" / "agencies", settings.REPO_ROOT / "pipelines" / "assets" / "agencies.py")


def _code_files() -> list[Path]:
    root = settings.DBT_PROJECT_DIR
    files = [root / f for f in _DBT_INPUT_FILES if (root / f).is_file()]
    for d in _DBT_INPUT_DIRS:
        if (root / d).is_dir():
            files += [p for p in (root / d).rglob("*") if p.is_file()]
    for p in _AGENCY_CODE:
        files += [q for q in p.rglob("*") if q.is_file()] if p.is_dir() else [p] if p.is_file() else []
    return sorted(p for p in files if not any(part.startswith(".") or part == "__pycache__" for part in p.parts))


def code_state() -> str:
    """Digest of what turns the raw tables into the rest: the dbt project and the agency code."""
    digest = hashlib.sha256()
    for p in _code_files():
        digest.update(str(p.relative_to(settings.REPO_ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def missing_models(con: duckdb_lib.DuckDBPyConnection) -> list[str]:
    """dbt models of the parsed manifest that have no table or view in the warehouse."""
    manifest = settings.DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.is_file():
        return []
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    wanted = {
        (n["schema"], n.get("alias") or n["name"])
        for n in nodes.values()
        if n.get("resource_type") == "model" and n.get("config", {}).get("materialized") != "ephemeral"
    }
    found = set(con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database()"
    ).fetchall())
    return sorted(f"{s}.{t}" for s, t in wanted - found)


@dataclass(frozen=True)
class RunDecision:
    run: bool
    reason: str
    plan: registry.Plan | None = None
    build: dict | None = None
    busy: bool = False  # the warehouse is locked by a writer: ask again later


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


def run_decision(
    raw_dir: str | Path,
    database: str | Path,
    *,
    max_bytes: int | None = None,
    with_dbt: bool | None = None,
    plan: registry.Plan | None = None,
) -> RunDecision:
    """Whether a run of ``xxgk_all`` would change anything, and why (read-only)."""
    database = Path(database)
    if with_dbt is None:
        with_dbt = (settings.DBT_PROJECT_DIR / "dbt_project.yml").is_file()
    try:
        if plan is None:
            plan = registry.plan_directory(raw_dir, warehouse.read_report_files(database), max_bytes=max_bytes)
        if not plan.nothing_new:
            return RunDecision(True, plan.describe(), plan)
        if not database.exists():
            return RunDecision(True, "no warehouse yet", plan)
        with warehouse.connect_read_only(database) as con:
            build = warehouse.last_build(con)
            if build is None:
                return RunDecision(True, "no successful build recorded yet", plan)
            if with_dbt and not build["with_dbt"]:
                return RunDecision(True, "the last build did not run dbt", plan, build)
            if build["raw_state"] != warehouse.raw_state(con):
                return RunDecision(True, "the raw tables changed since the last successful build "
                                   f"({build['built_at']:%Y-%m-%d %H:%M} UTC)", plan, build)
            missing = missing_models(con) if with_dbt else []
            if missing:
                return RunDecision(True, f"dbt models missing from the warehouse: {', '.join(missing[:5])}", plan, build)
    except duckdb_lib.Error as exc:
        if _is_lock_error(exc):
            return RunDecision(True, "the warehouse is locked by another writer", plan, busy=True)
        raise
    if build["code_state"] != code_state():
        return RunDecision(True, "the dbt project or the agency code changed since the last build", plan, build)
    return RunDecision(
        False, f"{plan.describe()}; marts built from them at {build['built_at']:%Y-%m-%d %H:%M:%S} UTC", plan, build
    )


# ---------------------------------------------------------------------------------------------
# The build record: the last asset of the job, materialized only when everything upstream was


def build_record_asset(upstream: Sequence[AssetsDefinition], *, with_dbt: bool) -> AssetsDefinition:
    """``ops/builds``, downstream of every sink of ``upstream`` (so it runs last, and only when
    every step before it succeeded): appends the digest of the raw tables and of the code the marts
    were just built from to ``ops.builds``."""
    keys = {k for a in upstream for k in a.keys}
    parents = {p for a in upstream for deps in a.asset_deps.values() for p in deps}
    sinks = sorted(keys - parents, key=lambda k: k.to_user_string())

    @asset(
        key=BUILD_RECORD_KEY,
        deps=sinks,
        group_name="ops",
        kinds={"duckdb"},
        pool=DUCKDB_POOL,
        description="DuckDB table ops.builds: one row per successful run of the whole job, with a digest of the "
        "raw tables and of the dbt project and agency code the marts were built from. A run that would "
        "change neither is skipped (xxgk run, the nightly schedule, the sensor).",
    )
    def ops_builds(context: AssetExecutionContext, duckdb: DuckDBResource) -> MaterializeResult:
        state = code_state()
        with warehouse.resource_connection(duckdb) as con:
            row = warehouse.record_build(
                con, run_id=context.run.run_id, code_state=state,
                parser_version=registry.current_parser_version(), with_dbt=with_dbt,
            )
            n = con.execute(f"SELECT count(*) FROM {warehouse.OPS_SCHEMA}.builds").fetchall()[0][0]
        return MaterializeResult(metadata={
            "dagster/row_count": n, "raw_state": row["raw_state"], "code_state": state, "reports": row["reports"],
        })

    return ops_builds


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
    decision = run_decision(xxgk.raw_dir, xxgk.warehouse_path(), max_bytes=xxgk.max_file_bytes)
    if not decision.run:
        return SkipReason(decision.reason)
    context.log.info(f"nightly run: {decision.reason}")
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
    decision = run_decision(xxgk.raw_dir, xxgk.warehouse_path(), max_bytes=xxgk.max_file_bytes)
    if decision.busy:  # keep the old cursor: decide again at the next tick
        return SensorResult(skip_reason=f"{seen}; {decision.reason}, deciding at the next tick",
                            cursor=context.cursor)
    state = _cursor(current)
    if not decision.run:
        return SensorResult(skip_reason=f"{seen}, but {decision.reason}", cursor=state)
    context.log.info(f"raw dir: {seen}; {decision.reason}")
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
