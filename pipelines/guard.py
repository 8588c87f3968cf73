"""The frame guard: a batch of Reports -> validated frames, each offending file rejected with a named reason.

Frames are built and validated (pandera, ``schemas.validate_frame``) for the whole batch at once, which is
fast; only when that raises or fails are the offending files found, by the failing rows' report_id and,
failing that, file by file. A file is rejected with an error issue on its own report, so
``registry.outcome_of`` names it; the rest of the batch loads. A rule lives once, in schemas.py (and the
year's bounds in vocabulary.json, which dbt reads too): this module only applies it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import polars as pl
from polars.exceptions import PanicException

from pipelines.extract import Issue, Report
from pipelines.frames import SCHEMAS, SECTION_COLUMNS, TABLES, FrameValueError, reports_to_frames
from pipelines.registry import YEAR_OUT_OF_RANGE
from pipelines.schemas import (
    INVALID_FRAME,
    NAMES,
    RANGE_CHECKS,
    RANGE_COLUMNS,
    VALUE_OUT_OF_RANGE,
    YEAR_MAX,
    YEAR_MIN,
    Validation,
    validate_frame,
)

TABLES_COLUMNS = {t: frozenset(SCHEMAS[t]) for t in TABLES}
_MAX_REASON_CHARS = 600  # a reason names the first failures; the registry is not a dump of the frame


@dataclass
class Guarded:
    """A batch after the guard: frames that passed every schema, and what became of each report."""

    frames: dict[str, pl.DataFrame]
    reports: list[Report]  # every report of the batch, in order; a rejected one carries its error issue
    rejected: dict[str, str] = field(default_factory=dict)  # path -> "code: detail", rejected by the guard
    failed_checks: dict[str, int] = field(default_factory=dict)  # "table.column:check" -> failure cases


def safe_text(text: str, limit: int = _MAX_REASON_CHARS) -> str:
    """``text`` as valid UTF-8 (a lone surrogate escaped), cut to ``limit`` characters: it goes to Parquet."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plausible_year(report: Report) -> Report:
    """A year outside the plausible range is a typo in the title, not a fact: left missing, with a warning on
    the report (its figures still load; dbt's test on raw.reports.year would refuse the year, not the figures)."""
    year = report.year
    if not isinstance(year, int) or isinstance(year, bool) or YEAR_MIN <= year <= YEAR_MAX:
        return report
    issue = Issue("warning", YEAR_OUT_OF_RANGE,
                  safe_text(f"the report gives the year {year}, outside {YEAR_MIN}-{YEAR_MAX}; year left missing"))
    return replace(report, year=None, issues=[*report.issues, issue])


def _clean(value: object, allowed: frozenset[str] | None = None) -> str | None:
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        return None
    return safe_text(value, 100)


def rejected_report(report: Report, code: str | None = None, detail: str = "") -> Report:
    """The report of a rejected file as its registry row shows it: its metadata when valid, and its errors
    (the core's, or ``code``), as text Parquet can hold."""
    errors = [Issue("error", code, safe_text(detail))] if code else [
        Issue("error", safe_text(str(i.code), 100), safe_text(str(i.message))) for i in report.issues
        if i.severity == "error"]
    return Report(source=report.source, report_id=report.report_id, encoding=_clean(report.encoding),
                  rendering=_clean(report.rendering), layout=_clean(report.layout, NAMES.names["layout"]),
                  issues=errors)


def _exception_reason(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, FrameValueError):
        return exc.code, str(exc)
    code = VALUE_OUT_OF_RANGE if isinstance(exc, ArithmeticError | OverflowError) else INVALID_FRAME
    return code, f"building its frames raised {type(exc).__name__}: {exc}"


def _build(reports: Sequence[Report], sha256: Mapping[str, str], version: str) -> dict[str, pl.DataFrame]:
    return reports_to_frames(reports, sha256=sha256, parser_version=version)


def _short(check: str) -> str:
    """A check's name without its argument list when that is long (isin lists every canonical name)."""
    return check if len(check) <= 40 else check.split("(")[0]


def _describe(table: str, row: Mapping, column: str | None, check: str, failure_case: object) -> str:
    """One failure in words: the table, the row's keys and the failing value, and its line."""
    keys = SECTION_COLUMNS.get(table)
    cell = f" {row[keys[0]]}/{row[keys[1]]}" if keys else ""
    what = f"{column} = {failure_case}" if column in row else (f"value = {row['value']}" if keys else "")
    where = f" at line {row['line']}" if row.get("line") is not None else ""
    rule = f"{_short(check)}: {RANGE_CHECKS[check]}" if check in RANGE_CHECKS else _short(check)
    return f"{table}{cell} {what} ({rule}){where}".replace("  ", " ")


def _failures(validations: Mapping[str, Validation]) -> tuple[dict[str, list[tuple[str, str]]], bool]:
    """(report_id -> [(code, failure in words)], whether some failure names no row)."""
    by_report: dict[str, list[tuple[str, str]]] = {}
    unplaced = False
    for table, v in validations.items():
        if v.passed:
            continue
        cases = v.failure_cases
        unplaced |= cases.filter(pl.col("index").is_null()).height > 0
        rows = {row["_row"]: row for row in v.offending_rows.iter_rows(named=True)}
        for case in cases.filter(pl.col("index").is_not_null()).iter_rows(named=True):
            row = rows.get(case["index"])
            if row is None:
                unplaced = True
                continue
            column, check = case["column"], case["check"] or ""
            code = VALUE_OUT_OF_RANGE if column in RANGE_COLUMNS or check in RANGE_CHECKS else INVALID_FRAME
            text = _describe(table, row, column, check, case["failure_case"])
            by_report.setdefault(row["report_id"], []).append((code, text))
    return by_report, unplaced


def _reason(failures: list[tuple[str, str]]) -> tuple[str, str]:
    """The code of the first range failure, else invalid_frame; the detail names the first few failures."""
    code = VALUE_OUT_OF_RANGE if any(c == VALUE_OUT_OF_RANGE for c, _ in failures) else INVALID_FRAME
    texts = list(dict.fromkeys(t for _, t in failures))
    more = f" (and {len(texts) - 3} more)" if len(texts) > 3 else ""
    return code, "refused by the schema: " + "; ".join(texts[:3]) + more


def _without(frames: Mapping[str, pl.DataFrame], report_ids: set[str]) -> dict[str, pl.DataFrame]:
    ids = sorted(report_ids)
    return {t: f.filter(~pl.col("report_id").is_in(ids)) if ids else f for t, f in frames.items()}


def _validate(frames: Mapping[str, pl.DataFrame]) -> dict[str, Validation]:
    return {t: validate_frame(t, frames[t]) for t in TABLES}


def _checks(validations: Mapping[str, Validation]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for table, v in validations.items():
        for column, check in v.failure_cases.select("column", "check").iter_rows():
            counted[f"{table}.{column}:{_short(check)}" if column in TABLES_COLUMNS[table] else
                    f"{table}:{_short(check)}"] += 1
    return counted


def guard_batch(reports: Sequence[Report], *, sha256: Mapping[str, str], parser_version: str) -> Guarded:
    """Frames of the batch's loadable reports, validated; every report that cannot load is rejected, named."""
    reports = [plausible_year(r) for r in reports]
    reasons: dict[str, tuple[str, str]] = {}  # report_id -> (code, detail)
    loadable = [r for r in reports if not r.rejected]
    frames = _built(loadable, sha256, parser_version, reasons)
    validations = _validate(frames)
    failed = _checks(validations)
    if failed:
        by_report, unplaced = _failures(validations)
        reasons.update({rid: _reason(f) for rid, f in by_report.items()})
        frames = _without(frames, set(reasons))
        if by_report:
            validations = _validate(frames)
        if unplaced or not all(v.passed for v in validations.values()):
            reasons.update(_file_by_file(frames, {r.report_id for r in loadable} - set(reasons)))
            frames = _without(frames, set(reasons))
            left = {r.report_id for r in loadable} - set(reasons)
            if left and not all(v.passed for v in _validate(frames).values()):
                # Each file passes alone, the batch does not (two files claiming one report_id): none loads.
                detail = "the batch's frames fail " + ", ".join(sorted(failed)) + " though this file's pass alone"
                reasons.update({rid: (INVALID_FRAME, detail) for rid in left})
                frames = _without(frames, left)
    out = [rejected_report(r, *reasons[r.report_id]) if r.report_id in reasons else
           rejected_report(r) if r.rejected else r for r in reports]
    rejected = {r.source: f"{r.issues[0].code}: {r.issues[0].message}" for r in out if r.report_id in reasons}
    return Guarded(frames, out, rejected, dict(sorted(failed.items())))


def _built(loadable: list[Report], sha256: Mapping[str, str], version: str,
           reasons: dict[str, tuple[str, str]]) -> dict[str, pl.DataFrame]:
    """The batch's frames; when building them raises, the files it raises on are put in ``reasons``."""
    try:
        return _build(loadable, sha256, version)
    except (Exception, PanicException):
        pass
    for r in loadable:  # the batch step failed: find the files it failed on
        try:
            _build([r], sha256, version)
        except (Exception, PanicException) as exc:
            reasons[r.report_id] = _exception_reason(exc)
    rest = [r for r in loadable if r.report_id not in reasons]
    try:
        return _build(rest, sha256, version)
    except (Exception, PanicException) as exc:  # each builds alone, not together: none of them loads
        code, detail = _exception_reason(exc)
        reasons.update({r.report_id: (code, f"with the rest of its batch: {detail}") for r in rest})
        return _build([], sha256, version)


def _file_by_file(frames: Mapping[str, pl.DataFrame], report_ids: set[str]) -> dict[str, tuple[str, str]]:
    """Failures the rows do not place (a frame-wide check): validate each report's rows on their own."""
    reasons: dict[str, tuple[str, str]] = {}
    for rid in sorted(report_ids):
        own = {t: f.filter(pl.col("report_id") == rid) for t, f in frames.items()}
        validations = _validate(own)
        if all(v.passed for v in validations.values()):
            continue
        by_report, _ = _failures(validations)
        texts = by_report.get(rid) or [
            (INVALID_FRAME, f"{t} {c}") for t, v in validations.items() for c in v.failure_cases["check"].to_list()]
        reasons[rid] = _reason(texts)
    return reasons
