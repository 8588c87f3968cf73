"""The planned files extracted batch by batch, each batch's frames staged as Parquet for the load.

A plain function over a Plan: the Dagster asset calls it with the pure core's ``extract_report``,
tests with an extractor of their own. Memory stays one batch wide; one file can only fail itself:
reading and extracting run in worker processes with a per-file time and memory limit
(pipelines.workers), building and validating the frames in the frame guard (pipelines.guard), so
every per-file step ends in a report, a named rejection, or a skip that keeps the file's previous report.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipelines import registry, staging
from pipelines.extract import Report, extract_report
from pipelines.guard import guard_batch
from pipelines.plan import FileEntry, Plan
from pipelines.workers import WORKER_REASONS, Extractor, Limits, Skipped, file_extractor

LOG = logging.getLogger(__name__)

__all__ = ["Adoption", "Extraction", "Extractor", "StagedBatch", "clean_staging", "extract_planned"]


@dataclass
class StagedBatch:
    directory: str  # a staging location (pipelines.staging): a folder or a URL
    paths: list[str]
    report_ids: list[str]  # every extracted file's id: their old rows go, rejected or not
    rows: dict[str, int]
    # What pandera saw, for the raw tables' asset checks (no need to read the tables back): the rows of
    # each table validated and staged (all of them passed), the files the frame guard rejected with the
    # reason, and the failure cases per "table.column:check" found before those files were taken out.
    validated_rows: dict[str, int] = field(default_factory=dict)
    schema_rejected: dict[str, str] = field(default_factory=dict)
    failed_checks: dict[str, int] = field(default_factory=dict)
    # table -> the Parquet file's location, when not directory/<table>.parquet (an adopted shard batch's
    # registry rows are written again in the run's folder, from the run's plan)
    files: dict[str, str] = field(default_factory=dict)

    def file(self, table: str) -> str:
        return self.files.get(table) or staging.join(self.directory, f"{table}.parquet")


@dataclass
class Adoption:
    """Batches staged elsewhere (pipelines.shards) for files of this plan, with their outcomes."""

    batches: list[StagedBatch] = field(default_factory=list)
    outcomes: dict[str, registry.Outcome] = field(default_factory=dict)

    @property
    def paths(self) -> set[str]:
        return {p for b in self.batches for p in b.paths}


@dataclass
class Extraction:
    run_dir: str
    batches: list[StagedBatch]
    remaining_registry: str  # Parquet of registry rows for files not extracted this run
    stale_report_ids: list[str]
    statuses: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not read whole (kept as it was)
    outcomes: dict[str, registry.Outcome] = field(default_factory=dict)
    adopted: list[str] = field(default_factory=list)  # paths whose batches were staged by a shard, not this run

    def validation_summary(self) -> dict[str, object]:
        """Every batch's validation at once: rows validated per table, files rejected by the schema (path ->
        reason), failure cases per check."""
        rows: Counter[str] = Counter()
        checks: Counter[str] = Counter()
        rejected: dict[str, str] = {}
        for b in self.batches:
            rows.update(b.validated_rows)
            checks.update(b.failed_checks)
            rejected.update(b.schema_rejected)
        return {"validated_rows": dict(rows), "schema_rejected": dict(sorted(rejected.items())),
                "failed_checks": dict(sorted(checks.items()))}


def clean_staging(root: str | Path, keep: str | Path) -> None:
    """Remove run folders and shard sets older than a week (a run that died before its load leaves one behind)."""
    staging.clean(root, keep)


def _kept_report_ids(plan: Plan, skipped: dict[str, str]) -> set[str]:
    """The loaded reports of files skipped this run: they stand until their file is read whole."""
    prev = plan.previous.filter(plan.previous["path"].is_in(sorted(skipped)))
    return {row["report_id"] for row in prev.iter_rows(named=True)
            if row["report_id"] and row["status"] in (*registry.LOADED, "duplicate")}


def _log_problems(reports: list[Report], log: logging.Logger | logging.LoggerAdapter) -> None:
    for r in reports:
        for i in r.issues:
            if i.severity == "error" and i.code in WORKER_REASONS:
                log.error(f"{r.source}: {i.code}: {i.message}")


def extract_planned(
    plan: Plan, run_dir: str | Path, *, batch_size: int, extractor: Extractor = extract_report,
    workers: int = 0, file_seconds: float | None = None, file_memory_mb: int | None = None,
    log: logging.Logger | logging.LoggerAdapter = LOG, adopted: Adoption | None = None,
) -> Extraction:
    """Extract ``plan.to_extract`` into ``run_dir``/batch-NNNNN/<table>.parquet, with the registry rows.

    ``run_dir`` is a staging location (a folder, or any fsspec URL). ``workers`` processes read and extract
    (0: this process, without the limits), each file within ``file_seconds`` and ``file_memory_mb``; the
    results are the same either way, in the plan's order. The files of ``adopted`` batches (staged by
    pipelines.shards for this plan) are not extracted again: their batches are loaded as they are, with
    registry rows written from this plan.
    """
    run_dir = str(run_dir)
    staging.remove(run_dir)
    staging.makedirs(run_dir)
    adopted = adopted or Adoption()
    outcomes: dict[str, registry.Outcome] = dict(adopted.outcomes)
    batches = [_readopt(plan, b, outcomes, staging.join(run_dir, f"adopted-{i:05d}"))
               for i, b in enumerate(adopted.batches, 1)]
    skipped: dict[str, str] = {}
    taken = adopted.paths
    todo = [e for e in plan.to_extract if e.path not in taken]
    limits = Limits(workers, file_seconds, file_memory_mb)
    with file_extractor(plan.raw_dir, extractor, limits, max_bytes=plan.max_bytes, n_files=len(todo),
                        log=log) as extract:
        chunks = [todo[start : start + batch_size] for start in range(0, len(todo), batch_size)]
        for chunk, results in zip(chunks, extract(chunks), strict=True):
            entries: list[FileEntry] = []
            reports: list[Report] = []
            for entry, result in zip(chunk, results, strict=True):
                if isinstance(result, Skipped):
                    log.warning(f"{entry.path}: skipped: {result.reason}")
                    skipped[entry.path] = result.reason
                    continue
                entries.append(entry)
                reports.append(result)
            if entries:
                n = len(batches) - len(adopted.batches) + 1
                batches.append(_stage(plan, entries, reports, outcomes, staging.join(run_dir, f"batch-{n:05d}"), log))

    remaining = registry.remaining_rows(plan, outcomes)
    remaining_path = staging.join(run_dir, "remaining_report_files.parquet")
    staging.write_parquet(remaining, remaining_path)
    statuses = Counter(o.status for o in outcomes.values())
    statuses.update(remaining["status"].to_list())
    kept = _kept_report_ids(plan, skipped)
    if skipped:
        log.warning(f"{len(skipped)} file(s) skipped, their previous reports kept: " + ", ".join(sorted(skipped)))
    stale = [rid for rid in plan.stale_report_ids if rid not in kept]
    return Extraction(run_dir, batches, remaining_path, stale, dict(sorted(statuses.items())),
                      dict(sorted(skipped.items())), outcomes, sorted(taken))


def _readopt(plan: Plan, batch: StagedBatch, outcomes: dict[str, registry.Outcome], folder: str) -> StagedBatch:
    """A batch staged by a shard, its registry rows written again from this run's plan (first_seen and
    last_seen are this scan's); its frames are this plan's as they are (same paths, bytes, parser version)."""
    by_path = {e.path: e for e in plan.to_extract}
    rows = registry.extracted_rows(plan, [by_path[p] for p in batch.paths], outcomes)
    staging.makedirs(folder)
    location = staging.join(folder, "report_files.parquet")
    staging.write_parquet(rows, location)
    files = {t: batch.file(t) for t in batch.rows if t != "report_files"}
    return StagedBatch(batch.directory, batch.paths, batch.report_ids, {**batch.rows, "report_files": rows.height},
                       batch.validated_rows, batch.schema_rejected, batch.failed_checks,
                       {**files, "report_files": location})


def _stage(plan: Plan, entries: list[FileEntry], reports: list[Report], outcomes: dict[str, registry.Outcome],
           batch_dir: str, log: logging.Logger | logging.LoggerAdapter) -> StagedBatch:
    """Guard one batch's frames, write them and its registry rows as Parquet; record the outcomes."""
    version = plan.parser_version
    _log_problems(reports, log)
    guarded = guard_batch(reports, sha256={e.report_id: e.sha256 for e in entries}, parser_version=version)
    for entry, report in zip(entries, guarded.reports, strict=True):
        outcomes[entry.path] = registry.outcome_of(report, entry.path, version)
    for path, reason in guarded.rejected.items():
        log.error(f"{path}: rejected: {reason}")
    frames = dict(guarded.frames)
    validated = {t: f.height for t, f in frames.items()}
    frames["report_files"] = registry.extracted_rows(plan, entries, outcomes)
    staging.makedirs(batch_dir)
    for table, frame in frames.items():
        staging.write_parquet(frame, staging.join(batch_dir, f"{table}.parquet"))
    loaded = sum(1 for e in entries if outcomes[e.path].status in registry.LOADED)
    log.info(f"{batch_dir.rsplit('/', 1)[-1]}: {len(entries)} files, {loaded} reports")
    return StagedBatch(batch_dir, [e.path for e in entries], sorted({e.report_id for e in entries}),
                       {t: f.height for t, f in frames.items()}, validated, guarded.rejected, guarded.failed_checks)
