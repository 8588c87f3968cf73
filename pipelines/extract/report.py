"""The core's data model: a Report holds canonical cells (each with its source line) and issues."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Literal

Section = Literal["proactive", "applications", "reviews"]
Severity = Literal["info", "warning", "error"]

# The JSON export names the two keys of each section differently (see the spec).
SECTION_KEYS: dict[str, tuple[str, str]] = {
    "proactive": ("item", "measure"),
    "applications": ("row", "applicant"),
    "reviews": ("proceeding", "outcome"),
}


@dataclass(frozen=True)
class Origin:
    """Where in an original a value stands beyond its line: a table cell (HTML, Word) or a box on a page (PDF)."""

    page: int | None = None  # 1-based
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom in PDF points, top-left origin
    table: int | None = None  # 1-based, in document order
    row: int | None = None  # 1-based within its table (a merged cell: the first row it covers)
    col: int | None = None  # 1-based within its row, merged cells expanded

    def to_json(self) -> dict:
        out: dict = {}
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [round(v, 1) for v in self.bbox]
        if self.table is not None:
            out.update(table=self.table, table_row=self.row, table_col=self.col)
        return out


@dataclass(frozen=True)
class Cell:
    section: str
    key1: str
    key2: str
    value: int | Decimal
    line: int  # 1-based line of the file (text, HTML); of the text rendered from the original (Word, PDF)
    origin: Origin | None = None


@dataclass(frozen=True)
class Issue:
    severity: Severity
    code: str
    message: str
    line: int | None = None
    # The row the issue is about ("applications", "granted"), so a reader can tell whether a missing or doubtful
    # value carries a warning on its own row. None for issues about the whole report.
    section: str | None = None
    row: str | None = None


@dataclass
class Report:
    source: str
    report_id: str
    agency: str | None = None
    year: int | None = None
    layout: str | None = None
    published_on: str | None = None
    encoding: str | None = None
    rendering: str | None = None
    cells: list[Cell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def add_issue(self, severity: Severity, code: str, message: str, line: int | None = None,
                  section: str | None = None, row: str | None = None) -> None:
        self.issues.append(Issue(severity, code, message, line, section, row))

    def cell(self, section: str, key1: str, key2: str) -> Cell | None:
        for c in self.cells:
            if (c.section, c.key1, c.key2) == (section, key1, key2):
                return c
        return None

    def value(self, section: str, key1: str, key2: str) -> int | Decimal | None:
        c = self.cell(section, key1, key2)
        return None if c is None else c.value

    @property
    def rejected(self) -> bool:
        return any(i.severity == "error" for i in self.issues)

    def to_json(self) -> dict:
        """The export format of the spec (canonical-tables.md, 'JSON export'); keep it exactly so."""
        out: dict = {
            "source": self.source,
            "report_id": self.report_id,
            "agency": self.agency,
            "year": self.year,
            "layout": self.layout,
            "published_on": self.published_on,
        }
        for section, (k1, k2) in SECTION_KEYS.items():
            out[section] = [
                {k1: c.key1, k2: c.key2, "value": _json_number(c.value), "line": c.line,
                 **(c.origin.to_json() if c.origin else {})}
                for c in self.cells
                if c.section == section
            ]
        out["issues"] = [asdict(i) for i in self.issues]
        return out


def _json_number(v: int | Decimal) -> int | float:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v
