"""Name the rendering a report arrived in (for the registry and the accuracy breakdown)."""

from __future__ import annotations

import re

_ALIGNED = re.compile(r"\S\s{3,}\d+\s{2,}\d+")


def detect_rendering(lines: list[str]) -> str:
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return "empty"
    n = len(nonblank)
    md = sum(ln.strip().startswith("|") and ln.strip().endswith("|") for ln in nonblank)
    pipe_cells = sum(ln.rstrip().endswith(" |") and not ln.strip().startswith("|") for ln in nonblank)
    tabs = sum("\t" in ln for ln in nonblank)
    aligned = sum(bool(_ALIGNED.search(ln)) for ln in nonblank)
    longest = max(len(ln) for ln in nonblank)
    if md >= 10:
        return "markdown"
    if pipe_cells >= 20:
        return "pipe_cells"
    if tabs >= 10:
        short = sum(ln.count("\t") == 1 and len(ln.strip()) < 40 for ln in nonblank if "\t" in ln)
        return "cell_lines" if short > tabs * 0.7 else "tab_rows"
    if aligned >= 5:
        return "aligned_columns"
    if longest > 3000 and n < 40:
        return "run_together"
    return "plain_text"
