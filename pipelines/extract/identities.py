"""The form's own arithmetic (勾稽关系), checked on the extracted cells. Failures are flagged, never fixed."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract.report import Report
from pipelines.extract.vocabulary import vocabulary

BALANCE_ROWS = ("new_received", "carried_over", "total", "carried_forward")


@dataclass(frozen=True)
class Check:
    name: str
    expected: int
    actual: int

    @property
    def holds(self) -> bool:
        return self.expected == self.actual


def identity_checks(report: Report) -> list[Check]:
    """Every identity whose cells are all present."""
    if report.layout not in ("2021", "2019"):
        return []
    vocab = vocabulary()
    apps = {(c.key1, c.key2): int(c.value) for c in report.cells if c.section == "applications"}
    checks: list[Check] = []
    applicant_cols = vocab.applicants[:-1]
    for row in {r for r, _ in apps}:
        parts = [apps.get((row, a)) for a in applicant_cols]
        total = apps.get((row, "total"))
        known = [p for p in parts if p is not None]
        if total is not None and (len(known) == len(parts) or sum(known) > total):
            # With blank cells the identity can still fail: counts are never negative, so stated parts
            # that already exceed the total break it whatever the blanks hold.
            checks.append(Check(f"row_total:{row}", total, sum(known)))
    dispositions = [r.key for r in vocab.rows_for(report.layout) if r.key not in
                    ("new_received", "carried_over", "total", "carried_forward")]
    for a in vocab.applicants:
        n, o, t, f = (apps.get((r, a)) for r in BALANCE_ROWS)
        if None not in (n, o, t, f):
            checks.append(Check(f"balance:{a}", n + o, t + f))  # type: ignore[operator]
        parts = [apps.get((r, a)) for r in dispositions]
        known = [p for p in parts if p is not None]
        if t is not None and (len(known) == len(parts) or sum(known) > t):
            checks.append(Check(f"dispositions_sum:{a}", t, sum(known)))
    revs = {(c.key1, c.key2): int(c.value) for c in report.cells if c.section == "reviews"}
    for p in vocab.proceedings:
        parts = [revs.get((p, o)) for o in vocab.outcomes[:-1]]
        total = revs.get((p, "total"))
        if total is not None and all(x is not None for x in parts):
            checks.append(Check(f"review_total:{p}", total, sum(parts)))  # type: ignore[arg-type]
    return checks


def flag_identities(report: Report) -> None:
    for c in identity_checks(report):
        if not c.holds:
            report.add_issue("warning", "identity_failed",
                             f"{c.name}: the report states {c.expected}, its parts add up to {c.actual}",
                             section="reviews" if c.name.startswith("review") else "applications",
                             row=c.name.split(":")[1] if c.name.startswith(("row_total", "review")) else None)
