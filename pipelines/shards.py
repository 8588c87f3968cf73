"""Extraction in shards, away from the warehouse's single writer, and the adoption of their batches.

A shard run plans the raw dir against the *published* registry (read-only), keeps the files to extract
whose path hashes to its shard (``shard_of``), extracts them with the same ``extract_planned`` into
``<staging>/shards/<parser version>/<shard>-of-<shards>/`` and writes ``manifest.json`` there last: for
every batch, the files it holds (path, SHA-256, size, link target) and their outcomes. Any machine can
run a shard: it needs the raw files and the staging area, not the warehouse's lock.

The writer's run then ``adopt``s every shard batch whose files all match its own plan (same path,
bytes and link target, same parser version and size limit) and extracts only the rest. An adopted
batch's frames are what extracting the same bytes with the same parser in the run would give; its
registry rows are written again from the run's plan (pipelines.extraction), so the load is identical.
Shard sets stay until a week after their last write (pipelines.staging.clean); entries that no longer
match (the file changed, or was loaded meanwhile) are simply not adopted. No Dagster, no DuckDB.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

from pipelines import registry, staging
from pipelines.extraction import Adoption, StagedBatch, extract_planned
from pipelines.frames import TABLES
from pipelines.plan import FileEntry, Plan

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
REGISTRY_SNAPSHOT = "registry.parquet"
LOG = logging.getLogger(__name__)


def shard_of(path: str, shards: int) -> int:
    """The shard of a raw file: a stable hash of its path (the same on every machine and Python)."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % shards


def shard_keys(shards: int) -> list[str]:
    return [str(i) for i in range(shards)]


def shard_plan(plan: Plan, shard: int, shards: int) -> Plan:
    """The plan with only the shard's files to extract (the primaries chosen over the whole raw dir)."""
    if not 0 <= shard < shards:
        raise ValueError(f"shard {shard} is not one of 0..{shards - 1}")
    return dataclasses.replace(plan, to_extract=[e for e in plan.to_extract if shard_of(e.path, shards) == shard])


def version_key(parser_version: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]", "_", parser_version) or "_"


def shard_root(staging_root: str | Path, parser_version: str) -> str:
    return staging.join(staging_root, staging.SHARDS, version_key(parser_version))


def shard_dir(staging_root: str | Path, parser_version: str, shard: int, shards: int) -> str:
    return staging.join(shard_root(staging_root, parser_version), f"{shard}-of-{shards}")


def registry_snapshot(staging_root: str | Path) -> str:
    """The registry as the last load left it, for shards that cannot reach the published warehouse (the
    load writes it when the staging area is not a local folder)."""
    return staging.join(staging_root, staging.SHARDS, REGISTRY_SNAPSHOT)


def _entry(e: FileEntry) -> dict[str, object]:
    return {"path": e.path, "sha256": e.sha256, "size": e.size, "target": e.target}


def extract_shard(plan: Plan, staging_root: str | Path, shard: int, shards: int, *, batch_size: int,
                  log: logging.Logger | logging.LoggerAdapter = LOG, **extract_kwargs) -> dict:
    """Extract the shard's files of ``plan`` into its folder and write the manifest; returns the manifest.

    ``extract_kwargs`` go to ``extract_planned`` (extractor, workers, file_seconds, file_memory_mb)."""
    sub = shard_plan(plan, shard, shards)
    folder = shard_dir(staging_root, plan.parser_version, shard, shards)
    staging.remove(staging.join(folder, MANIFEST))  # first: a folder without a manifest is never adopted
    ex = extract_planned(sub, folder, batch_size=batch_size, log=log, **extract_kwargs)
    by_path = {e.path: e for e in sub.to_extract}
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "parser_version": plan.parser_version,
        "max_bytes": plan.max_bytes,
        "raw_dir": plan.raw_dir,
        "shard": shard,
        "shards": shards,
        "scanned_at": plan.scanned_at.isoformat(),
        "written_at": datetime.now(UTC).isoformat(),
        "to_extract": len(sub.to_extract),
        "batches": [{
            "directory": b.directory.rsplit("/", 1)[-1],
            "entries": [_entry(by_path[p]) for p in b.paths],
            "report_ids": b.report_ids,
            "rows": b.rows,
            "validated_rows": b.validated_rows,
            "schema_rejected": b.schema_rejected,
            "failed_checks": b.failed_checks,
        } for b in ex.batches],
        "outcomes": {p: dataclasses.asdict(o) for p, o in sorted(ex.outcomes.items())},
        "statuses": ex.statuses,
        "skipped": ex.skipped,  # not in any batch: the writer's run reads them again
    }
    staging.remove(ex.remaining_registry)  # the writer's run writes its own
    staging.write_json(manifest, staging.join(folder, MANIFEST))
    return manifest


def _matches(entry: FileEntry | None, staged: dict) -> bool:
    return (entry is not None and entry.sha256 == staged["sha256"] and entry.size == staged["size"]
            and entry.target == staged["target"])


def adopt(plan: Plan, staging_root: str | Path, log: logging.Logger | logging.LoggerAdapter = LOG) -> Adoption:
    """The shard batches of ``plan.parser_version`` whose files all match ``plan.to_extract``, each file
    adopted once (a batch with any file not wanted, changed, or already adopted is left)."""
    wanted = {e.path: e for e in plan.to_extract}
    adoption = Adoption()
    root = shard_root(staging_root, plan.parser_version)
    if not wanted or not staging.exists(root):
        return adoption
    for location in staging.glob(staging.join(root, "*", MANIFEST)):
        manifest = staging.read_json(location)
        if (manifest.get("manifest_version") != MANIFEST_VERSION or manifest["parser_version"] != plan.parser_version
                or manifest["max_bytes"] != plan.max_bytes):
            continue
        folder = location.rsplit("/", 1)[0]
        present = staging.files_under(folder)
        for b in manifest["batches"]:
            entries = b["entries"]
            directory = staging.join(folder, b["directory"])
            files = [staging.fs_path(staging.join(directory, f"{t}.parquet")) for t in (*TABLES, "report_files")]
            if not entries or not all(_matches(wanted.get(x["path"]), x) for x in entries) or not present.issuperset(files):
                continue
            paths = [x["path"] for x in entries]
            adoption.batches.append(StagedBatch(directory, paths, b["report_ids"], b["rows"], b["validated_rows"],
                                                b["schema_rejected"], b["failed_checks"]))
            for p in paths:
                adoption.outcomes[p] = registry.Outcome(**manifest["outcomes"][p])
                del wanted[p]
    if adoption.batches:
        log.info(f"adopted {len(adoption.outcomes)} file(s) in {len(adoption.batches)} shard batch(es) from {root}")
    return adoption
