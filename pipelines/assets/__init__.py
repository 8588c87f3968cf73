"""The thin Dagster layer: ingest (scan, extract, load raw) and the dbt models."""
