"""The staging area between extraction and load, on any fsspec path: a local folder, ``file://``,
``memory://`` (tests), ``s3://bucket/prefix`` (production; needs s3fs), ``gs://`` ...

Locations are strings: URLs or plain paths, joined with ``/``. Extraction writes each batch's frames as
Parquet here, the load reads them back (pipelines.warehouse.load_staged), the shards of
pipelines.shards write their batches and manifests under ``shards/``. No Dagster, no DuckDB.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import fsspec
import polars as pl
from fsspec.implementations.local import LocalFileSystem

STAGING_KEEP_SECONDS = 7 * 24 * 3600
SHARDS = "shards"  # under the staging root: the shard sets (kept across runs; pipelines.shards)


def url_to_fs(location: str | Path) -> tuple[fsspec.AbstractFileSystem, str]:
    return fsspec.core.url_to_fs(str(location))


def is_local(location: str | Path) -> bool:
    return isinstance(url_to_fs(location)[0], LocalFileSystem)


def join(base: str | Path, *parts: str) -> str:
    out = str(base).rstrip("/")
    for part in parts:
        out = f"{out}/{part.strip('/')}"
    return out


def makedirs(location: str | Path) -> None:
    fs, path = url_to_fs(location)
    fs.makedirs(path, exist_ok=True)


def remove(location: str | Path) -> None:
    """Remove a folder (or file) and everything under it; nothing if it is not there."""
    fs, path = url_to_fs(location)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def exists(location: str | Path) -> bool:
    fs, path = url_to_fs(location)
    return fs.exists(path)


def write_parquet(frame: pl.DataFrame, location: str | Path) -> None:
    fs, path = url_to_fs(location)
    with fs.open(path, "wb") as f:
        frame.write_parquet(f)


def read_parquet(location: str | Path) -> pl.DataFrame:
    fs, path = url_to_fs(location)
    with fs.open(path, "rb") as f:
        return pl.read_parquet(f)


def write_json(obj: object, location: str | Path) -> None:
    fs, path = url_to_fs(location)
    with fs.open(path, "wb") as f:
        f.write(json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8"))


def read_json(location: str | Path) -> object:
    fs, path = url_to_fs(location)
    with fs.open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def glob(pattern: str) -> list[str]:
    """The locations matching ``pattern`` (a location with ``*``), as locations of the same kind, sorted."""
    fs, path = url_to_fs(pattern)
    found = sorted(fs.glob(path))
    return found if isinstance(fs, LocalFileSystem) and "://" not in pattern else [fs.unstrip_protocol(p) for p in found]


def files_under(location: str | Path) -> set[str]:
    """Every file under ``location``, as the file system names them (compare with ``fs_path``): one listing."""
    fs, path = url_to_fs(location)
    return set(fs.find(path)) if fs.exists(path) else set()


def fs_path(location: str | Path) -> str:
    return url_to_fs(location)[1]


def duckdb_paths(locations: Iterable[str]) -> tuple[list[str], list[fsspec.AbstractFileSystem]]:
    """The locations as DuckDB reads them: local ones as plain paths; others as URLs, with the fsspec file
    systems to register on the connection (DuckDB's own httpfs could read s3:// too, given a secret)."""
    paths: list[str] = []
    systems: dict[str, fsspec.AbstractFileSystem] = {}
    for location in locations:
        fs, path = url_to_fs(location)
        if isinstance(fs, LocalFileSystem):
            paths.append(path)
        else:
            paths.append(fs.unstrip_protocol(path))
            protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
            systems.setdefault(protocol, fs)
    return paths, list(systems.values())


def _newest(fs: fsspec.AbstractFileSystem, path: str) -> float | None:
    """The newest modification time under ``path`` (seconds), None if no file says."""
    newest = None
    for info in fs.find(path, detail=True).values():
        stamp = info.get("mtime", info.get("created", info.get("LastModified")))
        if hasattr(stamp, "timestamp"):
            stamp = stamp.timestamp()
        if isinstance(stamp, int | float):
            newest = stamp if newest is None else max(newest, stamp)
    return newest


def clean(staging: str | Path, keep: str | Path, *, older_than: float = STAGING_KEEP_SECONDS) -> None:
    """Remove run folders (a run that died before its load leaves one behind) and shard sets (one per
    parser version under ``shards/``) whose newest file is older than ``older_than`` seconds."""
    fs, root = url_to_fs(staging)
    if not fs.isdir(root):
        return
    _, kept = url_to_fs(keep)
    cutoff = time.time() - older_than
    folders = [info["name"] for info in fs.ls(root, detail=True) if info["type"] == "directory"]
    shards = [f for f in folders if f.rstrip("/").rsplit("/", 1)[-1] == SHARDS]
    for shard_root in shards:
        folders += [info["name"] for info in fs.ls(shard_root, detail=True) if info["type"] == "directory"]
    for folder in folders:
        if folder in shards or folder.rstrip("/") == kept.rstrip("/"):
            continue
        newest = _newest(fs, folder)
        if newest is not None and newest < cutoff:
            fs.rm(folder, recursive=True)
