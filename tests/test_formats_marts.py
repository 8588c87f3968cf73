"""Each sample published as a web page, a Word file and a PDF gives the same rows in every mart as its text
version: one mapping serves every format. Only what says where a value stands (its file, line, location) may
differ."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, run_pipeline
from docx_build import sample_docx
from pdf_forms import report_pdf
from seed_tables import SEED_TABLES
from test_formats_html import EXPECTED, _sample_page

# Columns that say where a value stands or which file it came from, and the count of the parser's notes (a page
# adds an info note `format`, a Word file's rows may be repaired differently); everything else must agree.
WHERE = {"n_issues", "n_info", "report_id", "source_file", "sha256", "line", "location", "page", "bbox", "table_no",
         "table_row", "table_col", "encoding", "rendering", "path", "size_bytes", "first_seen", "last_seen"}
WHERE_SUFFIXES = ("_line", "_location", "_report_id")


def _originals(fmt: str) -> dict[str, bytes]:
    out = {}
    for name in sorted(EXPECTED):
        stem = Path(name).stem
        if fmt == "text":
            out[name] = (RAW / name).read_bytes()
        elif fmt == "html":
            out[f"{stem}.html"] = _sample_page(name)
        elif fmt == "docx":
            out[f"{stem}.docx"] = sample_docx(name)
        elif fmt == "pdf":
            out[f"{stem}.pdf"] = report_pdf(EXPECTED[name], SEED_TABLES[name], True).bytes()
    return out


def _marts(root: Path, fmt: str) -> dict[str, list[tuple]]:
    raw = root / fmt / "raw"
    raw.mkdir(parents=True)
    for name, data in _originals(fmt).items():
        (raw / name).write_bytes(data)
    db = root / fmt / "warehouse.duckdb"
    assert run_pipeline(raw, db).success
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        tables = [r[0] for r in con.execute("select table_name from information_schema.tables "
                                            "where table_schema = 'marts' order by 1").fetchall()]
        for table in tables:
            cols = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                              "table_schema = 'marts' and table_name = ? order by ordinal_position",
                                              [table]).fetchall()]
            keep = [c for c in cols if c not in WHERE and not c.endswith(WHERE_SUFFIXES)]
            rows = con.execute(f"select {', '.join(chr(34) + c + chr(34) for c in keep)} from marts.{table}").fetchall()
            out[table] = sorted((tuple(_plain(v) for v in r) for r in rows), key=repr)
        return out
    finally:
        con.close()


_ID = re.compile(r"^[0-9a-f]{16}$|^[0-9a-f]{64}$")


def _plain(v):
    """Values as a reader compares them: report ids (the bytes' hash) stand for the file, not the facts."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, str) and _ID.match(v):
        return "<report>"
    return v


@pytest.fixture(scope="module")
def text_marts(tmp_path_factory) -> dict[str, list[tuple]]:
    return _marts(tmp_path_factory.mktemp("marts"), "text")


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_every_mart_has_the_text_versions_rows(text_marts, tmp_path, fmt):
    marts = _marts(tmp_path, fmt)
    assert set(marts) == set(text_marts)
    assert sum(len(rows) for rows in text_marts.values()) > 100
    for table, rows in text_marts.items():
        assert marts[table] == rows, table


def test_the_marts_say_where_each_value_stands(tmp_path):
    _marts(tmp_path, "pdf")
    con = duckdb.connect(str(tmp_path / "pdf" / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute("select location from marts.fct_permits").fetchall()
        raw = con.execute("select page, bbox from raw.proactive where item = 'administrative_permits'").fetchall()
    finally:
        con.close()
    assert rows and all(loc.startswith("page ") and ", box " in loc for (loc,) in rows)
    assert raw and all(page >= 1 and len(bbox.split(",")) == 4 for page, bbox in raw)
    shutil.rmtree(tmp_path / "pdf")
