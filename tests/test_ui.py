"""The Dagster UI, seen as a user sees it.

``dagster-webserver`` serves this project's workspace (workspace.yaml -> ``pipelines.definitions:defs``)
on 127.0.0.1 with a temporary DAGSTER_HOME, warehouse and raw dir. Its GraphQL API must return the same
asset graph as the definitions, with the lineage raw files -> extraction -> DuckDB load -> dbt staging ->
intermediate -> marts; then headless Chromium opens the global asset lineage page with every group
expanded, its DOM must name every asset, and its screenshot must show them (a non-blank PNG).

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when missing). Without it the browser
test is skipped, except in CI (``CI=true``) where it fails. ``XXGK_UI_SCREENSHOT=path`` keeps a copy of
the screenshot (docs/ui-asset-graph.png was made that way).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections import Counter
from pathlib import Path

import pytest

from pipelines import settings

REPO = Path(__file__).resolve().parent.parent
WEBSERVER = Path(sys.executable).with_name("dagster-webserver")
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.access(p, os.X_OK)), None)
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
START_TIMEOUT = 120  # seconds for the webserver to load the code location (a fresh clone runs `dbt parse` first)
WINDOW = "1600,3200"  # tall enough that the whole expanded graph fits (the page zooms to fit its width)

# The lineage a user must see, edge by edge (upstream, downstream).
RAW_TABLES = ["reports", "proactive", "applications", "reviews", "issues", "report_files"]
EXPECTED_EDGES = {
    ("raw_report_files", "extracted_reports"),  # scan -> extraction
    *(("extracted_reports", f"raw/{t}") for t in RAW_TABLES),  # extraction -> DuckDB load (multi-asset raw_tables)
    ("raw/reports", "raw/agencies"),
    *((f"raw/{t}", f"staging/stg_{t}") for t in [*RAW_TABLES, "agencies"]),  # dbt sources -> staging
    ("staging/stg_proactive", "intermediate/int_proactive_items"),
    ("staging/stg_applications", "intermediate/int_application_cells"),
    ("staging/stg_reports", "intermediate/int_report_contents"),
    ("staging/stg_applications", "intermediate/int_application_identities"),
    ("intermediate/int_proactive_items", "marts/fct_permits"),
    ("staging/stg_reports", "marts/fct_permits"),
    ("intermediate/int_proactive_items", "marts/fct_penalties"),
    ("intermediate/int_proactive_items", "marts/fct_fees"),
    ("intermediate/int_application_cells", "marts/fct_application_dispositions"),
    ("intermediate/int_report_contents", "marts/dim_report"),
    ("staging/stg_agencies", "marts/dim_agency"),
    ("intermediate/int_application_identities", "marts/report_quality"),
}
# One full path from the raw files to a mart.
PERMITS_PATH = [
    "raw_report_files",
    "extracted_reports",
    "raw/proactive",
    "staging/stg_proactive",
    "intermediate/int_proactive_items",
    "marts/fct_permits",
]
GROUPS = {"ingest", "raw", "staging", "intermediate", "marts", "ops"}

ASSET_GRAPH_QUERY = """
query AssetGraph {
  assetNodes {
    assetKey { path }
    groupName
    dependencyKeys { path }
    dependedByKeys { path }
  }
}
"""
WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name }
          ... on PythonError { message }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""


# ------------------------------------------------------------------------------------------- helpers


def _key(path: list[str]) -> str:
    return "/".join(path)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(base: str, query: str, timeout: float = 30) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = json.loads(response.read())
    assert not body.get("errors"), body["errors"]
    return body["data"]


def _log_tail(log: Path, n: int = 60) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _stop_group(proc: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM the process group (server, code server, browser helpers), then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    # the group may outlive its leader (a code server still shutting down)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _wait_until_loaded(base: str, proc: subprocess.Popen, log: Path) -> str:
    """Poll until the webserver answers and the code location is loaded; returns the location name."""
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {proc.returncode}:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/server_info", timeout=5) as response:
                info = json.loads(response.read())
            workspace = _graphql(base, WORKSPACE_QUERY)["workspaceOrError"]
        except (OSError, urllib.error.URLError, json.JSONDecodeError) as exc:  # not listening yet
            last = repr(exc)
            time.sleep(0.5)
            continue
        assert workspace["__typename"] == "Workspace", workspace
        assert info["dagster_webserver_version"], info
        entries = workspace["locationEntries"]
        assert len(entries) == 1, entries
        entry = entries[0]
        location = entry["locationOrLoadError"]
        if location and location["__typename"] == "PythonError":
            pytest.fail(f"code location {entry['name']} failed to load: {location['message']}\n{_log_tail(log)}")
        if entry["loadStatus"] == "LOADED" and location and location["__typename"] == "RepositoryLocation":
            return location["name"]
        last = f"location {entry['name']}: {entry['loadStatus']}"
        time.sleep(0.5)
    pytest.fail(f"dagster-webserver not ready after {START_TIMEOUT}s ({last}):\n{_log_tail(log)}")


@contextlib.contextmanager
def _restored_env(*names: str):
    saved = {n: os.environ.get(n) for n in names}
    try:
        yield
    finally:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def _definition_graph(tmp: Path) -> dict[str, tuple[str | None, set[str]]]:
    """The asset graph as the code defines it: key -> (group, parent keys)."""
    from conftest import pipeline_defs

    with _restored_env("XXGK_WAREHOUSE", "XXGK_RAW_DIR"):
        os.environ["XXGK_RAW_DIR"], os.environ["XXGK_WAREHOUSE"] = str(tmp / "raw"), str(tmp / "warehouse.duckdb")
        graph = pipeline_defs().resolve_asset_graph()
    return {
        k.to_user_string(): (graph.get(k).group_name, {p.to_user_string() for p in graph.get(k).parent_keys})
        for k in graph.get_all_asset_keys()
    }


def _reaches(parents: dict[str, set[str]], key: str, target: str) -> bool:
    seen, todo = set(), [key]
    while todo:
        k = todo.pop()
        if k == target:
            return True
        if k not in seen:
            seen.add(k)
            todo.extend(parents.get(k, ()))
    return False


# ----------------------------------------------------------------------------------- a tiny PNG reader


def _png_pixels(path: Path) -> tuple[int, int, int, list[bytes]]:
    """(width, height, bytes per pixel, rows) of an 8-bit, non-interlaced gray/RGB/RGBA PNG (pure Python)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat.append(chunk)
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert header, "PNG without IHDR"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0 and color in (0, 2, 4, 6), header
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    assert len(raw) == height * (stride + 1), "truncated image data"
    low, high = int.from_bytes(b"\x7f" * stride, "big"), int.from_bytes(b"\x80" * stride, "big")
    rows, prev = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if kind == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:  # Up: bytewise addition mod 256 of two big integers, without carries between bytes
            a, b = int.from_bytes(line, "big"), int.from_bytes(prev, "big")
            line = bytearray((((a & low) + (b & low)) ^ ((a ^ b) & high)).to_bytes(stride, "big"))
        elif kind == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif kind == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        else:
            assert kind == 0, f"unknown PNG filter {kind}"
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


# ------------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """dagster-webserver on a free 127.0.0.1 port with temporary paths; stopped (process group) afterwards."""
    tmp = tmp_path_factory.mktemp("ui")
    home, raw = tmp / "dagster_home", tmp / "raw"
    home.mkdir()
    raw.mkdir()
    (home / "dagster.yaml").write_text(settings.DAGSTER_YAML, encoding="utf-8")  # telemetry off, one writer
    # Load the definitions in-process first: checks the graph the UI must show, and runs `dbt parse` if the
    # manifest is stale, so the server does not do it inside its start timeout.
    defined = _definition_graph(tmp)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XXGK_RAW_DIR": str(raw),
        "XXGK_WAREHOUSE": str(tmp / "warehouse.duckdb"),
        "DO_NOT_TRACK": "1",
    }
    assert WEBSERVER.exists(), f"{WEBSERVER} missing: install the project with pip install -e '.[dev]'"
    log = tmp / "webserver.log"
    started = time.monotonic()
    for _attempt in range(3):  # a free port can be taken between probing and binding; try another
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [str(WEBSERVER), "-h", "127.0.0.1", "-p", str(port), "-w", str(REPO / "workspace.yaml")],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            location = _wait_until_loaded(base, proc, log)
        except BaseException:
            _stop_group(proc)
            if "address already in use" in _log_tail(log).lower():
                continue
            raise
        break
    else:
        pytest.fail(f"dagster-webserver could not bind a port:\n{_log_tail(log)}")
    try:
        yield {
            "base": base,
            "location": location,
            "tmp": tmp,
            "defined": defined,
            "startup_s": time.monotonic() - started,
            "proc": proc,
        }
    finally:
        _stop_group(proc)


@pytest.fixture(scope="module")
def asset_graph(ui):
    """The asset graph from the webserver's GraphQL API: key -> (group, parents, children)."""
    nodes = _graphql(ui["base"], ASSET_GRAPH_QUERY)["assetNodes"]
    return {
        _key(n["assetKey"]["path"]): (
            n["groupName"],
            {_key(d["path"]) for d in n["dependencyKeys"]},
            {_key(d["path"]) for d in n["dependedByKeys"]},
        )
        for n in nodes
    }


# ---------------------------------------------------------------------------------------------- tests


def test_webserver_binds_localhost_and_serves_the_workspace(ui):
    assert ui["location"] == "pipelines.definitions:defs"
    assert urllib.parse.urlparse(ui["base"]).hostname == "127.0.0.1"
    with urllib.request.urlopen(f"{ui['base']}/asset-groups", timeout=30) as response:
        assert response.status == 200
        assert "<html" in response.read(2000).decode("utf-8", "replace").lower()


def test_graphql_asset_graph_shows_the_lineage_from_raw_files_to_marts(ui, asset_graph):
    parents = {k: p for k, (_, p, _) in asset_graph.items()}
    edges = {(p, k) for k, ps in parents.items() for p in ps}
    # exactly the graph the code defines: same assets, groups and dependencies
    assert {k: (g, p) for k, (g, p, _) in asset_graph.items()} == ui["defined"]
    # the dependency lists agree in both directions
    assert edges == {(k, c) for k, (_, _, cs) in asset_graph.items() for c in cs}
    missing = EXPECTED_EDGES - edges
    assert not missing, f"lineage edges missing from the UI's asset graph: {sorted(missing)}"
    assert all((a, b) in edges for a, b in zip(PERMITS_PATH, PERMITS_PATH[1:], strict=False))
    # raw_report_files is the one root but for the form's vocabulary (read by dbt from vocabulary.json),
    # and every other asset (each mart included) reaches it
    vocabulary = {k for k in parents if k.startswith("staging/stg_form_")}
    assert {k for k, p in parents.items() if not p} - vocabulary == {"raw_report_files"}
    for key in set(parents) - vocabulary:
        assert _reaches(parents, key, "raw_report_files"), key
    groups = {g for g, _, _ in asset_graph.values()}
    assert groups == GROUPS, groups
    for key, (group, _, _) in asset_graph.items():
        layer = key.split("/")[0] if "/" in key else "ingest"
        assert group == layer, (key, group)
    marts = {k for k in asset_graph if k.startswith("marts/")}
    assert {
        "marts/fct_permits",
        "marts/fct_penalties",
        "marts/fct_fees",
        "marts/fct_application_dispositions",
        "marts/dim_report",
        "marts/dim_agency",
        "marts/report_quality",
    } <= marts


def _chromium(args: list[str], timeout: float, tmp: Path) -> subprocess.CompletedProcess:
    """Run headless Chromium once in a fresh profile; the whole process group is killed on timeout."""
    profile = tmp / f"chromium-profile-{time.monotonic_ns()}"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW}",
        *args,
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(proc, grace=2)
        pytest.fail(f"chromium did not finish in {timeout}s: {command}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stray renderer/utility processes
        shutil.rmtree(profile, ignore_errors=True)
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _node_labels(dom: str) -> list[str]:
    """Texts of the asset nodes drawn in the graph (long names are middle-truncated with '…')."""
    return [m.group(1).strip() for m in re.finditer(r'<div class="[^"]*AssetNode_assetName[^"]*"[^>]*>([^<]*)</div>', dom)]


def _label_matches(label: str, name: str) -> bool:
    if "…" not in label:
        return label == name
    head, _, tail = label.partition("…")
    return len(name) > len(head) + len(tail) and name.startswith(head) and name.endswith(tail)


def test_asset_graph_page_in_headless_chromium(ui, asset_graph):
    if CHROMIUM is None:
        reason = "chromium not installed (Debian: apt-get install chromium; .ci/run installs it)"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    tmp, base = ui["tmp"], ui["base"]
    # The "Join the Dagster community" dialog a first visitor sees: dismiss it as its "Skip" button does.
    assert _graphql(base, "mutation { setNuxSeen }")["setNuxSeen"] is True
    groups = sorted({g for g, _, _ in asset_graph.values()})
    expanded = [f"global@global:{g}" for g in groups] + [f"__repository__@{ui['location']}:{g}" for g in groups]
    url = f"{base}/asset-groups?" + urllib.parse.urlencode({"expanded": ",".join(expanded)})
    names = {k.split("/")[-1] for k in asset_graph}

    # The DOM, once the React app has rendered the graph: one node per asset, every asset named.
    labels: list[str] = []
    for budget in (20_000, 40_000, 80_000):
        result = _chromium([f"--virtual-time-budget={budget}", "--dump-dom", url], timeout=90, tmp=tmp)
        assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
        dom = result.stdout.decode("utf-8", "replace")
        labels = _node_labels(dom)
        if len(labels) >= len(asset_graph):
            break
    assert "Global asset lineage" in dom
    assert "fct_permits" in labels and "raw_report_files" in labels and "extracted_reports" in labels, labels
    assert len(labels) == len(asset_graph), (len(labels), len(asset_graph), labels)
    unnamed = sorted(n for n in names if not any(_label_matches(label, n) for label in labels))
    assert not unnamed, f"assets not drawn on the page: {unnamed}; labels: {labels}"
    for group in GROUPS:
        assert re.search(rf">\s*{group}\s*<", dom), f"group {group} not shown"

    # The screenshot of the same page.
    png = tmp / "asset-graph.png"
    result = _chromium([f"--virtual-time-budget={budget}", f"--screenshot={png}", url], timeout=90, tmp=tmp)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    assert png.is_file() and png.stat().st_size > 10_000, png
    width, height, bpp, rows = _png_pixels(png)
    assert (width, height) == tuple(int(v) for v in WINDOW.split(","))
    # not blank: many colors, and a real share of pixels (nodes, edges, text) off the background color
    pixels = Counter(row[x : x + bpp] for row in rows[::4] for x in range(0, width * bpp, 4 * bpp))
    background, count = pixels.most_common(1)[0]
    sampled = sum(pixels.values())
    assert len(pixels) >= 50, f"{len(pixels)} colors: blank page?"
    assert 0.02 <= 1 - count / sampled <= 0.9, f"{1 - count / sampled:.1%} of pixels off the background {background}"
    # the graph area (right of the sidebar) is drawn on: dark pixels of node labels and borders in its middle
    dark = sum(
        1
        for row in rows[height // 10 : height * 9 // 10 : 2]
        for x in range(width // 3 * bpp, width * bpp, 2 * bpp)
        if sum(row[x : x + 3]) < 3 * 128
    )
    assert dark > 500, f"only {dark} dark pixels in the graph area"
    keep = os.environ.get("XXGK_UI_SCREENSHOT")
    if keep:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, keep)


MATERIALIZATIONS_QUERY = """
query ($path: [String!]!) {
  assetOrError(assetKey: {path: $path}) {
    __typename
    ... on Asset { assetMaterializations(limit: 1) { runId } }
  }
}
"""


def test_the_cli_run_is_on_record_in_the_ui(ui):
    """`xxgk run` executes on the instance in DAGSTER_HOME: the webserver serving that instance shows its
    materializations (last in this module: the other tests look at a never-materialized graph)."""
    tmp = ui["tmp"]
    shutil.copytree(REPO / "data" / "raw", tmp / "raw", dirs_exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(tmp / "dagster_home"), "XXGK_RAW_DIR": str(tmp / "raw"),
           "XXGK_WAREHOUSE": str(tmp / "warehouse.duckdb"), "DO_NOT_TRACK": "1"}
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=env, capture_output=True, text=True,
                         timeout=900, cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    run_id = re.search(r"dagster:\s+run (\S+)", run.stdout).group(1)
    for path in (["raw", "reports"], ["marts", "dim_report"], ["ops", "builds"]):
        request = urllib.request.Request(
            f"{ui['base']}/graphql", data=json.dumps({"query": MATERIALIZATIONS_QUERY,
                                                      "variables": {"path": path}}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        asset = body["data"]["assetOrError"]
        assert asset["__typename"] == "Asset", (path, asset)
        assert [m["runId"] for m in asset["assetMaterializations"]] == [run_id], (path, asset)
