"""dbt models as Dagster assets, wired to the raw tables so the lineage is one graph.

The dbt source ``raw.<table>`` is the asset ``raw/<table>`` of pipelines/defs/ingest.py; models are
grouped by their folder (staging, intermediate, marts).
"""

# No `from __future__ import annotations` here: Dagster inspects the annotations of asset, check and
# sensor functions (context types, resources, I/O types) when they are decorated.

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_duckdb import DuckDBResource

from pipelines import settings
from pipelines.defs.dbt_project import dbt_project, prepare_if_dev

RAW_SOURCE = "raw"  # dbt source name whose tables the raw_tables multi-asset produces

prepare_if_dev()


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


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=XxgkDbtTranslator(settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )),
    name="xxgk_dbt",
    pool=settings.DUCKDB_POOL,
)
def xxgk_dbt(context: AssetExecutionContext, dbt: DbtCliResource, duckdb: DuckDBResource):
    # One fixed target dir (runs never overlap: see the pool and run tags), instead of a new ~8 MB
    # directory per run; it also keeps dbt's partial parse between runs.
    target = Path(dbt.project_dir) / "target" / "dagster"
    warehouse = {"xxgk_warehouse": str(Path(duckdb.database).resolve())}
    yield from dbt.cli(["build", "--vars", json.dumps(warehouse)], context=context, target_path=target).stream()
