"""Parallel extraction two ways on the same files, to keep the faster (issue 12, item 3):

- the pool: ``xxgk run`` with XXGK_WORKERS worker processes inside the ``extracted_reports`` step;
- partitions: ``extract_shards_job``'s partitions, each its own process (as the multiprocess executor, k8s
  or Celery run them), launched at once with one worker each, then ``xxgk run`` adopting their batches.

Prints the extraction's wall time each way (the pool's from the run's event log; the shards' from their
launch to the last one's end, plus the adopting step) and the whole run's.

usage: .venv/bin/python benchmarks/shards_vs_pool.py [--n 10000] [--shards 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dagster import DagsterInstance
from pipeline_scale import XXGK, stage_times

from pipelines import settings
from pipelines.corpus.generate import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
# One partition of the shard job in its own process, on the instance under DAGSTER_HOME.
_ONE_SHARD = """
import sys
from dagster import DagsterInstance, execute_job
from dagster._core.definitions.reconstruct import ReconstructableRepository
from pipelines.defs.sharding import SHARD_JOB
recon = ReconstructableRepository.for_module("pipelines.definitions", "defs", working_directory=sys.argv[2])
with DagsterInstance.get() as instance:
    result = execute_job(recon.get_reconstructable_job(SHARD_JOB), instance=instance,
                         tags={"dagster/partition": sys.argv[1]})
sys.exit(0 if result.success else 1)
"""


def _env(raw: Path, work: Path, workers: int, shards: int) -> dict[str, str]:
    return {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(work / "warehouse.duckdb"),
            "DAGSTER_HOME": str(work / "home"), "XXGK_STAGING_DIR": str(work / "staging"),
            "XXGK_WORKERS": str(workers), "XXGK_SHARDS": str(shards)}


def _xxgk_run(env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(XXGK), "run"], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=5150)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        raw = tmp / "raw"
        generate_corpus(raw, n=args.n, seed=args.seed)
        (raw / "truth.jsonl").unlink()

        pool = _env(raw, tmp / "pool", cores, args.shards)
        pool_run = _xxgk_run(pool)
        pool_extract = stage_times(tmp / "pool" / "home")["extraction"][0]

        sharded = _env(raw, tmp / "shards", 1, args.shards)
        os.environ["DAGSTER_HOME"] = sharded["DAGSTER_HOME"]
        settings.ensure_dagster_home()  # the instance the shards and the run share, as xxgk run makes it
        with DagsterInstance.get():  # its storage made once here: two shards creating it at once would race
            pass
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _ONE_SHARD, str(k), str(ROOT)], env=sharded, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for k in range(args.shards)]
        failed = [p.stderr.read().decode()[-1500:] for p in procs if p.wait()]
        shards_wall = time.perf_counter() - t0
        if failed:
            raise SystemExit(f"a shard failed: {failed[0]}")
        adopt_run = _xxgk_run(sharded)
        adopt_extract = stage_times(tmp / "shards" / "home")["extraction"][0]

    n = args.n
    print(f"{n:,} reports, {cores} cores")
    print(f"pool inside the step ({cores} workers): extraction {pool_extract:.1f} s ({n / pool_extract:.0f} reports/s); "
          f"whole run {pool_run:.1f} s")
    both = shards_wall + adopt_extract
    print(f"{args.shards} partitions at once (1 worker each): {shards_wall:.1f} s (each process loads the code location "
          f"and plans), adopting {adopt_extract:.1f} s: extraction {both:.1f} s ({n / both:.0f} reports/s); "
          f"whole {shards_wall + adopt_run:.1f} s")
    ratio = max(pool_extract, both) / min(pool_extract, both)
    print(f"faster: {'the pool' if pool_extract <= both else 'partitions'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
