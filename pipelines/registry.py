"""The raw directory's inventory: scan, hash, and decide what to (re-)extract.

Rules (README, *Operations*):

- ``raw.report_files`` holds one row per path ever seen; rows are updated, never deleted.
- A file is extracted again only when it is new, its bytes changed, the parser version changed, or
  it was rejected as ``too_large`` and the size limit has since been raised.
- Files with the same bytes are one report: the first (or the one already loaded) is the primary and
  the others get status ``duplicate``.
- Files that vanished get status ``removed``; a report no present file backs any more is retired
  (its rows leave the raw tables, hence the marts, at that run); the registry row stays.
- Nothing outside the raw directory is ever opened: symbolic links are resolved without being
  followed, and every file is opened component by component beneath the raw directory with
  ``O_NOFOLLOW``. Links that lead outside, loop or dangle, non-regular files (FIFOs, sockets,
  devices) and unreadable files are registered as ``rejected`` with a named reason, unread.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import polars as pl

from pipelines.frames import REPORT_FILES

LOADED = ("loaded", "loaded_with_warnings")
EXTRACTED = (*LOADED, "rejected")
_CHUNK = 1 << 20

# Reasons (the code starts the registry's `reason`, then ": " and the detail).
SYMLINK_OUTSIDE = "symlink_outside_raw_dir"
SYMLINK_LOOP = "symlink_loop"
BROKEN_SYMLINK = "broken_symlink"
NOT_REGULAR = "not_regular_file"
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"
MULTIPLE_REPORTS = "multiple_reports"
TRUNCATED = "truncated_file"
# Warnings about the whole file, named first in the registry's reason.
FILE_WARNINGS = (MULTIPLE_REPORTS, TRUNCATED)
# Registry columns compared to decide whether a run would change the registry (last_seen moves always).
_COMPARED = tuple(c for c in REPORT_FILES if c != "last_seen")

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class FileChangedError(OSError):
    """The file's bytes are not those hashed by the scan (it is being written, or was replaced)."""


class NotRegularFileError(OSError):
    pass


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


@dataclass(frozen=True)
class RawItem:
    """One directory entry of the raw dir: a regular file to read, or a problem (never read)."""

    path: str  # relative to the raw dir, with forward slashes
    link: Path  # the entry's path in the raw dir
    target: str | None  # the regular file it names, relative to the raw dir; None for problems
    stat: os.stat_result | None
    problem: str | None  # "code: detail" when the entry is not read


@dataclass(frozen=True)
class Scan:
    files: list[FileEntry]  # readable regular files, hashed, sorted by path
    problems: dict[str, str]  # path -> "code: detail" for entries not read


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

    def summary(self) -> dict[str, int]:
        return {
            "files_seen": len(self.files) + len(self.problems),
            "to_extract": len(self.to_extract),
            "unchanged": len(self.unchanged),
            "duplicates": len(self.duplicates),
            "removed": len(self.removed),
            "stale_reports": len(self.stale_report_ids),
            "not_read": len(self.problems),
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
        if self.nothing_new:
            return f"nothing new: {len(self.files) + len(self.problems)} file(s), each registered as it is"
        counts: dict[str, int] = {}
        for label in self.pending().values():
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in sorted(counts.items())]
        if self.stale_report_ids:
            parts.append(f"{len(self.stale_report_ids)} report(s) to retire")
        return ", ".join(parts)


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


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _resolve_link(root: Path, link: Path) -> tuple[Path | None, str | None]:
    """(target, None) for a link to something inside the raw dir, else (None, problem)."""
    try:
        shown = os.readlink(link)
    except OSError:
        shown = "?"
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return None, f"{SYMLINK_LOOP}: symbolic link loop (-> {shown}); not followed"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, f"{SYMLINK_LOOP}: symbolic link loop (-> {shown}); not followed"
        if exc.errno == errno.ENOENT:
            return None, f"{BROKEN_SYMLINK}: symbolic link to nothing (-> {shown})"
        return None, f"{UNREADABLE}: cannot resolve the link (-> {shown}): {exc.strerror}"
    if not _inside(target, root):
        return None, f"{SYMLINK_OUTSIDE}: symlink outside raw dir (-> {shown}); never read"
    return target, None


def walk_raw(raw_dir: str | Path) -> Iterator[RawItem]:
    """Every non-hidden entry under ``raw_dir`` (recursively, sorted): regular files to read, and the
    entries that are not read with the reason why. Nothing is opened; links are resolved, not followed.

    A link to a directory inside the raw dir is not entered (its files are scanned where they are);
    one leading outside is reported. A file that vanishes during the walk is left out.
    """
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            path = here / d
            if path.is_symlink():
                _, problem = _resolve_link(root, path)
                if problem:
                    yield RawItem(path.relative_to(root).as_posix(), path, None, None, problem)
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            item = _file_item(root, here / name)
            if item is not None:
                yield item


def _file_item(root: Path, path: Path) -> RawItem | None:
    rel = path.relative_to(root).as_posix()
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return RawItem(rel, path, None, None, f"{UNREADABLE}: {exc.strerror}")
    target_rel = rel
    if stat.S_ISLNK(st.st_mode):
        target, problem = _resolve_link(root, path)
        if problem:
            return RawItem(rel, path, None, None, problem)
        try:
            st = target.stat()
        except OSError as exc:
            return RawItem(rel, path, None, None, f"{UNREADABLE}: {exc.strerror}")
        if stat.S_ISDIR(st.st_mode):
            return None  # a link to a directory inside the raw dir: its files are scanned in place
        target_rel = target.relative_to(root).as_posix()
    if not stat.S_ISREG(st.st_mode):
        return RawItem(rel, path, None, st, f"{NOT_REGULAR}: {_kind(st.st_mode)}; not read")
    return RawItem(rel, path, target_rel, st, None)


def iter_raw_files(raw_dir: str | Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Regular, non-hidden files under ``raw_dir`` (recursively), as (relative path, path, stat).

    Symbolic links are not followed out of the raw dir: a link counts only when it resolves to a
    regular file inside it; linked directories are not entered.
    """
    for item in walk_raw(raw_dir):
        if item.problem is None:
            yield item.path, item.link, item.stat


def fingerprints(raw_dir: str | Path) -> dict[str, str]:
    """Cheap change detection for the sensor: relative path -> "size:mtime_ns" (no hashing)."""
    return {rel: f"{st.st_size}:{st.st_mtime_ns}" for rel, _, st in iter_raw_files(raw_dir)}


def open_beneath(raw_dir: str | Path, rel: str) -> BinaryIO:
    """Open the regular file ``rel`` for reading without following any symbolic link.

    Each directory component is opened relative to its parent with ``O_NOFOLLOW`` (a link swapped
    in after the scan makes the open fail with ELOOP instead of leading outside the raw dir); the
    file itself is opened non-blocking (a FIFO cannot hang the run) and refused unless regular.
    """
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative path inside the raw dir: {rel!r}")
    fd = os.open(Path(raw_dir).resolve(), os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
    try:
        for part in parts[:-1]:
            sub = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = sub
        file_fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        mode = os.fstat(file_fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, f"{_kind(mode)}, not a regular file", rel)
        return os.fdopen(file_fd, "rb")
    except BaseException:
        os.close(file_fd)
        raise


def hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def hash_beneath(raw_dir: str | Path, rel: str) -> tuple[str, int]:
    """SHA-256 and size of a file in the raw dir, read in 1 MiB chunks through ``open_beneath``."""
    digest = hashlib.sha256()
    size = 0
    with open_beneath(raw_dir, rel) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_entry(raw_dir: str | Path, entry: FileEntry) -> bytes:
    """The bytes of a scanned file, checked against the scan's size and SHA-256."""
    with open_beneath(raw_dir, entry.source) as fh:
        data = fh.read(entry.size + 1)
    if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
        raise FileChangedError(errno.EAGAIN, "changed since the scan", entry.path)
    return data


def scan_dir(raw_dir: str | Path) -> Scan:
    """Hash every readable regular file; list the entries not read with their reasons."""
    root = Path(raw_dir).resolve()
    files: list[FileEntry] = []
    problems: dict[str, str] = {}
    for item in walk_raw(root):
        if item.problem is not None:
            problems[item.path] = item.problem
            continue
        try:
            sha, size = hash_beneath(root, item.target)
        except FileNotFoundError:
            continue  # vanished since the walk: the next run registers it as removed
        except OSError as exc:
            detail = exc.strerror or str(exc)
            problems[item.path] = f"{UNREADABLE}: {detail}" + (f" (errno {exc.errno})" if exc.errno else "")
            continue
        files.append(FileEntry(item.path, item.link, size, sha, item.target if item.target != item.path else None))
    return Scan(files, problems)


def scan(raw_dir: str | Path) -> list[FileEntry]:
    """The readable regular files of the raw dir, hashed (see ``scan_dir`` for the ones not read)."""
    return scan_dir(raw_dir).files


def make_plan(
    raw_dir: str | Path,
    files: list[FileEntry],
    previous: pl.DataFrame,
    parser_version: str,
    scanned_at: datetime | None = None,
    *,
    problems: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
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
    )


def _retry(row: Mapping, entry: FileEntry, max_bytes: int | None) -> bool:
    """A file rejected as too large is read once the limit allows it."""
    reason = row["reason"] or ""
    return row["status"] == "rejected" and reason.startswith(TOO_LARGE) and (max_bytes is None or entry.size <= max_bytes)


def plan_directory(raw_dir: str | Path, previous: pl.DataFrame, *, max_bytes: int | None = None,
                   parser_version: str | None = None) -> Plan:
    """Scan ``raw_dir`` and plan against the registry ``previous`` with the current parser version."""
    found = scan_dir(raw_dir)
    return make_plan(raw_dir, found.files, previous, parser_version or current_parser_version(),
                     problems=found.problems, max_bytes=max_bytes)


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
    """Registry rows for unchanged primaries, duplicates, removed files and entries not read.

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
        elif primary in prev and primary in plan.unchanged:
            meta = {k: prev[primary][k] for k in ("encoding", "rendering", "layout", "parser_version")}
        else:  # primary not extracted this run (it changed while being read): decide next run
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
        rows.append({**old, "status": "removed", "report_id": still,
                     "reason": f"no longer in the raw directory (noticed {plan.scanned_at:%Y-%m-%d %H:%M} UTC)"})
    for path, reason in plan.problems.items():
        old = prev.get(path)
        rows.append({
            "path": path, "sha256": None, "size_bytes": None, "encoding": None, "rendering": None, "layout": None,
            "status": "rejected", "reason": reason, "report_id": None,
            "first_seen": old["first_seen"] if old else plan.scanned_at, "last_seen": plan.scanned_at,
            "parser_version": None,
        })
    return pl.DataFrame(rows, schema=REPORT_FILES)


def outcome_of(report, path: str, parser_version: str) -> Outcome:
    """Registry status of one extracted Report (see the raw.report_files contract)."""
    errors = [i for i in report.issues if i.severity == "error"]
    warnings = [i for i in report.issues if i.severity == "warning"]
    if errors:
        status, reason, report_id = "rejected", "; ".join(f"{i.code}: {i.message}" for i in errors), None
    elif warnings:
        codes = sorted({i.code for i in warnings})
        reason = f"{len(warnings)} warning(s): {', '.join(codes)}"
        file_level = [f"{i.code}: {i.message}" for i in warnings if i.code in FILE_WARNINGS]
        if file_level:
            reason = "; ".join([*file_level, reason])
        status, report_id = "loaded_with_warnings", report.report_id
    else:
        status, reason, report_id = "loaded", None, report.report_id
    return Outcome(path, status, reason, report_id, report.encoding, report.rendering, report.layout,
                   parser_version)
