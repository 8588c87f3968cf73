"""The README's example queries, run on a warehouse built from data/raw, print exactly the tables it shows."""

from __future__ import annotations

import re
import shutil

import duckdb
import pytest
from conftest import RAW, ROOT, run_pipeline

_BLOCK = re.compile(r"```sql\n(?P<sql>[^`]*?);\n```\n\n(?P<table>(?:\|[^\n]*\|\n)+)")


def _examples() -> list[tuple[str, list[list[str]]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for m in _BLOCK.finditer(text):
        lines = m.group("table").strip().splitlines()
        rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines[2:]]
        out.append((m.group("sql"), rows))
    return out


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    db = root / "warehouse.duckdb"
    assert run_pipeline(raw, db).success
    return db


def test_the_readme_has_examples():
    assert len(_examples()) >= 8


@pytest.mark.parametrize("sql,shown", _examples(), ids=lambda v: v[:60] if isinstance(v, str) else "")
def test_example_query_prints_what_the_readme_shows(warehouse, sql, shown):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.sql(sql).fetchall()
    finally:
        con.close()
    assert [["" if v is None else str(v) for v in r] for r in rows] == shown
