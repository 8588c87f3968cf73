"""Staged batches on any fsspec path (pipelines.staging), and the bulk load of a run's batches
(warehouse.load_staged) against one ``load_frames`` per batch: the same rows."""

from __future__ import annotations

import os
import shutil
import time
import uuid

import duckdb
import polars as pl
import pytest
from conftest import RAW, table_checksums

from pipelines import rawdir, staging, warehouse
from pipelines.extraction import extract_planned
from pipelines.frames import REPORT_FILES, TABLES


@pytest.fixture
def plan(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    shutil.copyfile(next(raw.iterdir()), raw / "zz-twin.txt")  # a duplicate: a registry row, not a batch's
    return rawdir.plan_directory(raw, pl.DataFrame(schema=REPORT_FILES))


def _locations(tmp_path):
    return {"folder": str(tmp_path / "stage"), "file_url": f"file://{tmp_path}/stage-url",
            "memory": f"memory://xxgk-test-{uuid.uuid4().hex}/stage"}


def _load_per_batch(con, ex) -> None:
    for b in ex.batches:
        frames = {t: staging.read_parquet(b.file(t)) for t in TABLES}
        warehouse.load_frames(con, frames, registry=staging.read_parquet(b.file("report_files")),
                              delete_report_ids=b.report_ids)
    warehouse.load_frames(con, {}, registry=staging.read_parquet(ex.remaining_registry),
                          delete_report_ids=ex.stale_report_ids)


def _load_bulk(con, ex) -> dict[str, int]:
    return warehouse.load_staged(
        con, {t: [b.file(t) for b in ex.batches] for t in TABLES},
        registry=[*(b.file("report_files") for b in ex.batches), ex.remaining_registry],
        delete_report_ids=[*(r for b in ex.batches for r in b.report_ids), *ex.stale_report_ids])


@pytest.mark.parametrize("kind", ["folder", "file_url", "memory"])
def test_batches_staged_anywhere_load_in_bulk_as_batch_by_batch(plan, tmp_path, kind):
    location = _locations(tmp_path)[kind]
    ex = extract_planned(plan, location, batch_size=2, workers=0)
    assert len(ex.batches) == 3 and ex.run_dir == location
    for b in ex.batches:
        assert b.directory.startswith(location)
        assert all(staging.exists(b.file(t)) for t in (*TABLES, "report_files"))
    if kind != "memory":
        assert (tmp_path / ("stage" if kind == "folder" else "stage-url") / "batch-00001" / "reports.parquet").is_file()

    sums = {}
    for how, load in (("per_batch", _load_per_batch), ("bulk", _load_bulk)):
        with duckdb.connect(str(tmp_path / f"{kind}-{how}.duckdb")) as con:
            warehouse.ensure_schema(con)
            counts = load(con, ex)
            sums[how] = table_checksums(con)
            if how == "bulk":
                assert counts["reports"] == 5 and counts["report_files"] == 6
    assert sums["bulk"] == sums["per_batch"]
    assert sums["bulk"]["raw.reports"].startswith("5:")

    staging.remove(location)
    assert not staging.exists(location)


def test_a_bulk_load_replaces_old_rows_and_rolls_back_whole(plan, tmp_path):
    location = _locations(tmp_path)["memory"]
    ex = extract_planned(plan, location, batch_size=2, workers=0)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        warehouse.ensure_schema(con)
        _load_bulk(con, ex)
        first = table_checksums(con)
        _load_bulk(con, ex)  # the same reports again: their old rows go first
        assert table_checksums(con) == first
        bad = [ex.remaining_registry, ex.remaining_registry]  # a path twice: refused, nothing changed
        with pytest.raises(ValueError, match="repeat paths"):
            warehouse.load_staged(con, {t: [b.file(t) for b in ex.batches] for t in TABLES}, registry=bad,
                                  delete_report_ids=["x"])
        assert table_checksums(con) == first


def test_clean_removes_old_run_folders_and_shard_sets_only(tmp_path):
    root = tmp_path / "staging"
    for folder in ("old-run", "new-run", "keep", "shards/2.0.0/0-of-2"):
        (root / folder).mkdir(parents=True)
        (root / folder / "f.parquet").write_bytes(b"x")
    staging.clean(str(root), str(root / "keep"), older_than=3600)
    assert {p.name for p in root.iterdir()} == {"old-run", "new-run", "keep", "shards"}
    old = time.time() - 7200
    for f in (root / "old-run" / "f.parquet", root / "keep" / "f.parquet", root / "shards/2.0.0/0-of-2/f.parquet"):
        os.utime(f, (old, old))
    staging.clean(str(root), str(root / "keep"), older_than=3600)
    assert {p.name for p in root.iterdir()} == {"new-run", "keep", "shards"}
    assert not (root / "shards" / "2.0.0").exists()
