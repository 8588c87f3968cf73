"""Extraction throughput and memory, printed as figures and as a ratio against a baseline measured in the
same run (decoding and normalizing the same bytes: the least any extractor must do), so machines compare.

usage: .venv/bin/python benchmarks/extract_throughput.py [--n 1000] [--seed 5150]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
import tracemalloc
from pathlib import Path

from pipelines.corpus.generate import generate_corpus
from pipelines.extract import extract_report
from pipelines.extract.decode import decode
from pipelines.extract.normalize import normalize_line


def _baseline(blobs: list[bytes]) -> None:
    for data in blobs:
        with contextlib.suppress(ValueError):
            [normalize_line(ln) for ln in decode(data).text.splitlines()]


def _extract(blobs: list[bytes]) -> None:
    for i, data in enumerate(blobs):
        extract_report(data, f"{i}.txt")


def percentiles(paths: list[Path], blobs: list[bytes]) -> None:
    """Per-report extraction time: 50th and 99th percentile and the maximum, overall and by rendering (the
    generator names the rendering in the file name)."""
    times: dict[str, list[float]] = {}
    for path, data in zip(paths, blobs, strict=True):
        t0 = time.perf_counter()
        extract_report(data, path.name)
        ms = (time.perf_counter() - t0) * 1000
        times.setdefault("ALL", []).append(ms)
        times.setdefault(path.stem.split("_", 1)[-1], []).append(ms)
    print(f"{'per-report ms':<18} {'n':>5} {'p50':>7} {'p99':>7} {'max':>7}")
    for name, ts in sorted(times.items(), key=lambda kv: (kv[0] != "ALL", kv[0])):
        ts.sort()
        p99 = ts[min(len(ts) - 1, int(len(ts) * 0.99))]
        print(f"{name:<18} {len(ts):>5} {ts[len(ts) // 2]:>7.2f} {p99:>7.2f} {ts[-1]:>7.2f}")


def _measure(fn, blobs: list[bytes]) -> tuple[float, int]:
    """Seconds (untraced), then peak traced memory in a second pass (tracing slows Python down)."""
    t0 = time.perf_counter()
    fn(blobs)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    fn(blobs)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=5150)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate_corpus(Path(tmp), n=args.n, seed=args.seed)
        paths = sorted(Path(tmp).glob("*.txt"))
        blobs = [p.read_bytes() for p in paths]
    mb = sum(map(len, blobs)) / 1e6
    base_s, base_peak = _measure(_baseline, blobs)
    ext_s, ext_peak = _measure(_extract, blobs)
    print(f"reports {len(blobs)}, {mb:.1f} MB")
    print(f"baseline (decode + normalize): {base_s:.2f} s, peak {base_peak / 1e6:.1f} MB")
    print(f"extraction:                    {ext_s:.2f} s ({len(blobs) / ext_s:.0f} reports/s, {mb / ext_s:.2f} MB/s), "
          f"peak {ext_peak / 1e6:.1f} MB")
    print(f"ratio extraction/baseline: time {ext_s / base_s:.1f}x, peak memory {ext_peak / max(base_peak, 1):.1f}x")
    percentiles(paths, blobs)


if __name__ == "__main__":
    main()
