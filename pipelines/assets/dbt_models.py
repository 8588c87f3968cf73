"""dbt models as Dagster assets, wired to the raw tables so the lineage is one graph.

The manifest must exist before the definitions load (``DbtProject.prepare_if_dev`` acts only under
``dagster dev``): ``ensure_dbt_manifest`` runs ``dbt parse`` (which does not open the database)
whenever ``target/manifest.json`` is missing or older than the project's files.
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import fcntl
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines import settings
from pipelines.resources import DUCKDB_POOL, dbt_executable

RAW_SOURCE = "raw"  # dbt source name whose tables the raw_tables multi-asset produces
_INPUT_DIRS = ("models", "macros", "tests", "seeds", "snapshots", "analyses")
_INPUT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")


class DbtParseError(RuntimeError):
    pass


def has_dbt_project(project_dir: Path = settings.DBT_PROJECT_DIR) -> bool:
    return (project_dir / "dbt_project.yml").is_file()


def _newest_input(project_dir: Path) -> float:
    newest = 0.0
    for name in _INPUT_FILES:
        p = project_dir / name
        if p.is_file():
            newest = max(newest, p.stat().st_mtime)
    for d in _INPUT_DIRS:
        root = project_dir / d
        if not root.is_dir():
            continue
        newest = max(newest, root.stat().st_mtime)
        for p in root.rglob("*"):
            newest = max(newest, p.stat().st_mtime)
    return newest


def manifest_is_stale(project_dir: Path = settings.DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    return not manifest.is_file() or manifest.stat().st_mtime < _newest_input(project_dir)


def ensure_dbt_manifest(
    project_dir: Path = settings.DBT_PROJECT_DIR, *, warehouse: str | Path | None = None, timeout: float = 600
) -> Path | None:
    """Run ``dbt parse`` when target/manifest.json is missing or older than the models.

    Returns the manifest path, or None when there is no dbt project yet. Uses the dbt next to the
    running interpreter, XXGK_WAREHOUSE as an absolute path, and DO_NOT_TRACK=1. Parses run one at
    a time (a file lock in target/), so concurrent loaders of the definitions do not race.
    """
    project_dir = Path(project_dir).resolve()
    if not has_dbt_project(project_dir):
        return None
    manifest = project_dir / "target" / "manifest.json"
    if not manifest_is_stale(project_dir):
        return manifest
    target = project_dir / "target"
    target.mkdir(exist_ok=True)
    with open(target / ".xxgk-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not manifest_is_stale(project_dir):  # another process parsed meanwhile
                return manifest
            env = {
                **os.environ,
                "XXGK_WAREHOUSE": str(Path(warehouse or settings.warehouse_path()).resolve()),
                "DO_NOT_TRACK": "1",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            }
            cmd = [dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir),
                   "--profiles-dir", str(project_dir)]
            proc = subprocess.run(cmd, cwd=project_dir, env=env, capture_output=True, text=True, timeout=timeout)
            if proc.returncode != 0 or not manifest.is_file():
                out = (proc.stdout + proc.stderr).strip()[-4000:]
                raise DbtParseError(f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{out}")
            os.utime(manifest)  # newer than every input, even if dbt kept an older file
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return manifest


class XxgkDbtTranslator(DagsterDbtTranslator):
    """dbt source ``raw.<table>`` -> the raw_tables asset ``raw/<table>``; models grouped by folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props.get("resource_type") == "source" and dbt_resource_props.get("source_name") == RAW_SOURCE:
            return AssetKey([RAW_SOURCE, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2:
            return fqn[1]  # models/<folder>/...: staging, intermediate, marts
        return "dbt"


def build_dbt_assets(project_dir: Path = settings.DBT_PROJECT_DIR, manifest: Path | None = None):
    """The @dbt_assets definition of the project (the manifest must exist: see ensure_dbt_manifest)."""
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    manifest = manifest or project.manifest_path
    translator = XxgkDbtTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    ))

    @dbt_assets(
        manifest=manifest,
        project=project,
        dagster_dbt_translator=translator,
        name="xxgk_dbt",
        pool=DUCKDB_POOL,
    )
    def xxgk_dbt(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
        # profiles.yml reads the warehouse path from XXGK_WAREHOUSE; dbt inherits this environment.
        os.environ["XXGK_WAREHOUSE"] = str(Path(duckdb.database).resolve())
        os.environ.setdefault("DO_NOT_TRACK", "1")
        # One fixed target dir (runs never overlap: see the pool and run tags), instead of a new
        # ~8 MB directory per run; it also keeps dbt's partial parse between runs.
        target = Path(dbt.project_dir) / "target" / "dagster"
        yield from dbt.cli(["build"], context=context, target_path=target).stream()

    return xxgk_dbt
