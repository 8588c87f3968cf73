"""A failure as one line a person can act on: what failed, which file or table, what to do.

``xxgk run`` prints it instead of a traceback (``-v`` shows everything). It reads the text of the
error and of its causes, so it serves Python exceptions and the error records of Dagster's events alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# DuckDB's words for a file it cannot read as a database.
_CORRUPT = re.compile(r"not a valid DuckDB database file|database file .* corrupt|Corrupt database|"
                      r"block checksum|Could not read enough bytes|Serialization Error", re.IGNORECASE)
_DISK_FULL = re.compile(r"No space left on device|Disk quota exceeded|File too large|disk is full", re.IGNORECASE)
_LOCK = re.compile(r"Could not set lock on file \"?([^\"]+?)\"?:.*?\(PID (\d+)\)", re.DOTALL)


def exception_texts(exc: BaseException) -> list[tuple[str, str]]:
    """(class name, message) of an exception and of every cause or context behind it."""
    out, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append((type(current).__name__, str(current)))
        current = current.__cause__ or current.__context__
    return out


def error_texts(error: object) -> list[tuple[str, str]]:
    """(class name, message) of a Dagster SerializableErrorInfo and its causes."""
    out = []
    while error is not None:
        out.append((getattr(error, "cls_name", "") or "", getattr(error, "message", "") or ""))
        error = getattr(error, "cause", None) or getattr(error, "context", None)
    return out


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        line = line.strip()
        if line:
            return line[:300]
    return "no message"


def one_line(texts: Iterable[tuple[str, str]], *, warehouse: Path, step: str | None = None,
             log: Path | None = None) -> str:
    """The line for a failure whose error (and causes) read ``texts``."""
    texts = list(texts)
    for cls, message in texts:
        if cls in ("PublishError", "WarehouseBusyError", "Failure") and message.strip():
            return _first_line(message)
    joined = "\n".join(m for _, m in texts)
    if _DISK_FULL.search(joined):
        return f"the disk is full at {warehouse.parent}: free some space and run again"
    lock = _LOCK.search(joined)
    if lock:
        return (f"the DuckDB file {lock.group(1)} is held by process {lock.group(2)}: close that program "
                "(readers should open the published warehouse read-only) and run again")
    if _CORRUPT.search(joined):
        return (f"the warehouse {warehouse} is corrupt: move it aside and run again to rebuild from the raw "
                "directory")
    if step and "dbt" in step:
        where = f"; dbt's log: {log}" if log else ""
        return f"dbt build failed ({_first_line(texts[-1][1] if texts else '')}){where}"
    deepest = texts[-1] if texts else ("", "")
    name = f"{deepest[0]}: " if deepest[0] else ""
    return f"{name}{_first_line(deepest[1])}"
