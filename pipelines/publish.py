"""One complete build at a time for readers: a run writes a working copy and publishes it by rename.

Readers hold the published file (read-only); DuckDB would refuse a writer beside them, and a writer
halfway through would show them a mix of two builds. So a run never opens the published file: it
copies it to a working file beside it, loads and builds there, and only when every step succeeded
replaces the published file with the working one (checkpoint, fsync, rename, fsync the directory).
A reader that held the old file keeps its old snapshot; the next connection sees the new build. A
failed, killed or out-of-disk run leaves the published file as it was.

Each publish leaves a receipt beside the warehouse (what was published, by which run, or why not),
which ``xxgk run`` and ``xxgk status`` print.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb


class PublishError(RuntimeError):
    """The working copy could not be made or published; the message is one line a person can act on."""


def working_path(published: Path) -> Path:
    """The run's working copy: beside the published file (same filesystem, so the rename is atomic)."""
    return published.with_name(f".{published.name}.building")


def receipt_path(published: Path) -> Path:
    return published.with_name(f".{published.name}.publish.json")


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_message(exc: OSError, where: Path) -> str | None:
    """The one line for a full disk or quota, else None."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"the disk is full at {where.parent}: free some space and run again"
    return None


def discard(published: Path) -> None:
    """Remove a working copy a failed or killed run left behind."""
    working = working_path(published)
    for path in (working, _wal(working)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def begin(published: Path) -> Path:
    """A fresh working copy of the published warehouse (none yet: an empty one); returns its path."""
    published.parent.mkdir(parents=True, exist_ok=True)
    working = working_path(published)
    discard(published)
    try:
        if published.exists():
            shutil.copyfile(published, working)
            if _wal(published).exists():  # written by someone who did not close it: keep what it holds
                shutil.copyfile(_wal(published), _wal(working))
    except OSError as exc:
        discard(published)
        raise PublishError(
            (disk_message(exc, published) or f"cannot copy the warehouse {published} to {working}: {exc.strerror}")
            + "; the published warehouse is unchanged"
        ) from exc
    return working


def publish(published: Path) -> Path:
    """Replace the published warehouse with the working copy, atomically; returns the published path."""
    working = working_path(published)
    if not working.exists():
        raise PublishError(f"no working copy {working} to publish; the published warehouse is unchanged")
    try:
        con = duckdb.connect(str(working))
        try:
            con.execute("CHECKPOINT")  # everything in the file itself: no WAL travels with the rename
        finally:
            con.close()
        _fsync(working)
        os.replace(working, published)
        _fsync(published.parent)
    except OSError as exc:
        raise PublishError(
            (disk_message(exc, published) or f"cannot publish {working} as {published}: {exc.strerror}")
            + "; the published warehouse is unchanged"
        ) from exc
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        raise PublishError(f"cannot checkpoint the working copy {working} ({message}); "
                           "the published warehouse is unchanged") from exc
    with contextlib.suppress(FileNotFoundError):
        _wal(published).unlink()  # a stale WAL of the old file must not be replayed into the new one
    return published


@dataclass(frozen=True)
class Receipt:
    """What the last run that ended did to the published warehouse."""

    run_id: str
    published: bool
    at: str  # ISO 8601 UTC
    reason: str  # what was published, or why nothing was

    def line(self) -> str:
        verb = "published" if self.published else "NOT published"
        return f"warehouse {verb} by run {self.run_id[:8]} at {self.at[:19].replace('T', ' ')} UTC: {self.reason}"


def write_receipt(published: Path, run_id: str, *, done: bool, reason: str) -> Receipt:
    receipt = Receipt(run_id, done, datetime.now(UTC).isoformat(timespec="seconds"), reason)
    path = receipt_path(published)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two writers never share one
    with contextlib.suppress(OSError):  # a receipt is a courtesy: a full disk must not hide the real error
        tmp.write_text(json.dumps(asdict(receipt), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    return receipt


def read_receipt(published: Path) -> Receipt | None:
    try:
        return Receipt(**json.loads(receipt_path(published).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
