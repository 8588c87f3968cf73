"""Extraction accuracy on a generated corpus the parser was not tuned on (the issue's bounds, smaller sample)."""

from __future__ import annotations

from pipelines.corpus.evaluate import evaluate
from pipelines.corpus.generate import generate_corpus


def test_generated_corpus_accuracy(tmp_path):
    generate_corpus(tmp_path, n=420, seed=31337)
    result = evaluate(tmp_path)
    assert result["crashes"] == 0
    assert result["precision"] >= 0.995
    assert result["recall"] >= 0.99
    assert result["silent_errors"] == 0, "a wrong figure must come with a warning on its report"
    assert result["wrong_given"] == 0, "not one wrong number asserted"
    assert result["missing_silent"] == 0, "a value left missing carries a warning on its own row"
    assert result["recall"] >= 0.995
    assert result["overall"]["agency_accuracy"] >= 0.995 and result["overall"]["year_accuracy"] >= 0.995
    assert set(result["by_rendering"]) >= {"pipe_cells", "tab_rows", "cell_lines", "markdown", "aligned_columns",
                                           "html_dump", "run_together"}


def test_injected_arithmetic_errors_are_flagged(tmp_path):
    generate_corpus(tmp_path, n=60, seed=4242, inject_errors=1.0)
    result = evaluate(tmp_path)
    detail = result["reports_detail"]
    injected = [d for d in detail if d["injected"]]
    assert len(injected) >= 40  # narrative reports have no table to break
    assert all(d["loud_issues"] for d in injected), [d["file"] for d in injected if not d["loud_issues"]]
