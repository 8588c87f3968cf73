"""The printed forms of an evaluation (pipelines.corpus.evaluate): the score table by rendering, layout and family,
failing reports, and wrong values given without a warning on their row."""

from __future__ import annotations

HEAD = ("group", "n", "crash", "cell P", "cell R", "wrong", "w/o warn", "spur", "miss", "w/o warn", "keyfig",
        "agency", "ag|flag", "year", "layout", "pub", "all ok", "silent")
LEGEND = ("wrong: values given that differ from the truth; w/o warn: of them, with no warning on their own row; "
          "spur: values given for blank cells;\nmiss: scored values not given (w/o warn: no warning on their row); "
          "agency/year/layout/pub: metadata exact; ag|flag: agency exact or wrong with a warning naming it; "
          "silent: reports wrong with no warning at all")


def _line(name: str, a: dict) -> tuple[str, ...]:
    return (name, str(a["reports"]), str(a["crashes"]), f"{a['precision']:.3f}", f"{a['recall']:.3f}",
            str(a["wrong_given"]), str(a["wrong_given_silent"]), str(a["spurious_values"]), str(a["missing_cells"]),
            str(a["missing_silent"]), f"{a['key_figure_accuracy']:.3f}", f"{a['agency_accuracy']:.3f}",
            f"{a['agency_flagged_accuracy']:.3f}", f"{a['year_accuracy']:.3f}", f"{a['layout_accuracy']:.3f}",
            f"{a['published_on_accuracy']:.3f}", str(a["reports_all_right"]), str(a["silent_errors"]))


def format_report(result: dict) -> str:
    rows = [HEAD, _line("ALL", result["overall"])]
    rules = {0, 1}
    groups = (("rendering", "by_rendering"), ("original", "by_original"), ("layout", "by_layout"), ("family", "by_family"))
    for prefix, group in groups:
        if not result.get(group):
            continue
        for k, a in result[group].items():
            rows.append(_line(f"{prefix}={k}", a))
        rules.add(len(rows) - 1)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEAD))]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(r)))
        if i in rules and i < len(rows) - 1:
            out.append("  ".join("-" * w for w in widths))
    o = result["overall"]
    out.append("")
    out.append(f"cells: {o['right_cells']}/{o['extracted_cells']} extracted right, "
               f"{o['found_cells']}/{o['scored_cells']} scored found; published_on accuracy "
               f"{o['published_on_accuracy']:.3f}; {result['seconds']}s")
    out.append(f"wrong values given: {o['wrong_given']} in {o['reports_with_wrong_given']} reports "
               f"({o['wrong_given_silent']} without a warning on their row, in {o['reports_with_silent_wrong']} reports; "
               f"{o['wrong_given_unscored']} on unscored cells); spurious values: {o['spurious_values']} "
               f"({o['spurious_silent']} without a warning on their row)")
    out.append(f"missing values: {o['missing_cells']} ({o['missing_warned']} with a warning on their row, "
               f"{o['missing_silent']} without)")
    out.append("metadata exact / exact or flagged: " + ", ".join(
        f"{f} {o[f + '_accuracy']:.3f}/{o[f + '_flagged_accuracy']:.3f}"
        for f in ("agency", "year", "layout", "published_on")))
    t = o["place_typo"]
    if t["reports"]:
        out.append(f"place_typo: {t['reports']} reports; agency corrected {t['corrected']} "
                   f"({t['corrected_warned']} with a warning), misprint kept {t['kept_printed']} "
                   f"({t['kept_printed_warned']} with a warning)")
    out.append("key figures: " + ", ".join(
        f"{k} {v['right']}/{v['slots']}" for k, v in result["key_figures"].items()))
    out.append(LEGEND)
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


def format_wrong(result: dict, limit: int = 20) -> str:
    """Wrong values given with no warning on their row, one a line: file, families, cell, truth, value given."""
    out = []
    for r in result["reports_detail"]:
        for w in r["wrong_given"]:
            if w["warned"]:
                continue
            if len(out) >= limit:
                return "\n".join(out)
            fams = ",".join(r["families"]) or "-"
            where = f" line {w['line']}" if w.get("line") else ""
            out.append(f"{r['file']}  [{fams}]  {'/'.join(w['key'])}{where}  truth={w['truth']} got={w['extracted']}"
                       + ("  (unscored)" if w.get("unscored") else ""))
    return "\n".join(out)
