"""The three standard tables: rows and cells of a section mapped to canonical cells."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from pipelines.extract.alignment import Fit, fit_row, whole_digits
from pipelines.extract.columns import Columns, columns_near
from pipelines.extract.crossrow import broken_identities, settle_by_columns
from pipelines.extract.header_order import (
    APPLICANT_HEADER,
    OUTCOME_HEADER,
    PROCEEDING_HEADER,
    header_groups,
    out_of_order,
)
from pipelines.extract.report import Cell, Report
from pipelines.extract.row_order import Placed, drop_page_numbers, is_prose, place_rows
from pipelines.extract.rows import Row, match_label, segment_rows
from pipelines.extract.tokens import Kind, Token
from pipelines.extract.vocabulary import vocabulary

WAN = Decimal(10000)
# No agency decides a trillion permits; a figure past this is a conversion artefact (digits of several cells
# or of a phone number run together), and it would not fit the warehouse's integer columns either.
MAX_COUNT = 10**12
COLUMN_SLACK = 4  # display columns a figure of aligned text may stand off its column
_OUTCOME_LABEL = re.compile(r"(?:结果维持|结果纠正|其他结果|尚未审结)$")
_YUAN_HEADER = re.compile(r"单位[::为]?元|\(元\)|以元(?:计|为单位)")


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


# The shape of each identity, for the digit splitter's constraint search: (blocks, cells per block, the last the sum).
row_total_identity.blocks = (1, 7)  # type: ignore[attr-defined]
review_identity.blocks = (3, 5)  # type: ignore[attr-defined]


def extract_proactive(tokens: list[Token], layout: str, report: Report) -> None:
    items = vocabulary().items_for(layout)
    found: dict[str, list[Row]] = {}
    for row in segment_rows(tokens):
        if is_prose(row) or _counts_information(row):
            continue
        key = match_label(row.label, ((i.key, i.patterns) for i in items))
        if key is not None:
            found.setdefault(key, []).append(row)
    for item in items:
        rows = found.get(item.key)
        if not rows:
            continue
        row = _the_table_row(rows, item.label, len(item.measures[layout]))
        if row is None:
            report.add_issue("warning", "duplicate_row", f"proactive {item.key}: {len(rows)} rows name it and none is "
                             "plainly the table's; left missing", rows[0].line, "proactive", item.key)
            continue
        if len(rows) > 1:
            report.add_issue("info", "duplicate_row", f"proactive {item.key}: {len(rows)} rows name it; the one whose "
                             f"label is the form's ({row.label[-20:]}) is read", row.line, "proactive", item.key)
        _proactive_row(row, item.key, item.measures[layout], report)
    missing = [i.key for i in items if i.key not in found]
    if len(missing) < len(items):
        for key in missing:
            report.add_issue("warning", "rows_missing", f"proactive table has no row for {key}", section="proactive",
                             row=key)


def _proactive_row(row: Row, key: str, measures: Sequence[str], report: Report) -> None:
    vocab = vocabulary()
    fit = fit_row(row.values, len(measures), signed=[m in vocab.signed_measures for m in measures])
    _note(report, fit, f"proactive {key}", row, key)
    for measure, value, tok in zip(measures, fit.values, fit.tokens, strict=True):
        if value is None or tok is None:
            continue
        if measure in vocab.money_measures:
            yuan = _to_yuan(value, tok, row, report, key)
            if yuan is not None:
                report.cells.append(Cell("proactive", key, measure, yuan, tok.line))
        elif _valid_count(value, measure, report, f"proactive {key}/{measure}", tok.line):
            report.cells.append(Cell("proactive", key, measure, int(value), tok.line))


_INFORMATION_ITEMS = re.compile(r"(?:信息|类信息|事项信息)$")


def _counts_information(row: Row) -> bool:
    """`行政许可信息 312 条` counts published items of information about permits, not the form's decisions."""
    nums = [t for t in row.values if t.kind is Kind.NUM]
    return bool(nums) and (all(t.unit == "条" for t in nums) or bool(_INFORMATION_ITEMS.search(row.label)))


def _the_table_row(rows: Sequence[Row], label: str, width: int) -> Row | None:
    """Of several rows naming an item, the one that is plainly the table's: a figure for each of its measures, and
    the form's own label (行政许可, not 行政许可事项清单); None when that does not single one out."""
    if len(rows) == 1:
        return rows[0]

    def score(r: Row) -> int:
        figures = sum(t.kind is Kind.NUM for t in r.values)
        plain = r.label.endswith(label) or r.label.endswith(label.removeprefix("行政"))
        return 2 * (figures == width) + plain

    best = max(score(r) for r in rows)
    top = [r for r in rows if score(r) == best]
    return top[0] if len(top) == 1 else None


def extract_applications(tokens: list[Token], layout: str, report: Report) -> None:
    vocab = vocabulary()
    specs = vocab.rows_for(layout)
    disorder = out_of_order(header_groups(tokens), APPLICANT_HEADER)
    if disorder:
        for spec in specs:
            report.add_issue("warning", "columns_out_of_order", f"applications {spec.key}: the header prints the "
                             f"applicant columns in another order than the form's ({disorder}); left missing",
                             section="applications", row=spec.key)
        return
    rows = drop_page_numbers(segment_rows(tokens))
    placed = place_rows(rows, specs, rows[-1].after if rows else "")
    n = len(vocab.applicants)
    fits: dict[str, Fit] = {}
    where: dict[str, Placed] = {}
    total_only = _states_only_totals(rows, n)
    column = _one_column(rows) if total_only else None
    for p in placed:
        if p.key is None:
            if not is_prose(p.row):
                report.add_issue("warning", "unmatched_row", "a row of figures that no row of the form fits in its "
                                 f"place: {p.row.label[-30:]}", p.row.line, "applications")
            continue
        fit = fit_row(p.row.values, n, row_total_identity)
        if fit.ambiguous and not any(t.kind is Kind.BLANK for t in p.row.values):
            columns = columns_near(rows, rows.index(p.row), n)
            if columns is not None:
                fit = _by_columns(p.row, columns, fit)
        if total_only:
            stated = _stated(p.row, column)
            if len(stated) == 1 and fit.ambiguous:
                dropped = len([t for t in p.row.values if t.kind is Kind.NUM]) - 1
                fit = Fit([None] * (n - 1) + [stated[0].value], [None] * (n - 1) + [stated[0]],
                          f"{dropped} figure(s) alone on their lines read as page numbers" if dropped else None)
        fits[p.key] = fit
        where[p.key] = p
        if p.contested:
            fit = Fit([None] * n, [None] * n, None)
            report.add_issue("warning", "row_contested", f"applications {p.key}: another row of figures has a label "
                             "naming the same row of the form; which one holds its figures is not certain, so they "
                             "are left missing", p.row.line, "applications", p.key)
            fits[p.key] = fit
            where[p.key] = p
            continue
        if p.by_position:
            report.add_issue("warning", "row_by_position", f"applications {p.key}: the row has no label the form "
                             "knows; read by its place between the rows around it", p.row.line, "applications", p.key)
    if total_only:
        report.add_issue("info", "totals_only", "the applications table states one figure per row: read as the "
                         "总计 column, the applicant columns left missing", section="applications")
    dispositions = [r.key for r in specs if r.key not in ("new_received", "carried_over", "total", "carried_forward")]
    settled = settle_by_columns(fits, dispositions)
    for key, fit in settled.items():
        fits[key] = Fit(fit.values, fit.tokens, f"{fits[key].note}; {fit.note}", fit.ambiguous, by_identity=True)
    # Readings the digits alone do not fix: a split the form's sums chose, a run-together string read as a
    # lone total. Where the table's sums then fail, they are the first to doubt.
    chosen = {k for k, f in fits.items() if f.by_identity or (total_only and f.tokens[-1] is not None
                                                               and f.tokens[-1].glued)}
    _withdraw_doubtful(fits, where, placed, [r.key for r in specs], dispositions, report, chosen)
    for key, fit in fits.items():
        row = where[key].row
        _note(report, fit, f"applications {key}", row, key)
        if fit.breaks_identity:
            # The message starts with the check's name, as the warehouse's identity checks name it.
            report.add_issue("warning", "identity_fails_every_split", f"row_applicants:{key}: the 总计 column is not "
                             "the sum of the applicant columns in any reading of the row's figures", row.line,
                             "applications", key)
        for applicant, value, tok in zip(vocab.applicants, fit.values, fit.tokens, strict=True):
            if value is None or tok is None:
                continue
            if _valid_count(value, "count", report, f"applications {key}/{applicant}", tok.line):
                report.cells.append(Cell("applications", key, applicant, int(value), tok.line))
    if fits:
        for spec in specs:
            if spec.key not in fits:
                report.add_issue("warning", "rows_missing", f"applications table has no row for {spec.key} "
                                 f"({spec.label})", section="applications", row=spec.key)
    else:
        report.add_issue("warning", "rows_missing", "applications table has no row of the form",
                         section="applications")


def _by_columns(row: Row, columns: Columns, fit: Fit) -> Fit:
    nums = [t for t in row.values if t.kind is Kind.NUM]
    if any(t.glued for t in nums):
        return fit
    placed = columns.place(nums)
    if placed is None:
        return fit
    values = [t.value if t is not None else None for t in placed]
    return Fit(values, placed, f"{len(nums)} figures placed in the columns they stand under; the other cells are "
               "blank")


def _stated(row: Row, column: float | None = None) -> list[Token]:
    """The row's figures, less page numbers: where the table's figures stand in one column of aligned text, those
    away from it; else those alone on a line between its cells, when others remain."""
    nums = [t for t in row.values if t.kind is Kind.NUM]
    if column is not None and len(nums) > 1:
        near = [t for t in nums if t.dcol >= 0 and abs(t.dcol - column) <= COLUMN_SLACK]
        if near:
            return near
    kept = [t for t in nums if not t.alone]
    return kept if kept else nums


def _one_column(rows: Sequence[Row]) -> float | None:
    """The display column most of a table's figures end in, when they do (a table that states only 总计)."""
    ends = [t.dcol for r in rows for t in r.values if t.kind is Kind.NUM and t.dcol >= 0]
    if len(ends) < 3:
        return None
    centre = sorted(ends)[len(ends) // 2]
    near = sum(abs(e - centre) <= COLUMN_SLACK for e in ends)
    return float(centre) if near * 4 >= len(ends) * 3 else None


def _states_only_totals(rows: Sequence[Row], n: int) -> bool:
    """A table that states one figure per row (pdftotext and crawler text often keep only 总计): several rows of
    a single figure too short to be run-together cells, and no row with a cell per column."""
    lone = full = 0
    column = _one_column(rows)
    for r in rows:
        nums = _stated(r, column)
        if len(nums) == 1 and len(r.values) < n and (not nums[0].glued or len(nums[0].text) < n):
            lone += 1
        elif len(nums) > 1:
            full += 1
    return lone >= 3 and full == 0


def _withdraw_doubtful(fits: dict[str, Fit], where: dict[str, Placed], placed: Sequence[Placed],
                       order: Sequence[str], dispositions: Sequence[str], report: Report,
                       chosen: set[str]) -> None:
    """Where the table's identities fail and some rows' places are in doubt, the doubtful rows' figures are left
    missing: a shifted row breaks the sums, and a wrong number must never stand. Doubt spreads from a row of
    figures that fits nowhere, and from a row of the form that is missing, to the rows beside them."""
    grid = {k: f.values for k, f in fits.items()}
    broken = broken_identities(grid, dispositions) if grid else []
    if not broken:
        return
    doubtful = {k for k, p in where.items() if not p.certain} | chosen
    sequence = [p.key for p in placed if p.key is not None or not is_prose(p.row)]
    for i, key in enumerate(sequence):
        if key is None:
            doubtful.update(k for k in (sequence[i - 1] if i else None, sequence[i + 1] if i + 1 < len(sequence)
                                        else None) if k is not None)
    present = [k for k in order if k in fits]
    for missing in (k for k in order if k not in fits):
        pos = order.index(missing)
        before = [k for k in present if order.index(k) < pos]
        after = [k for k in present if order.index(k) > pos]
        if before and after:
            doubtful.update((before[-1], after[0]))
    withdrawn = [k for k in order if k in doubtful & set(fits) and any(v is not None for v in fits[k].values)]
    if withdrawn:
        # Flagged here, as read: once the rows in doubt are withdrawn, the sums may no longer be checkable.
        applicants = vocabulary().applicants
        for name in broken:
            check, _, at = name.partition(":")
            label = applicants[int(at)] if at.isdigit() else at
            report.add_issue("warning", "identity_failed", f"{check}:{label}: the table's sums fail as its figures "
                             f"were read; the rows in doubt ({', '.join(withdrawn)}) are left missing",
                             section="applications", row=None if at.isdigit() else at)
    for key in withdrawn:
        fits[key] = Fit([None] * len(fits[key].values), [None] * len(fits[key].values), None)
        report.add_issue("warning", "row_withdrawn", f"applications {key}: the table's sums fail and this row's "
                         "reading is in doubt (its place, or a split of run-together digits that the sums chose); "
                         "its figures are left missing", where[key].row.line, "applications", key)


def extract_reviews(tokens: list[Token], report: Report) -> None:
    vocab = vocabulary()
    n = len(vocab.proceedings) * len(vocab.outcomes)
    groups = header_groups(tokens)
    disorder = out_of_order(groups, PROCEEDING_HEADER) or out_of_order(groups, OUTCOME_HEADER, cyclic=True)
    rows = _table_rows(segment_rows(tokens), n)
    if disorder is None and sum(bool(_OUTCOME_LABEL.search(r.label)) for r in rows) >= 3:
        disorder = "outcomes as rows, proceedings as columns"
    if disorder:
        for proceeding in vocab.proceedings:
            report.add_issue("warning", "columns_out_of_order", f"reviews {proceeding}: the table is not laid out "
                             f"as the form's ({disorder}); left missing", section="reviews", row=proceeding)
        return
    cells = [v for r in rows for v in r.values]
    if not cells:
        report.add_issue("warning", "table_missing", "the review and lawsuit table has no figures",
                         section="reviews")
        return
    fit = fit_row(cells, n, review_identity)
    width = len(vocab.outcomes)
    if fit.note:
        for b, proceeding in enumerate(vocab.proceedings):
            block = fit.values[b * width:(b + 1) * width]
            if fit.ambiguous and any(v is None for v in block) or not fit.ambiguous and b == 0:
                _note(report, fit, "reviews", rows[0], proceeding if fit.ambiguous else None)
    for idx, (value, tok) in enumerate(zip(fit.values, fit.tokens, strict=True)):
        if value is None or tok is None:
            continue
        proceeding = vocab.proceedings[idx // len(vocab.outcomes)]
        outcome = vocab.outcomes[idx % len(vocab.outcomes)]
        if _valid_count(value, "count", report, f"reviews {proceeding}/{outcome}", tok.line):
            report.cells.append(Cell("reviews", proceeding, outcome, int(value), tok.line))


def _table_rows(rows: Sequence[Row], n: int) -> list[Row]:
    """The rows of a table of n figures: prose rows left out, and the table ends once its n figures are in and
    words follow (a section whose next heading is missing runs on into prose)."""
    out: list[Row] = []
    count = 0
    for r in rows:
        if is_prose(r) or (count >= n and len(r.label) > 6):
            if count >= n:
                break
            continue
        out.append(r)
        count += sum(len(whole_digits(v)) if v.glued else 1 for v in r.values if v.kind is Kind.NUM)
    return out


def _note(report: Report, fit: Fit, where: str, row: Row, key: str | None = None) -> None:
    if fit.note:
        section = where.split()[0]
        report.add_issue("warning" if fit.ambiguous else "info",
                         "ambiguous_cells" if fit.ambiguous else "cells_repaired", f"{where}: {fit.note}", row.line,
                         section, key)


def _valid_count(value: Decimal, measure: str, report: Report, where: str, line: int) -> bool:
    """`where` is "section row/column": the issue goes on that row."""
    problem = None
    if value != value.to_integral_value():
        problem = ("not_a_count", f"{value} is not a whole number")
    elif abs(value) > MAX_COUNT:
        problem = ("implausible_count", f"{value} is beyond any count a report states (over {MAX_COUNT:,})")
    elif value < 0 and measure not in vocabulary().signed_measures:
        problem = ("negative_count", f"negative count {value}")
    if problem:
        section, _, rest = where.partition(" ")
        report.add_issue("warning", problem[0], f"{where}: {problem[1]}; left missing", line, section,
                         rest.split("/")[0])
    return problem is None


def _to_yuan(value: Decimal, tok: Token, row: Row, report: Report, key: str) -> Decimal | None:
    """Yuan from the unit the cell, the table's header or the note under it states; the form's 万元 assumed (and
    said so) only for the 2021 fee row, whose header is the form's own; None (missing) where units disagree or
    no unit is known at all (the 2019 form prints none for 采购总金额)."""
    unit = tok.unit if tok.unit in ("元", "万元") else None
    if unit is None:
        header = _unit_in(row.context[-120:])  # the fee or procurement table's own header, not the whole section
        note = _unit_in(row.after[:80])
        if header and note and header != note:
            report.add_issue("warning", "unit_unclear", f"proactive {key}: the header says {header}, the note under "
                             f"the table {note}; {value} left missing", tok.line, "proactive", key)
            return None
        unit = header or note
    if unit is None:
        if "收费金额" not in row.context[-120:]:
            report.add_issue("warning", "unit_unknown", f"proactive {key}: no unit stated for {value}; left missing",
                             tok.line, "proactive", key)
            return None
        unit = "万元"
        report.add_issue("warning", "unit_assumed", f"proactive {key}: no unit stated for {value}; read as 万元, the "
                         "form's unit", tok.line, "proactive", key)
    return value * WAN if unit == "万元" else value


def _unit_in(text: str) -> str | None:
    if "万元" in text:
        return "万元"
    return "元" if _YUAN_HEADER.search(text) else None
