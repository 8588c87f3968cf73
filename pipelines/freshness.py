"""Is a run worth starting? The registry and the last build record decide, read-only, without Dagster.

A run would change something when a file is new, changed, removed or parsed by another parser version
(the plan), or the marts were not built from the raw tables as they are (``ops.builds``: the last
successful build's digest of the raw tables, and of the dbt project and agency code it ran), or a
dbt model is missing. Otherwise ``xxgk run``, the nightly schedule and the sensor skip, and say why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import builds, settings, warehouse
from pipelines.dbt_inputs import has_dbt_project, input_files
from pipelines.plan import Plan
from pipelines.rawdir import plan_directory, raw_dir_problem


def code_files() -> list[Path]:
    """What turns the raw tables into the rest: the dbt project, the vocabulary it reads, the agency code."""
    agency_code = [settings.REPO_ROOT / "pipelines" / "agencies", settings.REPO_ROOT / "pipelines" / "defs" / "agencies.py"]
    files = [*input_files(settings.DBT_PROJECT_DIR), settings.VOCABULARY]
    for p in agency_code:
        files += [q for q in p.rglob("*") if q.is_file()] if p.is_dir() else [p] if p.is_file() else []
    return sorted(p for p in files if "__pycache__" not in p.parts)


def code_state() -> str:
    """Digest of ``code_files()``: their paths in the repository and their bytes."""
    digest = hashlib.sha256()
    for p in code_files():
        digest.update(str(p.relative_to(settings.REPO_ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def missing_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """dbt models of the parsed manifest that have no table or view in the warehouse."""
    manifest = settings.DBT_MANIFEST
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
    plan: Plan | None = None
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
    plan: Plan | None = None,
    max_missing_share: float | None = None,
    retire_missing: bool = False,
) -> RunDecision:
    """Whether a run of the whole job would change anything, and why (read-only)."""
    database = Path(database)
    problem = raw_dir_problem(raw_dir) if plan is None else None
    if problem:
        return RunDecision(False, problem)
    if with_dbt is None:
        with_dbt = has_dbt_project(settings.DBT_PROJECT_DIR)
    try:
        if plan is None:
            plan = plan_directory(raw_dir, warehouse.read_report_files(database), max_bytes=max_bytes,
                                  max_missing_share=max_missing_share, retire_missing=retire_missing)
        if not plan.nothing_new:
            return RunDecision(True, plan.describe(), plan)
        if not database.exists():
            return RunDecision(True, "no warehouse yet", plan)
        with warehouse.connect_read_only(database) as con:
            build = builds.last_build(con)
            if build is None:
                return RunDecision(True, "no successful build recorded yet", plan)
            if with_dbt and not build["with_dbt"]:
                return RunDecision(True, "the last build did not run dbt", plan, build)
            if build["raw_state"] != builds.raw_state(con):
                return RunDecision(True, "the raw tables changed since the last successful build "
                                   f"({build['built_at']:%Y-%m-%d %H:%M} UTC)", plan, build)
            missing = missing_models(con) if with_dbt else []
            if missing:
                return RunDecision(True, f"dbt models missing from the warehouse: {', '.join(missing[:5])}", plan, build)
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            return RunDecision(True, "the warehouse is locked by another writer", plan, busy=True)
        raise
    if build["code_state"] != code_state():
        return RunDecision(True, "the dbt project or the agency code changed since the last build", plan, build)
    return RunDecision(
        False, f"{plan.describe()}; marts built from them at {build['built_at']:%Y-%m-%d %H:%M:%S} UTC", plan, build
    )
