"""A polars frame as a Markdown table (the text Dagster shows in asset and check metadata)."""

from __future__ import annotations

import polars as pl

MAX_ROWS = 50


def markdown_table(frame: pl.DataFrame, limit: int = MAX_ROWS) -> str:
    """The first ``limit`` rows of ``frame``; ``(none)`` when it is empty."""
    if frame.height == 0:
        return "(none)"
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    for row in frame.head(limit).iter_rows():
        cells = ("" if v is None else str(v).replace("|", "\\|").replace("\n", " ")[:200] for v in row)
        lines.append("| " + " | ".join(cells) + " |")
    if frame.height > limit:
        lines.append(f"\n… and {frame.height - limit} more rows")
    return "\n".join(lines)
