"""The layout's rules (README, *Design*): which folder may import what, and what loading the definitions does.

Imports are read from the source (every ``import`` and ``from ... import``, at any depth), not run.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PIPELINES = ROOT / "pipelines"
# Modules that may import Dagster: the Dagster layer, the code location, and the command that launches runs.
DAGSTER_ALLOWED = {"pipelines/definitions.py", "pipelines/cli.py"}
MAX_LINES = 330


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def _rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def _top(name: str) -> str:
    return name.split(".")[0]


def test_the_extraction_core_imports_neither_dagster_nor_duckdb():
    offending = {
        _rel(p): sorted(n for n in _imports(p) if _top(n) in ("dagster", "dagster_dbt", "dagster_duckdb", "duckdb"))
        for p in _modules(PIPELINES / "extract")
    }
    assert not {k: v for k, v in offending.items() if v}


def test_only_the_dagster_layer_imports_dagster():
    offending = {}
    for p in _modules(PIPELINES):
        rel = _rel(p)
        if rel.startswith("pipelines/defs/") or rel in DAGSTER_ALLOWED:
            continue
        found = sorted(n for n in _imports(p) if _top(n).startswith("dagster"))
        if found:
            offending[rel] = found
    assert not offending


def test_nothing_outside_the_dagster_layer_imports_it():
    offending = {
        _rel(p): sorted(n for n in _imports(p) if n.startswith("pipelines.defs"))
        for p in _modules(PIPELINES)
        if not _rel(p).startswith("pipelines/defs/") and _rel(p) not in DAGSTER_ALLOWED
    }
    assert not {k: v for k, v in offending.items() if v}


def test_no_module_is_longer_than_a_screenful_or_three():
    """The shell around the core: each module one concern (the core and the corpus generator are left as
    they are: see the README's *Design*)."""
    shell = [p for p in _modules(PIPELINES) if not _rel(p).startswith(("pipelines/extract/", "pipelines/corpus/"))]
    long = {_rel(p): n for p in shell if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long


def test_the_cli_decides_whether_to_run_without_importing_dagster(tmp_path):
    """`xxgk status` (and the skip of `xxgk run`) read the registry and the build record without Dagster."""
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        "main(['status'])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0].startswith('dagster'))\n"
        "print('DAGSTER_MODULES', loaded[:5])\n"
    )
    env = {**os.environ, "XXGK_RAW_DIR": str(tmp_path), "XXGK_WAREHOUSE": str(tmp_path / "w.duckdb"),
           "DAGSTER_HOME": str(tmp_path / "home")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "DAGSTER_MODULES []" in out.stdout


def test_loading_the_definitions_changes_no_environment_and_runs_no_subprocess(tmp_path):
    """Import and load the code location in a fresh interpreter; any subprocess or env write is recorded."""
    code = (
        "import json, os, subprocess, sys\n"
        # the libraries' own import-time effects (pandera sets PYARROW_IGNORE_TIMEZONE, ...) come first
        "import dagster, dagster_dbt, dagster_duckdb, duckdb, pandera.polars, polars, platform\n"
        "platform.architecture()\n"
        "before = dict(os.environ)\n"
        "calls = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, *a, **k):\n"
        "    calls.append(str(a[0] if a else k.get('args')))\n"
        "    return real(self, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "from pipelines.definitions import defs\n"
        "d = defs()\n"
        "keys = d.resolve_asset_graph().get_all_asset_keys()\n"
        "changed = sorted(k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k))\n"
        "print(json.dumps({'calls': calls, 'changed': changed, 'assets': len(keys)}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_IS_DEV_CLI",)}
    env.update({"XXGK_RAW_DIR": str(tmp_path), "XXGK_WAREHOUSE": str(tmp_path / "w.duckdb")})
    from pipelines.defs.dbt_project import prepare

    prepare()  # the manifest exists, as after `xxgk run` or under `dagster dev`
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["calls"] == [] and result["changed"] == [], result
    assert result["assets"] > 20


@pytest.mark.parametrize("package", ["pipelines.extract", "pipelines.agencies"])
def test_pure_packages_import_without_dagster_or_duckdb(package):
    code = f"import sys, {package}; print(sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'duckdb')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_dg_finds_the_defs_folder():
    """`dg` (the [tool.dg] settings in pyproject.toml) lists the same definitions `dagster dev` loads."""
    from pipelines.defs.dbt_project import prepare

    prepare()
    dg = Path(sys.executable).parent / "dg"
    out = subprocess.run([str(dg), "list", "defs", "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    listed = json.loads(out.stdout[out.stdout.index("{"):])
    keys = {a["asset_key"] for a in listed["assets"]}
    assert {"raw_report_files", "extracted_reports", "raw/reports", "marts/report_quality", "ops/builds"} <= keys
    assert {j["name"] for j in listed["jobs"]} >= {"xxgk_all"}
