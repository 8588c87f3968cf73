"""The DuckDB ``raw`` schema: DDL, bulk loads in one transaction (per batch, or a run's staged batches), the file registry.

Rules kept here (see stack-notes): one writer per file, short-lived connections closed in
``finally``, readers opened ``read_only=True``; frames are registered and loaded with
``INSERT ... SELECT`` (never row by row); every value travels as a parameter or inside a registered
frame. Table and column names are interpolated only from the fixed definitions in frames.py.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import polars as pl

from pipelines import staging
from pipelines.frames import ALL_SCHEMAS, REPORT_FILES, TABLES

SCHEMA = "raw"
PRIMARY_KEYS = {"reports": "report_id", "report_files": "path"}
_SRC = "_xxgk_src"
_IDS = "_xxgk_ids"


def sql_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Decimal):
        return f"DECIMAL({dtype.precision}, {dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    names = {pl.String: "VARCHAR", pl.Int32: "INTEGER", pl.Int64: "BIGINT", pl.Date: "DATE"}
    for polars_type, sql in names.items():
        if dtype == polars_type:
            return sql
    raise TypeError(f"no DuckDB type for {dtype}")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(table: str) -> str:
    return ", ".join(q(c) for c in ALL_SCHEMAS[table])


def table_ddl(table: str) -> str:
    cols = [f"{q(c)} {sql_type(t)}" for c, t in ALL_SCHEMAS[table].items()]
    if table in PRIMARY_KEYS:
        cols.append(f"PRIMARY KEY ({q(PRIMARY_KEYS[table])})")
    return f"CREATE TABLE IF NOT EXISTS {SCHEMA}.{q(table)} (\n  " + ",\n  ".join(cols) + "\n)"


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
        expected = [(c, sql_type(t)) for c, t in schema.items()]
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
    con.execute(f"INSERT INTO {SCHEMA}.{q(table)} ({cols}) SELECT {cols} FROM {view}{suffix}")


def _unregister(con: duckdb.DuckDBPyConnection, views: Iterable[str]) -> None:
    for view in views:
        with contextlib.suppress(duckdb.Error):  # the view dies with the connection anyway
            con.unregister(view)


_REGISTRY_UPDATES = ", ".join(
    f"{q(c)} = coalesce(report_files.{q(c)}, excluded.{q(c)})" if c == "first_seen" else f"{q(c)} = excluded.{q(c)}"
    for c in REPORT_FILES
    if c != "path"
)


def _upsert_report_files(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, views: list[str]) -> None:
    if frame.height == 0:
        return
    dupes = frame.group_by("path").len().filter(pl.col("len") > 1)
    if dupes.height:
        raise ValueError(f"registry rows repeat paths: {dupes['path'].to_list()[:5]}")
    _insert(con, "report_files", frame, views, f" ON CONFLICT (path) DO UPDATE SET {_REGISTRY_UPDATES}")


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
            con.execute(f"DELETE FROM {SCHEMA}.{q(table)} WHERE report_id IN (SELECT report_id FROM {_IDS})")
        for table in TABLES:
            frame = frames.get(table)
            if frame is not None and frame.height:
                _insert(con, table, frame, views)
                counts[table] = frame.height
        if registry is not None:
            _upsert_report_files(con, registry, views)
            counts["report_files"] = registry.height
    return counts


def load_staged(
    con: duckdb.DuckDBPyConnection,
    files: Mapping[str, Sequence[str]],
    *,
    registry: Sequence[str] = (),
    delete_report_ids: Iterable[str] = (),
) -> dict[str, int]:
    """``load_frames`` for every staged batch of a run at once: ONE transaction, one statement per table.

    ``files`` maps each per-report table to its Parquet files (pipelines.staging locations: folders or
    fsspec URLs), ``registry`` lists the registry rows' Parquet files. Deletes the rows of every report_id
    in ``delete_report_ids`` or in the files from every per-report raw table, inserts the files' rows with
    ``INSERT ... SELECT ... FROM read_parquet([...])`` (DuckDB streams them: memory stays bounded by its
    limit, not the run), upserts the registry rows, and commits; on any error rolls back, leaving the old
    rows intact. The same rows as one ``load_frames`` per batch, as the batches of a run hold distinct
    reports and distinct paths (a path twice in ``registry`` is refused, as there). Returns rows inserted.
    """
    ensure_schema(con)
    sources = {t: _parquet_paths(con, files.get(t, ())) for t in TABLES}
    reg_paths = _parquet_paths(con, registry)
    id_frame = pl.DataFrame({"report_id": sorted(set(delete_report_ids))}, schema={"report_id": pl.String()})
    counts = {t: 0 for t in TABLES}
    with _transaction(con) as views:
        con.register(_IDS, id_frame)
        views.append(_IDS)
        staged = [paths for paths in sources.values() if paths]  # the paths travel as parameters
        union = _STAGED_IDS * len(staged)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_IDS}_all AS SELECT report_id FROM {_IDS}{union}", staged)
        for table in TABLES:
            con.execute(f"DELETE FROM {SCHEMA}.{q(table)} WHERE report_id IN (SELECT report_id FROM {_IDS}_all)")
        for table, paths in sources.items():
            if paths:
                cols = _columns(table)
                counts[table] = con.execute(f"INSERT INTO {SCHEMA}.{q(table)} ({cols}) SELECT {cols} "
                                            "FROM read_parquet(?)", [paths]).fetchall()[0][0]
        if reg_paths:
            cols = _columns("report_files")
            dupes = con.execute("SELECT path FROM read_parquet(?) GROUP BY path HAVING count(*) > 1 LIMIT 5",
                                [reg_paths]).fetchall()
            if dupes:
                raise ValueError(f"registry rows repeat paths: {[d[0] for d in dupes]}")
            counts["report_files"] = con.execute(
                f"INSERT INTO {SCHEMA}.report_files ({cols}) SELECT {cols} FROM read_parquet(?) "
                f"ON CONFLICT (path) DO UPDATE SET {_REGISTRY_UPDATES}", [reg_paths]).fetchall()[0][0]
        con.execute(f"DROP TABLE {_IDS}_all")
    return counts


_STAGED_IDS = " UNION SELECT report_id FROM read_parquet(?) WHERE report_id IS NOT NULL"


def _parquet_paths(con: duckdb.DuckDBPyConnection, locations: Sequence[str]) -> list[str]:
    """The locations as DuckDB reads them (their fsspec file systems registered on ``con``)."""
    if not locations:
        return []
    paths, systems = staging.duckdb_paths(locations)
    for fs in systems:
        with contextlib.suppress(duckdb.Error):  # registered already on this connection
            con.register_filesystem(fs)
    return list(paths)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Replace a derived raw table (not per report, e.g. agencies) whole, in one transaction."""
    ensure_schema(con)
    with _transaction(con) as views:
        con.execute(f"DELETE FROM {SCHEMA}.{q(table)}")
        if frame.height:
            _insert(con, table, frame, views)
    return frame.height


# ---------------------------------------------------------------------------------------------
# Reads


def read_table(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """A raw table as a polars frame with the contract's dtypes (empty if the table is missing)."""
    if table not in ALL_SCHEMAS:
        raise KeyError(table)
    if not table_exists(con, SCHEMA, table):
        return pl.DataFrame(schema=ALL_SCHEMAS[table])
    order = "path" if table == "report_files" else "report_id"
    frame = con.sql(f"SELECT {_columns(table)} FROM {SCHEMA}.{q(table)} ORDER BY {order}").pl()
    return _conform(table, frame)


def read_report_files(database: str | Path) -> pl.DataFrame:
    """The registry, read-only; empty when the warehouse or the table does not exist yet."""
    if not Path(database).exists():
        return pl.DataFrame(schema=REPORT_FILES)
    with connect_read_only(database) as con:
        return read_table(con, "report_files")
