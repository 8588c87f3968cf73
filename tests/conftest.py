from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Every path of the pipeline under tmp_path (env vars restored after the test)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    monkeypatch.setenv("XXGK_RAW_DIR", str(raw))
    monkeypatch.setenv("XXGK_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.delenv("XXGK_MAX_FILE_BYTES", raising=False)
    return tmp_path
