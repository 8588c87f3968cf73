"""The pure extraction core: bytes in, a Report out. Imports neither dagster nor duckdb."""

from pipelines.extract.pipeline import PARSER_VERSION, extract_report
from pipelines.extract.report import Cell, Issue, Report

__all__ = ["PARSER_VERSION", "Cell", "Issue", "Report", "extract_report"]
