"""Issue 11: one file can only ever fail itself, at a bounded cost.

Every per-file step (read, decode, extract, frames, validation) ends in a report, a named rejection on that
file, or a skip that keeps its previous report; extraction runs in worker processes with a per-file time and
memory limit. End-to-end runs use conftest's ``run_pipeline`` (dbt included) with the real parser in the
workers; the limits are exercised on ``extract_planned`` with the extractors of tests/guard_extractors.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from guard_extractors import MEMORY_MB, hostile, modules_seen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import rawdir, registry, warehouse
from pipelines.dbt_inputs import has_dbt_project
from pipelines.defs.resources import ReportExtractor
from pipelines.extract import Cell, Issue, Report, extract_report
from pipelines.extract.report import Origin
from pipelines.extraction import extract_planned
from pipelines.frames import REPORT_FILES, TABLES, FrameValueError, reports_to_frames
from pipelines.guard import guard_batch
from pipelines.plan import LOADED
from pipelines.schemas import NAMES, validate_frame

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))
LVLIANG = SEEDS[1]  # 吕梁市教育局 2021: its fee line is "行政事业性收费\t60.179" (万元), line 67
FEE_LINE = "行政事业性收费\t60.179"
BAD_NAME = b"\xff\xfe.txt"

needs_dbt = pytest.mark.skipif(not has_dbt_project(), reason="no dbt project")


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with warehouse.connect_read_only(db) as con:
        return con.execute(sql, params or []).fetchall()


def _registry(db: Path) -> dict[str, dict]:
    return {r["path"]: r for r in warehouse.read_report_files(db).iter_rows(named=True)}


def _sha16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _metadata(result, node: str) -> dict:
    return result.asset_materializations_for_node(node)[0].metadata


# ------------------------------------------------------------------- one run: bad values and a bad name


@dataclass
class GuardRun:
    db: Path
    success: bool
    rows: dict[str, dict]
    extracted: dict
    fee_id: str
    year_id: str


@pytest.fixture(scope="module")
def guard_run(tmp_path_factory) -> GuardRun:
    if not has_dbt_project():
        pytest.skip("no dbt project")
    from conftest import run_pipeline

    base = tmp_path_factory.mktemp("guard")
    raw, db = base / "raw", base / "warehouse.duckdb"
    raw.mkdir()
    for f in SEEDS:
        shutil.copyfile(f, raw / f.name)
    text = LVLIANG.read_text(encoding="utf-8")
    assert FEE_LINE in text and "\n2021 年政府信息公开工作年度报告" in text
    fee = text.replace(FEE_LINE, "行政事业性收费\t1234567890123456789012345").encode()  # 25 digits, in 万元
    year = text.replace("\n2021 年政府信息公开工作年度报告", "\n1999 年政府信息公开工作年度报告").encode()
    (raw / "fee.txt").write_bytes(fee)
    (raw / "year 1999.txt").write_bytes(year)
    fd = os.open(os.fsencode(raw) + b"/" + BAD_NAME, os.O_CREAT | os.O_WRONLY, 0o644)  # not valid UTF-8
    os.write(fd, SEEDS[3].read_bytes() + b"\n")
    os.close(fd)
    os.mkdir(os.fsencode(raw) + b"/dir\xff")
    shutil.copyfile(SEEDS[4], os.fsdecode(os.fsencode(raw) + b"/dir\xff/inside.txt"))
    result = run_pipeline(raw, db)
    failures = [str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    assert result.success, failures
    return GuardRun(db, result.success, _registry(db), dict(_metadata(result, "extracted_reports")),
                    _sha16(fee), _sha16(year))


def test_a_25_digit_fee_rejects_its_file_and_the_rest_of_the_batch_loads(guard_run):
    row = guard_run.rows["fee.txt"]
    assert row["status"] == "rejected" and row["report_id"] is None
    assert row["reason"].startswith("value_out_of_range: ")
    assert "administrative_fees/amount_yuan value = 12345678901234567890123450000.0000" in row["reason"]
    assert "at most 18 integer digits" in row["reason"] and "line 67" in row["reason"]
    loaded = {f.name: guard_run.rows[f.name] for f in SEEDS}
    assert all(r["status"] in LOADED for r in loaded.values()), loaded
    dim = {r[0] for r in _query(guard_run.db, "SELECT report_id FROM marts.dim_report")}
    assert {r["report_id"] for r in loaded.values()} <= dim and guard_run.fee_id not in dim
    fees = _query(guard_run.db, "SELECT agency, year, amount_yuan::VARCHAR FROM marts.fct_fees WHERE amount_yuan > 0 "
                  "ORDER BY year")
    assert fees == [("吕梁市教育局", 2021, "601790.0000"), ("吕梁市教育局", None, "601790.0000")]  # + the 1999 file


def test_the_batch_summary_names_the_file_the_schema_rejected(guard_run):
    summary = guard_run.extracted["validation"].value
    assert list(summary["schema_rejected"]) == ["fee.txt"]
    assert summary["failed_checks"] == {"proactive:value_within_bounds": 1}
    # every report that loaded was validated: 5 samples and the 1999 file
    assert summary["validated_rows"]["reports"] == 6
    assert _query(guard_run.db, "SELECT count(*) FROM raw.reports") == [(6,)]


def test_a_title_year_of_1999_loads_without_the_year_with_a_warning_on_its_report(guard_run):
    row = guard_run.rows["year 1999.txt"]
    assert row["status"] == "loaded_with_warnings"
    assert row["reason"].startswith("year_out_of_range: the report gives the year 1999, outside 2000-2100")
    rid = guard_run.year_id
    assert _query(guard_run.db, "SELECT agency, year FROM raw.reports WHERE report_id = ?", [rid]) == [
        ("吕梁市教育局", None)]
    assert _query(guard_run.db, "SELECT severity, code FROM raw.issues WHERE report_id = ? AND code = "
                  "'year_out_of_range'", [rid]) == [("warning", "year_out_of_range")]
    # dbt built the marts for everyone: the report is there, its figures too, its year unknown
    assert _query(guard_run.db, "SELECT year FROM marts.dim_report WHERE report_id = ?", [rid]) == [(None,)]
    assert _query(guard_run.db, "SELECT count(*) FROM marts.fct_application_dispositions WHERE report_id = ?",
                  [rid])[0][0] > 0


def test_a_name_that_is_not_utf8_gets_a_bad_file_name_row_and_the_others_load(guard_run):
    row = guard_run.rows["\\xff\\xfe.txt"]
    assert row["status"] == "rejected" and row["report_id"] is None and row["sha256"] is None
    assert row["reason"] == "bad_file_name: the name is not valid UTF-8; not read"
    folder = guard_run.rows["dir\\xff"]
    assert folder["reason"] == "bad_file_name: the name is not valid UTF-8; the directory's files are not read"
    assert not [p for p in guard_run.rows if p.startswith("dir") and p != "dir\\xff"]
    assert len(guard_run.rows) == len(SEEDS) + 4


# ----------------------------------------------------------------------------------- unit: names


def _unescape(name: str) -> bytes:
    """The inverse of rawdir.escape_name: the file system's bytes back."""
    out, i = bytearray(), 0
    while i < len(name):
        if name.startswith("\\\\", i):
            out += b"\\"
            i += 2
        elif name.startswith("\\x", i):
            out.append(int(name[i + 2 : i + 4], 16))
            i += 4
        elif name.startswith("\\u", i):
            out += chr(int(name[i + 2 : i + 6], 16)).encode()
            i += 6
        else:
            out += name[i].encode()
            i += 1
    return bytes(out)


@pytest.mark.parametrize("raw_name", [b"\xff\xfe.txt", b"a\nb.txt", b"tab\there\\x41.txt", "报告\u202etxt.exe".encode(),
                                      b"\xe6\x8a\xa5\xff\\xff.txt"])
def test_bad_names_are_escaped_losslessly_and_registered_unread(tmp_path, raw_name):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "good.txt").write_bytes(b"1 good")
    with open(os.fsencode(raw) + b"/" + raw_name, "wb") as fh:
        fh.write(b"2 bad")
    scan = rawdir.scan_dir(raw)
    assert [e.path for e in scan.files] == ["good.txt"]
    [(shown, reason)] = scan.problems.items()
    assert reason.startswith("bad_file_name: ")
    assert _unescape(shown) == raw_name and shown.encode("utf-8") and not re.search(r"[\x00-\x1f\x7f]", shown)


def test_an_absurdly_long_path_is_a_bad_file_name(tmp_path):
    raw = tmp_path / "raw"
    deep = raw.joinpath(*["d" * 200] * 6)
    deep.mkdir(parents=True)
    (deep / "report.txt").write_bytes(b"1 deep")
    problems = rawdir.scan_dir(raw).problems
    assert len(problems) == 1
    [(shown, reason)] = problems.items()
    assert reason.startswith("bad_file_name: a path of 1,205 characters, more than 1,024")
    long = "/".join(["d" * 200] * 6)  # the directory, whose files are not entered
    assert shown == f"{long[:1004]}…#{hashlib.sha256(long.encode()).hexdigest()[:16]}" and len(shown) == 1022


# ------------------------------------------------------------------ unit: frames and the guard


def _report(rid: str, cells: list[Cell], **meta) -> Report:
    meta = {"agency": "某局", "year": 2021, "layout": "2021", **meta}
    return Report(source=f"{rid}.txt", report_id=rid, cells=cells, **meta)


def test_a_25_digit_amount_builds_and_a_35_digit_one_is_named():
    big = Decimal("1234567890123456789012345")  # the default decimal context (28 digits) could not quantize it
    frames = reports_to_frames([_report("a" * 16, [Cell("proactive", "administrative_fees", "amount_yuan",
                                                        big * 10000, 3)])])
    assert frames["proactive"]["value"].cast(pl.String).to_list() == ["12345678901234567890123450000.0000"]
    with pytest.raises(FrameValueError) as info:
        reports_to_frames([_report("b" * 16, [Cell("proactive", "administrative_fees", "amount_yuan",
                                                    Decimal(10) ** 34, 3)])])
    assert info.value.code == "value_out_of_range" and "35 integer digits" in str(info.value)


def test_the_guard_rejects_exactly_the_offending_files_of_a_batch():
    good = _report("1" * 16, [Cell("applications", "new_received", "total", 3, 5)])
    negative = _report("2" * 16, [Cell("applications", "granted", "natural_person", -4, 9)])
    nan = _report("3" * 16, [Cell("proactive", "administrative_fees", "amount_yuan", Decimal("NaN"), 7)])
    name = _report("4" * 16, [Cell("reviews", "review", "won", 1, 8)])
    huge_line = _report("5" * 16, [Cell("reviews", "review", "total", 1, 2**40)])
    batch = [good, negative, nan, name, huge_line]
    out = guard_batch(batch, sha256={r.report_id: r.report_id * 4 for r in batch}, parser_version="t")
    assert out.frames["reports"]["report_id"].to_list() == ["1" * 16]
    assert out.rejected == {
        "2222222222222222.txt": "value_out_of_range: refused by the schema: applications granted/natural_person "
                                "value = -4 (greater_than_or_equal_to(0)) at line 9",
        "3333333333333333.txt": "value_out_of_range: 3333333333333333.txt:7 proactive.administrative_fees."
                                "amount_yuan: NaN is not a finite number",
        "4444444444444444.txt": "invalid_frame: refused by the schema: reviews review/won outcome = won (isin) "
                                "at line 8",
        "5555555555555555.txt": "value_out_of_range: 5555555555555555.txt:1099511627776 reviews.review.total line: "
                                "1099511627776 does not fit a 32-bit integer",
    }
    outcomes = [registry.outcome_of(r, r.source, "t") for r in out.reports]
    assert [o.status for o in outcomes] == ["loaded", "rejected", "rejected", "rejected", "rejected"]


_NAMES = sorted(set().union(*NAMES.names.values())) + ["bogus", ""]
_numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**20), max_value=10**20, places=6),
)
_small = st.one_of(st.none(), st.integers(min_value=-(2**40), max_value=2**40))
_text = st.text(st.characters(codec="utf-8") | st.sampled_from(["\udcff", "\x00"]), max_size=12)
_cells = st.builds(
    Cell, st.sampled_from(["proactive", "applications", "reviews", "elsewhere"]), st.sampled_from(_NAMES),
    st.sampled_from(_NAMES), _numbers, st.integers(min_value=-3, max_value=2**40),
    st.one_of(st.none(), st.builds(Origin, _small, st.one_of(st.none(), st.tuples(*[st.floats()] * 4)),
                                   _small, _small, _small)),
)
_issues = st.builds(Issue, st.sampled_from(["info", "warning", "error", "fatal"]), _text, _text, _small,
                    st.sampled_from([None, "proactive", "nowhere"]), st.one_of(st.none(), _text))
_reports = st.builds(
    Report, source=st.just("x"), report_id=st.just("x"), agency=st.one_of(st.none(), _text),
    year=st.one_of(st.none(), st.integers(min_value=-(10**12), max_value=10**12)),
    layout=st.sampled_from(["2021", "2019", "narrative", None, "1999"]),
    published_on=st.one_of(st.none(), _text, st.just("2022-01-17")), encoding=st.one_of(st.none(), _text),
    rendering=st.one_of(st.none(), _text), cells=st.lists(_cells, max_size=4), issues=st.lists(_issues, max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_reports, min_size=1, max_size=4))
def test_random_reports_give_frames_or_a_named_rejection_never_an_exception(reports):
    for n, r in enumerate(reports):
        r.report_id, r.source = f"{n:016x}", f"file {n}.txt"
    out = guard_batch(reports, sha256={r.report_id: r.report_id * 4 for r in reports}, parser_version="t")
    loaded = set(out.frames["reports"]["report_id"].to_list())
    for r in out.reports:
        if r.report_id in loaded:
            assert not r.rejected
        else:
            assert r.rejected, r
            named = r.issues[-1].code in ("value_out_of_range", "invalid_frame")
            assert named == (r.source in out.rejected)  # else the extractor's own error rejected it
    for table in TABLES:
        assert validate_frame(table, out.frames[table]).passed, table
    # the registry rows of the batch (rejected files included) are writable as they are
    outcomes = {r.source: registry.outcome_of(r, r.source, "t") for r in out.reports}
    assert all(o.reason is None or o.reason.encode("utf-8") for o in outcomes.values())
    pl.DataFrame([{"path": o.path, "reason": o.reason, "encoding": o.encoding, "layout": o.layout}
                  for o in outcomes.values()]).write_parquet(os.devnull)


# ---------------------------------------------------------------- workers: the limits, and the same results


def _plan(raw: Path, previous: pl.DataFrame | None = None):
    return rawdir.plan_directory(raw, previous if previous is not None else pl.DataFrame(schema=REPORT_FILES))


def test_slow_hungry_and_killed_files_are_rejected_by_name_and_the_run_completes(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name, body in {"a.txt": b"1 fine", "b slow.txt": b"2 slow", "c hungry.txt": b"3 hungry",
                       "d killed.txt": b"4 kill", "e exit.txt": b"5 exit", "f raise.txt": b"6 raise",
                       "g.txt": b"7 fine"}.items():
        (raw / name).write_bytes(body)
    t0 = time.monotonic()
    ex = extract_planned(_plan(raw), tmp_path / "stage", batch_size=10, extractor=hostile, workers=2,
                         file_seconds=3, file_memory_mb=MEMORY_MB)
    assert time.monotonic() - t0 < 40  # the slow file (60 s) was stopped at 3 s
    got = {p: (o.status, o.reason) for p, o in ex.outcomes.items()}
    assert got["a.txt"] == ("loaded", None) and got["g.txt"] == ("loaded", None)
    assert got["b slow.txt"] == ("rejected", "too_slow: extraction took longer than the limit of 3 s "
                                             "(XXGK_FILE_SECONDS); the worker was stopped and replaced")
    assert got["c hungry.txt"] == ("rejected", f"too_much_memory: extraction needed more than the limit of "
                                               f"{MEMORY_MB} MB (XXGK_FILE_MEMORY_MB)")
    assert got["d killed.txt"][0] == "rejected"
    assert got["d killed.txt"][1].startswith("too_much_memory: the worker extracting it was killed by SIGKILL")
    assert f"the memory limit is {MEMORY_MB} MB" in got["d killed.txt"][1]
    assert got["e exit.txt"] == ("rejected", "worker_died: the worker extracting it exited with code 3; it was replaced")
    assert got["f raise.txt"] == ("rejected", "extractor_crashed: extract_report raised "
                                              "RuntimeError('the core failed on this file')")
    assert ex.statuses == {"loaded": 2, "rejected": 5} and ex.skipped == {}
    frame = pl.read_parquet(Path(ex.batches[0].directory) / "applications.parquet")
    assert frame.select("value").to_series().to_list() == [1, 7]  # the two fine files, in path order


def test_a_4_mib_file_of_table_rows_is_read_in_bounded_time_and_memory_beside_a_good_file(tmp_path):
    """The first row of the issue: 4 MiB of table-like rows (under XXGK_MAX_FILE_BYTES). It once took more
    than 15 GB; with the real parser in a worker limited to 60 s and 1 GB it is read and the run completes.
    (Its time and memory per size are printed by benchmarks/pathological_sizes.py.)"""
    raw = tmp_path / "raw"
    raw.mkdir()
    text = LVLIANG.read_text(encoding="utf-8")
    rows = "\n".join(ln for ln in text.splitlines() if any(ch.isdigit() for ch in ln)) + "\n"
    big = (text + rows * (4 * 2**20 // len(rows.encode()) + 1)).encode()[: 4 * 2**20 - 1]
    big = big.decode("utf-8", "ignore").encode()
    (raw / "big.txt").write_bytes(big)
    shutil.copyfile(SEEDS[0], raw / "good.txt")
    ex = extract_planned(_plan(raw), tmp_path / "stage", batch_size=10, workers=1, file_seconds=60,
                         file_memory_mb=1024)
    assert ex.outcomes["good.txt"].status in LOADED
    big_outcome = ex.outcomes["big.txt"]
    assert big_outcome.status in LOADED, big_outcome  # neither too_slow nor too_much_memory
    reports = pl.read_parquet(Path(ex.batches[0].directory) / "reports.parquet")
    assert sorted(reports["source_file"].to_list()) == ["big.txt", "good.txt"]
    assert reports.filter(pl.col("source_file") == "big.txt")["agency"].to_list() == ["吕梁市教育局"]


def test_the_workers_give_the_serial_results_and_import_no_dagster(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in SEEDS:
        shutil.copyfile(f, raw / f.name)
    text = LVLIANG.read_text(encoding="utf-8")
    (raw / "fee.txt").write_text(text.replace(FEE_LINE, "行政事业性收费\t1234567890123456789012345"), encoding="utf-8")
    plan = _plan(raw)
    serial = extract_planned(plan, tmp_path / "serial", batch_size=3, workers=0)
    pooled = extract_planned(plan, tmp_path / "pooled", batch_size=3, workers=2, file_seconds=60, file_memory_mb=2048)
    assert pooled.outcomes == serial.outcomes and pooled.statuses == serial.statuses
    assert [b.paths for b in pooled.batches] == [b.paths for b in serial.batches]
    for a, b in zip(serial.batches, pooled.batches, strict=True):
        for table in (*TABLES, "report_files"):
            left, right = (pl.read_parquet(Path(x.directory) / f"{table}.parquet") for x in (a, b))
            assert left.drop("first_seen", "last_seen", strict=False).equals(
                right.drop("first_seen", "last_seen", strict=False)), table
    assert serial.outcomes["fee.txt"].reason.startswith("value_out_of_range")

    probe = raw / "probe"
    probe.mkdir()
    (probe / "p.txt").write_bytes(b"1 probe")
    ex = extract_planned(_plan(probe), tmp_path / "probe", batch_size=1, extractor=modules_seen, workers=1,
                         file_seconds=60, file_memory_mb=2048)
    agency = pl.read_parquet(Path(ex.batches[0].directory) / "reports.parquet")["agency"].to_list()[0]
    assert agency.startswith("loaded: none pid ") and agency != f"loaded: none pid {os.getpid()}"


# ------------------------------------------------------------------ a file that changes while it is read


def test_a_file_changed_while_read_keeps_its_previous_report(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(b"1 a")
    (raw / "b.txt").write_bytes(b"2 b")
    first = extract_planned(_plan(raw), tmp_path / "s1", batch_size=10, extractor=hostile, workers=0)
    previous = registry.extracted_rows(_plan(raw), _plan(raw).to_extract, first.outcomes)
    old_b = _sha16(b"2 b")
    (raw / "a.txt").write_bytes(b"3 a")
    (raw / "b.txt").write_bytes(b"4 b")
    plan = _plan(raw, previous)
    assert old_b in plan.stale_report_ids  # b's new bytes back no report yet

    def rewrite_b_while_a_is_read(data: bytes, source: str) -> Report:
        if source == "a.txt":
            (raw / "b.txt").write_bytes(b"5 b, once more")  # b changes after the scan, before it is read
        return hostile(data, source)

    second = extract_planned(plan, tmp_path / "s2", batch_size=10, extractor=rewrite_b_while_a_is_read, workers=0)
    assert list(second.skipped) == ["b.txt"] and "changed since the scan" in second.skipped["b.txt"]
    assert old_b not in second.stale_report_ids and "b.txt" not in second.outcomes
    remaining = pl.read_parquet(second.remaining_registry)
    assert "b.txt" not in remaining["path"].to_list()  # its registry row is not rewritten


@needs_dbt
def test_a_file_rewritten_during_the_run_stays_in_the_marts_until_read_whole(tmp_path):
    from conftest import run_pipeline

    raw, db = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    raw.mkdir()
    shutil.copyfile(SEEDS[0], raw / "a.txt")
    shutil.copyfile(SEEDS[1], raw / "b.txt")
    assert _run_without_dbt(raw, db).success
    before = _registry(db)["b.txt"]
    old_id = before["report_id"]

    (raw / "b.txt").write_bytes(SEEDS[3].read_bytes())  # changed: planned for extraction
    (raw / "a0 trigger.txt").write_bytes(SEEDS[4].read_bytes())  # extracted first (by path)
    final = SEEDS[2].read_bytes() + b"\n"
    result = run_pipeline(raw, db, extractor=RewritingExtractor(victim=str(raw / "b.txt"), content=final.hex()))
    assert result.success
    assert _registry(db)["b.txt"] == before  # registry row unchanged
    assert _query(db, "SELECT agency FROM marts.dim_report WHERE report_id = ?", [old_id]) == [("吕梁市教育局",)]
    skipped = _metadata(result, "extracted_reports")["skipped_files"].value
    assert "b.txt" in skipped and "changed since the scan" in skipped

    assert _run_without_dbt(raw, db).success  # the next run reads it whole, and retires the old report
    row = _registry(db)["b.txt"]
    assert row["status"] in LOADED and row["report_id"] == _sha16(final)
    assert _query(db, "SELECT agency, year FROM raw.reports WHERE report_id = ?", [row["report_id"]]) == [
        ("定西市教育局", 2017)]
    assert _query(db, "SELECT count(*) FROM raw.reports WHERE report_id = ?", [old_id]) == [(0,)]


def _run_without_dbt(raw: Path, db: Path):
    """conftest's run_pipeline without the dbt assets (the raw tables and the registry only): quicker."""
    from conftest import pipeline_defs
    from dagster import DagsterInstance

    from pipelines.defs.automation import JOB_NAME

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_RAW_DIR", str(raw))
        mp.setenv("XXGK_WAREHOUSE", str(db))
        mp.setenv("DAGSTER_HOME", str(db.parent / "dagster_home"))
        job = pipeline_defs(dbt=False).resolve_job_def(JOB_NAME)
        return job.execute_in_process(instance=DagsterInstance.ephemeral(), raise_on_error=False)


class RewritingExtractor(ReportExtractor):
    """The pure core, but extracting "a0 trigger.txt" rewrites ``victim`` (scanned, not yet read); a subclass
    that overrides ``extract`` runs in the run's own process, so the order is the plan's."""

    victim: str
    content: str  # hex

    def extract(self, data: bytes, source: str) -> Report:
        if source == "a0 trigger.txt":
            Path(self.victim).write_bytes(bytes.fromhex(self.content))
        return extract_report(data, source)
