"""Peak memory of `xxgk run` as the warehouse grows: the same batch size at N and 10 x N reports.

Generates N reports (every rendering in equal share), runs `xxgk run` on them in a fresh subprocess
with its own warehouse and DAGSTER_HOME, and samples the resident memory of the run's whole process tree
(the run, its extraction workers and dbt) every 0.2 s; then a second run with nothing new. Memory bounded by
the batch means the peak at 10 x N is within about 20% of the peak at N.

usage: .venv/bin/python benchmarks/run_memory.py [--n 2000] [--scale 10] [--batch-size 200]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
from pathlib import Path

from proctree import run_sampled

from pipelines.corpus.generate import generate_corpus

ROOT = Path(__file__).resolve().parent.parent
XXGK = Path(sys.executable).with_name("xxgk")


def run(raw: Path, work: Path, batch_size: int) -> dict[str, float]:
    env = {**os.environ, "XXGK_RAW_DIR": str(raw), "XXGK_WAREHOUSE": str(work / "warehouse.duckdb"),
           "DAGSTER_HOME": str(work / "home"), "XXGK_BATCH_SIZE": str(batch_size)}
    done = run_sampled([str(XXGK), "run"], env, ROOT)
    if done.returncode:
        raise SystemExit(f"xxgk run failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"seconds": done.seconds, "tree_mb": done.tree_mb, "largest_mb": done.largest_mb,
            "largest": done.largest, "summary": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--scale", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5150)
    args = ap.parse_args()
    rows = []
    for n in (args.n, args.n * args.scale):
        with tempfile.TemporaryDirectory() as tmp:
            raw, work = Path(tmp) / "raw", Path(tmp) / "work"
            generate_corpus(raw, n=n, seed=args.seed)
            (raw / "truth.jsonl").unlink()  # the generator's answers, not a report
            first = run(raw, work, args.batch_size)
            again = run(raw, work, args.batch_size)
            rows.append((n, first, again))
            print(f"reports {n:>7,}: run {first['seconds']:7.1f} s ({n / first['seconds']:5.0f} reports/s), "
                  f"peak RSS of the process tree {first['tree_mb']:7.0f} MB, largest process "
                  f"{first['largest_mb']:6.0f} MB ({first['largest']}); nothing new: {again['seconds']:5.1f} s, "
                  f"peak {again['tree_mb']:5.0f} MB ({again['summary']})", flush=True)
    (n0, a, _), (n1, b, _) = rows
    print(f"peak RSS at {n1:,} / at {n0:,} reports: process tree {b['tree_mb'] / a['tree_mb']:.2f}x, "
          f"largest process {b['largest_mb'] / a['largest_mb']:.2f}x (bounded by the batch: <= 1.20x); "
          f"largest child seen by getrusage {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
