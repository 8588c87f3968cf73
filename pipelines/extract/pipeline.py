"""Bytes in, a Report out: decode, normalize, tokenize, find sections, map rows, check identities.

A pure function of the file's bytes (and its name, kept for provenance), so it can run in any process
or on any machine. It never raises: whatever goes wrong becomes an issue on the report.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import replace

from pipelines.extract.decode import UndecodableError, cut_off_tail, decode
from pipelines.extract.formats import READERS, Rendered, format_of_name, sniff
from pipelines.extract.identities import flag_identities
from pipelines.extract.layout import detect_layout
from pipelines.extract.metadata import extract_metadata
from pipelines.extract.multiple import detect_multiple_reports
from pipelines.extract.normalize import normalize_line
from pipelines.extract.prose_checks import cross_check_prose
from pipelines.extract.rendering import detect_rendering
from pipelines.extract.report import Report
from pipelines.extract.rows import segment_rows
from pipelines.extract.sections import flatten, split_sections
from pipelines.extract.tables import extract_applications, extract_proactive, extract_reviews
from pipelines.extract.tokens import tokenize_lines

# Bump when extraction would read any file differently: the registry re-extracts files read by another.
PARSER_VERSION = "2.0.0"


def report_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def extract_report(data: bytes, source: str) -> Report:
    report = Report(source=source, report_id=report_id_of(data))
    try:
        _extract(data, report)
    except Exception as e:  # noqa: BLE001 - the contract is: never raise, report instead
        report.cells.clear()
        report.add_issue("error", "parser_crash", f"{type(e).__name__}: {e}; "
                         f"{traceback.format_exc(limit=-1).strip().splitlines()[-2].strip()}")
    return report


def _extract(data: bytes, report: Report) -> None:
    data, cut = cut_off_tail(data)
    fmt = sniff(data)
    named = format_of_name(report.source)
    if named is not None and named != fmt:
        report.add_issue("info", "format_mismatch", f"the name says {named}, the content is {fmt}")
    page: Rendered | None = None
    reader = READERS.get(fmt)
    if reader is not None:
        try:
            page = reader(data)
        except UndecodableError as e:  # a scanned PDF, a Word file that is not one
            report.add_issue("error", e.code, str(e))
            return
        report.add_issue("info", "format", f"read as {fmt}")
        text_lines, report.encoding = page.lines, page.encoding
    else:
        try:
            decoded = decode(data)
        except UndecodableError as e:
            report.add_issue("error", e.code, str(e))
            return
        text_lines, report.encoding = decoded.text.splitlines(), decoded.encoding
    if cut:
        report.add_issue("warning", "truncated_file", cut)
    _extract_lines([normalize_line(ln) for ln in text_lines], report)
    if page is not None:
        # Lines counted so far are lines of the rendering; the report promises lines of the file, and where the
        # original says more (a table cell, a box on a page), that too.
        report.cells = [replace(c, line=page.source_line(c.line), origin=page.origin(c.line)) for c in report.cells]
        report.issues = [replace(i, line=page.source_line(i.line)) if i.line is not None else i for i in report.issues]


def _extract_lines(lines: list[str], report: Report) -> None:
    several = detect_multiple_reports(lines)
    if several:
        report.add_issue(several[0], "multiple_reports", several[1])
        if several[0] == "error":
            return
    meta = extract_metadata(lines)
    report.agency, report.year, report.published_on = meta.agency, meta.year, meta.published_on
    for severity, code, message, line in meta.issues:  # agency_missing, metadata_conflict, place_name_* …
        report.add_issue(severity, code, message, line)
    if report.year is None:
        report.add_issue("warning", "year_missing", "no report year was found in the title")
    report.rendering = detect_rendering(lines)
    tokens = tokenize_lines(lines, pipe_table=report.rendering in ("markdown", "pipe_cells", "tab_rows"))
    flattened = flatten(tokens)
    sections = split_sections(tokens, flattened)
    has_rows = bool(sections.get("applications")) and bool(segment_rows(sections["applications"]))
    flat = flattened[0]
    report.layout, why = detect_layout(flat, report.year, has_rows)
    report.add_issue("info", "layout", f"layout {report.layout}: {why}")
    if report.layout == "narrative":
        return  # figures in prose (行政许可2项 in a power list) are not the form's figures
    for name in ("proactive", "applications", "reviews"):
        if name not in sections:
            report.add_issue("warning", "section_missing", f"section {name} not found")
    if "proactive" in sections:
        extract_proactive(sections["proactive"], report.layout, report)
    if "applications" in sections:
        extract_applications(sections["applications"], report.layout, report)
    if "reviews" in sections:
        extract_reviews(sections["reviews"], report)
    flag_identities(report)
    cross_check_prose(report, lines)
