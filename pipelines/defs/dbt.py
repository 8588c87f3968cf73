"""dbt models as Dagster assets, wired to the raw tables so the lineage is one graph.

dagster-dbt's own keys and groups: the dbt source ``raw.<table>`` is the asset ``raw/<table>`` of
pipelines/defs/ingest.py, a model's key is its schema and name (``marts/report_quality``), and its group
its folder's (``meta.dagster.group`` in dbt_project.yml).
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import json
from pathlib import Path

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines import settings
from pipelines.defs.dbt_project import dbt_project, prepare_if_dev

prepare_if_dev()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=DagsterDbtTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )),
    name="xxgk_dbt",
    pool=settings.DUCKDB_POOL,
)
def xxgk_dbt(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    # One fixed target dir (runs never overlap: see the pool and run tags), instead of a new ~8 MB
    # directory per run; it also keeps dbt's partial parse between runs.
    target = Path(dbt.project_dir) / "target" / "dagster"
    variables = {"xxgk_warehouse": str(Path(duckdb.database).resolve()),
                 **{f"xxgk_duckdb_{k}": v for k, v in settings.duckdb_config().items()}}
    yield from dbt.cli(["build", "--vars", json.dumps(variables)], context=context, target_path=target).stream()
