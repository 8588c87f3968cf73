"""The corpus's originals (pipelines.corpus.originals): web pages, Word files and PDFs drawn from the same reports as
the text renderings, the text renderings unchanged by them, and the extractor's scores on each format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.corpus import evaluate as ev
from pipelines.corpus.generate import format_places, generate_corpus, main, parse_formats
from pipelines.corpus.originals import ORIGINALS
from pipelines.extract.formats import read_docx, sniff

N = 150
SEED = 909
SNIFFED = {"html_page": "html", "docx": "docx", "pdf": "pdf"}


def _load(corpus: Path) -> list[dict]:
    return [json.loads(line) for line in (corpus / "truth.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("formats")
    generate_corpus(out, N, SEED, formats=ORIGINALS)
    return out


@pytest.fixture(scope="module")
def records(corpus) -> list[dict]:
    return _load(corpus)


@pytest.fixture(scope="module")
def result(corpus) -> dict:
    return ev.evaluate(corpus)


def test_each_format_extracts_at_the_bounds(result):
    for fmt in ORIGINALS:
        a = result["by_rendering"][fmt]
        assert a["reports"] >= 10, fmt
        assert a["crashes"] == 0, fmt
        assert a["wrong_given"] == 0 and a["spurious_values"] == 0, fmt
        assert a["recall"] >= 0.995, (fmt, a["recall"], a["missing_cells"])
        assert a["agency_accuracy"] >= 0.995 and a["year_accuracy"] >= 0.995, fmt
        assert a["layout_accuracy"] >= 0.995 and a["published_on_accuracy"] >= 0.995, fmt


def test_text_renderings_are_the_corpus_without_formats(tmp_path, corpus, records):
    plain = tmp_path / "plain"
    generate_corpus(plain, N, SEED)
    plain_records = {r["file"]: r for r in _load(plain)}
    texts = [r for r in records if r["rendering"] not in ORIGINALS]
    assert len(texts) + sum(r["rendering"] in ORIGINALS for r in records) == N
    for r in texts:
        assert (corpus / r["file"]).read_bytes() == (plain / r["file"]).read_bytes(), r["file"]
        assert r == plain_records[r["file"]]
    assert all(p.suffix == ".txt" for p in plain.iterdir() if p.name != "truth.jsonl")


def test_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    generate_corpus(a, 24, 3, formats=ORIGINALS)
    generate_corpus(b, 24, 3, formats=ORIGINALS)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert {n.split(".")[-1] for n in names} == {"txt", "html", "docx", "pdf", "jsonl"}
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def test_places_one_per_format_in_each_block():
    places = format_places(SEED, 100, ORIGINALS)
    for start in range(0, 100 - 10 + 1, 10):
        assert sorted(v for k, v in places.items() if start <= k < start + 10) == sorted(ORIGINALS)
    assert format_places(SEED, 100, ()) == {}
    assert set(format_places(SEED, 50, ("pdf",)).values()) == {"pdf"}


def test_files_are_their_formats(corpus, records):
    for r in records:
        if r["rendering"] not in ORIGINALS:
            continue
        data = (corpus / r["file"]).read_bytes()
        assert sniff(data) == SNIFFED[r["rendering"]], r["file"]
        assert r["file"].endswith({"html_page": ".html", "docx": ".docx", "pdf": ".pdf"}[r["rendering"]])
        assert all("line" not in c for s in ("proactive", "applications", "reviews") for c in r[s])
        if r["rendering"] == "html_page":
            head = data[:2000].decode("ascii", errors="ignore")
            label = re.search(r"charset=\"?([\w-]+)", head).group(1).lower()
            assert label == r["original"]["charset"].lower()
            assert label in {"utf-8": ("utf-8",), "gbk": ("gb2312", "gbk"), "gb18030": ("gb18030", "gbk")}[r["encoding"]]
            data.decode(r["encoding"])
            assert b"rowspan=" in data or r["layout"] == "narrative"
        elif r["rendering"] == "pdf":
            assert r["encoding"] is None and r["original"]["pages"] >= 1


def test_the_variants_are_drawn(corpus, records):
    originals = [r for r in records if r["rendering"] in ORIGINALS]
    pages = [r for r in originals if r["rendering"] == "html_page"]
    pdfs = [r for r in originals if r["rendering"] == "pdf" and r["layout"] != "narrative"]
    words = [r for r in originals if r["rendering"] == "docx"]
    assert {r["encoding"] for r in pages} >= {"utf-8", "gbk"}
    assert {r["original"]["markup"] for r in pages} == {"word", "plain"}
    assert {r["original"]["ruled"] for r in pdfs} == {True, False}
    assert any("applications" in r["original"]["tables_over_pages"] for r in pdfs if r["original"]["ruled"])
    split = [r for r in words if r["original"]["split"]]
    assert split and any(r["layout"] == "narrative" for r in words)
    lines = read_docx((corpus / split[0]["file"]).read_bytes()).lines
    assert "续表" not in lines  # the reader joins the table again
    assert {r["layout"] for r in originals} == {"2019", "2021", "narrative"}
    assert any(n.startswith("blanks_") for r in originals for n in r["noise"])
    for r in originals:  # a blank cell is not in the truth
        if "blanks_all_applicants" in r["noise"]:
            assert {c["applicant"] for c in r["applications"]} == {"total"}


def test_formats_option(tmp_path, capsys):
    assert parse_formats("all") == ORIGINALS
    assert parse_formats("pdf, html_page") == ("html_page", "pdf")
    assert parse_formats("") == ()
    with pytest.raises(ValueError):
        parse_formats("pdf,odt")
    with pytest.raises(SystemExit):
        main([str(tmp_path / "x"), "--formats", "odt"])
    assert main([str(tmp_path / "y"), "--n", "12", "--seed", "1", "--formats", "docx"]) == 0
    assert {p.suffix for p in (tmp_path / "y").iterdir()} == {".txt", ".docx", ".jsonl"}


def test_reportlab_is_imported_only_to_draw_a_pdf():
    code = ("import sys; import pipelines.corpus.generate, pipelines.corpus.originals_pdf; "
            "assert 'reportlab' not in sys.modules, 'imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
