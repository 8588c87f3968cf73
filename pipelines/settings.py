"""Paths and knobs from the environment, resolved at call time (so tests can monkeypatch them).

- ``XXGK_RAW_DIR``    the directory of raw report files (default ``<repo>/data/raw``)
- ``XXGK_WAREHOUSE``  the DuckDB warehouse file (default ``<repo>/data/warehouse.duckdb``)
- ``DAGSTER_HOME``    Dagster's instance directory (default ``<repo>/.dagster_home``)
- ``XXGK_BATCH_SIZE`` reports extracted and loaded per transaction (default 200)
- ``XXGK_MAX_FILE_BYTES`` files larger than this are not read but rejected as ``too_large``
  (default 4 MiB; real reports are 5-50 kB of text, and the parser's time and memory grow with size)
- ``XXGK_LOCK_WAIT``  seconds a run waits for another writer of the warehouse (default 1800)
- ``XXGK_WORKERS``    worker processes extracting files (default: the CPUs this process may use, at least 1)
- ``XXGK_FILE_SECONDS`` / ``XXGK_FILE_MEMORY_MB`` a file whose extraction takes longer (default 60 s) or more
  memory above the worker's own (default 2048 MB) is rejected as ``too_slow`` / ``too_much_memory``
- ``XXGK_DUCKDB_MEMORY`` / ``XXGK_DUCKDB_THREADS`` DuckDB's memory_limit and threads for the run's
  connections and dbt's (default 512MB, 1 thread): past the limit DuckDB spills to disk, so a run's memory
  is bounded by the batch, not by the size of the warehouse (each thread needs its own share of it)
- ``XXGK_STAGING_DIR`` the staging area of the extracted batches: a folder or an fsspec URL (``s3://...``;
  default ``$DAGSTER_HOME/staging``); ``XXGK_SHARDS`` the shard job's partitions (default 2) and
  ``XXGK_SHARD_EXECUTOR`` its executor (multiprocess, k8s or celery; docs/scaling.md)
- ``XXGK_DBT_TARGET`` the dbt target the marts are built with: ``dev`` (default; the warehouse file, published
  with the run) or another output of dbt_project/profiles.yml (``attached``: the marts in XXGK_MARTS_DATABASE,
  a DuckDB file or ``md:<name>`` in MotherDuck, the run's raw tables attached read-only; docs/scaling.md)
- ``XXGK_MAX_MISSING_SHARE`` a scan that misses more than this share of the registered files retires
  none of them (default 0.5); ``XXGK_RETIRE_MISSING=1`` (``xxgk run --retire-missing``) retires anyway

Every path returned is absolute (the staging area may be a URL).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# Parsed by `dbt parse` (the dbt project's preparation), read to build the dbt assets.
DBT_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# The form's vocabulary: the parser and the dbt project both read this one file.
VOCABULARY = REPO_ROOT / "pipelines" / "extract" / "vocabulary.json"

# Every step that opens the DuckDB file claims this pool, whose limit DAGSTER_YAML sets to 1; runs
# carrying WRITER_TAG are dequeued one at a time (its tag_concurrency_limits).
DUCKDB_POOL = "xxgk_duckdb"
WRITER_TAG = ("xxgk/warehouse", "write")
SHARD_TAG = ("xxgk/extraction", "shards")  # the shard job's asset, left out of the writer's job

DEFAULT_BATCH_SIZE = 200
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
DEFAULT_LOCK_WAIT_SECONDS = 1800.0
DEFAULT_MAX_MISSING_SHARE = 0.5
# DuckDB's own default is 80% of the RAM: dbt's build at 20,000 reports then held 3 GB, 5x the 2,000-report peak.
# With two threads the identities model needed more than 512 MB at 20,000 reports; with one, 384 MB do.
DEFAULT_DUCKDB_MEMORY = "512MB"
DEFAULT_DUCKDB_THREADS = 1
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)
# Real reports extract in 10-100 ms and well under 100 MB; the limits stop a pathological file, not a big one.
DEFAULT_FILE_SECONDS = 60.0
DEFAULT_FILE_MEMORY_MB = 2048
DEFAULT_SHARDS = 2
DEFAULT_DBT_TARGET = "dev"
SHARD_EXECUTORS = ("multiprocess", "k8s", "celery")

# Written to $DAGSTER_HOME/dagster.yaml when the file does not exist yet: the DuckDB file has a
# single writer, so every step that opens it claims the one slot of the `xxgk_duckdb` pool, and
# runs tagged as warehouse writers are dequeued one at a time.
DAGSTER_YAML = """\
# Written by pipelines.settings.ensure_dagster_home(); edit freely.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1
    granularity: op
  runs:
    tag_concurrency_limits:
      - key: xxgk/warehouse
        value: write
        limit: 1
"""


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    path = Path(value).expanduser() if value else default
    return path.resolve()


def raw_dir() -> Path:
    return _path_from_env("XXGK_RAW_DIR", REPO_ROOT / "data" / "raw")


def warehouse_path() -> Path:
    return _path_from_env("XXGK_WAREHOUSE", REPO_ROOT / "data" / "warehouse.duckdb")


def dagster_home() -> Path:
    return _path_from_env("DAGSTER_HOME", REPO_ROOT / ".dagster_home")


def staging_dir() -> str:
    """Where extracted batches wait (as Parquet) between extraction and the warehouse load, and where the
    shards leave theirs: XXGK_STAGING_DIR, a folder or any fsspec URL (``file://``, ``memory://``,
    ``s3://bucket/prefix``); default ``$DAGSTER_HOME/staging``."""
    value = os.environ.get("XXGK_STAGING_DIR", "").strip()
    if "://" in value:
        return value.rstrip("/")
    return str(_path_from_env("XXGK_STAGING_DIR", dagster_home() / "staging"))


def shards() -> int:
    """How many shards the extraction job's partitions split the files into (XXGK_SHARDS, default 2)."""
    return _positive_int("XXGK_SHARDS", DEFAULT_SHARDS)


def shard_executor() -> str:
    """The executor of the shard job (XXGK_SHARD_EXECUTOR): multiprocess (default), k8s (dagster-k8s's
    k8s_job_executor) or celery (dagster-celery's celery_executor); the last two are installed apart."""
    value = os.environ.get("XXGK_SHARD_EXECUTOR", "").strip().lower() or "multiprocess"
    if value not in SHARD_EXECUTORS:
        raise ValueError(f"XXGK_SHARD_EXECUTOR must be one of {', '.join(SHARD_EXECUTORS)}, not {value!r}")
    return value


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        size = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a positive integer (bytes, counts), not {value!r}") from None
    if size < 1:
        raise ValueError(f"{name} must be a positive integer, not {value!r}")
    return size


def batch_size() -> int:
    return _positive_int("XXGK_BATCH_SIZE", DEFAULT_BATCH_SIZE)


def max_file_bytes() -> int:
    return _positive_int("XXGK_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)


def _number(name: str, default: float, low: float, high: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, not {value!r}")
    return number


def duckdb_memory() -> str:
    """DuckDB's memory_limit for the warehouse's writers (XXGK_DUCKDB_MEMORY), e.g. "1GB"."""
    value = os.environ.get("XXGK_DUCKDB_MEMORY", "").strip() or DEFAULT_DUCKDB_MEMORY
    if not _MEMORY.match(value):
        raise ValueError(f"XXGK_DUCKDB_MEMORY must be a size such as 1GB or 512MB, not {value!r}")
    return value


def duckdb_threads() -> int:
    return _positive_int("XXGK_DUCKDB_THREADS", DEFAULT_DUCKDB_THREADS)


def dbt_target() -> str:
    """The dbt target of the marts (XXGK_DBT_TARGET, default dev): an output name of dbt_project/profiles.yml."""
    value = os.environ.get("XXGK_DBT_TARGET", "").strip() or DEFAULT_DBT_TARGET
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", value):
        raise ValueError(f"XXGK_DBT_TARGET must name an output of dbt_project/profiles.yml, not {value!r}")
    return value


def duckdb_config() -> dict[str, object]:
    """The settings of every DuckDB connection that writes the warehouse (the run's and dbt's)."""
    return {"memory_limit": duckdb_memory(), "threads": duckdb_threads()}


def lock_wait_seconds() -> float:
    return _number("XXGK_LOCK_WAIT", DEFAULT_LOCK_WAIT_SECONDS, 0, 7 * 24 * 3600)


def max_missing_share() -> float:
    return _number("XXGK_MAX_MISSING_SHARE", DEFAULT_MAX_MISSING_SHARE, 0, 1)


def workers() -> int:
    """Extraction worker processes: XXGK_WORKERS, else the CPUs this process may run on (at least 1)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return _positive_int("XXGK_WORKERS", max(1, cpus))


def file_seconds() -> float:
    return _number("XXGK_FILE_SECONDS", DEFAULT_FILE_SECONDS, 0.1, 24 * 3600)


def file_memory_mb() -> int:
    return _positive_int("XXGK_FILE_MEMORY_MB", DEFAULT_FILE_MEMORY_MB)


def scan_knobs() -> dict[str, object]:
    """The knobs of a scan of the raw dir, as ``rawdir.plan_directory`` and ``freshness.run_decision`` take
    them: the CLI's decision and the run's own scan read the same environment."""
    return {"max_bytes": max_file_bytes(), "max_missing_share": max_missing_share(), "retire_missing": retire_missing()}


def check_knobs() -> None:
    """Read every knob: a bad value raises ValueError (one line) before anything starts."""
    raw_dir(), warehouse_path(), batch_size(), lock_wait_seconds(), workers(), file_seconds(), file_memory_mb()
    staging_dir(), shards(), shard_executor()
    duckdb_config(), dbt_target()
    scan_knobs()


def retire_missing() -> bool:
    """Retire the reports of missing files even when the scan misses more than the share allows."""
    return os.environ.get("XXGK_RETIRE_MISSING", "").strip().lower() in ("1", "true", "yes")


def ensure_dagster_home() -> Path:
    """Create DAGSTER_HOME with a dagster.yaml (kept if present) and export it to the environment."""
    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
