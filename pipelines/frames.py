"""Reports -> polars frames, one per table of the DuckDB ``raw`` schema, with exact dtypes.

The column names and dtypes below are the contract of the ``raw`` schema (dbt's sources are
built on it); warehouse.py creates its tables from the same definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

import polars as pl

from pipelines.extract import PARSER_VERSION, Report
from pipelines.extract.report import Cell

MONEY = pl.Decimal(38, 4)
_QUANTUM = Decimal("0.0001")

REPORTS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "source_file": pl.String(),
    "sha256": pl.String(),
    "agency": pl.String(),
    "year": pl.Int32(),
    "layout": pl.String(),
    "published_on": pl.Date(),
    "rendering": pl.String(),
    "encoding": pl.String(),
    "parser_version": pl.String(),
    "n_warnings": pl.Int32(),
}
# Where a value stands in an original beyond its line: a box on a PDF page, a cell of an HTML or Word table.
ORIGIN: dict[str, pl.DataType] = {
    "page": pl.Int32(),
    "bbox": pl.String(),  # "x0,top,x1,bottom" in PDF points from the page's top left
    "table_no": pl.Int32(),
    "table_row": pl.Int32(),
    "table_col": pl.Int32(),
}
PROACTIVE: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "item": pl.String(),
    "measure": pl.String(),
    "value": MONEY,
    "line": pl.Int32(),
    **ORIGIN,
}
APPLICATIONS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "row": pl.String(),
    "applicant": pl.String(),
    "value": pl.Int64(),
    "line": pl.Int32(),
    **ORIGIN,
}
REVIEWS: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "proceeding": pl.String(),
    "outcome": pl.String(),
    "value": pl.Int64(),
    "line": pl.Int32(),
    **ORIGIN,
}
ISSUES: dict[str, pl.DataType] = {
    "report_id": pl.String(),
    "severity": pl.String(),
    "code": pl.String(),
    "message": pl.String(),
    "line": pl.Int32(),
    "section": pl.String(),
    "row_key": pl.String(),
}
REPORT_FILES: dict[str, pl.DataType] = {
    "path": pl.String(),
    "sha256": pl.String(),
    "size_bytes": pl.Int64(),
    "encoding": pl.String(),
    "rendering": pl.String(),
    "layout": pl.String(),
    "status": pl.String(),
    "reason": pl.String(),
    "report_id": pl.String(),
    "first_seen": pl.Datetime("us"),
    "last_seen": pl.Datetime("us"),
    "parser_version": pl.String(),
}

# The per-report tables, in load order, and the keys of the three cell sections.
SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "reports": REPORTS,
    "proactive": PROACTIVE,
    "applications": APPLICATIONS,
    "reviews": REVIEWS,
    "issues": ISSUES,
}
TABLES: tuple[str, ...] = tuple(SCHEMAS)
SECTION_COLUMNS: dict[str, tuple[str, str]] = {
    "proactive": ("item", "measure"),
    "applications": ("row", "applicant"),
    "reviews": ("proceeding", "outcome"),
}
# One row per agency name found in raw.reports, with its region and sector (pipelines.agencies).
AGENCIES: dict[str, pl.DataType] = {
    "agency": pl.String(),
    "agency_key": pl.String(),
    "province": pl.String(),
    "prefecture": pl.String(),
    "county": pl.String(),
    "division_code": pl.String(),
    "admin_level": pl.String(),
    "sector": pl.String(),
    "region_status": pl.String(),
    "region_reason": pl.String(),
    "dataset": pl.String(),
}
ALL_SCHEMAS: dict[str, dict[str, pl.DataType]] = {**SCHEMAS, "report_files": REPORT_FILES, "agencies": AGENCIES}


def _origin(c: Cell) -> tuple[int | None, str | None, int | None, int | None, int | None]:
    o = c.origin
    if o is None:
        return (None, None, None, None, None)
    bbox = ",".join(f"{v:.1f}" for v in o.bbox) if o.bbox else None
    return (o.page, bbox, o.table, o.row, o.col)


def _money(value: int | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    # Yuan to 4 decimal places (a tenth of a fen) is the column's precision.
    return Decimal(value).quantize(_QUANTUM)


def _count(value: int | Decimal | None, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"{where}: a count must be a whole number, got {value}")
        return int(value)
    return int(value)


def _iso_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def reports_to_frames(
    reports: Iterable[Report],
    *,
    sha256: Mapping[str, str] | None = None,
    parser_version: str = PARSER_VERSION,
) -> dict[str, pl.DataFrame]:
    """One frame per raw table (``TABLES``) from a batch of reports.

    ``sha256`` maps report_id to the hex SHA-256 of the file's bytes (the Report does not carry
    it). Money (``proactive.value``) becomes Decimal(38, 4) in yuan; counts Int64; lines Int32.
    A date that is not ISO ``YYYY-MM-DD`` becomes null.
    """
    sha256 = sha256 or {}
    columns: dict[str, dict[str, list]] = {t: {c: [] for c in SCHEMAS[t]} for t in TABLES}

    def append(table: str, row: Sequence) -> None:
        for name, value in zip(SCHEMAS[table], row, strict=True):
            columns[table][name].append(value)

    for r in reports:
        n_warnings = sum(1 for i in r.issues if i.severity == "warning")
        append(
            "reports",
            (r.report_id, r.source, sha256.get(r.report_id), r.agency, r.year, r.layout,
             _iso_date(r.published_on), r.rendering, r.encoding, parser_version, n_warnings),
        )
        for c in r.cells:
            if c.section == "proactive":
                append("proactive", (r.report_id, c.key1, c.key2, _money(c.value), c.line, *_origin(c)))
            elif c.section in ("applications", "reviews"):
                where = f"{r.source}:{c.line} {c.section}.{c.key1}.{c.key2}"
                append(c.section, (r.report_id, c.key1, c.key2, _count(c.value, where), c.line, *_origin(c)))
            else:
                raise ValueError(f"{r.source}:{c.line}: unknown section {c.section!r}")
        for i in r.issues:
            append("issues", (r.report_id, i.severity, i.code, i.message, i.line, i.section, i.row))

    return {
        t: pl.DataFrame(
            {name: pl.Series(name, values, dtype=SCHEMAS[t][name]) for name, values in columns[t].items()}
        )
        for t in TABLES
    }

