"""The build record ``ops.builds`` and the checksums it keeps: what the marts were last built from.

A run whose raw tables and code are those of the last successful build would change nothing; the
freshness decision (pipelines.freshness) reads this record to skip it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from pipelines.frames import ALL_SCHEMAS
from pipelines.warehouse import SCHEMA, q, table_exists

OPS_SCHEMA = "ops"
BUILDS_DDL = f"""CREATE TABLE IF NOT EXISTS {OPS_SCHEMA}.builds (
  built_at TIMESTAMP NOT NULL,
  run_id VARCHAR,
  raw_state VARCHAR NOT NULL,
  code_state VARCHAR NOT NULL,
  parser_version VARCHAR,
  with_dbt BOOLEAN NOT NULL,
  reports BIGINT
)"""
# Columns that move on every run that scans the raw dir, whatever it finds (raw.report_files.last_seen,
# and the views that pass it on).
VOLATILE_COLUMNS = ("last_seen",)


def table_checksum(con: duckdb.DuckDBPyConnection, schema: str, table: str, exclude: Sequence[str] = ()) -> str:
    """``rows:xor:sum`` of DuckDB's hash of each row (order-free), ``exclude`` columns left out."""
    ident = f"{q(schema)}.{q(table)}"
    source = f"(SELECT * EXCLUDE ({', '.join(q(c) for c in exclude)}) FROM {ident})" if exclude else ident
    n, xor, total = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(t)), 0), coalesce(sum(hash(t)::HUGEINT), 0) FROM {source} AS t"
    ).fetchall()[0]
    return f"{n}:{xor}:{total}"


def raw_state(con: duckdb.DuckDBPyConnection) -> str:
    """One digest of every raw table's content (``report_files.last_seen`` left out)."""
    sums = {}
    for table in ALL_SCHEMAS:
        if table_exists(con, SCHEMA, table):
            volatile = [c for c in VOLATILE_COLUMNS if c in ALL_SCHEMAS[table]]
            sums[table] = table_checksum(con, SCHEMA, table, volatile)
    return hashlib.sha256(repr(sorted(sums.items())).encode()).hexdigest()


def record_build(
    con: duckdb.DuckDBPyConnection, *, run_id: str | None, code_state: str, parser_version: str, with_dbt: bool,
    built_at: datetime | None = None,
) -> dict[str, Any]:
    """Append the state the marts were just built from to ``ops.builds`` (values as parameters)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {OPS_SCHEMA}")
    con.execute(BUILDS_DDL)
    row = {
        "built_at": built_at or datetime.now(UTC).replace(tzinfo=None),
        "run_id": run_id,
        "raw_state": raw_state(con),
        "code_state": code_state,
        "parser_version": parser_version,
        "with_dbt": with_dbt,
        "reports": con.execute(f"SELECT count(*) FROM {SCHEMA}.reports").fetchall()[0][0]
        if table_exists(con, SCHEMA, "reports") else 0,
    }
    con.execute(
        f"INSERT INTO {OPS_SCHEMA}.builds (built_at, run_id, raw_state, code_state, parser_version, with_dbt, reports) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        list(row.values()),
    )
    return row


def last_build(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """The latest row of ``ops.builds``, or None."""
    if not table_exists(con, OPS_SCHEMA, "builds"):
        return None
    cur = con.execute(f"SELECT * FROM {OPS_SCHEMA}.builds ORDER BY built_at DESC LIMIT 1")
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else None
