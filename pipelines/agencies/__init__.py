"""Agencies: name normalization, administrative division (GB/T 2260) and sector. Pure: no dagster, no duckdb."""

from pipelines.agencies.resolve import AgencyInfo, describe_agencies, describe_agency

__all__ = ["AgencyInfo", "describe_agencies", "describe_agency"]
