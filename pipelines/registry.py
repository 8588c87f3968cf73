"""The raw directory's inventory: scan, hash, and decide what to (re-)extract.

A file is extracted again only when it is new, its bytes changed, or the parser version changed.
Files with the same bytes are one report: the first (or the one already loaded) is the primary and
the others get status ``duplicate``. Files that vanished get status ``removed``; reports no file
backs any more are deleted from the raw tables.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.frames import REPORT_FILES

LOADED = ("loaded", "loaded_with_warnings")
EXTRACTED = (*LOADED, "rejected")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the raw dir, with forward slashes
    abs_path: Path
    size: int
    sha256: str

    @property
    def report_id(self) -> str:
        return self.sha256[:16]


@dataclass(frozen=True)
class Outcome:
    """What extraction made of one file."""

    path: str
    status: str  # loaded | loaded_with_warnings | rejected
    reason: str | None
    report_id: str | None  # None when rejected (no row in raw.reports)
    encoding: str | None
    rendering: str | None
    layout: str | None
    parser_version: str


@dataclass
class Plan:
    raw_dir: str
    parser_version: str
    scanned_at: datetime
    files: list[FileEntry]  # every regular file present, sorted by path
    to_extract: list[FileEntry]  # primaries that are new, changed, or parsed by another version
    unchanged: list[str]  # primaries whose registry row stands
    duplicates: dict[str, str]  # path -> primary path with the same bytes
    removed: list[str]  # registered paths that vanished
    stale_report_ids: list[str]  # loaded reports no present file backs any more
    previous: pl.DataFrame = field(repr=False)  # raw.report_files before this run

    def summary(self) -> dict[str, int]:
        return {
            "files_seen": len(self.files),
            "to_extract": len(self.to_extract),
            "unchanged": len(self.unchanged),
            "duplicates": len(self.duplicates),
            "removed": len(self.removed),
            "stale_reports": len(self.stale_report_ids),
        }


def utc_now() -> datetime:
    """Registry timestamps are naive UTC (DuckDB TIMESTAMP), truncated to microseconds."""
    return datetime.now(UTC).replace(tzinfo=None)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def iter_raw_files(raw_dir: str | Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Regular, non-hidden files under ``raw_dir`` (recursively), as (relative path, path, stat).

    Symbolic links are not followed out of the raw dir: a link counts only when it resolves to a
    regular file inside it; linked directories are not entered.
    """
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            try:
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    target = path.resolve(strict=True)
                    if not _inside(target, root):
                        continue
                    st = target.stat()
            except (OSError, RuntimeError):  # dangling or looping link, or vanished meanwhile
                continue
            if stat.S_ISREG(st.st_mode):
                yield path.relative_to(root).as_posix(), path, st


def fingerprints(raw_dir: str | Path) -> dict[str, str]:
    """Cheap change detection for the sensor: relative path -> "size:mtime_ns" (no hashing)."""
    return {rel: f"{st.st_size}:{st.st_mtime_ns}" for rel, _, st in iter_raw_files(raw_dir)}


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def scan(raw_dir: str | Path) -> list[FileEntry]:
    entries = []
    for rel, path, _ in iter_raw_files(raw_dir):
        try:
            sha, size = hash_file(path)
        except OSError:
            continue
        entries.append(FileEntry(rel, path, size, sha))
    return entries


def make_plan(
    raw_dir: str | Path,
    files: list[FileEntry],
    previous: pl.DataFrame,
    parser_version: str,
    scanned_at: datetime | None = None,
) -> Plan:
    """Compare the files present with the registry (``raw.report_files``) and decide."""
    prev = {row["path"]: row for row in previous.iter_rows(named=True)}
    files = sorted(files, key=lambda e: e.path)
    groups: dict[str, list[FileEntry]] = {}
    for entry in files:
        groups.setdefault(entry.sha256, []).append(entry)

    to_extract: list[FileEntry] = []
    unchanged: list[str] = []
    duplicates: dict[str, str] = {}
    for sha, group in groups.items():
        # Keep the primary that is already extracted with these bytes, else take the first path.
        extracted = [
            e for e in group
            if e.path in prev and prev[e.path]["sha256"] == sha and prev[e.path]["status"] in EXTRACTED
        ]
        primary = extracted[0] if extracted else group[0]
        if extracted and prev[primary.path]["parser_version"] == parser_version:
            unchanged.append(primary.path)
        else:
            to_extract.append(primary)
        for e in group:
            if e is not primary:
                duplicates[e.path] = primary.path

    present = {e.path for e in files}
    removed = sorted(p for p, row in prev.items() if p not in present and row["status"] != "removed")
    present_ids = {e.report_id for e in files}
    previously_loaded = {row["report_id"] for row in prev.values() if row["report_id"]}
    return Plan(
        raw_dir=str(Path(raw_dir).resolve()),
        parser_version=parser_version,
        scanned_at=scanned_at or utc_now(),
        files=files,
        to_extract=sorted(to_extract, key=lambda e: e.path),
        unchanged=sorted(unchanged),
        duplicates=dict(sorted(duplicates.items())),
        removed=removed,
        stale_report_ids=sorted(previously_loaded - present_ids),
        previous=previous,
    )


def extracted_rows(plan: Plan, entries: list[FileEntry], outcomes: Mapping[str, Outcome]) -> pl.DataFrame:
    """Registry rows for files extracted in this run (one batch)."""
    prev = {row["path"]: row for row in plan.previous.iter_rows(named=True)}
    rows = []
    for e in entries:
        o = outcomes[e.path]
        first_seen = prev[e.path]["first_seen"] if e.path in prev else plan.scanned_at
        rows.append({
            "path": e.path, "sha256": e.sha256, "size_bytes": e.size, "encoding": o.encoding,
            "rendering": o.rendering, "layout": o.layout, "status": o.status, "reason": o.reason,
            "report_id": o.report_id, "first_seen": first_seen, "last_seen": plan.scanned_at,
            "parser_version": o.parser_version,
        })
    return pl.DataFrame(rows, schema=REPORT_FILES)


def remaining_rows(plan: Plan, outcomes: Mapping[str, Outcome]) -> pl.DataFrame:
    """Registry rows for unchanged primaries, duplicates and removed files.

    ``outcomes`` holds this run's extractions (a duplicate copies its primary's row); a primary
    not extracted in this run keeps its registry row.
    """
    prev = {row["path"]: row for row in plan.previous.iter_rows(named=True)}
    by_path = {e.path: e for e in plan.files}
    present_ids = {e.report_id for e in plan.files}
    loaded_ids = {o.report_id for o in outcomes.values() if o.status in LOADED and o.report_id}
    loaded_ids |= {prev[p]["report_id"] for p in plan.unchanged if prev[p]["status"] in LOADED}
    rows = []
    for path in plan.unchanged:
        rows.append({**prev[path], "last_seen": plan.scanned_at})
    for path, primary in plan.duplicates.items():
        e = by_path[path]
        if primary in outcomes:
            o = outcomes[primary]
            meta = {"encoding": o.encoding, "rendering": o.rendering, "layout": o.layout,
                    "parser_version": o.parser_version}
        elif primary in prev:
            meta = {k: prev[primary][k] for k in ("encoding", "rendering", "layout", "parser_version")}
        else:  # primary skipped this run (it changed while being read): decide next run
            continue
        rows.append({
            "path": path, "sha256": e.sha256, "size_bytes": e.size, **meta, "status": "duplicate",
            "reason": f"same content as {primary}",
            "report_id": e.report_id if e.report_id in loaded_ids else None,
            "first_seen": prev[path]["first_seen"] if path in prev else plan.scanned_at,
            "last_seen": plan.scanned_at,
        })
    for path in plan.removed:
        old = prev[path]
        still = old["report_id"] if old["report_id"] in present_ids and old["report_id"] in loaded_ids else None
        rows.append({**old, "status": "removed", "reason": "no longer in the raw directory", "report_id": still})
    return pl.DataFrame(rows, schema=REPORT_FILES)


def outcome_of(report, path: str, parser_version: str) -> Outcome:
    """Registry status of one extracted Report (see the raw.report_files contract)."""
    errors = [i for i in report.issues if i.severity == "error"]
    warnings = [i for i in report.issues if i.severity == "warning"]
    if errors:
        status, reason, report_id = "rejected", "; ".join(f"{i.code}: {i.message}" for i in errors), None
    elif warnings:
        codes = sorted({i.code for i in warnings})
        status, reason, report_id = "loaded_with_warnings", f"{len(warnings)} warning(s): {', '.join(codes)}", \
            report.report_id
    else:
        status, reason, report_id = "loaded", None, report.report_id
    return Outcome(path, status, reason, report_id, report.encoding, report.rendering, report.layout,
                   parser_version)
