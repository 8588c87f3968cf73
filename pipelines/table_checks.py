"""pandera over a whole raw table with memory bounded by a chunk, not by the warehouse.

Every unique key of the raw models starts with ``report_id``, so validating the table a few hundred
reports at a time (all rows of a report in one chunk) finds exactly what validating it whole would,
while only one chunk is ever in memory.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import warehouse
from pipelines.frames import ALL_SCHEMAS
from pipelines.schemas import Validation, validate_frame

DEFAULT_CHUNK_REPORTS = 500
# Enough failing cases and rows to show what is wrong; the counts stay exact.
KEEP_CASES = 10_000
KEEP_ROWS = 200


def _report_id_bounds(con: duckdb.DuckDBPyConnection, table: str, chunk: int) -> list[tuple[str, str]]:
    """(first, last) report_id of each run of ``chunk`` distinct report ids, in order."""
    ident = f"{warehouse.SCHEMA}.{warehouse.q(table)}"
    return con.execute(
        f"WITH ids AS (SELECT DISTINCT report_id FROM {ident} WHERE report_id IS NOT NULL), "
        "numbered AS (SELECT report_id, (row_number() OVER (ORDER BY report_id) - 1) // ? AS c FROM ids) "
        "SELECT min(report_id), max(report_id) FROM numbered GROUP BY c ORDER BY 1",
        [chunk],
    ).fetchall()


def _chunks(con: duckdb.DuckDBPyConnection, table: str, chunk: int):
    cols = ", ".join(warehouse.q(c) for c in ALL_SCHEMAS[table])
    ident = f"{warehouse.SCHEMA}.{warehouse.q(table)}"
    nulls = pl.from_arrow(con.execute(f"SELECT {cols} FROM {ident} WHERE report_id IS NULL").to_arrow_table())
    if nulls.height:
        yield nulls
    for first, last in _report_id_bounds(con, table, chunk):
        yield pl.from_arrow(con.execute(
            f"SELECT {cols} FROM {ident} WHERE report_id BETWEEN ? AND ? ORDER BY report_id", [first, last]
        ).to_arrow_table())


def validate_table(con: duckdb.DuckDBPyConnection, table: str, *, chunk_reports: int = DEFAULT_CHUNK_REPORTS) -> Validation:
    """pandera's verdict on ``raw.<table>`` (per-report tables), read ``chunk_reports`` reports at a time."""
    if not warehouse.table_exists(con, warehouse.SCHEMA, table):
        return validate_frame(table, pl.DataFrame(schema=ALL_SCHEMAS[table]))
    n_rows, cases, rows = 0, [], []
    kept_cases = kept_rows = 0
    first = None
    for frame in _chunks(con, table, chunk_reports):
        v = validate_frame(table, frame.select(pl.col(c).cast(t) for c, t in ALL_SCHEMAS[table].items()))
        first = first or v
        n_rows += v.n_rows
        if not v.passed:
            if kept_cases < KEEP_CASES:
                cases.append(v.failure_cases.head(KEEP_CASES - kept_cases))
                kept_cases += cases[-1].height
            if kept_rows < KEEP_ROWS:
                rows.append(v.offending_rows.head(KEEP_ROWS - kept_rows))
                kept_rows += rows[-1].height
    if first is None:
        return validate_frame(table, pl.DataFrame(schema=ALL_SCHEMAS[table]))
    return Validation(
        table, n_rows,
        pl.concat(cases, how="diagonal_relaxed") if cases else first.failure_cases.clear(),
        pl.concat(rows, how="diagonal_relaxed") if rows else first.offending_rows.clear(),
    )
