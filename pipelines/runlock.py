"""One writer at a time across processes: an advisory lock beside the DuckDB file.

Every run that writes takes it, wherever it was launched: ``xxgk run`` before it decides, and the
warehouse resource when a run launched by the schedule, the sensor or the UI starts (runs launched by
one Dagster instance are also queued one at a time by its tag concurrency limit). A second writer
waits, saying for whom, instead of failing on DuckDB's lock halfway through. The lock is re-entrant
within a process: ``xxgk run`` holds it, and the run it executes in-process takes it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class WarehouseBusyError(RuntimeError):
    """Another run still held the warehouse lock when the wait ran out."""


# lock path -> (fd, depth) of the locks this process holds
_HELD: dict[Path, tuple[int, int]] = {}
_GUARD = threading.Lock()


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def holder(database: Path) -> str:
    """Who holds (or last held) the lock, as its holder wrote it."""
    try:
        text = lock_path(database).read_text(encoding="utf-8").strip()
    except OSError:
        return "another process"
    return text or "another process"


def _acquire(path: Path, database: Path, wait_seconds: float, say: Callable[[str], object], who: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise WarehouseBusyError(
                    f"another writer ({holder(database)}) still holds the warehouse lock {path} after "
                    f"{wait_seconds:.0f} s; nothing was changed, try again later") from None
            if not announced:
                say(f"waiting up to {wait_seconds:.0f} s for the warehouse lock {path}, held by {holder(database)}")
                announced = True
            time.sleep(0.5)
    os.ftruncate(fd, 0)
    os.write(fd, f"PID {os.getpid()}, {who}".encode())
    return fd


@contextlib.contextmanager
def warehouse_lock(database: Path, wait_seconds: float, say: Callable[[str], object] = print,
                   who: str = "xxgk run") -> Iterator[None]:
    release = acquire(database, wait_seconds, say, who)
    try:
        yield
    finally:
        release()


def acquire(database: Path, wait_seconds: float, say: Callable[[str], object] = print,
            who: str = "xxgk run") -> Callable[[], None]:
    """Take the lock (or deepen this process's hold on it); returns the function that releases it."""
    path = lock_path(database)
    with _GUARD:
        if path in _HELD:
            fd, depth = _HELD[path]
            _HELD[path] = (fd, depth + 1)
        else:
            _HELD[path] = (_acquire(path, database, wait_seconds, say, who), 1)

    def release() -> None:
        with _GUARD:
            fd, depth = _HELD[path]
            if depth > 1:
                _HELD[path] = (fd, depth - 1)
                return
            del _HELD[path]
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    return release
