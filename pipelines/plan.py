"""What to (re-)extract: the files found in the raw dir compared with the registry (pure, no I/O).

Rules (README, *Operations*):

- A file is extracted again only when it is new, its bytes changed, the parser version changed, or
  it was rejected as ``too_large`` and the size limit has since been raised.
- Files with the same bytes are one report: the first (or the one already loaded) is the primary and
  the others get status ``duplicate``.
- Files that vanished get status ``removed``; a report no present file backs any more is retired
  (its rows leave the raw tables, hence the marts, at that run); the registry row stays.
- Unless too many vanished at once: a scan that misses more than ``max_missing_share`` of the
  registered files (a mistyped or unmounted raw dir, an emptied folder) retires none of them; they are
  ``held_back`` with their rows and reports as they were, until the files return or the run is told to
  retire them (``retire_missing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.frames import REPORT_FILES
from pipelines.registry import LOADED, remaining_rows

EXTRACTED = (*LOADED, "rejected")
TOO_LARGE = "too_large"
# Registry columns compared to decide whether a run would change the registry (last_seen moves always).
_COMPARED = tuple(c for c in REPORT_FILES if c != "last_seen")


def current_parser_version() -> str:
    """PARSER_VERSION, looked up at call time (tests monkeypatch ``pipelines.extract.PARSER_VERSION``)."""
    import pipelines.extract as extract

    return extract.PARSER_VERSION


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the raw dir, with forward slashes
    abs_path: Path  # the path in the raw dir (a symbolic link for linked entries)
    size: int
    sha256: str
    target: str | None = None  # the regular file read, relative to the raw dir (differs for links)

    @property
    def report_id(self) -> str:
        return self.sha256[:16]

    @property
    def source(self) -> str:
        return self.target or self.path


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
    problems: dict[str, str] = field(default_factory=dict)  # path -> reason, entries not read
    max_bytes: int | None = None  # files larger than this are rejected as too_large, unread
    held_back: list[str] = field(default_factory=list)  # vanished, but too many at once to retire

    def held_back_reason(self) -> str | None:
        if not self.held_back:
            return None
        registered = sum(1 for s in self.previous.get_column("status").to_list() if s != "removed")
        return (f"{len(self.held_back)} of {registered} registered file(s) are missing from {self.raw_dir}; "
                "none retired (check XXGK_RAW_DIR, or run `xxgk run --retire-missing` to retire them)")

    def summary(self) -> dict[str, int]:
        return {
            "files_seen": len(self.files) + len(self.problems),
            "to_extract": len(self.to_extract),
            "unchanged": len(self.unchanged),
            "duplicates": len(self.duplicates),
            "removed": len(self.removed),
            "stale_reports": len(self.stale_report_ids),
            "not_read": len(self.problems),
            "held_back": len(self.held_back),
        }

    def pending(self) -> dict[str, str]:
        """What the next load would do, per path: new | changed | reparse | promote | retry | removed |
        registry (only the registry row changes: a new duplicate or a new problem)."""
        prev = {row["path"]: row for row in self.previous.iter_rows(named=True)}
        out = {e.path: pending_label(prev.get(e.path), e.sha256, self.parser_version) for e in self.to_extract}
        out.update({p: "removed" for p in self.removed})
        extracting = {e.path for e in self.to_extract}
        for p, primary in self.duplicates.items():  # their rows are written after their primary's
            if primary in extracting:
                old = prev.get(p)
                out.setdefault(p, "new" if old is None or old["status"] == "removed" else "registry")
        for p in self.registry_changes():
            out.setdefault(p, "new" if p not in prev else "registry")
        return dict(sorted(out.items()))

    def registry_changes(self) -> list[str]:
        """Paths whose registry row the files not extracted would change (last_seen aside)."""
        prev = {row["path"]: row for row in self.previous.iter_rows(named=True)}
        changed = []
        for row in remaining_rows(self, {}).iter_rows(named=True):
            old = prev.get(row["path"])
            if old is None or any(old[c] != row[c] for c in _COMPARED):
                changed.append(row["path"])
        return changed

    @property
    def nothing_new(self) -> bool:
        """True when a load would extract nothing, retire nothing, and leave the registry as it is."""
        return not self.to_extract and not self.stale_report_ids and not self.removed and not self.registry_changes()

    def describe(self) -> str:
        held = self.held_back_reason()
        if self.nothing_new:
            text = f"nothing new: {len(self.files) + len(self.problems)} file(s), each registered as it is"
            return f"{text}; {held}" if held else text
        counts: dict[str, int] = {}
        for label in self.pending().values():
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in sorted(counts.items())]
        if self.stale_report_ids:
            parts.append(f"{len(self.stale_report_ids)} report(s) to retire")
        return ", ".join(parts) + (f"; {held}" if held else "")


def pending_label(row: Mapping | None, sha256: str, parser_version: str) -> str:
    if row is None or row["status"] == "removed":
        return "new"
    if row["sha256"] != sha256:
        return "changed"
    if row["status"] == "duplicate":
        return "promote"  # its twin vanished: this file becomes the report's source
    if row["parser_version"] != parser_version:
        return "reparse"
    return "retry"  # rejected as too_large under a smaller limit


def utc_now() -> datetime:
    """Registry timestamps are naive UTC (DuckDB TIMESTAMP), truncated to microseconds."""
    return datetime.now(UTC).replace(tzinfo=None)


def make_plan(
    raw_dir: str | Path,
    files: list[FileEntry],
    previous: pl.DataFrame,
    parser_version: str,
    scanned_at: datetime | None = None,
    *,
    problems: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    max_missing_share: float | None = None,
    retire_missing: bool = False,
) -> Plan:
    """Compare the files present with the registry (``raw.report_files``) and decide."""
    prev = {row["path"]: row for row in previous.iter_rows(named=True)}
    problems = dict(sorted((problems or {}).items()))
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
        if extracted and prev[primary.path]["parser_version"] == parser_version and not _retry(
            prev[primary.path], primary, max_bytes
        ):
            unchanged.append(primary.path)
        else:
            to_extract.append(primary)
        for e in group:
            if e is not primary:
                duplicates[e.path] = primary.path

    present = {e.path for e in files} | set(problems)
    removed = sorted(p for p, row in prev.items() if p not in present and row["status"] != "removed")
    present_ids = {e.report_id for e in files}
    previously_loaded = {row["report_id"] for row in prev.values() if row["report_id"]}
    held_back: list[str] = []
    registered = sum(1 for row in prev.values() if row["status"] != "removed")
    if removed and not retire_missing and max_missing_share is not None and len(removed) > max_missing_share * registered:
        held_back, removed = removed, []
        present_ids |= {prev[p]["report_id"] for p in held_back if prev[p]["report_id"]}
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
        problems=problems,
        max_bytes=max_bytes,
        held_back=held_back,
    )


def _retry(row: Mapping, entry: FileEntry, max_bytes: int | None) -> bool:
    """A file rejected as too large is read once the limit allows it."""
    reason = row["reason"] or ""
    return row["status"] == "rejected" and reason.startswith(TOO_LARGE) and (max_bytes is None or entry.size <= max_bytes)
