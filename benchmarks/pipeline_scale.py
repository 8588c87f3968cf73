"""The whole pipeline at scale: N generated reports from raw files to marts, stage by stage, against floors.

Generates N reports (default 10,000) in every rendering in equal share, runs `xxgk run` on them in a fresh
subprocess (its own warehouse and DAGSTER_HOME), and reads each stage's wall time from the run's own event
log: scan (raw_report_files), extraction (extracted_reports), load (raw_tables), dbt (xxgk_dbt), checks
(the raw tables' schema checks) and the rest. For each stage: wall seconds, reports per second and the peak
RSS of the run's process tree while it ran. Floors, measured in the same run on the same files:
- decode + normalize + line split of every file, on one core (the least any extractor must do);
- DuckDB reading the raw tables back from Parquet into a fresh database (the least a load must do).
Then a second run with nothing new, and the per-report extraction time (p50, p99, max) by rendering.

usage: .venv/bin/python benchmarks/pipeline_scale.py [--n 10000] [--workers 2] [--batch-size 200]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from dagster import DagsterEventType, DagsterInstance
from extract_throughput import percentiles
from proctree import Sampled, run_sampled

from pipelines.corpus.generate import generate_corpus
from pipelines.extract.decode import decode
from pipelines.extract.normalize import normalize_line

ROOT = Path(__file__).resolve().parent.parent
XXGK = Path(sys.executable).with_name("xxgk")
STAGES = {"raw_report_files": "scan", "extracted_reports": "extraction", "raw_tables": "load", "xxgk_dbt": "dbt"}


def _stage(step_key: str) -> str:
    return STAGES.get(step_key, "checks" if step_key.endswith("_schema") else "other")


def stage_times(home: Path) -> dict[str, tuple[float, float, float]]:
    """stage -> (seconds, first start, last end) from the latest run's STEP_START / STEP_SUCCESS events; also
    "step:<key>" -> the same for each step of the "other" stage, to name what it holds."""
    os.environ["DAGSTER_HOME"] = str(home)
    with DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        spans: dict[str, list[float]] = {}
        for e in instance.all_logs(run.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS,
                                                          DagsterEventType.STEP_FAILURE}):
            spans.setdefault(e.step_key, []).append(e.timestamp)
    out: dict[str, tuple[float, float, float]] = {}
    for step, ts in spans.items():
        name = _stage(step)
        seconds, start, end = out.get(name, (0.0, min(ts), max(ts)))
        out[name] = (seconds + max(ts) - min(ts), min(start, min(ts)), max(end, max(ts)))
        if name == "other":
            out[f"step:{step}"] = (max(ts) - min(ts), min(ts), max(ts))
    return out


def peak_between(sampled: Sampled, start: float, end: float) -> float:
    return max((mb for t, mb in sampled.samples if start - 0.2 <= t <= end + 0.2), default=0.0)


def decode_floor(paths: list[Path]) -> float:
    t0 = time.perf_counter()
    for p in paths:
        with contextlib.suppress(ValueError):
            [normalize_line(ln) for ln in decode(p.read_bytes()).text.splitlines()]
    return time.perf_counter() - t0


def load_floor(database: Path, tmp: Path) -> tuple[float, int]:
    """Seconds for DuckDB to read the raw tables from Parquet into a fresh database, and their rows."""
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()]
        for t in tables:
            con.execute(f"COPY raw.\"{t}\" TO '{tmp / (t + '.parquet')}' (FORMAT parquet)")
    rows = 0
    t0 = time.perf_counter()
    with duckdb.connect(str(tmp / "floor.duckdb")) as con:
        for t in tables:
            con.execute(f"CREATE TABLE \"{t}\" AS SELECT * FROM read_parquet('{tmp / (t + '.parquet')}')")
            rows += con.execute(f"SELECT count(*) FROM \"{t}\"").fetchone()[0]
    return time.perf_counter() - t0, rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5150)
    ap.add_argument("--percentile-sample", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        raw, work = tmp / "raw", tmp / "work"
        t0 = time.perf_counter()
        generate_corpus(raw, n=args.n, seed=args.seed)
        (raw / "truth.jsonl").unlink()
        paths = sorted(raw.glob("*.txt"))
        print(f"generated {len(paths):,} reports in {time.perf_counter() - t0:.0f} s "
              f"({sum(p.stat().st_size for p in paths) / 1e6:.0f} MB)")
        env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(work / "warehouse.duckdb"),
               "DAGSTER_HOME": str(work / "home"), "XXGK_BATCH_SIZE": str(args.batch_size),
               "XXGK_WORKERS": str(args.workers)}
        first = run_sampled([str(XXGK), "run"], env, ROOT)
        if first.returncode:
            raise SystemExit(f"xxgk run failed ({first.returncode}): {first.stderr[-2000:]}")
        stages = stage_times(work / "home")
        floor_decode = decode_floor(paths)
        floor_load, floor_rows = load_floor(work / "warehouse.duckdb", tmp)
        again = run_sampled([str(XXGK), "run"], env, ROOT)
        n = len(paths)
        print(f"\nxxgk run, {n:,} reports, {args.workers} worker(s): {first.seconds:.1f} s "
              f"({n / first.seconds:.0f} reports/s), peak RSS {first.tree_mb:.0f} MB "
              f"(largest process {first.largest_mb:.0f} MB: {first.largest})")
        print(f"{'stage':<11} {'seconds':>8} {'reports/s':>10} {'peak MB':>8} {'vs floor':>9}")
        for name in ("scan", "extraction", "load", "dbt", "checks", "other"):
            if name not in stages:
                continue
            seconds, start, end = stages[name]
            floor = {"extraction": floor_decode, "load": floor_load}.get(name)
            ratio = f"{seconds / floor:8.1f}x" if floor else ""
            print(f"{name:<11} {seconds:>8.1f} {n / max(seconds, 1e-9):>10.0f} "
                  f"{peak_between(first, start, end):>8.0f} {ratio:>9}")
        steps = sorted(((k[5:], v[0]) for k, v in stages.items() if k.startswith("step:")), key=lambda kv: -kv[1])
        print("other: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps))
        in_steps = sum(v[0] for k, v in stages.items() if not k.startswith("step:"))
        print(f"outside any step (loading the definitions, starting the run, publishing): "
              f"{first.seconds - in_steps:.1f} s")
        print(f"floor: decode + normalize on one core {floor_decode:.1f} s ({n / floor_decode:.0f} reports/s); "
              f"DuckDB reading the raw tables' Parquet ({floor_rows:,} rows) {floor_load:.1f} s")
        print(f"second run, nothing new: {again.seconds:.1f} s, peak RSS {again.tree_mb:.0f} MB "
              f"({again.stdout.strip().splitlines()[-1] if again.stdout.strip() else again.stderr[-200:]})")
        sample = paths[: args.percentile_sample]
        print(f"\nper-report extraction on one core, {len(sample):,} of the reports")
        percentiles(sample, [p.read_bytes() for p in sample])


if __name__ == "__main__":
    main()
