"""Staged batches on any fsspec path (pipelines.staging), and the bulk load of a run's batches
(warehouse.load_staged) against one ``load_frames`` per batch: the same rows."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

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


# ------------------------------------------------------------------------------------ shards and adoption


def _bulk_sums(database, ex) -> dict[str, str]:
    with duckdb.connect(str(database)) as con:
        warehouse.ensure_schema(con)
        _load_bulk(con, ex)
        return table_checksums(con)


def test_shards_split_the_plan_and_adoption_takes_only_batches_that_match(plan, tmp_path, monkeypatch):
    from pipelines import shards

    parts = [shards.shard_plan(plan, i, 2).to_extract for i in range(2)]
    assert sorted(e.path for p in parts for e in p) == [e.path for e in plan.to_extract] and all(parts)
    root = _locations(tmp_path)["memory"]
    manifests = [shards.extract_shard(plan, root, i, 2, batch_size=1, workers=0) for i in range(2)]
    assert sum(len(m["batches"]) for m in manifests) == 5 and manifests[0]["parser_version"] == plan.parser_version

    raw = Path(plan.raw_dir)
    changed = plan.to_extract[0].path
    (raw / changed).write_bytes((raw / changed).read_bytes() + b"\n")  # its shard batch no longer matches
    now = rawdir.plan_directory(raw, pl.DataFrame(schema=REPORT_FILES))
    adopted = shards.adopt(now, root)
    assert adopted.paths == {e.path for e in now.to_extract} - {changed}

    ex = extract_planned(now, staging.join(root, "run"), batch_size=2, workers=0, adopted=adopted)
    assert ex.adopted == sorted(adopted.paths) and len(ex.outcomes) == 5
    reference = extract_planned(now, tmp_path / "reference", batch_size=2, workers=0)
    assert ex.outcomes == reference.outcomes and ex.statuses == reference.statuses
    assert _bulk_sums(tmp_path / "adopted.duckdb", ex) == _bulk_sums(tmp_path / "reference.duckdb", reference)

    monkeypatch.setattr("pipelines.extract.PARSER_VERSION", "9.9.9-test")  # another parser: nothing adopted
    assert not shards.adopt(rawdir.plan_directory(raw, pl.DataFrame(schema=REPORT_FILES)), root).batches
