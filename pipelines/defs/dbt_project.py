"""The one dbt project object: the dbt resource, the manifest's preparation and the dbt assets come from it.

Its preparation runs ``dbt parse`` (which does not open the warehouse) only when target/manifest.json is
missing or older than one of the project's inputs (pipelines.dbt_inputs), one process at a time.
``xxgk run`` and the tests call ``prepare()``; ``dagster dev`` / ``dg dev`` prepare it when they load
the definitions (``prepare_if_dev()``); a plain import never runs dbt.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from pipelines import settings
from pipelines.dbt_inputs import manifest_is_stale

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR,
                         target=settings.dbt_target())


def dbt_executable() -> str:
    """The dbt next to the running interpreter (a venv's python runs without the venv on PATH)."""
    return str(Path(sys.executable).parent / "dbt")


def dbt_resource(project: DbtProject = dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable(), target=project.target)


def prepare(project: DbtProject = dbt_project) -> Path:
    """``dbt parse`` when the manifest is stale or was parsed for another target (the sources' database
    depends on it), under a file lock: concurrent loaders do not race."""
    manifest = project.manifest_path
    if not _stale(project):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".xxgk-parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _stale(project):  # else another process parsed meanwhile
                dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
                _target_marker(project).write_text(str(project.target or ""), encoding="utf-8")
                os.utime(manifest)  # newer than every input, even where dbt kept an older file
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return manifest


def _target_marker(project: DbtProject) -> Path:
    return project.manifest_path.parent / ".xxgk-parsed-target"


def _stale(project: DbtProject) -> bool:
    marker = _target_marker(project)
    parsed = marker.read_text(encoding="utf-8") if marker.is_file() else ""
    return manifest_is_stale(project.project_dir, project.manifest_path) or parsed != str(project.target or "")


def prepare_if_dev(project: DbtProject = dbt_project) -> None:
    """``prepare()`` under ``dagster dev`` / ``dg dev`` only (DbtProject.prepare_if_dev, with the project's dbt)."""
    if using_dagster_dev():
        prepare(project)
