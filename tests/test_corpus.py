"""The synthetic corpus (pipelines.corpus): deterministic, covering, truthful; and the evaluator's arithmetic."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.corpus import evaluate as ev
from pipelines.corpus.generate import generate_corpus
from pipelines.corpus.noise import HALFWIDTH, parse_cell_number
from pipelines.corpus.render import RENDERINGS
from pipelines.corpus.truth import (
    APPLICANT_COLUMNS,
    OUTCOMES,
    PROCEEDINGS,
    ambiguous_cells,
    application_rows,
    enumerate_splits,
    identity_failures,
    proactive_schema,
)

N = 200
SEED = 20240611


def _load(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, N, SEED)
    return out


@pytest.fixture(scope="module")
def records(corpus) -> list[dict]:
    return _load(corpus)


def _text(corpus: Path, rec: dict) -> str:
    return (corpus / rec["file"]).read_bytes().decode(rec["encoding"])


# ---------------------------------------------------------------- generator


def test_deterministic(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_corpus(a, 25, 7)
    generate_corpus(b, 25, 7)
    generate_corpus(c, 25, 8)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert len(names) == 26
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "truth.jsonl").read_bytes() != (c / "truth.jsonl").read_bytes()


def test_every_rendering_and_layout_appears(records):
    assert len(records) == N
    assert {r["rendering"] for r in records} == set(RENDERINGS)
    assert {r["layout"] for r in records} == {"2021", "2019", "narrative"}
    pairs = {(r["rendering"], r["layout"]) for r in records}
    assert len(pairs) == 3 * len(RENDERINGS)
    assert {r["encoding"] for r in records} >= {"utf-8", "gbk", "gb18030"}
    for r in records:
        assert r["file"].endswith(f"_{r['rendering']}.txt")
        assert r["layout"] == ("narrative" if r["year"] <= 2018 else "2019" if r["year"] <= 2020 else "2021")


def test_files_decode_and_run_together_is_one_line(corpus, records):
    for rec in records:
        raw = (corpus / rec["file"]).read_bytes()
        text = raw.decode(rec["encoding"])  # strict
        if rec["encoding"] == "utf-8":
            assert "\ufeff" not in text[:1]
        if rec["rendering"] == "run_together":  # one line, under a crawler's field block (cms_fields) if any
            lines = text.splitlines()
            if "cms_fields" in rec["families"]:
                assert re.match(r"标题[:：] ?\S", lines[0]), rec["file"]
                lines = [x for x in lines if x and not _FIELD_LINE.match(x)]
            assert len(lines) == 1, rec["file"]
        if "crlf" in rec["noise"]:
            assert "\r\n" in text


_FIELD_LINE = re.compile(r"^(?:标题|发布时间|文号|发布机构|栏目|原文链接|发布日期|来源|索引号)[:：]|^=+ 正文 =+$")


def test_truth_shape(records):
    for rec in records:
        if rec["layout"] == "narrative":
            assert not rec["proactive"] and not rec["applications"] and not rec["reviews"]
            continue
        pro = {(c["item"], c["measure"]) for c in rec["proactive"]}
        assert pro == {(i, m) for i, ms in proactive_schema(rec["layout"]) for m in ms}
        rows = {c["row"] for c in rec["applications"]}
        assert rows <= set(application_rows(rec["layout"]))
        assert {(c["proceeding"], c["outcome"]) for c in rec["reviews"]} == {(p, o) for p in PROCEEDINGS for o in OUTCOMES}
        for c in rec["proactive"] + rec["applications"] + rec["reviews"]:
            assert isinstance(c["value"], int), c
        if rec["rendering"] != "run_together":
            assert rec["unscored"] == []
        if "total_only" in rec["families"]:
            assert [c["row"] for c in rec["applications"]] == list(application_rows(rec["layout"])), rec["file"]
            assert {c["applicant"] for c in rec["applications"]} == {"total"}
        elif rec["rendering"] not in ("pipe_cells", "tab_rows", "cell_lines", "markdown"):
            assert len(rec["applications"]) == len(application_rows(rec["layout"])) * len(APPLICANT_COLUMNS), rec["file"]


def test_identities_hold_unless_injected(records, tmp_path):
    for rec in records:
        assert not rec["injected_errors"]
        assert identity_failures(rec) == [], rec["file"]
    generate_corpus(tmp_path, 30, 3, inject_errors=1.0)
    injected = _load(tmp_path)
    for rec in injected:
        if rec["layout"] == "narrative":
            continue
        assert len(rec["injected_errors"]) == 1
        err = rec["injected_errors"][0]
        section = rec[err["section"]]
        f1, f2 = ("row", "applicant") if err["section"] == "applications" else ("proceeding", "outcome")
        [cell] = [c for c in section if [c[f1], c[f2]] == err["key"]]
        assert cell["value"] == err["rendered"] != err["original"]
        assert identity_failures(rec), rec["file"]


# ---------------------------------------------------------------- the truth is what the text says

_STATISTICS = re.compile(r"[一二]、主动公开政府信息情况")
_TOKEN = re.compile(r"[-+]?\d+(?:\.\d+)?(?:万元|元)?")
_GROUPED = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def _ordered_values(rec: dict) -> list[tuple[Decimal, bool]]:
    """Truth values in the form's order (the order every rendering writes them), with a money flag."""
    layout = rec["layout"]
    pro = {(c["item"], c["measure"]): c["value"] for c in rec["proactive"]}
    apps = {(c["row"], c["applicant"]): c["value"] for c in rec["applications"]}
    revs = {(c["proceeding"], c["outcome"]): c["value"] for c in rec["reviews"]}
    out = []
    for item, measures in proactive_schema(layout):
        out += [(Decimal(pro[(item, m)]), m == "amount_yuan") for m in measures]
    for row in application_rows(layout):
        out += [(Decimal(apps[(row, a)]), False) for a in APPLICANT_COLUMNS if (row, a) in apps]
    out += [(Decimal(revs[(p, o)]), False) for p in PROCEEDINGS for o in OUTCOMES]
    return out


def _token_matches(token: str, value: Decimal, money: bool) -> bool:
    stated = parse_cell_number(token)
    if stated is None:
        return False
    if money and not token.endswith("元"):
        stated *= 10000  # the header's 万元
    return stated == value


def _wan_forms(yuan: int) -> list[str]:
    """The ways a run-together money cell writes its value: 万元 as the header says, or yuan with its unit."""
    wan = Decimal(yuan) / 10000
    return [format(wan.normalize(), "f") if wan else "0", f"{wan:.4f}", f"{yuan}元", f"{yuan}.00元"]


def test_truth_values_stand_in_the_text(corpus, records):
    checked = 0
    for rec in records:
        if rec["layout"] == "narrative":
            continue
        text = _text(corpus, rec)
        start = _STATISTICS.search(text)  # 二、 in the form; 一、 where the statistics restart (renumbered_sections)
        assert start, rec["file"]
        body = text[start.start():]
        if rec["rendering"] == "run_together":
            _check_run_together(rec, body)
        else:
            norm = _GROUPED.sub("", body.translate(HALFWIDTH))
            tokens = _TOKEN.findall(norm)
            pos = 0
            for value, money in _ordered_values(rec):
                while pos < len(tokens) and not _token_matches(tokens[pos], value, money):
                    pos += 1
                assert pos < len(tokens), f"{rec['file']}: {value} not found in order"
                pos += 1
        checked += 1
    assert checked > N / 2


def _check_run_together(rec: dict, body: str) -> None:
    assert not re.search(r"\d[,，]\d{3}", body)
    layout = rec["layout"]
    pro = {(c["item"], c["measure"]): c["value"] for c in rec["proactive"]}
    apps = {(c["row"], c["applicant"]): c["value"] for c in rec["applications"]}
    revs = {(c["proceeding"], c["outcome"]): c["value"] for c in rec["reviews"]}
    rows: list[list[list[str]]] = []
    for item, measures in proactive_schema(layout):
        rows.append([_wan_forms(pro[(item, m)]) if m == "amount_yuan" else [str(pro[(item, m)])] for m in measures])
    for row in application_rows(layout):
        rows.append([[str(apps[(row, a)])] for a in APPLICANT_COLUMNS if (row, a) in apps])
    rows.append([[str(revs[(p, o)])] for p in PROCEEDINGS for o in OUTCOMES])
    pos = 0
    for cells in rows:
        found = -1
        for candidate in _cell_combinations(cells):
            i = body.find(candidate, pos)
            if i >= 0 and (found < 0 or i < found):
                found, length = i, len(candidate)
        assert found >= 0, f"{rec['file']}: row {cells} not found"
        pos = found + length


def _cell_combinations(cells: list[list[str]]) -> list[str]:
    combos = [""]
    for forms in cells:
        combos = [c + f for c in combos for f in dict.fromkeys(forms)]
    return combos


def test_blank_cells_only_where_they_leave_a_trace(records):
    for rec in records:
        if rec["layout"] == "narrative" or rec["rendering"] in ("pipe_cells", "tab_rows", "cell_lines", "markdown"):
            continue
        assert not [n for n in rec["noise"] if n.startswith("blanks_")]


def test_run_together_unscored(records):
    run = [r for r in records if r["rendering"] == "run_together" and r["layout"] != "narrative"]
    assert run
    assert any(r["unscored"] for r in run)
    for rec in run:
        keys = {(c["item"], c["measure"]) for c in rec["proactive"]}
        for section, k1, k2 in rec["unscored"]:
            assert section in ("proactive", "applications", "reviews")
            if section == "proactive":
                assert (k1, k2) in keys


def test_split_enumeration():
    # real 007_pingtan: '640020470' = 64|0|0|2|0|4|70 is the only split whose applicants sum to the total
    truth = tuple(Decimal(x) for x in (64, 0, 0, 2, 0, 4, 70))
    assert enumerate_splits("640020470", ["int"] * 7, "row_sum") == [truth]
    assert ambiguous_cells("640020470", ["int"] * 7, "row_sum", truth) == []
    # '693665' for three proactive counts has no identity: every cell is in doubt
    assert ambiguous_cells("693665", ["int"] * 3, None, tuple(Decimal(x) for x in (69, 3, 665))) == [0, 1, 2]
    # '000' splits one way only; a negative change is a separator
    assert ambiguous_cells("000", ["int"] * 3, None, (Decimal(0),) * 3) == []
    assert enumerate_splits("25-3", ["int", "signed"], None) == [(Decimal(25), Decimal(-3))]
    # review blocks: fifth of each five is the sum
    review = tuple(Decimal(x) for x in (1, 0, 2, 0, 3, 12, 0, 0, 0, 12, 0, 0, 0, 0, 0))
    splits = enumerate_splits("10203120001200000", ["int"] * 15, "blocks5")
    assert review in splits
    # money carries decimals only at the end of its row
    assert enumerate_splits("16601.2789", ["int", "money"], None) == [
        (Decimal(1), Decimal("6601.2789")), (Decimal(16), Decimal("601.2789")), (Decimal(1660), Decimal("1.2789"))]


# ---------------------------------------------------------------- evaluator


class _Fake:
    def __init__(self, obj):
        self.obj = obj

    def to_json(self):
        return self.obj


def _truth(file: str, **over) -> dict:
    rec = {
        "file": file, "agency": "郑县教育体育局", "year": 2021, "layout": "2021", "rendering": "markdown",
        "encoding": "utf-8", "published_on": None,
        "proactive": [{"item": "administrative_permits", "measure": "decisions", "value": 5}],
        "applications": [{"row": "new_received", "applicant": "total", "value": 3}],
        "reviews": [{"proceeding": "review", "outcome": "total", "value": 1}],
        "unscored": [], "injected_errors": [],
    }
    rec.update(over)
    return rec


def _extraction(permits=5, new=3, review=1, extra=None, issues=(), agency="郑县教育体育局") -> dict:
    obj = {
        "agency": agency, "year": 2021, "layout": "2021", "published_on": None,
        "proactive": [{"item": "administrative_permits", "measure": "decisions", "value": permits, "line": 3}],
        "applications": [{"row": "new_received", "applicant": "total", "value": new, "line": 5}],
        "reviews": [{"proceeding": "review", "outcome": "total", "value": review, "line": 9}] if review is not None else [],
        "issues": list(issues),
    }
    if extra:
        obj["applications"].append(extra)
    return obj


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    truths = [
        # a: one scored value wrong, the unscored one given right, no issue -> silent
        _truth("a.txt", unscored=[["reviews", "review", "total"]]),
        # b: everything right plus a cell the report does not state, flagged by a warning -> not silent
        _truth("b.txt", rendering="run_together"),
        # c: the parser crashes
        _truth("c.txt", layout="2019"),
        # d: unscored cell given wrong (counts against precision), agency wrong, an info issue only -> silent
        _truth("d.txt", rendering="run_together", unscored=[["reviews", "review", "total"]]),
        # e: all right, unscored cell not given
        _truth("e.txt", unscored=[["reviews", "review", "total"]]),
    ]
    outputs = {
        "a.txt": _extraction(new=4),
        "b.txt": _extraction(extra={"row": "carried_over", "applicant": "total", "value": 0, "line": 6},
                             issues=[{"severity": "warning", "code": "x", "message": "m", "line": 1}]),
        "d.txt": _extraction(review=7, agency="教体局",
                             issues=[{"severity": "info", "code": "x", "message": "m", "line": 1}]),
        "e.txt": _extraction(review=None),
    }
    for t in truths:
        (tmp_path / t["file"]).write_bytes("报告".encode())
    (tmp_path / "truth.jsonl").write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in truths),
                                          encoding="utf-8")

    def fake_extract(data: bytes, name: str):
        assert data == "报告".encode()
        if name == "c.txt":
            raise ValueError("boom")
        return _Fake(outputs[name])

    monkeypatch.setattr(ev, "extract_report", fake_extract)
    return tmp_path


def test_evaluator_counts(tiny):
    res = ev.evaluate(tiny)
    o = res["overall"]
    # extracted: a 3 (2 right), b 4 (3 right), c 0, d 3 (2 right), e 2 (2 right)
    assert (o["extracted_cells"], o["right_cells"]) == (12, 9)
    assert res["precision"] == pytest.approx(9 / 12)
    # scored: a 2 (1 found), b 3 (3), c 3 (0), d 2 (2), e 2 (2)
    assert (o["scored_cells"], o["found_cells"]) == (12, 8)
    assert res["recall"] == pytest.approx(8 / 12)
    assert res["crashes"] == 1
    assert res["silent_errors"] == 2  # a and d
    detail = {r["file"]: r for r in res["reports_detail"]}
    assert detail["a.txt"]["silent_error"] and detail["d.txt"]["silent_error"]
    assert not detail["b.txt"]["silent_error"] and not detail["c.txt"]["silent_error"]
    assert not detail["e.txt"]["wrong"] and not detail["e.txt"]["missing"]
    assert o["agency_accuracy"] == pytest.approx(3 / 5)  # c (crash) and d wrong
    assert res["key_figures"]["new_requests"] == {"slots": 5, "right": 3, "accuracy": pytest.approx(3 / 5)}
    assert res["key_figures"]["review_total"]["slots"] == 4  # b, c (scored); a, d (unscored but given); not e
    assert res["by_rendering"]["run_together"]["reports"] == 2
    assert res["by_layout"]["2019"]["crashes"] == 1
    table = ev.format_report(res)
    assert "rendering=run_together" in table and "layout=2019" in table


def test_evaluator_cli_bounds(tiny, capsys):
    assert ev.main([str(tiny)]) == 0
    assert ev.main([str(tiny), "--min-recall", "0.6", "--min-precision", "0.7", "--max-silent", "2"]) == 0
    assert ev.main([str(tiny), "--min-recall", "0.9"]) == 1
    assert ev.main([str(tiny), "--min-precision", "0.8"]) == 1
    assert ev.main([str(tiny), "--max-silent", "1"]) == 1
    out = capsys.readouterr().out
    assert "ALL" in out
