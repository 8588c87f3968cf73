"""One file read and extracted (the pure core), in worker processes with a per-file time and memory limit.

The workers are started fresh ("spawn"): they import this module, the parser and what the extractor's
module imports, never dagster or duckdb, and inherit no thread or lock of the Dagster process. pebble's
ProcessPool stops a worker whose file outlives the task's timeout and reports one that died; either way it
starts another and the run goes on. RLIMIT_AS, set when a worker starts, caps its address space at its
own baseline plus the limit, so a file that needs more raises MemoryError in the worker, not in the run.

An extractor runs in the workers only when it is a module-level function (pickled by name): a bound method,
a lambda or a closure would drag its object's module (a Dagster resource, a test) into every worker, so
it runs in this process instead, without the limits (``in_process_reason`` says why).
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import resource
import signal
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from multiprocessing import get_context

from pebble import ProcessExpired, ProcessPool

from pipelines import rawdir
from pipelines.extract import Report
from pipelines.plan import TOO_LARGE, FileEntry

Extractor = Callable[[bytes, str], Report]
TOO_SLOW = "too_slow"
TOO_MUCH_MEMORY = "too_much_memory"
WORKER_DIED = "worker_died"
EXTRACTOR_CRASHED = "extractor_crashed"
WORKER_REASONS = (TOO_SLOW, TOO_MUCH_MEMORY, WORKER_DIED, EXTRACTOR_CRASHED)
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    workers: int = 0  # 0: extract in this process, without the limits
    seconds: float | None = None
    memory_mb: int | None = None


@dataclass(frozen=True)
class Skipped:
    """A file not read whole this run: its previous report and registry row stand until the next run."""

    path: str
    reason: str


def _rejected(entry: FileEntry, code: str, message: str) -> Report:
    report = Report(source=entry.path, report_id=entry.report_id)
    report.add_issue("error", code, message)
    return report


def extract_file(raw_dir: str, entry: FileEntry, extractor: Extractor, max_bytes: int | None,
                 memory_mb: int | None = None) -> Report | Skipped:
    """The Report of one planned file (read beneath the raw dir, checked against the scan), or why not now."""
    if max_bytes is not None and entry.size > max_bytes:
        return _rejected(entry, TOO_LARGE, f"{entry.size:,} bytes, more than the limit of {max_bytes:,} "
                         "(XXGK_MAX_FILE_BYTES); not read")
    try:
        data = rawdir.read_entry(raw_dir, entry)
    except rawdir.FileChangedError:
        return Skipped(entry.path, "changed since the scan (being written or replaced); its previous report "
                       "stands until it is read whole")
    except OSError as exc:
        return Skipped(entry.path, f"cannot read it now ({exc.strerror or exc}); left for the next run")
    try:
        report = extractor(data, entry.path)
    except MemoryError:
        limit = f"the limit of {memory_mb} MB (XXGK_FILE_MEMORY_MB)" if memory_mb else "the memory there is"
        return _rejected(entry, TOO_MUCH_MEMORY, f"extraction needed more than {limit}")
    except Exception as exc:  # the core never raises; if it does, reject the one file, not the run
        return _rejected(entry, EXTRACTOR_CRASHED, f"extract_report raised {exc!r}"[:600])
    if not isinstance(report, Report):
        return _rejected(entry, EXTRACTOR_CRASHED, f"the extractor returned {type(report).__name__}, not a Report")
    if report.report_id != entry.report_id or report.source != entry.path:
        report = replace(report, report_id=entry.report_id, source=entry.path)  # the scan's hash and path hold
    return report


def _start_worker(memory_mb: int | None) -> None:
    """pebble's initializer: cap the address space at what the worker uses now plus ``memory_mb``."""
    if not memory_mb:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            baseline = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = baseline + memory_mb * 2**20
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError):  # no /proc (not Linux): the time limit still holds
        pass


def in_process_reason(extractor: Extractor) -> str | None:
    """Why ``extractor`` cannot run in a worker process (None when it can)."""
    if not isinstance(extractor, types.FunctionType):
        return f"{extractor!r} is not a module-level function"
    if "<" in extractor.__qualname__ or extractor.__module__ == "__main__":
        return f"{extractor.__module__}.{extractor.__qualname__} cannot be imported by name"
    try:
        pickle.dumps(extractor)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        return f"{extractor.__qualname__} cannot be pickled ({exc})"
    return None


def _expired(entry: FileEntry, exc: ProcessExpired, memory_mb: int | None) -> Report:
    code = exc.exitcode
    if code is not None and code < 0:  # killed by a signal: the OOM killer's SIGKILL, or an abort out of memory
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        limit = f"; the memory limit is {memory_mb} MB (XXGK_FILE_MEMORY_MB)" if memory_mb else ""
        return _rejected(entry, TOO_MUCH_MEMORY, f"the worker extracting it was killed by {name} (as the kernel "
                         f"does when memory runs out){limit}; the worker was replaced")
    return _rejected(entry, WORKER_DIED, f"the worker extracting it exited with code {code}; it was replaced")


class _Pool:
    """Worker processes for one run; a broken pool is replaced before the next batch."""

    def __init__(self, limits: Limits, n_files: int) -> None:
        self.limits, self.n = limits, max(1, min(limits.workers, n_files))
        self.pool: ProcessPool | None = None

    def _get(self) -> ProcessPool:
        if self.pool is None:
            self.pool = ProcessPool(max_workers=self.n, initializer=_start_worker,
                                    initargs=(self.limits.memory_mb,), context=get_context("spawn"))
        return self.pool

    def stream(self, raw_dir: str, batches: Iterable[Sequence[FileEntry]], extractor: Extractor,
               max_bytes: int | None) -> Iterator[list[Report | Skipped]]:
        """Each batch's results, the next batch scheduled before this one's are handed over: the workers go
        on extracting while the caller builds, checks and stages the batch (the time limit counts from the
        moment a worker starts a file, not from its scheduling)."""
        pending: tuple[Sequence[FileEntry], list] | None = None
        for entries in batches:
            scheduled = (entries, self._schedule(raw_dir, entries, extractor, max_bytes))
            if pending is not None:
                yield self._collect(*pending)
            pending = scheduled
        if pending is not None:
            yield self._collect(*pending)

    def _schedule(self, raw_dir: str, entries: Sequence[FileEntry], extractor: Extractor,
                  max_bytes: int | None) -> list:
        limits, pool = self.limits, self._get()
        return [pool.schedule(extract_file, args=(raw_dir, e, extractor, max_bytes, limits.memory_mb),
                              timeout=limits.seconds) for e in entries]

    def _collect(self, entries: Sequence[FileEntry], futures: list) -> list[Report | Skipped]:
        limits = self.limits
        out: list[Report | Skipped] = []
        for entry, future in zip(entries, futures, strict=True):  # in the plan's order: by path
            try:
                out.append(future.result())
            except FutureTimeout:
                out.append(_rejected(entry, TOO_SLOW, f"extraction took longer than the limit of "
                                     f"{limits.seconds:g} s (XXGK_FILE_SECONDS); the worker was stopped and replaced"))
            except ProcessExpired as exc:
                out.append(_expired(entry, exc, limits.memory_mb))
            except Exception as exc:  # the pool itself broke (cannot start a process): retry the file next run
                self.close()
                out.append(Skipped(entry.path, f"the worker pool failed ({exc!r}); left for the next run"))
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join()
            self.pool = None


@contextlib.contextmanager
def file_extractor(raw_dir: str, extractor: Extractor, limits: Limits, *, max_bytes: int | None, n_files: int,
                   log: logging.Logger | logging.LoggerAdapter = LOG,
                   ) -> Iterator[Callable[[Iterable[Sequence[FileEntry]]], Iterator[list[Report | Skipped]]]]:
    """A function extracting batches of files, in worker processes when ``limits.workers`` and the extractor
    allow, else in this process: each batch's results in the order of its entries, batch after batch."""
    why = "XXGK_WORKERS is 0" if limits.workers < 1 else in_process_reason(extractor)
    if why or n_files == 0:
        if why and n_files:
            log.info(f"extracting in this process, without the per-file limits: {why}")
        yield lambda batches: ([extract_file(raw_dir, e, extractor, max_bytes) for e in entries] for entries in batches)
        return
    pool = _Pool(limits, n_files)
    seconds = f"{limits.seconds:g} s" if limits.seconds else "no time limit"
    memory = f"{limits.memory_mb} MB" if limits.memory_mb else "no memory limit"
    log.info(f"extracting in {pool.n} worker process(es), {seconds} and {memory} per file")
    try:
        yield lambda batches: pool.stream(raw_dir, batches, extractor, max_bytes)
    finally:
        pool.close()
