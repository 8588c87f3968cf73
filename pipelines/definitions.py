"""The code location: `dagster dev` (workspace.yaml / [tool.dagster]) loads ``defs`` from here.

Lineage: raw_report_files -> extracted_reports -> raw/{reports, proactive, applications, reviews,
issues, report_files} -> dbt staging -> intermediate -> marts (dbt source ``raw.<table>`` is the
asset ``raw/<table>``) -> ops/builds (the record that lets a run with nothing new be skipped).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from dagster import Definitions, in_process_executor

from pipelines import settings
from pipelines.assets.agencies import raw_agencies
from pipelines.assets.dbt_models import build_dbt_assets, ensure_dbt_manifest
from pipelines.assets.ingest import extracted_reports, raw_report_files, raw_tables
from pipelines.automation import build_record_asset, nightly_schedule, raw_files_sensor, xxgk_all
from pipelines.checks import ALL_CHECKS
from pipelines.resources import build_resources

log = logging.getLogger(__name__)


def build_definitions(
    *,
    raw_dir: str | Path | None = None,
    warehouse: str | Path | None = None,
    staging_dir: str | Path | None = None,
    with_dbt: bool | None = None,
) -> Definitions:
    """Definitions for the given paths (default: the environment, see settings.py).

    dbt assets are included when dbt_project/dbt_project.yml exists (``with_dbt=None``); the
    manifest is (re)parsed first if missing or stale.
    """
    warehouse_path = Path(warehouse or settings.warehouse_path()).resolve()
    # dbt's profiles.yml reads the warehouse from XXGK_WAREHOUSE: keep it pointing at this file.
    os.environ["XXGK_WAREHOUSE"] = str(warehouse_path)
    assets: list = [raw_report_files, extracted_reports, raw_tables, raw_agencies]
    manifest = None
    if with_dbt is not False:
        manifest = ensure_dbt_manifest(warehouse=warehouse_path)
        if manifest is None:
            if with_dbt:
                raise FileNotFoundError(f"no dbt project at {settings.DBT_PROJECT_DIR}")
            log.warning("no dbt project at %s: loading without dbt assets", settings.DBT_PROJECT_DIR)
        else:
            assets.append(build_dbt_assets(manifest=manifest))
    # ops/builds runs last and only after every other step succeeded: what the marts were built from.
    assets.append(build_record_asset(assets, with_dbt=manifest is not None))
    return Definitions(
        assets=assets,
        asset_checks=ALL_CHECKS,
        jobs=[xxgk_all],
        schedules=[nightly_schedule],
        sensors=[raw_files_sensor],
        resources=build_resources(
            raw_dir=raw_dir, warehouse=warehouse_path, staging_dir=staging_dir, with_dbt=manifest is not None
        ),
        executor=in_process_executor,
    )


defs = build_definitions()
