"""The DuckDB ``raw`` schema: DDL, bulk loads in one transaction per batch, the file registry.

Rules kept here (see stack-notes): one writer per file, short-lived connections closed in
``finally``, readers opened ``read_only=True``; frames are registered and loaded with
``INSERT ... SELECT`` (never row by row); every value travels as a parameter or inside a registered
frame. Table and column names are interpolated only from the fixed definitions in frames.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl

from pipelines.frames import ALL_SCHEMAS, REPORT_FILES, TABLES, reports_to_frames

if TYPE_CHECKING:
    from dagster_duckdb import DuckDBResource

    from pipelines.extract import Report

SCHEMA = "raw"
PRIMARY_KEYS = {"reports": "report_id", "report_files": "path"}
REGISTRY_STATUSES = ("loaded", "loaded_with_warnings", "rejected", "duplicate", "removed")
_SRC = "_xxgk_src"
_IDS = "_xxgk_ids"


def _sql_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    names = {pl.String: "VARCHAR", pl.Int32: "INTEGER", pl.Int64: "BIGINT", pl.Date: "DATE"}
    for polars_type, sql in names.items():
        if dtype == polars_type:
            return sql
    raise TypeError(f"no DuckDB type for {dtype}")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(table: str) -> str:
    return ", ".join(_q(c) for c in ALL_SCHEMAS[table])


def table_ddl(table: str) -> str:
    cols = [f"{_q(c)} {_sql_type(t)}" for c, t in ALL_SCHEMAS[table].items()]
    if table in PRIMARY_KEYS:
        cols.append(f"PRIMARY KEY ({_q(PRIMARY_KEYS[table])})")
    return f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{_q(table)} (\n  " + ",\n  ".join(cols) + "\n)"


# ---------------------------------------------------------------------------------------------
# Connections


def _connect(database: str | Path, read_only: bool, retries: int) -> duckdb.DuckDBPyConnection:
    delay = 0.1
    for attempt in range(retries + 1):
        try:
            return duckdb.connect(str(database), read_only=read_only)
        except duckdb.IOException as exc:  # "Could not set lock on file": another process writes
            if "lock" not in str(exc).lower() or attempt == retries:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


@contextlib.contextmanager
def connect(database: str | Path, *, read_only: bool = False, retries: int = 8) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection, closed in ``finally``; retries while another process holds the lock."""
    if not read_only:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = _connect(database, read_only, retries)
    try:
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def connect_read_only(database: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(database, read_only=True) as con:
        yield con


@contextlib.contextmanager
def resource_connection(resource: DuckDBResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """``DuckDBResource.get_connection()``, but closed even when the body raises."""
    Path(resource.database).parent.mkdir(parents=True, exist_ok=True)
    with resource.get_connection() as con:
        try:
            yield con
        finally:
            con.close()


# ---------------------------------------------------------------------------------------------
# Schema


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables if missing; refuse a raw table whose columns differ."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for table in ALL_SCHEMAS:
        con.execute(table_ddl(table))
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? ORDER BY table_name, ordinal_position",
        [SCHEMA],
    ).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, dtype in rows:
        found.setdefault(table, []).append((column, dtype.replace(" ", "").replace(",", ", ")))
    for table, schema in ALL_SCHEMAS.items():
        expected = [(c, _sql_type(t)) for c, t in schema.items()]
        if found.get(table) != expected:
            raise RuntimeError(
                f"{SCHEMA}.{table} has columns {found.get(table)}, expected {expected}: the warehouse was "
                "built by another version of the pipeline; delete the file (it is rebuilt from data/raw)."
            )


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


# ---------------------------------------------------------------------------------------------
# Loads


def _conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    schema = ALL_SCHEMAS[table]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"frame for {SCHEMA}.{table} lacks columns {missing}")
    return frame.select(pl.col(c).cast(t, strict=True) for c, t in schema.items())


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, views: list[str], suffix: str = "") -> None:
    """INSERT ... SELECT from the frame registered as a view (recorded in ``views``).

    The caller unregisters the views after COMMIT or ROLLBACK: inside an aborted transaction
    DuckDB refuses even that, and the error would hide the one that aborted it.
    """
    cols = _columns(table)
    view = f"{_SRC}_{table}"
    con.register(view, _conform(table, frame))
    views.append(view)
    con.execute(f"INSERT INTO {SCHEMA}.{_q(table)} ({cols}) SELECT {cols} FROM {view}{suffix}")


def _unregister(con: duckdb.DuckDBPyConnection, views: Iterable[str]) -> None:
    for view in views:
        with contextlib.suppress(duckdb.Error):  # the view dies with the connection anyway
            con.unregister(view)


def _upsert_report_files(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, views: list[str]) -> None:
    if frame.height == 0:
        return
    dupes = frame.group_by("path").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise ValueError(f"registry rows repeat paths: {dupes['path'].to_list()[:5]}")
    updates = ", ".join(
        f"{_q(c)} = coalesce(report_files.{_q(c)}, excluded.{_q(c)})" if c == "first_seen"
        else f"{_q(c)} = excluded.{_q(c)}"
        for c in REPORT_FILES
        if c != "path"
    )
    _insert(con, "report_files", frame, views, f" ON CONFLICT (path) DO UPDATE SET {updates}")


@contextlib.contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[list[str]]:
    """BEGIN ... COMMIT, or ROLLBACK and re-raise; yields the list of views to drop afterwards."""
    views: list[str] = []
    con.begin()
    try:
        yield views
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        _unregister(con, views)


def load_frames(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pl.DataFrame],
    *,
    registry: pl.DataFrame | None = None,
    delete_report_ids: Iterable[str] = (),
) -> dict[str, int]:
    """Replace a batch's reports in every raw table, in ONE transaction.

    Deletes the rows of every report_id found in ``frames`` (any table) or in
    ``delete_report_ids`` from every per-report raw table, inserts ``frames`` with
    ``INSERT ... SELECT`` from registered frames, upserts ``registry`` rows into
    ``raw.report_files``, and commits; on any error rolls back and re-raises, leaving the old
    rows intact. Returns the rows inserted per table.
    """
    ensure_schema(con)
    ids: set[str] = set(delete_report_ids)
    for table in TABLES:
        if table in frames and frames[table].height:
            ids.update(frames[table]["report_id"].drop_nulls().to_list())
    id_frame = pl.DataFrame({"report_id": sorted(ids)}, schema={"report_id": pl.String()})
    counts = {t: 0 for t in TABLES}
    with _transaction(con) as views:
        con.register(_IDS, id_frame)
        views.append(_IDS)
        for table in TABLES:
            con.execute(f"DELETE FROM {SCHEMA}.{_q(table)} WHERE report_id IN (SELECT report_id FROM {_IDS})")
        for table in TABLES:
            frame = frames.get(table)
            if frame is not None and frame.height:
                _insert(con, table, frame, views)
                counts[table] = frame.height
        if registry is not None:
            _upsert_report_files(con, registry, views)
            counts["report_files"] = registry.height
    return counts


def load_reports(
    con: duckdb.DuckDBPyConnection,
    reports: Sequence[Report],
    *,
    sha256: Mapping[str, str] | None = None,
    registry: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Build the frames of a batch of Reports and load them with ``load_frames``."""
    return load_frames(con, reports_to_frames(reports, sha256=sha256), registry=registry)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace a derived raw table (not per report, e.g. agencies) whole, in one transaction."""
    ensure_schema(con)
    with _transaction(con) as views:
        con.execute(f"DELETE FROM {SCHEMA}.{_q(table)}")
        if frame.height:
            _insert(con, table, frame, views)
    return frame.height


def upsert_report_files(con: duckdb.DuckDBPyConnection, registry: pl.DataFrame) -> int:
    """Upsert registry rows (by path) in one transaction."""
    ensure_schema(con)
    with _transaction(con) as views:
        _upsert_report_files(con, registry, views)
    return registry.height


# ---------------------------------------------------------------------------------------------
# Reads


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A raw table as a polars frame with the contract's dtypes (empty if the table is missing)."""
    if table not in ALL_SCHEMAS:
        raise KeyError(table)
    if not table_exists(con, SCHEMA, table):
        return pl.DataFrame(schema=ALL_SCHEMAS[table])
    order = "path" if table == "report_files" else "report_id"
    frame = con.sql(f"SELECT {_columns(table)} FROM {SCHEMA}.{_q(table)} ORDER BY {order}").pl()
    return _conform(table, frame)


def read_report_files(database: str | Path) -> pl.DataFrame:
    """The registry, read-only; empty when the warehouse or the table does not exist yet."""
    if not Path(database).exists():
        return pl.DataFrame(schema=REPORT_FILES)
    with connect_read_only(database) as con:
        return read_table(con, "report_files")


def query(database: str | Path, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """Run a read-only query (values as parameters) and return a polars frame."""
    with connect_read_only(database) as con:
        return con.sql(sql, params=list(params or [])).pl()


# ---------------------------------------------------------------------------------------------
# Checksums and the build record (what the marts were last built from)

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
    ident = f"{_q(schema)}.{_q(table)}"
    source = f"(SELECT * EXCLUDE ({', '.join(_q(c) for c in exclude)}) FROM {ident})" if exclude else ident
    n, xor, total = con.execute(
        f"SELECT count(*), coalesce(bit_xor(hash(t)), 0), coalesce(sum(hash(t)::HUGEINT), 0) FROM {source} AS t"
    ).fetchall()[0]
    return f"{n}:{xor}:{total}"


def table_checksums(
    con: duckdb.DuckDBPyConnection, schemas: Sequence[str] | None = None, *, volatile: bool = True
) -> dict[str, str]:
    """Checksum of every table and view (``schema.table`` -> ``table_checksum``) in ``schemas`` (all
    if None); ``volatile=False`` leaves out the columns named in ``VOLATILE_COLUMNS``."""
    rows = con.execute(
        "SELECT t.table_schema, t.table_name, list(c.column_name) FILTER (WHERE list_contains(?, c.column_name)) "
        "FROM information_schema.tables AS t JOIN information_schema.columns AS c "
        "USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_catalog = current_database() GROUP BY ALL ORDER BY 1, 2",
        [list(VOLATILE_COLUMNS)],
    ).fetchall()
    out = {}
    for schema, table, volatile_columns in rows:
        if schemas is not None and schema not in schemas:
            continue
        out[f"{schema}.{table}"] = table_checksum(con, schema, table, () if volatile else volatile_columns or ())
    return out


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
