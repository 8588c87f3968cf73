"""Bad input and security: ONE pipeline run (dbt included) over the sample reports plus every kind of bad
file. The registry must name what became of each file, and every other report must load.

The run is shared by the whole module (a dbt build takes ~20 s); each test asserts on its results.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import io
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from pipelines import rawdir, settings, warehouse
from pipelines.dbt_inputs import has_dbt_project
from pipelines.extract.decode import cut_off_tail, decode
from pipelines.extract.multiple import detect_multiple_reports
from pipelines.extract.normalize import normalize_line
from pipelines.freshness import run_decision
from pipelines.plan import LOADED

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data" / "raw").glob("*.txt"))

UNREADABLE = "unreadable report.txt"
QUOTED = '郑县 "教体局" 报告\'s copy (2021).txt'
INJECTION = "x'); DROP TABLE raw.reports; --.txt"
SECRET_AGENCY = "秘密测试局"
BIG_BYTES = 50 * 1024 * 1024


def seed(i: int) -> str:
    return SEEDS[i].read_text(encoding="utf-8")


def _section_cut(text: str) -> int:
    """A character offset in the middle of section 三's table."""
    start = text.index("三、")
    return start + (text.index("四、", start) - start) // 2


def _cut_mid_character(text: str, encoding: str = "utf-8") -> bytes:
    cut = _section_cut(text)
    while not "\u4e00" <= text[cut] <= "\u9fff":  # stop inside a Chinese character (2 or 3 bytes)
        cut += 1
    return text[: cut + 1].encode(encoding)[:-1]


def make_bad_files(raw: Path, outside: Path) -> dict[str, str]:
    """Write the bad inputs into ``raw``; returns name -> what it is."""
    made: dict[str, str] = {}

    def put(name: str, data: bytes, what: str) -> None:
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        made[name] = what

    put("empty.txt", b"", "empty file")
    put("binary.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 64, "a damaged PDF")
    put("binary.dat", b"\x00\x01\x02\x03" * 4096, "binary file")
    t1 = seed(1)
    put("truncated.txt", t1[: _section_cut(t1)].encode("utf-8"), "cut off in the middle of a table")
    put("truncated mid character.txt", _cut_mid_character(seed(3)), "cut off inside a UTF-8 character")
    put("truncated gbk.txt", _cut_mid_character(seed(4), "gbk"), "GBK, cut off inside a character")
    put("gbk.txt", seed(3).encode("gbk"), "GBK")
    gb = seed(4) + "\n注：本报告由𠮷𠀀同志整理。\n"  # characters outside GBK: 4-byte GB18030 sequences
    with pytest.raises(UnicodeEncodeError):
        gb.encode("gbk")
    put("gb18030.txt", gb.encode("gb18030"), "GB18030 (beyond GBK)")
    put("utf16.txt", seed(0).encode("utf-16"), "UTF-16 LE with BOM")
    put("utf16be.txt", b"\xfe\xff" + seed(1).encode("utf-16-be"), "UTF-16 BE with BOM")
    put("two reports.txt", (seed(1) + "\n" + seed(3)).encode("utf-8"), "two reports of one year")
    put("two years.txt", (seed(2) + "\n" + seed(1)).encode("utf-8"), "two reports of different years")
    filler = "本机关坚持以公开为常态、不公开为例外，持续推进政务公开工作。\n".encode()
    body = seed(1).encode("utf-8")
    put("big.txt", body + filler * ((BIG_BYTES - len(body)) // len(filler) + 1), "50 MB")
    put(QUOTED, (seed(4) + "\n").encode("utf-8"), "name with spaces, quotes and Chinese")
    put(INJECTION, (seed(0) + "\n\n").encode("utf-8"), "name that is an SQL injection")
    put("copy of 001.txt", SEEDS[1].read_bytes(), "same bytes as a sample")
    put(UNREADABLE, (seed(2) + "\n").encode("utf-8"), "unreadable (PermissionError)")
    put("sub/real.txt", (seed(3) + "\n\n\n").encode("utf-8"), "a report in a subdirectory")
    os.mkfifo(raw / "pipe.fifo")
    made["pipe.fifo"] = "FIFO"
    os.symlink("loop_b", raw / "loop_a")
    os.symlink("loop_a", raw / "loop_b")
    made["loop_a"] = made["loop_b"] = "symlink loop"
    os.symlink("..", raw / "sub" / "up")  # a directory link inside the raw dir: not entered, not a file
    secret = outside / "secret.txt"
    secret.write_text(seed(4).replace("郑县教育体育局", SECRET_AGENCY).replace("教体局", SECRET_AGENCY), encoding="utf-8")
    (outside / "dir").mkdir()
    shutil.copyfile(secret, outside / "dir" / "also_secret.txt")
    os.symlink(secret, raw / "outside.txt")
    os.symlink(outside / "dir", raw / "outside_dir")
    made["outside.txt"] = made["outside_dir"] = "symlink outside the raw dir"
    os.symlink(raw / "missing.txt", raw / "dangling.txt")
    made["dangling.txt"] = "dangling symlink"
    os.symlink("gbk.txt", raw / "inside_link.txt")
    made["inside_link.txt"] = "symlink to a file inside the raw dir"
    return made


@dataclass
class BadRun:
    raw: Path
    outside: Path
    db: Path
    made: dict[str, str]
    success: bool
    failures: list[str]
    seconds: float
    scan_seconds: float
    rows: dict[str, dict]
    report_ids: set[str]
    dim_report_ids: set[str]
    opened: list[str]
    decision_after: object


def _guarded_open(opened: list[str]):
    """os.open that records every path opened and refuses UNREADABLE as a non-root user would."""
    real_open = os.open

    def guarded(path, flags, mode=0o777, *, dir_fd=None):
        name = os.fsdecode(path)
        full = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name) if dir_fd is not None else name
        opened.append(full)
        if os.path.basename(full) == UNREADABLE:
            raise PermissionError(errno.EACCES, "Permission denied", name)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    return guarded


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> BadRun:
    if not has_dbt_project():
        pytest.skip("no dbt project")
    from pipelines.cli import run_all

    base = tmp_path_factory.mktemp("bad_input")
    raw, outside, db = base / "raw", base / "outside", base / "warehouse.duckdb"
    raw.mkdir()
    outside.mkdir()
    for f in SEEDS:
        shutil.copyfile(f, raw / f.name)
    made = make_bad_files(raw, outside)
    opened: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_RAW_DIR", str(raw))
        mp.setenv("XXGK_WAREHOUSE", str(db))
        mp.setenv("DAGSTER_HOME", str(base / "dagster_home"))
        mp.delenv("XXGK_MAX_FILE_BYTES", raising=False)
        mp.setattr(os, "open", _guarded_open(opened))
        t0 = time.monotonic()
        rawdir.scan_dir(raw)
        scan_seconds = time.monotonic() - t0
        t0 = time.monotonic()
        with contextlib.redirect_stdout(io.StringIO()):
            result = run_all(log_level="ERROR")
        seconds = time.monotonic() - t0
        decision = run_decision(raw, db, max_bytes=settings.max_file_bytes())
    failures = [str(e.event_specific_data.error) for e in result.all_events if e.is_step_failure]
    print(f"\nbad-input run: {seconds:.1f} s (scan with a 50 MB file: {scan_seconds:.2f} s)")
    reg = warehouse.read_report_files(db)
    with warehouse.connect_read_only(db) as con:
        report_ids = {r[0] for r in con.execute("SELECT report_id FROM raw.reports").fetchall()}
        dim = {r[0] for r in con.execute("SELECT report_id FROM marts.dim_report").fetchall()}
    return BadRun(raw, outside, db, made, result.success, failures, seconds, scan_seconds,
                  {r["path"]: r for r in reg.iter_rows(named=True)}, report_ids, dim, opened, decision)


# (status, text the reason starts with or contains)
EXPECTED = {
    "empty.txt": ("rejected", "empty_file"),
    "binary.pdf": ("rejected", "unreadable_pdf"),  # looks like a PDF, is not one
    "binary.dat": ("rejected", "binary_file"),
    "truncated.txt": ("loaded_with_warnings", "rows_missing"),
    "truncated mid character.txt": ("loaded_with_warnings", "truncated_file: ends inside a UTF-8 character"),
    "truncated gbk.txt": ("loaded_with_warnings", "truncated_file: ends inside a GB18030/GBK character"),
    "gbk.txt": (LOADED, None),
    "gb18030.txt": (LOADED, None),
    "utf16.txt": (LOADED, None),
    "utf16be.txt": (LOADED, None),
    "two reports.txt": ("loaded_with_warnings", "multiple_reports: holds 2 reports"),
    "two years.txt": ("rejected", "multiple_reports: holds 2 reports"),
    "big.txt": ("rejected", "too_large"),
    QUOTED: (LOADED, None),
    INJECTION: (LOADED, None),
    "copy of 001.txt": ("duplicate", f"same content as {SEEDS[1].name}"),
    UNREADABLE: ("rejected", "unreadable: Permission denied"),
    "sub/real.txt": (LOADED, None),
    "pipe.fifo": ("rejected", "not_regular_file: a named pipe (FIFO)"),
    "loop_a": ("rejected", "symlink_loop"),
    "loop_b": ("rejected", "symlink_loop"),
    "outside.txt": ("rejected", "symlink_outside_raw_dir: symlink outside raw dir"),
    "outside_dir": ("rejected", "symlink_outside_raw_dir: symlink outside raw dir"),
    "dangling.txt": ("rejected", "broken_symlink"),
    "inside_link.txt": ("duplicate", "same content as gbk.txt"),
}


def test_the_run_completes_and_every_sample_report_loads(bad):
    assert bad.success, bad.failures
    for f in SEEDS:
        row = bad.rows[f.name]
        assert row["status"] in LOADED, row
        assert row["report_id"] in bad.report_ids and row["report_id"] in bad.dim_report_ids


def test_one_registry_row_per_entry_of_the_raw_dir(bad):
    entries = {f.name for f in SEEDS} | set(bad.made)
    assert set(bad.rows) == entries  # sub/up (a directory link inside the raw dir) is not a file


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_registry_names_what_became_of_each_bad_file(bad, name):
    status, reason = EXPECTED[name]
    row = bad.rows[name]
    assert row["status"] in (status if isinstance(status, tuple) else (status,)), row
    if reason:
        assert reason in (row["reason"] or ""), row
    if row["status"] in LOADED:
        assert row["report_id"] in bad.report_ids and row["report_id"] in bad.dim_report_ids
    elif row["status"] == "rejected":
        assert row["report_id"] is None


def test_files_not_read_have_no_hash(bad):
    for name in (UNREADABLE, "pipe.fifo", "loop_a", "outside.txt", "outside_dir", "dangling.txt"):
        assert bad.rows[name]["sha256"] is None and bad.rows[name]["parser_version"] is None


def test_registry_status_agrees_with_the_issues(bad):
    """loaded <=> no warning; loaded_with_warnings <=> warnings; raw.reports = the loaded files' reports."""
    with warehouse.connect_read_only(bad.db) as con:
        warnings = dict(con.execute(
            "SELECT report_id, count(*) FILTER (WHERE severity = 'warning') FROM raw.issues GROUP BY 1").fetchall())
        n_warnings = dict(con.execute("SELECT report_id, n_warnings FROM raw.reports").fetchall())
    loaded = {r["report_id"]: r for r in bad.rows.values() if r["status"] in LOADED}
    assert set(loaded) == bad.report_ids
    for rid, row in loaded.items():
        expected = "loaded_with_warnings" if warnings.get(rid, 0) else "loaded"
        assert row["status"] == expected, row
        assert n_warnings[rid] == warnings.get(rid, 0)


def test_reencoded_samples_read_the_same_figures(bad):
    originals = {"gbk.txt": SEEDS[3], "gb18030.txt": SEEDS[4], "utf16.txt": SEEDS[0], "utf16be.txt": SEEDS[1]}
    encodings = {"gbk.txt": "gb18030", "gb18030.txt": "gb18030", "utf16.txt": "utf-16-le", "utf16be.txt": "utf-16-be"}
    with warehouse.connect_read_only(bad.db) as con:
        def figures(rid: str) -> list[tuple]:
            return sorted(con.execute(
                "SELECT 'p', item, measure, value::VARCHAR, line FROM raw.proactive WHERE report_id = ? UNION ALL "
                "SELECT 'a', \"row\", applicant, value::VARCHAR, line FROM raw.applications WHERE report_id = ? "
                "UNION ALL SELECT 'r', proceeding, outcome, value::VARCHAR, line FROM raw.reviews WHERE report_id = ?",
                [rid, rid, rid]).fetchall(), key=repr)

        for name, original in originals.items():
            row, orig = bad.rows[name], bad.rows[original.name]
            assert row["encoding"] == encodings[name]
            got, want = figures(row["report_id"]), figures(orig["report_id"])
            if name == "gb18030.txt":  # two lines appended at the end: same figures
                assert [g[:4] for g in got] == [w[:4] for w in want]
            else:
                assert got == want and got, name


def test_two_reports_in_one_file_load_the_first_ones_tables(bad):
    with warehouse.connect_read_only(bad.db) as con:
        def cells(rid):
            return sorted(con.execute(
                "SELECT \"row\", applicant, value FROM raw.applications WHERE report_id = ?", [rid]).fetchall(),
                key=repr)

        rid = bad.rows["two reports.txt"]["report_id"]
        assert cells(rid) == cells(bad.rows[SEEDS[1].name]["report_id"])
        agency = con.execute("SELECT agency FROM raw.reports WHERE report_id = ?", [rid]).fetchall()[0][0]
        assert agency == "吕梁市教育局"


def test_file_names_with_quotes_and_sql_survive_intact(bad):
    with warehouse.connect_read_only(bad.db) as con:
        sources = {r[0] for r in con.execute("SELECT source_file FROM raw.reports").fetchall()}
        dim_sources = {r[0] for r in con.execute("SELECT source_file FROM marts.dim_report").fetchall()}
    assert {QUOTED, INJECTION} <= sources
    assert {QUOTED, INJECTION} <= dim_sources


def test_nothing_outside_the_raw_dir_is_opened(bad):
    outside = str(bad.outside.resolve())
    assert not [p for p in bad.opened if p.startswith(outside)]
    with warehouse.connect_read_only(bad.db) as con:
        agencies = {r[0] for r in con.execute("SELECT agency FROM raw.reports").fetchall()}
    assert SECRET_AGENCY not in agencies


def test_a_50_mb_file_is_rejected_unread_and_quickly(bad):
    row = bad.rows["big.txt"]
    assert row["size_bytes"] >= BIG_BYTES and row["sha256"] and row["encoding"] is None
    assert "XXGK_MAX_FILE_BYTES" in row["reason"]
    assert bad.scan_seconds < 10, bad.scan_seconds  # hashing 50 MB in 1 MiB chunks


def test_the_next_run_has_nothing_to_do(bad):
    """Bad files are registered once and for all: their rows do not change from run to run."""
    assert not bad.decision_after.run, bad.decision_after.reason
    assert bad.decision_after.reason.startswith("nothing new")


# ------------------------------------------------------------------------------------ unit-level


def test_open_beneath_refuses_links_fifos_and_escapes(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    (raw / "d").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret").write_text("s")
    (raw / "d" / "ok.txt").write_text("ok")
    os.symlink(outside / "secret", raw / "link")
    os.symlink(outside, raw / "dirlink")
    os.mkfifo(raw / "fifo")
    with rawdir.open_beneath(raw, "d/ok.txt") as fh:
        assert fh.read() == b"ok"
    for rel in ("link", "dirlink/secret"):
        with pytest.raises(OSError) as info:
            rawdir.open_beneath(raw, rel)
        assert info.value.errno in (errno.ELOOP, errno.ENOTDIR), rel
    for rel in ("../outside/secret", "/etc/passwd", "d/../../outside/secret"):
        with pytest.raises(ValueError):
            rawdir.open_beneath(raw, rel)
    done = threading.Event()

    def open_fifo():
        with pytest.raises(rawdir.NotRegularFileError):
            rawdir.open_beneath(raw, "fifo")
        done.set()

    threading.Thread(target=open_fifo, daemon=True).start()
    assert done.wait(5), "opening a FIFO blocked"


def _lines(data: bytes) -> list[str]:
    return [normalize_line(ln) for ln in decode(data).text.splitlines()]


def test_cut_off_tail():
    text = "政府信息公开工作年度报告\n本年新收 12\n"
    data = text.encode("utf-8")
    assert cut_off_tail(data) == (data, None)
    trimmed, why = cut_off_tail(data[:-3])  # "…12\n" minus its last bytes: still whole characters
    assert why is None
    cut = "报告".encode()[:-1]
    trimmed, why = cut_off_tail(cut)
    assert trimmed == "报".encode() and "UTF-8" in why
    u16 = "报告".encode("utf-16")
    assert cut_off_tail(u16[:-1])[0] == u16[:-2]
    astral = "报𠮷".encode("utf-16")  # the second character is a surrogate pair
    assert cut_off_tail(astral[:-1])[0].decode("utf-16") == "报"
    assert cut_off_tail(astral[:-2])[0].decode("utf-16") == "报"
    assert cut_off_tail(astral) == (astral, None)
    gbk = "政府信息公开报告".encode("gb18030")
    assert cut_off_tail(gbk) == (gbk, None)
    trimmed, why = cut_off_tail(gbk[:-1])
    assert trimmed.decode("gb18030") == "政府信息公开报" and "GB18030" in why
    four = "报告𠮷".encode("gb18030")  # a 4-byte GB18030 character at the end
    assert cut_off_tail(four[:-2])[0].decode("gb18030") == "报告"


def test_multiple_report_detection_has_no_false_positives(tmp_path):
    from pipelines.corpus.generate import main as generate

    corpus = tmp_path / "corpus"
    assert generate([str(corpus), "--n", "300", "--seed", "11"]) in (0, None)
    singles = [*SEEDS, *sorted((ROOT / "tests" / "fixtures" / "real").glob("*.txt")),
               *sorted(p for p in corpus.rglob("*.txt") if "truth" not in p.name)]
    assert len(singles) > 300
    flagged = [p.name for p in singles if detect_multiple_reports(_lines(p.read_bytes()))]
    assert flagged == []
    for a, b in ((0, 1), (1, 3), (3, 4), (2, 1), (0, 2)):
        found = detect_multiple_reports(_lines(SEEDS[a].read_bytes() + b"\n" + SEEDS[b].read_bytes()))
        assert found and found[1].startswith("holds 2 reports"), (a, b)
        assert found[0] == ("error" if 2 in (a, b) else "warning")  # 002 is a 2017 report: another year


# -------------------------------------------------------------------------------------- security

_SQL_CALLS = {"execute", "sql", "query", "executemany"}
# Expressions allowed inside an f-string of SQL: constants (UPPER_CASE), identifier quoting, SQL builders
# (functions named *_sql / *_ddl: their own f-strings are checked by the same rule), and local names
# that only ever hold those (checked by reading the code they come from).
_QUOTING = {"q", "_columns"}
_SAFE_LOCALS = {
    "warehouse.py": {"cols", "view", "suffix", "source", "order", "updates", "ident", "union"},  # union: constant SQL
    "cli.py": {"ident"},  # quoted identifiers from information_schema
    "builds.py": {"ident", "source"},  # quoted identifiers; the table or a SELECT of quoted columns
    "ingest.py": {"t"},  # for t in RAW_TABLES
    "table_checks.py": {"ident", "cols"},  # quoted identifiers of the fixed raw tables
}


def _safe(expr: ast.expr, filename: str) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id.isupper() or expr.id.lstrip("_").isupper() or expr.id in _SAFE_LOCALS.get(filename, set())
    if isinstance(expr, ast.Attribute):
        return expr.attr.isupper()
    if isinstance(expr, ast.Call):
        name = expr.func.id if isinstance(expr.func, ast.Name) else getattr(expr.func, "attr", "")
        if name == "join":  # ", ".join(_q(c) for c in ...)
            return all(_safe(a, filename) for a in expr.args)
        return name in _QUOTING or name.endswith(("_sql", "_ddl"))
    if isinstance(expr, ast.GeneratorExp | ast.ListComp):
        return _safe(expr.elt, filename)
    return False


def test_sql_takes_values_as_parameters_only():
    """Every f-string that looks like SQL interpolates only constants or quoted identifiers; values
    (file names, report text, ids) travel as ``?`` parameters or registered frames."""
    sql_words = re.compile(r"\b(SELECT|INSERT|DELETE|UPDATE|CREATE|DROP|FROM|WHERE|VALUES)\b")
    offenders = []
    for path in sorted((ROOT / "pipelines").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                if not sql_words.search(literal):
                    continue
                for v in node.values:
                    if isinstance(v, ast.FormattedValue) and not _safe(v.value, path.name):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {{{ast.unparse(v.value)}}}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SQL_CALLS
                    and node.args and isinstance(node.args[0], ast.BinOp)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: SQL built with an operator")
    assert offenders == []


def test_the_ui_binds_localhost_by_default():
    from dagster._cli.dev import dev_command
    from dagster_webserver.cli import dagster_webserver

    # `dagster dev` passes --host on only when given; dagster-webserver's own default is localhost.
    assert next(p for p in dagster_webserver.params if p.name == "host").default == "127.0.0.1"
    assert not isinstance(next(p for p in dev_command.params if p.name == "host").default, str)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [ln for ln in readme.splitlines() if re.search(r"dagster(-webserver| dev)\b", ln) and "--" not in ln[:2]]
    assert commands
    for ln in commands:
        m = re.search(r"(?:-h|--host)\s+(\S+)", ln)
        assert m is None or m.group(1) == "127.0.0.1", ln
    anywhere = "0.0.0" + ".0"
    texts = [ROOT / "README.md", ROOT / "workspace.yaml", ROOT / "pyproject.toml", *(ROOT / ".ci").glob("*"),
             *(ROOT / "pipelines").rglob("*.py")]
    assert not [str(p) for p in texts if p.is_file() and anywhere in p.read_text(encoding="utf-8", errors="replace")]


def test_a_link_swapped_in_after_the_scan_is_not_followed(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside.txt"
    raw.mkdir()
    (raw / "a.txt").write_text("A")
    outside.write_text("A")  # same bytes: only the link check can stop it
    entry = rawdir.scan_dir(raw).files[0]
    (raw / "a.txt").unlink()
    os.symlink(outside, raw / "a.txt")
    with pytest.raises(OSError) as info:
        rawdir.read_entry(raw, entry)
    assert info.value.errno == errno.ELOOP


def test_warehouse_queries_with_hostile_values(tmp_path):
    db = tmp_path / "w.duckdb"
    with warehouse.connect(db) as con:
        warehouse.ensure_schema(con)
    hostile = "x'; DROP TABLE raw.reports; --"
    with warehouse.connect_read_only(db) as con:
        frame = con.sql("SELECT ? AS v", params=[hostile]).pl()
    assert frame["v"].to_list() == [hostile]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.reports").fetchall() == [(0,)]
