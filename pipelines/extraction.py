"""The planned files extracted batch by batch, each batch's frames staged as Parquet for the load.

A plain function over a Plan: the Dagster asset calls it with the pure core's ``extract_report``,
tests with an extractor of their own. Memory stays one batch wide; one file can only fail itself.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipelines import rawdir, registry
from pipelines.extract import Report, extract_report
from pipelines.frames import reports_to_frames
from pipelines.plan import TOO_LARGE, FileEntry, Plan

STAGING_KEEP_SECONDS = 7 * 24 * 3600
LOG = logging.getLogger(__name__)

Extractor = Callable[[bytes, str], Report]


@dataclass
class StagedBatch:
    directory: str
    paths: list[str]
    report_ids: list[str]  # every extracted file's id: their old rows go, rejected or not
    rows: dict[str, int]


@dataclass
class Extraction:
    run_dir: str
    batches: list[StagedBatch]
    remaining_registry: str  # Parquet of registry rows for files not extracted this run
    stale_report_ids: list[str]
    statuses: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # files that changed while being read
    outcomes: dict[str, registry.Outcome] = field(default_factory=dict)


def clean_staging(staging: Path, keep: Path) -> None:
    """Remove run folders older than a week (a run that died before its load leaves one behind)."""
    if not staging.is_dir():
        return
    cutoff = time.time() - STAGING_KEEP_SECONDS
    for d in staging.iterdir():
        if d.is_dir() and d != keep and d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)


def _too_large(entry: FileEntry, limit: int) -> Report:
    report = Report(source=entry.path, report_id=entry.report_id)
    report.add_issue("error", TOO_LARGE, f"{entry.size:,} bytes, more than the limit of {limit:,} "
                     "(XXGK_MAX_FILE_BYTES); not read")
    return report


def extract_one(
    raw_dir: str, entry: FileEntry, *, extractor: Extractor = extract_report, max_bytes: int | None = None,
    log: logging.Logger | logging.LoggerAdapter = LOG,
) -> Report | None:
    """The Report of one planned file; None when it changed since the scan or cannot be read now."""
    if max_bytes is not None and entry.size > max_bytes:
        return _too_large(entry, max_bytes)
    try:
        data = rawdir.read_entry(raw_dir, entry)
    except rawdir.FileChangedError:
        log.warning(f"{entry.path}: changed since the scan; left for the next run")
        return None
    except OSError as exc:
        log.warning(f"{entry.path}: cannot read ({exc}); left for the next run")
        return None
    try:
        report = extractor(data, entry.path)
    except Exception as exc:  # the core never raises; if it does, reject the one file, not the run
        log.error(f"{entry.path}: extract_report raised {exc!r}")
        report = Report(source=entry.path, report_id=entry.report_id)
        report.add_issue("error", "extractor_crashed", f"extract_report raised {exc!r}")
    if report.report_id != entry.report_id:
        log.warning(f"{entry.path}: report_id {report.report_id} is not the SHA-256 prefix; using it")
        report = replace(report, report_id=entry.report_id)
    if report.source != entry.path:
        report = replace(report, source=entry.path)
    return report


def extract_planned(
    plan: Plan, run_dir: Path, *, batch_size: int, extractor: Extractor = extract_report,
    log: logging.Logger | logging.LoggerAdapter = LOG,
) -> Extraction:
    """Extract ``plan.to_extract`` into ``run_dir``/batch-NNNNN/<table>.parquet, with the registry rows."""
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    version = plan.parser_version
    outcomes: dict[str, registry.Outcome] = {}
    batches: list[StagedBatch] = []
    skipped: list[str] = []
    todo = plan.to_extract
    for start in range(0, len(todo), batch_size):
        entries, loaded = [], []
        for entry in todo[start : start + batch_size]:
            report = extract_one(plan.raw_dir, entry, extractor=extractor, max_bytes=plan.max_bytes, log=log)
            if report is None:
                skipped.append(entry.path)
                continue
            entries.append(entry)
            outcomes[entry.path] = registry.outcome_of(report, entry.path, version)
            if not report.rejected:
                loaded.append(report)
        if not entries:
            continue
        frames = reports_to_frames(loaded, sha256={e.report_id: e.sha256 for e in entries}, parser_version=version)
        frames["report_files"] = registry.extracted_rows(plan, entries, outcomes)
        batch_dir = run_dir / f"batch-{len(batches) + 1:05d}"
        batch_dir.mkdir()
        for table, frame in frames.items():
            frame.write_parquet(batch_dir / f"{table}.parquet")
        batches.append(StagedBatch(
            str(batch_dir), [e.path for e in entries], sorted({e.report_id for e in entries}),
            {t: f.height for t, f in frames.items()},
        ))
        log.info(f"batch {len(batches)}: {len(entries)} files, {len(loaded)} reports")

    remaining = registry.remaining_rows(plan, outcomes)
    remaining_path = run_dir / "remaining_report_files.parquet"
    remaining.write_parquet(remaining_path)
    statuses = Counter(o.status for o in outcomes.values())
    statuses.update(remaining["status"].to_list())
    return Extraction(str(run_dir), batches, str(remaining_path), plan.stale_report_ids,
                      dict(sorted(statuses.items())), skipped, outcomes)
