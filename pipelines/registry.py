"""The registry ``raw.report_files``: one row per path ever seen, what became of it and why.

Rows are updated, never deleted: a vanished file's row says ``removed``; a duplicate names its
primary; an entry not read says why (see pipelines.rawdir).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pipelines.frames import REPORT_FILES

if TYPE_CHECKING:
    from pipelines.plan import FileEntry, Plan

LOADED = ("loaded", "loaded_with_warnings")
MULTIPLE_REPORTS = "multiple_reports"
TRUNCATED = "truncated_file"
YEAR_OUT_OF_RANGE = "year_out_of_range"  # the year left missing by the frame guard (pipelines.guard)
# Warnings about the whole file, named first in the registry's reason.
FILE_WARNINGS = (MULTIPLE_REPORTS, TRUNCATED, YEAR_OUT_OF_RANGE)


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
