"""One writer at a time across processes: an advisory lock beside the DuckDB file.

DuckDB lets one process write a file. Runs launched by one Dagster instance are serialized by its
concurrency pool; `xxgk run` processes (a nightly cron, a user at a terminal) take this lock as well, so a
second run waits for the first instead of failing on the DuckDB lock halfway through.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class WarehouseBusyError(RuntimeError):
    """Another run still held the warehouse lock when the wait ran out."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return f"PID {pid}" if pid else "another process"


@contextlib.contextmanager
def warehouse_lock(database: Path, wait_seconds: float, say=print) -> Iterator[None]:
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait_seconds
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    say(f"another xxgk run ({_holder(path)}) holds the DuckDB warehouse lock {path}; "
                        f"waiting up to {wait_seconds:.0f} s")
                    announced = True
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"another xxgk run ({_holder(path)}) still holds the DuckDB warehouse lock {path} after "
                        f"{wait_seconds:.0f} s; nothing was changed, try again later") from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
