"""The three standard tables: rows and cells of a section mapped to canonical cells."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from pipelines.extract.alignment import Fit, fit_row
from pipelines.extract.crossrow import settle_by_columns
from pipelines.extract.report import Cell, Report
from pipelines.extract.rows import Row, match_label, segment_rows
from pipelines.extract.tokens import Token
from pipelines.extract.vocabulary import vocabulary

WAN = Decimal(10000)
# No agency decides a trillion permits; a figure past this is a conversion artefact (digits of several cells
# or of a phone number run together), and it would not fit the warehouse's integer columns either.
MAX_COUNT = 10**12
_YUAN_HEADER = re.compile(r"单位[::]?元|\(元\)")


def row_total_identity(values: Sequence[Decimal | None]) -> bool | None:
    """Per row: the 总计 column equals the sum of the six applicant columns."""
    if len(values) < 7 or any(v is None for v in values[:7]):
        return None
    return sum(values[:6]) == values[6]


def review_identity(values: Sequence[Decimal | None]) -> bool | None:
    """Per proceeding: 总计 equals 维持 + 纠正 + 其他 + 尚未审结."""
    complete = True
    for b in range(0, 15, 5):
        block = values[b:b + 5]
        if len(block) < 5 or any(v is None for v in block):
            complete = False
            continue
        if sum(block[:4]) != block[4]:
            return False
    return True if complete and len(values) >= 15 else None


def extract_proactive(tokens: list[Token], layout: str, report: Report) -> None:
    items = vocabulary().items_for(layout)
    seen: set[str] = set()
    for row in segment_rows(tokens):
        key = match_label(row.label, ((i.key, i.patterns) for i in items))
        if key is None:
            continue
        if key in seen:
            report.add_issue("warning", "duplicate_row", f"proactive row {key} appears twice; the second is ignored",
                             row.line)
            continue
        seen.add(key)
        measures = next(i for i in items if i.key == key).measures[layout]
        fit = fit_row(row.values, len(measures), signed=[m in vocabulary().signed_measures for m in measures])
        _note(report, fit, f"proactive {key}", row)
        for measure, value, tok in zip(measures, fit.values, fit.tokens, strict=True):
            if value is None or tok is None:
                continue
            if measure in vocabulary().money_measures:
                value = _to_yuan(value, tok, row, report, key)
            elif not _valid_count(value, measure, report, f"proactive {key}/{measure}", tok.line):
                continue
            report.cells.append(Cell("proactive", key, measure, value if measure in vocabulary().money_measures
                                     else int(value), tok.line))
    missing = [i.key for i in items if i.key not in seen]
    if missing and len(missing) < len(items):
        report.add_issue("warning", "rows_missing", f"proactive table has no row for {', '.join(missing)}")


def extract_applications(tokens: list[Token], layout: str, report: Report) -> None:
    vocab = vocabulary()
    specs = vocab.rows_for(layout)
    fits: dict[str, Fit] = {}
    rows: dict[str, Row] = {}
    for row in segment_rows(tokens):
        key = match_label(row.label, ((r.key, r.patterns) for r in specs))
        if key is None:
            report.add_issue("info", "unmatched_row", f"a row of figures with no known label: {row.label[-30:]}",
                             row.line)
            continue
        if key in fits:
            report.add_issue("warning", "duplicate_row", f"applications row {key} appears twice; the second is "
                             "ignored", row.line)
            continue
        fits[key] = fit_row(row.values, len(vocab.applicants), row_total_identity)
        rows[key] = row
    dispositions = [r.key for r in specs if r.key not in ("new_received", "carried_over", "total", "carried_forward")]
    settled = settle_by_columns(fits, dispositions)
    for key, fit in fits.items():
        if key in settled:
            fit = Fit(settled[key].values, settled[key].tokens, f"{fit.note}; {settled[key].note}", settled[key].ambiguous)
        _note(report, fit, f"applications {key}", rows[key])
        if fit.breaks_identity:
            # The message starts with the check's name, as the warehouse's identity checks name it.
            report.add_issue("warning", "identity_fails_every_split", f"row_applicants:{key}: the 总计 column is not "
                             "the sum of the applicant columns in any reading of the row's figures", rows[key].line)
        for applicant, value, tok in zip(vocab.applicants, fit.values, fit.tokens, strict=True):
            if value is None or tok is None:
                continue
            if _valid_count(value, "count", report, f"applications {key}/{applicant}", tok.line):
                report.cells.append(Cell("applications", key, applicant, int(value), tok.line))
    missing = [r.key for r in specs if r.key not in fits]
    if missing:
        report.add_issue("warning", "rows_missing", f"applications table has no row for {', '.join(missing)}")


def extract_reviews(tokens: list[Token], report: Report) -> None:
    vocab = vocabulary()
    rows = segment_rows(tokens)
    cells = [v for r in rows for v in r.values]
    if not cells:
        report.add_issue("warning", "table_missing", "the review and lawsuit table has no figures")
        return
    n = len(vocab.proceedings) * len(vocab.outcomes)
    fit = fit_row(cells, n, review_identity)
    _note(report, fit, "reviews", rows[0])
    for idx, (value, tok) in enumerate(zip(fit.values, fit.tokens, strict=True)):
        if value is None or tok is None:
            continue
        proceeding = vocab.proceedings[idx // len(vocab.outcomes)]
        outcome = vocab.outcomes[idx % len(vocab.outcomes)]
        if _valid_count(value, "count", report, f"reviews {proceeding}/{outcome}", tok.line):
            report.cells.append(Cell("reviews", proceeding, outcome, int(value), tok.line))


def _note(report: Report, fit: Fit, where: str, row: Row) -> None:
    if fit.note:
        report.add_issue("warning" if fit.ambiguous else "info",
                         "ambiguous_cells" if fit.ambiguous else "cells_repaired", f"{where}: {fit.note}", row.line)


def _valid_count(value: Decimal, measure: str, report: Report, where: str, line: int) -> bool:
    if value != value.to_integral_value():
        report.add_issue("warning", "not_a_count", f"{where}: {value} is not a whole number; left missing", line)
        return False
    if abs(value) > MAX_COUNT:
        report.add_issue("warning", "implausible_count", f"{where}: {value} is beyond any count a report states "
                         f"(over {MAX_COUNT:,}); left missing", line)
        return False
    if value < 0 and measure not in vocabulary().signed_measures:
        report.add_issue("warning", "negative_count", f"{where}: negative count {value}; left missing", line)
        return False
    return True


def _to_yuan(value: Decimal, tok: Token, row: Row, report: Report, key: str) -> Decimal:
    unit = tok.unit
    if unit not in ("元", "万元"):
        header = row.context[-120:]  # the fee or procurement table's own header, not the whole section
        if "万元" in header:
            unit = "万元"
        elif _YUAN_HEADER.search(header):
            unit = "元"
        else:
            unit = "万元"
            report.add_issue("warning", "unit_assumed", f"proactive {key}: no unit stated for {value}; read as "
                             "万元, the form's unit", tok.line)
    return value * WAN if unit == "万元" else value
