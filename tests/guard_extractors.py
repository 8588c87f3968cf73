"""Extractors the worker processes run in tests/test_file_guard.py: module-level functions (pickled by name),
in a module that imports neither dagster nor duckdb, as the workers must not."""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import time
from decimal import Decimal

from pipelines.extract import Cell, Report

MEMORY_MB = 256  # the per-file limit the tests give the workers


def small_report(data: bytes, source: str) -> Report:
    """A valid report whose one count is the file's first word."""
    r = Report(source=source, report_id=hashlib.sha256(data).hexdigest()[:16], agency=f"{source}局", year=2021,
               layout="2021", encoding="utf-8", rendering="pipe")
    r.cells += [Cell("proactive", "administrative_fees", "amount_yuan", Decimal("10.5"), 2),
                Cell("applications", "new_received", "total", int(data.split()[0]), 3)]
    return r


def hostile(data: bytes, source: str) -> Report:
    """Slow, memory-hungry or self-killing on the files that say so; a small report otherwise."""
    word = data.split()[1] if len(data.split()) > 1 else b""
    if word == b"slow":
        time.sleep(60)
    elif word == b"hungry":
        hog = b"x" * (3 * MEMORY_MB * 2**20)  # 3x the limit: MemoryError under RLIMIT_AS
        del hog
    elif word == b"kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif word == b"exit":
        os._exit(3)
    elif word == b"raise":
        raise RuntimeError("the core failed on this file")
    return small_report(data, source)


def modules_seen(data: bytes, source: str) -> Report:
    """A small report whose agency lists the dagster and duckdb modules loaded in the process running it."""
    r = small_report(data, source)
    seen = sorted(m for m in sys.modules if m.split(".")[0] in ("dagster", "duckdb", "dagster_duckdb"))
    r.agency = "loaded: " + (",".join(seen[:5]) or "none") + f" pid {os.getpid()}"
    return r
