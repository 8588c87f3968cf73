"""Time and memory of one file's extraction as the file grows: 64 KB, 256 KB, 1 MB, 4 MB of table-like text.

Each size of each family is extracted in a fresh process, which reports its wall time and the growth of
its peak RSS over the process's own baseline (after imports). A parser linear in its input grows by about
4x per step (each size is 4x the one before); a quadratic one by 16x. Beside each figure, the floor: the
same process decoding and normalizing the same bytes (the least any extractor must do).

Families, each made by repeating real layouts until the size is reached:
- rows:      the standard tables of a real report, repeated (labels and figures on their lines);
- one-line:  the same text with every line break removed (one huge line);
- digits:    table rows whose figures run together ("新收政府信息公开申请数量1234567890…");
- html:      one <table> with a row per repeated table line.

usage: .venv/bin/python benchmarks/pathological_sizes.py [--sizes 64K,256K,1M,4M] [--families rows,one-line]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "fixtures" / "real" / "003_pingtan_2025.txt"
UNITS = {"K": 1024, "M": 1024 * 1024}

CHILD = r"""
import json, resource, sys, time
from pipelines.extract import extract_report
from pipelines.extract.decode import decode
from pipelines.extract.normalize import normalize_line

def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

data = sys.stdin.buffer.read()
name = sys.argv[1]
extract_report(b"warm up", "w.txt")
base = rss_mb()
t0 = time.perf_counter()
[normalize_line(ln) for ln in decode(data).text.splitlines()]
floor_s = time.perf_counter() - t0
floor_mb = rss_mb() - base
t0 = time.perf_counter()
report = extract_report(data, name)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak_mb": rss_mb() - base, "floor_s": floor_s, "floor_mb": floor_mb,
                  "cells": len(report.cells), "issues": len(report.issues)}))
"""


def _size(text: str) -> int:
    text = text.strip().upper()
    return int(float(text[:-1]) * UNITS[text[-1]]) if text[-1] in UNITS else int(text)


def _table_lines() -> list[str]:
    """The lines of the sample's tables: the ones holding a figure."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return [ln for ln in lines if any(ch.isdigit() for ch in ln)] or lines


def _cut(data: bytes, size: int) -> bytes:
    """The first ``size`` bytes, less a character cut in two."""
    return data[:size].decode("utf-8", "ignore").encode("utf-8")


def _repeat(unit: str, size: int) -> bytes:
    raw = unit.encode("utf-8")
    return _cut(raw * (size // len(raw) + 1), size)


def family(name: str, size: int) -> tuple[bytes, str]:
    """The file of family ``name`` at ``size`` bytes, and its file name."""
    head = SAMPLE.read_text(encoding="utf-8")
    rows = "\n".join(_table_lines()) + "\n"
    if name == "rows":
        return _cut(head.encode("utf-8") + _repeat(rows, size), size), "rows.txt"
    if name == "one-line":
        return _cut(head.replace("\n", " ").encode("utf-8") + _repeat(rows.replace("\n", " "), size), size), "one.txt"
    if name == "digits":
        unit = "".join(f"新收政府信息公开申请数量{n * 7919 % 10**9:09d}{n % 997}\n" for n in range(50))
        return _cut(head.encode("utf-8") + _repeat(unit, size), size), "digits.txt"
    if name == "html":
        cells = "".join(f"<tr><td>{ln.split()[0] if ln.split() else ''}</td>"
                        + "".join(f"<td>{w}</td>" for w in ln.split()[1:]) + "</tr>\n" for ln in _table_lines())
        body = _repeat(cells, size - 200).decode("utf-8", "ignore")
        body = body[: body.rfind("</tr>") + 5]
        return f"<html><body><h1>2025年政府信息公开工作年度报告</h1><table>{body}</table></body></html>".encode(), "t.html"
    raise SystemExit(f"unknown family {name!r}")


def measure(data: bytes, name: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, name], input=data, capture_output=True, cwd=ROOT,
                          timeout=3600)
    if done.returncode:
        return {"error": done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64K,256K,1M,4M")
    ap.add_argument("--families", default="rows,one-line,digits,html")
    args = ap.parse_args()
    sizes = [_size(s) for s in args.sizes.split(",")]
    print(f"{'family':<9} {'size':>8} {'seconds':>8} {'MB/s':>6} {'peak MB':>8} {'x time':>7} {'x mem':>6} "
          f"{'floor s':>8} {'vs floor':>8} {'cells':>6}")
    worst = 0.0
    for fam in args.families.split(","):
        previous: dict[str, float] | None = None
        for size in sizes:
            data, name = family(fam, size)
            m = measure(data, name)
            if "error" in m:
                print(f"{fam:<9} {size:>8,} failed: {m['error']}")
                break
            grow_t = m["seconds"] / previous["seconds"] if previous else float("nan")
            grow_m = max(m["peak_mb"], 1) / max(previous["peak_mb"], 1) if previous else float("nan")
            if previous and size >= 1024 * 1024:
                worst = max(worst, grow_t)
            print(f"{fam:<9} {size:>8,} {m['seconds']:>8.2f} {len(data) / 1e6 / m['seconds']:>6.2f} "
                  f"{m['peak_mb']:>8.1f} {grow_t:>7.1f} {grow_m:>6.1f} {m['floor_s']:>8.3f} "
                  f"{m['seconds'] / max(m['floor_s'], 1e-6):>7.0f}x {m['cells']:>6}")
            previous = m
    print(f"largest time growth per 4x of size (from 1 MB up): {worst:.1f}x (linear: ~4x, quadratic: ~16x)")


if __name__ == "__main__":
    main()
