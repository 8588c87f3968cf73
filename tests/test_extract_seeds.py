"""The five samples: every cell of every table, the metadata, and expected.json's figures (nulls included)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import FIXTURES, RAW
from seed_tables import SEED_TABLES

from pipelines.extract import extract_report
from pipelines.extract.report import SECTION_KEYS

EXPECTED = {k: v for k, v in json.loads((FIXTURES / "seeds_expected.json").read_text("utf-8")).items()
            if not k.startswith("_")}


@pytest.fixture(scope="module")
def reports():
    return {name: extract_report((RAW / name).read_bytes(), name) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata(reports, name):
    r, e = reports[name], EXPECTED[name]
    assert (r.agency, r.year, r.layout, r.published_on) == (e["agency"], e["year"], e["layout"], e["published_on"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("section", list(SECTION_KEYS))
def test_every_cell(reports, name, section):
    got = {(c.key1, c.key2): c.value for c in reports[name].cells if c.section == section}
    assert got == SEED_TABLES[name][section]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_json_figures(reports, name):
    r, e = reports[name], EXPECTED[name]
    for item, measures in e.items():
        if not isinstance(measures, dict):
            continue
        for key, want in measures.items():
            if item == "applications_total_column":
                got = r.value("applications", key, "total")
            elif item == "reviews":
                got = r.value("reviews", key.removesuffix("_total"), "total")
            else:
                got = r.value("proactive", item, key)
            assert (None if got is None else Decimal(got)) == (None if want is None else Decimal(str(want))), \
                (item, key)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_value_has_its_source_line(reports, name):
    lines = (RAW / name).read_text("utf-8").splitlines()
    for c in reports[name].cells:
        assert 1 <= c.line <= len(lines)
        text = lines[c.line - 1]
        shown = c.value if c.key2 != "amount_yuan" else None
        if shown is not None:
            assert str(abs(int(shown))) in text.replace(",", ""), (c, text)


def test_narrative_power_list_is_not_a_decision_count(reports):
    r = reports["002_d8b684135bb33e7b.txt"]
    assert r.cells == []
    assert "行政许可2项" in (RAW / "002_d8b684135bb33e7b.txt").read_text("utf-8")


def test_samples_carry_no_warnings_but_the_assumed_unit(reports):
    for name, r in reports.items():
        warnings = [i.code for i in r.issues if i.severity != "info"]
        assert warnings in ([], ["unit_assumed"]), (name, warnings)


def test_json_export_is_the_spec_format(reports):
    j = reports["001_0413918a63fee9e6.txt"].to_json()
    assert list(j) == ["source", "report_id", "agency", "year", "layout", "published_on",
                       "proactive", "applications", "reviews", "issues"]
    fee = next(c for c in j["proactive"] if c["item"] == "administrative_fees")
    assert fee == {"item": "administrative_fees", "measure": "amount_yuan", "value": 601790, "line": 67}
    assert set(j["applications"][0]) == {"row", "applicant", "value", "line"}
    assert set(j["reviews"][0]) == {"proceeding", "outcome", "value", "line"}
    json.dumps(j, ensure_ascii=False)
