"""Reports -> polars frames, one per table of the DuckDB ``raw`` schema, with exact dtypes.

The column names and dtypes below are the contract of the ``raw`` schema (dbt's sources are
built on it); warehouse.py creates its tables from the same definitions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Context, Decimal

import polars as pl

from pipelines.extract import PARSER_VERSION, Report
from pipelines.extract.report import Cell

MONEY = pl.Decimal(38, 4)
MONEY_INTEGER_DIGITS = MONEY.precision - MONEY.scale  # 34: more does not fit the column
_QUANTUM = Decimal("0.0001")
# Quantizing needs the value's digits plus the 4 decimals; the default context's 28 digits raised
# InvalidOperation on a 25-digit fee (in 万元) and stopped the whole batch. Values are range-checked first.
_WIDE = Context(prec=MONEY.precision + 2)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


class FrameValueError(ValueError):
    """A report's value that its column cannot hold; ``code`` names the reason its file is rejected with."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

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


def _int32(value: object, where: str) -> int | None:
    """An Int32 column's value (lines, pages, table cells): a bigger one is refused here, before polars."""
    if value is None:
        return None
    if not isinstance(value, int):
        raise FrameValueError("invalid_frame", f"{where}: {value!r} is not a whole number")
    if not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise FrameValueError("value_out_of_range", f"{where}: {value} does not fit a 32-bit integer")
    return value


def _origin(c: Cell, where: str) -> tuple[int | None, str | None, int | None, int | None, int | None]:
    o = c.origin
    if o is None:
        return (None, None, None, None, None)
    bbox = ",".join(f"{v:.1f}" for v in o.bbox) if o.bbox else None
    return (_int32(o.page, f"{where} page"), bbox, _int32(o.table, f"{where} table"),
            _int32(o.row, f"{where} table row"), _int32(o.col, f"{where} table column"))


def _finite(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise FrameValueError("invalid_frame", f"{where}: {value!r} is not a number")
    number = Decimal(value)
    if not number.is_finite():
        raise FrameValueError("value_out_of_range", f"{where}: {value} is not a finite number")
    return number


def _money(value: int | Decimal | None, where: str = "value") -> Decimal | None:
    if value is None:
        return None
    number = _finite(value, where)
    if number and number.adjusted() >= MONEY_INTEGER_DIGITS:
        raise FrameValueError("value_out_of_range", f"{where}: {value} has {number.adjusted() + 1} integer digits, "
                              f"more than the {MONEY_INTEGER_DIGITS} of DECIMAL(38, 4)")
    # Yuan to 4 decimal places (a tenth of a fen) is the column's precision.
    return number.quantize(_QUANTUM, context=_WIDE)


def _count(value: int | Decimal | None, where: str) -> int | None:
    if value is None:
        return None
    number = _finite(value, where)
    if number != number.to_integral_value(context=_WIDE):
        raise FrameValueError("invalid_frame", f"{where}: a count must be a whole number, got {value}")
    if abs(number) > INT64_MAX:
        raise FrameValueError("value_out_of_range", f"{where}: {value} does not fit a 64-bit integer")
    return int(number)


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
            (r.report_id, r.source, sha256.get(r.report_id), r.agency, _int32(r.year, f"{r.source}: year"),
             r.layout, _iso_date(r.published_on), r.rendering, r.encoding, parser_version, n_warnings),
        )
        for c in r.cells:
            where = f"{r.source}:{c.line} {c.section}.{c.key1}.{c.key2}"
            line = _int32(c.line, f"{where} line")
            if c.section == "proactive":
                append("proactive", (r.report_id, c.key1, c.key2, _money(c.value, where), line, *_origin(c, where)))
            elif c.section in ("applications", "reviews"):
                append(c.section, (r.report_id, c.key1, c.key2, _count(c.value, where), line, *_origin(c, where)))
            else:
                raise FrameValueError("invalid_frame", f"{r.source}:{c.line}: unknown section {c.section!r}")
        for i in r.issues:
            append("issues", (r.report_id, i.severity, i.code, i.message, _int32(i.line, f"{r.source}: issue line"),
                              i.section, i.row))

    return {
        t: pl.DataFrame(
            {name: pl.Series(name, values, dtype=SCHEMAS[t][name]) for name, values in columns[t].items()}
        )
        for t in TABLES
    }

