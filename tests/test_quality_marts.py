"""report_quality and its Dagster checks, end to end: the whole pipeline (`xxgk run` in-process) on

- a generated corpus with arithmetic errors injected into a known set of reports: report_quality must flag
  exactly those reports (no clean report flagged, none missed) and the WARN asset checks must name them;
- the five sample reports of data/raw: every check holds;
- a few hand-made reports (a stand-in extractor): a check with blank cells fails when its stated parts
  already exceed its stated total, and is incomplete otherwise.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import run_pipeline

from pipelines.dbt_inputs import has_dbt_project
from pipelines.defs.resources import ReportExtractor

pytestmark = pytest.mark.skipif(not has_dbt_project(), reason="dbt_project/dbt_project.yml does not exist")

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "data" / "raw"
# A seed used nowhere else; about 30 % of the reports with a standard table get one changed cell.
CORPUS_SEED = 8675309
CORPUS_SIZE = 60
INJECT_FRACTION = 0.3

MART_CHECK = "marts/report_quality:identities_hold"


def _run_pipeline(raw: Path, work: Path, extractor: ReportExtractor | None = None):
    """The whole job in-process on ``raw`` into a warehouse under ``work``; the environment is restored after."""
    result = run_pipeline(raw, work / "warehouse.duckdb", extractor=extractor)
    assert result.success, [e.event_specific_data.error for e in result.all_events if e.is_step_failure]
    return result, work / "warehouse.duckdb"


def _query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _check_evaluations(result) -> dict[str, object]:
    return {
        e.event_specific_data.asset_check_key.to_user_string(): e.event_specific_data
        for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _named_files(evaluation) -> set[str]:
    return set(evaluation.metadata["failing_source_files"].value)


# ------------------------------------------------------------------------------------ generated corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from pipelines.corpus.generate import generate_corpus

    work = tmp_path_factory.mktemp("quality_corpus")
    generated = work / "generated"
    generate_corpus(generated, n=CORPUS_SIZE, seed=CORPUS_SEED, inject_errors=INJECT_FRACTION)
    truth = [json.loads(line) for line in (generated / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    raw = work / "raw"  # the reports only: truth.jsonl stays out of the raw dir
    raw.mkdir()
    for record in truth:
        shutil.copyfile(generated / record["file"], raw / record["file"])
    result, db = _run_pipeline(raw, work)
    return {"truth": {r["file"]: r for r in truth}, "result": result, "db": db}


def _injected(corpus) -> set[str]:
    return {f for f, r in corpus["truth"].items() if r["injected_errors"]}


def _flagged(corpus) -> set[str]:
    return {r[0] for r in _query(corpus["db"], "select source_file from marts.report_quality where checks_failed > 0")}


def _explain(corpus, files: set[str]) -> str:
    """For each file: what was injected, its report_quality counts, and the parser's warnings."""
    lines = []
    for f in sorted(files):
        record = corpus["truth"][f]
        quality = _query(corpus["db"], "select checks_failed, checks_incomplete, failed_check_differences "
                         "from marts.report_quality where source_file = ?", [f])
        warnings = _query(corpus["db"], "select i.code, i.message from raw.issues as i join raw.reports as r "
                          "using (report_id) where r.source_file = ? and i.severity = 'warning'", [f])
        lines.append(f"{f} ({record['rendering']}, layout {record['layout']}): injected {record['injected_errors']}; "
                     f"report_quality (failed, incomplete, failing checks) {quality}; warnings {warnings}")
    return "\n".join(lines)


def test_the_corpus_has_injected_and_clean_reports(corpus):
    injected = _injected(corpus)
    tables = {f for f, r in corpus["truth"].items() if r["layout"] != "narrative"}
    assert injected <= tables
    assert len(injected) >= 10 and len(tables - injected) >= 20, (len(injected), len(tables))
    assert _query(corpus["db"], "select count(*) from marts.report_quality") == [(CORPUS_SIZE,)]


def test_report_quality_flags_no_clean_report(corpus):
    false_alarms = _flagged(corpus) - _injected(corpus)
    assert not false_alarms, _explain(corpus, false_alarms)


def test_report_quality_flags_every_injected_report(corpus):
    missed = _injected(corpus) - _flagged(corpus)
    assert not missed, _explain(corpus, missed)


def test_each_injected_cell_is_in_a_failing_check(corpus):
    """The failing checks of a flagged report involve the changed cell (its row or its column)."""
    for f in sorted(_injected(corpus) & _flagged(corpus)):
        (change,) = corpus["truth"][f]["injected_errors"]
        key1, key2 = change["key"]
        subjects = {r[0] for r in _query(corpus["db"], "select subject from marts.report_quality_checks "
                                         "where source_file = ? and status = 'fails'", [f])}
        assert subjects & {key1, key2}, (f, change, subjects)


def test_dagster_checks_name_the_flagged_reports(corpus):
    evaluations = _check_evaluations(corpus["result"])
    flagged = _flagged(corpus)
    mart = evaluations[MART_CHECK]
    assert (mart.passed, mart.severity.value) == (False, "WARN")
    assert _named_files(mart) == flagged
    assert mart.metadata["failing_reports"].value == len(flagged)
    agencies = dict(_query(corpus["db"], "select source_file, agency from marts.report_quality where checks_failed > 0"))
    for f, agency in agencies.items():  # each report by its file and agency
        assert f in mart.description and agency in mart.metadata["reports"].value


def test_dagster_check_names_exactly_the_injected_reports(corpus):
    named = _named_files(_check_evaluations(corpus["result"])[MART_CHECK])
    assert named == _injected(corpus), _explain(corpus, named ^ _injected(corpus))


def test_quality_marts_agree(corpus):
    db = corpus["db"]
    assert _query(db, """
        select count(*) from marts.report_quality as q
        left join (select report_id, count(*) filter (where status = 'fails') as n
                   from marts.report_quality_checks group by report_id) as c using (report_id)
        where q.checks_failed <> coalesce(c.n, 0)""") == [(0,)]


# ----------------------------------------------------------------------------------------- the samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    work = tmp_path_factory.mktemp("quality_samples")
    raw = work / "raw"
    raw.mkdir()
    for f in sorted(SEED_DIR.iterdir()):
        shutil.copyfile(f, raw / f.name)
    result, db = _run_pipeline(raw, work)
    return {"result": result, "db": db}


def test_every_check_holds_on_the_samples(samples):
    rows = _query(samples["db"], "select source_file, checks_total, checks_failed, checks_incomplete "
                  "from marts.report_quality order by source_file")
    assert [r[0] for r in rows] == sorted(f.name for f in SEED_DIR.iterdir())
    assert all(r[2] == 0 for r in rows), rows
    assert _query(samples["db"], "select count(*) from marts.report_quality_checks where status = 'fails'") == [(0,)]
    evaluations = _check_evaluations(samples["result"])
    for key in (MART_CHECK,):
        assert evaluations[key].passed, (key, evaluations[key].metadata)
        assert evaluations[key].metadata["failing_reports"].value == 0
    # every dbt test (grain, accepted values, invariants) passes too
    failed = sorted(k for k, e in evaluations.items() if not e.passed)
    assert not failed, failed


def test_analysis_marts_on_the_samples(samples):
    db = samples["db"]
    # the sample agencies have one report each: no cross-year pair
    assert _query(db, "select count(*) from marts.fct_carry_links") == [(0,)]
    # every request figure is 0: the dispositions are stated, their shares are undefined
    shares = _query(db, "select year, admin_level, count(*), sum(requests), count(share) "
                    "from marts.disposition_shares group by year, admin_level order by year, admin_level")
    assert {r[0] for r in shares} == {2020, 2021}
    assert all(r[2:] == (14, 0, 0) for r in shares), shares
    enforcement = _query(db, "select agency, year, permits, penalties, coercions, fees_yuan, has_previous_year "
                         "from marts.agency_year_enforcement where agency = '吕梁市教育局'")
    assert [tuple(map(str, r)) for r in enforcement] == [("吕梁市教育局", "2021", "0", "0", "0", "601790.0000", "False")]


# ------------------------------------------------------------------------ blank cells (stand-in reports)


class StandInExtractor(ReportExtractor):
    def extract(self, data: bytes, source: str):
        return _stand_in_extract(data, source)


def _stand_in_extract(data: bytes, source: str):
    """Reports made from a tiny spec: each line `row applicant value`, or `layout L`."""
    import hashlib

    from pipelines.extract import Cell, Report

    text = data.decode()
    report = Report(source=source, report_id=hashlib.sha256(data).hexdigest()[:16], agency=f"{source}局",
                    year=2021, layout="2021", encoding="utf-8", rendering="pipe_cells")
    for n, line in enumerate(text.splitlines(), start=1):
        row, applicant, value = line.split()
        report.cells.append(Cell("applications", row, applicant, int(value), n))
    return report


def test_blank_cells_fail_only_when_the_stated_parts_exceed_the_total(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    # granted: 3 + 2 stated, the other applicant columns blank, total 4: fails whatever the blanks hold.
    # new_received 4 (carried_over blank) against total 3 + carried_forward 0: fails on the stated cells.
    (raw / "exceeds.txt").write_text("granted natural_person 3\ngranted commercial_enterprise 2\n"
                                     "granted total 4\nnew_received total 4\ntotal total 3\ncarried_forward total 0\n")
    # the same with room left for the blanks: incomplete, not failed
    (raw / "room.txt").write_text("granted natural_person 1\ngranted commercial_enterprise 2\n"
                                  "granted total 4\nnew_received total 2\ntotal total 5\ncarried_forward total 0\n")
    result, db = _run_pipeline(raw, tmp_path, StandInExtractor())
    checks = _query(db, "select source_file, check_name, status, judged_on, expected, actual, difference "
                    "from marts.report_quality_checks where check_name in "
                    "('row_applicants:granted', 'column_balance:total') order by source_file, check_name")
    assert checks == [
        ("exceeds.txt", "column_balance:total", "fails", "stated_cells", 4, 3, -1),
        ("exceeds.txt", "row_applicants:granted", "fails", "stated_cells", 4, 5, 1),
        ("room.txt", "column_balance:total", "incomplete", None, None, None, None),
        ("room.txt", "row_applicants:granted", "incomplete", None, None, None, None),
    ]
    quality = dict(_query(db, "select source_file, checks_failed from marts.report_quality"))
    assert quality["room.txt"] == 0 and quality["exceeds.txt"] >= 2
    evaluations = _check_evaluations(result)
    assert _named_files(evaluations[MART_CHECK]) == {"exceeds.txt"}
