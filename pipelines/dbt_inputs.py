"""The files dbt reads: the project's settings and its model, macro, test, seed, snapshot and analysis folders.

One list, read from ``dbt_project.yml``: it says when the parsed manifest is stale (the dbt project's
preparation) and what the marts were built from (the freshness decision's code state).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines import settings

# dbt_project.yml keys naming input folders, with dbt's defaults.
_PATH_KEYS = {
    "model-paths": ["models"], "macro-paths": ["macros"], "test-paths": ["tests"],
    "seed-paths": ["seeds"], "snapshot-paths": ["snapshots"], "analysis-paths": ["analyses"],
}
_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "selectors.yml")


def has_dbt_project(project_dir: Path = settings.DBT_PROJECT_DIR) -> bool:
    return (project_dir / "dbt_project.yml").is_file()


def _inputs(project_dir: Path) -> list[Path]:
    """The project's input files and the folders holding them (hidden ones left out), sorted."""
    if not has_dbt_project(project_dir):
        return []
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    found = [project_dir / name for name in _PROJECT_FILES if (project_dir / name).is_file()]
    for key, default in _PATH_KEYS.items():
        for folder in config.get(key, default):
            root = project_dir / folder
            if root.is_dir():
                found += [root, *root.rglob("*")]
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(project_dir).parts))


def input_files(project_dir: Path) -> list[Path]:
    """Every file dbt parses in ``project_dir``, sorted."""
    return [p for p in _inputs(project_dir) if p.is_file()]


def manifest_is_stale(project_dir: Path, manifest: Path) -> bool:
    """True when ``manifest`` is missing or older than an input (a folder's time moves when a file goes)."""
    if not manifest.is_file():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _inputs(project_dir))
