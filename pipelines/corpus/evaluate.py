"""Score the parser (``pipelines.extract.extract_report``) against a generated corpus.

    python -m pipelines.corpus.evaluate CORPUS_DIR [--min-recall R] [--min-precision P] [--max-silent S]

Cell level: an extracted cell is right when the truth has the key and the value agrees within 0.01.
Precision = right extracted cells / extracted cells (cells the truth does not have count as wrong, unscored
cells count when a value is given); recall = right scored cells / scored truth cells (unscored cells, which a
run-together rendering leaves ambiguous, are left out). A silent error is a report with a wrong or missing
scored value or a wrong agency/year/layout and no issue of severity warning or error. Crashes (exceptions)
are counted apart and treated as an empty extraction.
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

TOLERANCE = Decimal("0.01")
LOUD = ("warning", "error")
META_FIELDS = ("agency", "year", "layout")
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


def score_report(truth: dict, extracted: dict | None, crash: str | None = None) -> dict:
    """Compare one extraction (the parser's JSON object; None after a crash) with its truth record."""
    t_cells = {k: _num(v[0]) for k, v in _cells(truth).items()}
    unscored = {tuple(u) for u in truth.get("unscored", [])}
    e_cells = _cells(extracted or {})
    wrong, missing = [], []
    right_extracted = 0
    for key, values in e_cells.items():
        t = t_cells.get(key)
        if t is not None and all(_same(v, t) for v in values):
            right_extracted += 1
        else:
            wrong.append({"key": list(key), "truth": _jsonable(t), "extracted": values})
    scored = [k for k in t_cells if k not in unscored]
    found = 0
    for key in scored:
        if key in e_cells:
            found += all(_same(v, t_cells[key]) for v in e_cells[key])
        else:
            missing.append({"key": list(key), "truth": _jsonable(t_cells[key])})
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
    issues = (extracted or {}).get("issues") or []
    loud = [i for i in issues if str(i.get("severity", "")).lower() in LOUD]
    bad = bool(wrong or missing or not all(meta.values()))
    return {
        "file": truth["file"],
        "rendering": truth.get("rendering"),
        "layout": truth["layout"],
        "crash": crash,
        "extracted": len(e_cells),
        "right_extracted": right_extracted,
        "scored": len(scored),
        "found": found,
        "unscored": len(unscored),
        "wrong": wrong,
        "missing": missing,
        "figures": figures,
        "meta": meta,
        "meta_got": {f: (extracted or {}).get(f) for f in (*META_FIELDS, "published_on")},
        "published_on_right": meta_published,
        "loud_issues": len(loud),
        "silent_error": bad and not loud and crash is None,
        "injected": bool(truth.get("injected_errors")),
    }


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
    for r in reports:
        by_rendering[r["rendering"]].append(r)
        by_layout[r["layout"]].append(r)
    figures = {}
    for name in KEY_FIGURES:
        vals = [r["figures"][name] for r in reports if name in r["figures"]]
        figures[name] = {"slots": len(vals), "right": sum(vals), "accuracy": sum(vals) / len(vals) if vals else 1.0}
    overall = _aggregate(reports)
    return {
        "corpus": str(corpus_dir),
        "seconds": round(elapsed, 2),
        **{k: overall[k] for k in ("precision", "recall", "silent_errors", "crashes", "reports")},
        "overall": overall,
        "by_rendering": {k: _aggregate(v) for k, v in sorted(by_rendering.items())},
        "by_layout": {k: _aggregate(v) for k, v in sorted(by_layout.items())},
        "key_figures": figures,
        "reports_detail": reports,
    }


def format_report(result: dict) -> str:
    head = ("group", "n", "crash", "cell P", "cell R", "keyfig", "agency", "year", "layout", "all ok", "silent")
    rows = [head]

    def line(name: str, a: dict) -> tuple:
        return (name, str(a["reports"]), str(a["crashes"]), f"{a['precision']:.3f}", f"{a['recall']:.3f}",
                f"{a['key_figure_accuracy']:.3f}", f"{a['agency_accuracy']:.3f}", f"{a['year_accuracy']:.3f}",
                f"{a['layout_accuracy']:.3f}", str(a["reports_all_right"]), str(a["silent_errors"]))

    rows.append(line("ALL", result["overall"]))
    for k, a in result["by_rendering"].items():
        rows.append(line(f"rendering={k}", a))
    for k, a in result["by_layout"].items():
        rows.append(line(f"layout={k}", a))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if i in (0, 1, 1 + len(result["by_rendering"])):
            out.append("  ".join("-" * w for w in widths))
    o = result["overall"]
    out.append("")
    out.append(f"cells: {o['right_cells']}/{o['extracted_cells']} extracted right, "
               f"{o['found_cells']}/{o['scored_cells']} scored found; published_on accuracy "
               f"{o['published_on_accuracy']:.3f}; {result['seconds']}s")
    out.append("key figures: " + ", ".join(
        f"{k} {v['right']}/{v['slots']}" for k, v in result["key_figures"].items()))
    return "\n".join(out)


def format_failures(result: dict, limit: int = 10) -> str:
    out = []
    for r in result["reports_detail"]:
        if len(out) >= limit:
            break
        if r["crash"] or r["wrong"] or r["missing"] or not all(r["meta"].values()):
            bits = [r["file"], "SILENT" if r["silent_error"] else "flagged" if r["loud_issues"] else ""]
            if r["crash"]:
                bits.append(f"crash {r['crash']}")
            bad_meta = [f"{f}={r['meta_got'][f]!r}" for f, ok in r["meta"].items() if not ok]
            if bad_meta:
                bits.append("meta " + " ".join(bad_meta))
            if r["wrong"]:
                w = r["wrong"][0]
                bits.append(f"{len(r['wrong'])} wrong e.g. {'/'.join(w['key'])} truth={w['truth']} got={w['extracted']}")
            if r["missing"]:
                m = r["missing"][0]
                bits.append(f"{len(r['missing'])} missing e.g. {'/'.join(m['key'])}={m['truth']}")
            out.append("  ".join(b for b in bits if b))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="xxgk evaluate", description="Score the extractor against a generated corpus.")
    ap.add_argument("corpus_dir", type=Path)
    ap.add_argument("--min-recall", type=float, default=None)
    ap.add_argument("--min-precision", type=float, default=None)
    ap.add_argument("--max-silent", type=int, default=None, help="most silent errors (reports) allowed")
    ap.add_argument("--json", type=Path, default=None, help="also write the full result (with per-report detail)")
    ap.add_argument("--failures", type=int, default=0, help="list up to N failing reports")
    args = ap.parse_args(argv)
    result = evaluate(args.corpus_dir)
    print(format_report(result))
    if args.failures:
        print()
        print(format_failures(result, args.failures))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    missed = []
    if args.min_recall is not None and result["recall"] < args.min_recall:
        missed.append(f"recall {result['recall']:.3f} < {args.min_recall}")
    if args.min_precision is not None and result["precision"] < args.min_precision:
        missed.append(f"precision {result['precision']:.3f} < {args.min_precision}")
    if args.max_silent is not None and result["silent_errors"] > args.max_silent:
        missed.append(f"silent errors {result['silent_errors']} > {args.max_silent}")
    for m in missed:
        print(f"FAIL: {m}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
