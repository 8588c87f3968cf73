"""The generator's families (pipelines.corpus.families): each appears in a small corpus and its text has the
feature; truth lines; and the evaluator's wrong / missing values with and without a warning on their row."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.corpus import evaluate as ev
from pipelines.corpus.families import FAMILIES
from pipelines.corpus.generate import generate_corpus
from pipelines.corpus.noise import HALFWIDTH
from pipelines.corpus.render import dwidth
from pipelines.corpus.truth import application_rows, enumerate_splits

N = 260
SEED = 8080


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("families")
    generate_corpus(out, N, SEED)
    return out


@pytest.fixture(scope="module")
def records(corpus) -> list[dict]:
    return [json.loads(x) for x in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


def _text(corpus: Path, rec: dict) -> str:
    return (corpus / rec["file"]).read_bytes().decode(rec["encoding"]).replace("\r\n", "\n")


def _with(records: list[dict], family: str) -> list[dict]:
    found = [r for r in records if family in r["families"]]
    assert found, f"no report of family {family}"
    return found


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s.translate(HALFWIDTH)).replace(",", "")


def _cells(rec: dict, section: str) -> dict[tuple[str, str], int]:
    f1, f2 = {"proactive": ("item", "measure"), "applications": ("row", "applicant"),
              "reviews": ("proceeding", "outcome")}[section]
    return {(c[f1], c[f2]): c["value"] for c in rec[section]}


def test_every_family_appears(records):
    assert {f for r in records for f in r["families"]} == set(FAMILIES)
    assert sum(not r["families"] for r in records) > N / 3


def test_title_year_first(corpus, records):
    for rec in _with(records, "title_year_first"):
        lines = [x for x in _text(corpus, rec).split("\n")[:20] if x.strip()]
        agency = rec.get("place_typo", {}).get("agency_printed", rec["agency"])
        y = rec["year"]
        crumb = next(i for i, x in enumerate(lines) if re.search(r"当前的?位置", x))
        starts = [i for i, x in enumerate(lines) if re.match(rf"^(?:关于)?{y}年", _norm(x).lstrip("#"))]
        assert starts and starts[0] > crumb, rec["file"]
        ocr = "ocr_markdown_rows" in rec["families"]  # OCR Markdown joins the heading; the others keep two lines
        titles = [_norm(lines[i]).lstrip("#") + ("" if ocr else _norm(lines[i + 1])) for i in starts
                  if ocr or not _norm(lines[i]).endswith("报告")]
        assert any(agency in t and t.endswith("报告") and t.index(str(y)) < t.index(agency) for t in titles), \
            (rec["file"], titles)


def test_cms_fields(corpus, records):
    for rec in _with(records, "cms_fields"):
        text = _text(corpus, rec)
        head = text.split("\n")[:8]
        agency = rec["agency"]
        assert agency.endswith(("办公室", "办公厅")), rec["file"]
        [title] = [x for x in head if re.match("标题[:：]", x)]
        place = re.match(r"标题[:：] ?(.+?)\d{4}年", title).group(1)
        assert agency.startswith(place) and agency != place and agency not in title
        assert any(re.fullmatch(rf"发布机构[:：] ?{agency}", x) for x in head), rec["file"]
        assert any(re.match(r"发布(?:时间|日期)[:：] ?" + rec["published_on"], x) for x in head), rec["file"]


def test_wrapped_tail_after_figures(corpus, records):
    for rec in _with(records, "wrapped_tail_after_figures"):
        assert rec["rendering"] == "aligned_columns"
        lines = _text(corpus, rec).split("\n")
        total = _cells(rec, "applications")[("not_processed_publication", "total")]
        [i] = [i for i, x in enumerate(lines) if "要求提供公" in x]
        figures = re.findall(r"[\d,０-９]+", lines[i].split("要求提供公", 1)[1])
        assert figures and _norm(figures[-1]) == str(total), (rec["file"], lines[i])
        after = lines[i + 1 : i + 7]  # a page footer may stand between
        assert any("版物" in x and not re.search(r"\d", x) for x in after), (rec["file"], after)  # (出)版物


def test_total_only(corpus, records):
    for rec in _with(records, "total_only"):
        apps = _cells(rec, "applications")
        assert set(apps) == {(row, "total") for row in application_rows(rec["layout"])}
        text = _text(corpus, rec)
        granted = apps[("granted", "total")]
        if rec["rendering"] == "run_together":
            assert re.search(rf"予以公开{granted}(?!\d)", text), rec["file"]
            assert not [u for u in rec["unscored"] if u[0] == "applications"], rec["file"]
        else:
            lines = text.split("\n")
            header = next(x for x in lines if "自然人" in x and "总计" in x)
            [row] = [x for x in lines if "予以公开" in x and re.search(r"\d", x)]
            figures = re.findall(r"\S*\d\S*", row.split("予以公开", 1)[1])
            assert [_norm(f) for f in figures] == [str(granted)], (rec["file"], row)
            col = dwidth(row[: row.rindex(figures[0])])
            assert col == dwidth(header[: header.index("总计")]), (rec["file"], row, header)


def test_procurement_run_together(corpus, records):
    zero_projects = 0
    for rec in _with(records, "procurement_run_together"):
        assert (rec["rendering"], rec["layout"]) == ("run_together", "2019")
        pro = _cells(rec, "proactive")
        projects, yuan = pro[("centralized_procurement", "projects")], pro[("centralized_procurement", "amount_yuan")]
        m = re.search(r"政府集中采购(\d+(?:\.\d+)?)(万元|元)", _text(corpus, rec))
        assert m, rec["file"]
        digits, unit = m.groups()
        assert digits.startswith(str(projects))
        amount = Decimal(digits[len(str(projects)):]) * (10000 if unit == "万元" else 1)
        assert amount == yuan, rec["file"]
        splits = enumerate_splits(digits, ["int", "money"], None)
        doubtful = {tuple(u) for u in rec["unscored"] if u[1] == "centralized_procurement"}
        assert bool(doubtful) == (len(splits) > 1), (rec["file"], digits, splits)
        zero_projects += projects == 0 and yuan > 0
    assert zero_projects  # 政府集中采购012824.5056万元: no projects, an amount


def test_ocr_markdown_rows(corpus, records):
    for rec in _with(records, "ocr_markdown_rows"):
        text = _text(corpus, rec)
        assert text.count("| 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 总计 |") >= 5, rec["file"]
        assert "### 一、本年新收政府信息公开申请数量" in text
        apps = _cells(rec, "applications")
        order = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
                 "legal_service_org", "other_org", "total")
        row = re.search(r"^\| 予以公开 \|(.*)\|$", text, re.M)
        assert row, rec["file"]
        cells = [c.strip() for c in row.group(1).split("|")]
        assert [_norm(c) for c in cells] == [str(apps[("granted", a)]) if ("granted", a) in apps else "" for a in order]


def test_renumbered_sections(corpus, records):
    for rec in _with(records, "renumbered_sections"):
        text = _text(corpus, rec)
        heads = ["一、总体情况", "六、政府信息公开平台建设", "一、主动公开政府信息情况",
                 "二、收到和处理政府信息公开申请情况", "三、政府信息公开行政复议、行政诉讼情况", "五、其他需要报告的事项"]
        at = [text.find(h) for h in heads]
        assert -1 not in at and at == sorted(at), (rec["file"], at)
        assert "二、主动公开政府信息情况" not in text
        flat = _norm(text)
        assert re.search(r"近\d+个", flat) and re.search(r"发布政府信息\d+件", flat), rec["file"]
        new = _cells(rec, "applications")[("new_received", "total")]
        assert f"全年收到政府信息公开申请{new}件" in flat


def test_place_typo(corpus, records):
    for rec in _with(records, "place_typo"):
        typo = rec["place_typo"]
        assert rec["agency"].startswith(typo["correct"]) and typo["printed"] != typo["correct"]
        assert len(typo["printed"]) == len(typo["correct"])
        assert sum(a != b for a, b in zip(typo["printed"], typo["correct"], strict=True)) == 1
        text = _text(corpus, rec)
        head = re.split(r"本报告|根据《", text, maxsplit=1)[0]  # the title, above the first paragraph
        assert typo["printed"] in head and typo["correct"] not in _norm(head), rec["file"]
        if rec["published_on"]:  # the signature names the agency, misprinted
            assert typo["printed"] in text[-300:], rec["file"]
        if typo["scope"] == "throughout":
            assert typo["correct"] not in text
        else:
            assert typo["correct"] in text  # the body still spells it right


def test_truth_lines_hold_their_values(corpus, records):
    checked = 0
    for rec in records:
        lines = _text(corpus, rec).split("\n")
        for section in ("proactive", "applications", "reviews"):
            for c in rec[section]:
                if "line" not in c:
                    continue
                tokens = re.findall(r"\d+(?:\.\d+)?(?:万元|元)?", lines[c["line"] - 1].translate(HALFWIDTH).replace(",", ""))
                values = {Decimal(t.removesuffix("万元").removesuffix("元")) * (10000 if t.endswith("万元") else 1)
                          for t in tokens}
                values |= {Decimal(t) * 10000 for t in tokens if not t.endswith("元")}  # 万元 stated by the header
                assert Decimal(abs(c["value"])) in values, (rec["file"], c)
                checked += 1
        if rec["rendering"] == "run_together":
            assert not any("line" in c for s in ("proactive", "applications", "reviews") for c in rec[s])
    assert checked > 10_000


# ---------------------------------------------------------------- evaluator: warnings on a cell's own row


def _truth(file: str, **over) -> dict:
    rec = {
        "file": file, "agency": "沭阳县人民政府", "year": 2021, "layout": "2021", "rendering": "markdown",
        "encoding": "utf-8", "published_on": "2022-01-20", "families": ["ocr_markdown_rows"],
        "proactive": [{"item": "administrative_permits", "measure": "decisions", "value": 5, "line": 30}],
        "applications": [{"row": "granted", "applicant": "total", "value": 3, "line": 50},
                         {"row": "partially_granted", "applicant": "total", "value": 2, "line": 52},
                         {"row": "carried_forward", "applicant": "total", "value": 1}],
        "reviews": [{"proceeding": "review", "outcome": "total", "value": 1}],
        "unscored": [], "injected_errors": [],
    }
    rec.update(over)
    return rec


def _extraction(cells: dict, issues=(), **meta) -> dict:
    obj = {"agency": "沭阳县人民政府", "year": 2021, "layout": "2021", "published_on": "2022-01-20",
           "proactive": [], "applications": [], "reviews": [], "issues": list(issues)}
    obj.update(meta)
    names = {"proactive": ("item", "measure"), "applications": ("row", "applicant"), "reviews": ("proceeding", "outcome")}
    for (section, k1, k2), value in cells.items():
        f1, f2 = names[section]
        obj[section].append({f1: k1, f2: k2, "value": value, "line": 1})
    return obj


def _warning(line=None, section=None, row=None, severity="warning") -> dict:
    return {"severity": severity, "code": "x", "message": "m", "line": line, "section": section, "row": row}


RIGHT = {("proactive", "administrative_permits", "decisions"): 5, ("applications", "granted", "total"): 3,
         ("applications", "partially_granted", "total"): 2, ("applications", "carried_forward", "total"): 1,
         ("reviews", "review", "total"): 1}


def test_wrong_and_missing_values_with_and_without_a_warning_on_their_row():
    truth = _truth("a.txt")
    cells = {**RIGHT, ("applications", "granted", "total"): 4, ("reviews", "review", "total"): 9,
             ("proactive", "administrative_permits", "decisions"): 6, ("applications", "denied_state_secret", "total"): 0}
    del cells[("applications", "partially_granted", "total")]
    del cells[("applications", "carried_forward", "total")]
    issues = [
        _warning(section="applications", row="granted"),  # on granted's row: granted is wrong but warned
        _warning(section="applications", row="review"),  # another section's row of that name: not reviews/review
        _warning(line=30),  # no row, on the permits' line: warned
        _warning(line=52, severity="info"),  # info never counts
        _warning(line=99),  # a line the truth does not give to carried_forward
    ]
    s = ev.score_report(truth, _extraction(cells, issues))
    wrong = {tuple(w["key"]): w["warned"] for w in s["wrong_given"]}
    assert wrong == {("applications", "granted", "total"): True, ("reviews", "review", "total"): False,
                     ("proactive", "administrative_permits", "decisions"): True}
    assert [w["key"] for w in s["spurious"]] == [["applications", "denied_state_secret", "total"]]
    missing = {tuple(m["key"]): m["warned"] for m in s["missing"]}
    assert missing == {("applications", "partially_granted", "total"): False,
                       ("applications", "carried_forward", "total"): False}
    # a warning on the row of a missing value, or (no row given) on its line
    s = ev.score_report(truth, _extraction({**RIGHT}, [_warning(section="reviews", row="review")]))
    assert not s["wrong_given"] and not s["missing"]
    part = {k: v for k, v in RIGHT.items() if k[1] not in ("partially_granted", "carried_forward")}
    s = ev.score_report(truth, _extraction(part, [_warning(line=52), _warning(section="applications",
                                                                               row="carried_forward")]))
    assert {tuple(m["key"]): m["warned"] for m in s["missing"]} == {("applications", "partially_granted", "total"): True,
                                                                     ("applications", "carried_forward", "total"): True}
    # a wrong value whose truth has no line is not warned by a row-less issue, whatever its line
    s = ev.score_report(truth, _extraction({**RIGHT, ("reviews", "review", "total"): 2}, [_warning(line=1)]))
    assert [w["warned"] for w in s["wrong_given"]] == [False]


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    truths = [
        _truth("a.txt"),
        _truth("b.txt", families=["place_typo"], rendering="aligned_columns",
               place_typo={"correct": "沭阳县", "printed": "沐阳县", "agency_printed": "沐阳县人民政府",
                           "scope": "throughout"}),
        _truth("c.txt", families=["place_typo"], rendering="aligned_columns",
               place_typo={"correct": "沭阳县", "printed": "沐阳县", "agency_printed": "沐阳县人民政府",
                           "scope": "title_signature"}),
        _truth("d.txt", families=[]),
    ]
    outputs = {
        # a: granted wrong with a warning on its row; review total wrong silently; partially_granted missing silently
        "a.txt": _extraction({**{k: v for k, v in RIGHT.items() if k[1] != "partially_granted"},
                              ("applications", "granted", "total"): 4, ("reviews", "review", "total"): 9},
                             [_warning(section="applications", row="granted")]),
        # b: the typo corrected, with a warning naming the agency
        "b.txt": _extraction(RIGHT, [{"severity": "warning", "code": "agency_corrected", "message": "m"}]),
        # c: the misprint kept, silently; published_on wrong
        "c.txt": _extraction(RIGHT, agency="沐阳县人民政府", published_on="2022-01-21"),
        # d: carried_forward missing with a warning on its row
        "d.txt": _extraction({k: v for k, v in RIGHT.items() if k[1] != "carried_forward"},
                             [_warning(section="applications", row="carried_forward")]),
    }
    for t in truths:
        (tmp_path / t["file"]).write_bytes("报告".encode())
    (tmp_path / "truth.jsonl").write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truths),
                                          encoding="utf-8")

    class Fake:
        def __init__(self, obj: dict):
            self.obj = obj

        def to_json(self) -> dict:
            return self.obj

    monkeypatch.setattr(ev, "extract_report", lambda data, name: Fake(outputs[name]))
    return tmp_path


def test_evaluator_counts_by_row_warning_family_and_metadata(tiny):
    res = ev.evaluate(tiny)
    o = res["overall"]
    assert (o["wrong_given"], o["wrong_given_silent"], o["spurious_values"]) == (2, 1, 0)
    assert (res["wrong_given"], res["wrong_given_silent"], res["missing_silent"]) == (2, 1, 1)
    assert (o["missing_cells"], o["missing_warned"], o["missing_silent"]) == (2, 1, 1)
    assert o["reports_with_silent_wrong"] == 1
    assert o["agency_accuracy"] == pytest.approx(3 / 4)
    assert o["agency_flagged_accuracy"] == pytest.approx(3 / 4)  # c kept the misprint with no warning
    assert o["published_on_accuracy"] == pytest.approx(3 / 4)
    assert o["place_typo"] == {"reports": 2, "corrected": 1, "corrected_warned": 1, "kept_printed": 1,
                               "kept_printed_warned": 0}
    fam = res["by_family"]
    assert list(fam) == ["ocr_markdown_rows", "place_typo", ev.NO_FAMILY]
    assert (fam["ocr_markdown_rows"]["wrong_given"], fam["ocr_markdown_rows"]["wrong_given_silent"]) == (2, 1)
    assert fam["place_typo"]["agency_accuracy"] == pytest.approx(1 / 2)
    assert fam[ev.NO_FAMILY]["missing_warned"] == 1
    table = ev.format_report(res)
    assert "family=place_typo" in table and "family=(none)" in table and "w/o warn" in table
    assert "wrong values given: 2 in 1 reports (1 without a warning on their row" in table
    listing = ev.format_wrong(res)
    assert listing.count("\n") == 0 and "reviews/review/total" in listing and "truth=1 got=[9]" in listing


def test_evaluator_cli_max_wrong(tiny, capsys):
    assert ev.main([str(tiny)]) == 0
    assert ev.main([str(tiny), "--max-wrong", "2"]) == 0
    assert ev.main([str(tiny), "--max-wrong", "1"]) == 1
    assert ev.main([str(tiny), "--max-silent", "1", "--show-wrong", "5"]) == 0  # only c is silent (agency)
    assert "wrong values given 2 > 1" in capsys.readouterr().err
