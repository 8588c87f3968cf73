"""Score the parser (``pipelines.extract.extract_report``) against a generated corpus.

    python -m pipelines.corpus.evaluate CORPUS_DIR [--min-recall R] [--min-precision P] [--max-silent S]
                                                   [--max-wrong W] [--failures N] [--show-wrong N] [--json PATH]

Cell level: an extracted cell is right when the truth has the key and the value agrees within 0.01.
Precision = right extracted cells / extracted cells (cells the truth does not have count as wrong, unscored
cells count when a value is given); recall = right scored cells / scored truth cells (unscored cells, which a
run-together rendering leaves ambiguous, are left out). A silent error is a report with a wrong or missing
scored value or a wrong agency/year/layout and no issue of severity warning or error. Crashes (exceptions)
are counted apart and treated as an empty extraction.

Cell failures, each told apart by whether it carries a warning *on its own row*:

- a *wrong value given* (the worst failure): the truth states the cell (scored or not) and the parser gives a
  different value;
- a *spurious value*: the parser gives a value for a cell the report leaves blank;
- a *missing value*: a scored cell the parser does not give.

A warning on its own row is an issue of severity warning/error whose (section, row) is the cell's (section, key1)
(for reviews the row is the proceeding); or, for an issue naming no row, whose ``line`` is the line the value
stands on, where the truth knows it (a truth cell's ``line``; run-together bodies and the originals, web pages, Word
files and PDFs, have none).

Metadata (agency, year, layout, published_on) is scored exact, and *exact or flagged*: a wrong field counts as
flagged when a warning/error names it (its ``row`` is the field, or its code contains the field's name; for
the agency also ``place``). Reports are broken down by rendering, by what an original's format drew (PDF ruled or
by position, Word table split or whole, page markup), by layout and by family (the truth's ``families``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pipelines.extract import extract_report

from .evaluate_table import format_failures, format_report, format_wrong
from .families import FAMILIES

NO_FAMILY = "(none)"

TOLERANCE = Decimal("0.01")
LOUD = ("warning", "error")
META_FIELDS = ("agency", "year", "layout")
ALL_META = (*META_FIELDS, "published_on")
_META_WORDS = {"agency": ("agency", "place"), "year": ("year",), "layout": ("layout",), "published_on": ("published",)}
KEY_FIGURES: dict[str, tuple[str, str, str]] = {
    "permits": ("proactive", "administrative_permits", "decisions"),
    "penalties": ("proactive", "administrative_penalties", "decisions"),
    "coercions": ("proactive", "administrative_coercions", "decisions"),
    "fees": ("proactive", "administrative_fees", "amount_yuan"),
    "new_requests": ("applications", "new_received", "total"),
    "dispositions": ("applications", "total", "total"),
    "carried_forward": ("applications", "carried_forward", "total"),
    "review_total": ("reviews", "review", "total"),
}
_FIELDS = {"proactive": ("item", "measure"), "applications": ("row", "applicant"), "reviews": ("proceeding", "outcome")}

Key = tuple[str, str, str]


def _num(v) -> Decimal | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _cells(obj: dict) -> dict[Key, list]:
    out: dict[Key, list] = defaultdict(list)
    for section, (f1, f2) in _FIELDS.items():
        for c in obj.get(section) or []:
            if c.get("value") is None:
                continue
            out[(section, str(c.get(f1)), str(c.get(f2)))].append(c.get("value"))
    return dict(out)


def _same(a, b: Decimal) -> bool:
    x = _num(a)
    return x is not None and abs(x - b) <= TOLERANCE


def _truth_lines(truth: dict) -> dict[Key, int]:
    out: dict[Key, int] = {}
    for section, (f1, f2) in _FIELDS.items():
        for c in truth.get(section) or []:
            if isinstance(c.get("line"), int):
                out[(section, str(c.get(f1)), str(c.get(f2)))] = c["line"]
    return out


def row_warned(key: Key, loud: list[dict], line: int | None) -> bool:
    """Whether a warning/error stands on the cell's own row: its (section, row), or its line when it names
    no row and the truth knows the cell's line."""
    section, row = key[0], key[1]
    for i in loud:
        i_section, i_row = i.get("section"), i.get("row")
        if i_section not in (None, section):
            continue
        if i_row is not None:
            if str(i_row) == row:
                return True
        elif line is not None and i.get("line") == line:
            return True
    return False


def _meta_flagged(field: str, loud: list[dict]) -> bool:
    words = _META_WORDS[field]
    return any(i.get("row") == field or any(w in str(i.get("code", "")) for w in words) for i in loud)


def original_variant(truth: dict) -> str | None:
    """What an original's format drew that matters to its reader (pipelines.corpus.originals): a PDF ruled or laid
    out by position alone, a Word file with a table split by 续表 or none, a page in Word's markup or plain."""
    drawn = truth.get("original")
    if not isinstance(drawn, dict):
        return None
    rendering = truth.get("rendering")
    if rendering == "pdf":
        return "pdf/" + ("ruled" if drawn.get("ruled") else "by_position")
    if rendering == "docx":
        return "docx/" + ("split" if drawn.get("split") else "whole")
    if rendering == "html_page":
        return f"html_page/{drawn.get('markup')}"
    return rendering


def score_report(truth: dict, extracted: dict | None, crash: str | None = None) -> dict:
    """Compare one extraction (the parser's JSON object; None after a crash) with its truth record."""
    t_cells = {k: _num(v[0]) for k, v in _cells(truth).items()}
    t_lines = _truth_lines(truth)
    unscored = {tuple(u) for u in truth.get("unscored", [])}
    e_cells = _cells(extracted or {})
    issues = (extracted or {}).get("issues") or []
    loud = [i for i in issues if str(i.get("severity", "")).lower() in LOUD]
    wrong, missing, wrong_given, spurious = [], [], [], []
    right_extracted = 0
    for key, values in e_cells.items():
        t = t_cells.get(key)
        if t is not None and all(_same(v, t) for v in values):
            right_extracted += 1
            continue
        entry = {"key": list(key), "truth": _jsonable(t), "extracted": values, "line": t_lines.get(key),
                 "warned": row_warned(key, loud, t_lines.get(key))}
        wrong.append(entry)
        if t is None:
            spurious.append(entry)
        else:
            wrong_given.append({**entry, "unscored": key in unscored})
    scored = [k for k in t_cells if k not in unscored]
    found = 0
    for key in scored:
        if key in e_cells:
            found += all(_same(v, t_cells[key]) for v in e_cells[key])
        else:
            missing.append({"key": list(key), "truth": _jsonable(t_cells[key]), "line": t_lines.get(key),
                            "warned": row_warned(key, loud, t_lines.get(key))})
    figures = {}
    for name, key in KEY_FIGURES.items():
        t, e = t_cells.get(key), e_cells.get(key)
        if (t is None and e is None) or (key in unscored and e is None):
            continue
        figures[name] = t is not None and e is not None and all(_same(v, t) for v in e)
    meta = {}
    for f in META_FIELDS:
        got = (extracted or {}).get(f)
        want = truth[f]
        meta[f] = got is not None and str(got) == str(want)
    meta_published = extracted is not None and (extracted.get("published_on") or None) == truth.get("published_on")
    exact = {**meta, "published_on": meta_published}
    flagged = {f: ok or (extracted is not None and _meta_flagged(f, loud)) for f, ok in exact.items()}
    typo = None
    if truth.get("place_typo"):
        got = (extracted or {}).get("agency")
        typo = {"corrected": meta["agency"], "kept_printed": got == truth["place_typo"]["agency_printed"],
                "warned": extracted is not None and _meta_flagged("agency", loud)}
    bad = bool(wrong or missing or not all(meta.values()))
    return {
        "file": truth["file"],
        "rendering": truth.get("rendering"),
        "original": original_variant(truth),
        "layout": truth["layout"],
        "crash": crash,
        "extracted": len(e_cells),
        "right_extracted": right_extracted,
        "scored": len(scored),
        "found": found,
        "unscored": len(unscored),
        "wrong": wrong,
        "missing": missing,
        "wrong_given": wrong_given,
        "spurious": spurious,
        "families": list(truth.get("families") or []),
        "figures": figures,
        "meta": meta,
        "meta_got": {f: (extracted or {}).get(f) for f in (*META_FIELDS, "published_on")},
        "published_on_right": meta_published,
        "meta_exact": exact,
        "meta_flagged": flagged,
        "place_typo": typo,
        "loud_issues": len(loud),
        "silent_error": bad and not loud and crash is None,
        "injected": bool(truth.get("injected_errors")),
    }


def _family_order(name: str) -> int:
    return FAMILIES.index(name) if name in FAMILIES else len(FAMILIES)


def _jsonable(d: Decimal | None):
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() else float(d)


def _aggregate(reports: list[dict]) -> dict:
    n = len(reports)
    ext = sum(r["extracted"] for r in reports)
    right = sum(r["right_extracted"] for r in reports)
    scored = sum(r["scored"] for r in reports)
    found = sum(r["found"] for r in reports)
    slots = sum(len(r["figures"]) for r in reports)
    fig_right = sum(sum(r["figures"].values()) for r in reports)
    out = {
        "reports": n,
        "crashes": sum(r["crash"] is not None for r in reports),
        "extracted_cells": ext,
        "right_cells": right,
        "scored_cells": scored,
        "found_cells": found,
        "precision": right / ext if ext else 1.0,
        "recall": found / scored if scored else 1.0,
        "key_figure_slots": slots,
        "key_figures_right": fig_right,
        "key_figure_accuracy": fig_right / slots if slots else 1.0,
        "reports_all_right": sum(not r["wrong"] and not r["missing"] and all(r["meta"].values()) for r in reports),
        "silent_errors": sum(r["silent_error"] for r in reports),
        "flagged_reports": sum(r["loud_issues"] > 0 for r in reports),
        "published_on_accuracy": sum(r["published_on_right"] for r in reports) / n if n else 1.0,
    }
    for f in META_FIELDS:
        out[f"{f}_accuracy"] = sum(r["meta"][f] for r in reports) / n if n else 1.0
    out["metadata_accuracy"] = sum(all(r["meta"].values()) for r in reports) / n if n else 1.0
    wrong = [w for r in reports for w in r["wrong_given"]]
    missing = [m for r in reports for m in r["missing"]]
    out.update({
        "wrong_given": len(wrong),
        "wrong_given_silent": sum(not w["warned"] for w in wrong),
        "wrong_given_unscored": sum(w["unscored"] for w in wrong),
        "reports_with_wrong_given": sum(bool(r["wrong_given"]) for r in reports),
        "reports_with_silent_wrong": sum(any(not w["warned"] for w in r["wrong_given"]) for r in reports),
        "spurious_values": sum(len(r["spurious"]) for r in reports),
        "spurious_silent": sum(not s["warned"] for r in reports for s in r["spurious"]),
        "missing_cells": len(missing),
        "missing_warned": sum(m["warned"] for m in missing),
        "missing_silent": sum(not m["warned"] for m in missing),
    })
    for f in ALL_META:
        out[f"{f}_flagged_accuracy"] = sum(r["meta_flagged"][f] for r in reports) / n if n else 1.0
    typos = [r["place_typo"] for r in reports if r["place_typo"]]
    out["place_typo"] = {"reports": len(typos), "corrected": sum(t["corrected"] for t in typos),
                         "corrected_warned": sum(t["corrected"] and t["warned"] for t in typos),
                         "kept_printed": sum(t["kept_printed"] for t in typos),
                         "kept_printed_warned": sum(t["kept_printed"] and t["warned"] for t in typos)}
    return out


def evaluate(corpus_dir: Path) -> dict:
    corpus_dir = Path(corpus_dir)
    truths = [json.loads(line) for line in (corpus_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines() if line]
    reports = []
    t0 = time.perf_counter()
    for truth in truths:
        data = (corpus_dir / truth["file"]).read_bytes()
        extracted, crash = None, None
        try:
            result = extract_report(data, truth["file"])
            extracted = result.to_json() if hasattr(result, "to_json") else result
            if isinstance(extracted, (str, bytes)):
                extracted = json.loads(extracted)
        except Exception as exc:  # a crash is a finding, not a failure of the evaluator
            crash = f"{type(exc).__name__}: {exc}"
            extracted = None
        reports.append(score_report(truth, extracted, crash))
    elapsed = time.perf_counter() - t0
    by_rendering: dict[str, list] = defaultdict(list)
    by_layout: dict[str, list] = defaultdict(list)
    by_family: dict[str, list] = defaultdict(list)
    by_original: dict[str, list] = defaultdict(list)
    for r in reports:
        by_rendering[r["rendering"]].append(r)
        if r["original"]:
            by_original[r["original"]].append(r)
        by_layout[r["layout"]].append(r)
        for f in r["families"] or [NO_FAMILY]:
            by_family[f].append(r)
    figures = {}
    for name in KEY_FIGURES:
        vals = [r["figures"][name] for r in reports if name in r["figures"]]
        figures[name] = {"slots": len(vals), "right": sum(vals), "accuracy": sum(vals) / len(vals) if vals else 1.0}
    overall = _aggregate(reports)
    return {
        "corpus": str(corpus_dir),
        "seconds": round(elapsed, 2),
        **{k: overall[k] for k in ("precision", "recall", "silent_errors", "crashes", "reports", "wrong_given",
                                   "wrong_given_silent", "missing_silent")},
        "overall": overall,
        "by_rendering": {k: _aggregate(v) for k, v in sorted(by_rendering.items())},
        "by_original": {k: _aggregate(v) for k, v in sorted(by_original.items())},
        "by_layout": {k: _aggregate(v) for k, v in sorted(by_layout.items())},
        "by_family": {k: _aggregate(by_family[k]) for k in sorted(by_family, key=_family_order)},
        "key_figures": figures,
        "reports_detail": reports,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk evaluate", description="Score the extractor against a generated corpus.")
    ap.add_argument("corpus_dir", type=Path)
    ap.add_argument("--min-recall", type=float, default=None)
    ap.add_argument("--min-precision", type=float, default=None)
    ap.add_argument("--max-silent", type=int, default=None, help="most silent errors (reports) allowed")
    ap.add_argument("--max-wrong", type=int, default=None, help="most wrong values given (cells) allowed")
    ap.add_argument("--json", type=Path, default=None, help="also write the full result (with per-report detail)")
    ap.add_argument("--failures", type=int, default=0, help="list up to N failing reports")
    ap.add_argument("--show-wrong", type=int, default=0,
                    help="list up to N wrong values given without a warning on their row")
    args = ap.parse_args(argv)
    result = evaluate(args.corpus_dir)
    print(format_report(result))
    if args.failures:
        print()
        print(format_failures(result, args.failures))
    if args.show_wrong:
        print()
        print(format_wrong(result, args.show_wrong))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    missed = []
    if args.min_recall is not None and result["recall"] < args.min_recall:
        missed.append(f"recall {result['recall']:.3f} < {args.min_recall}")
    if args.min_precision is not None and result["precision"] < args.min_precision:
        missed.append(f"precision {result['precision']:.3f} < {args.min_precision}")
    if args.max_silent is not None and result["silent_errors"] > args.max_silent:
        missed.append(f"silent errors {result['silent_errors']} > {args.max_silent}")
    if args.max_wrong is not None and result["wrong_given"] > args.max_wrong:
        missed.append(f"wrong values given {result['wrong_given']} > {args.max_wrong}")
    for m in missed:
        print(f"FAIL: {m}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
