"""Which edition of the standard form a report uses: 2021, 2019, or none (narrative)."""

from __future__ import annotations

from pipelines.extract.vocabulary import vocabulary


def detect_layout(flat: str, year: int | None, has_application_rows: bool) -> tuple[str, str]:
    """(layout, why) from the form's own header words; the report year decides a tie."""
    scores = {name: sum(bool(p.search(flat)) for p in patterns)
              for name, patterns in vocabulary().layout_markers.items()}
    by_year = None if year is None else ("2021" if year >= 2021 else "2019" if year >= 2019 else "narrative")
    best = max(scores.values())
    if best == 0 and not has_application_rows:
        return "narrative", "no standard table headers found"
    leaders = [k for k, v in scores.items() if v == best]
    if len(leaders) == 1 and best >= 2:
        return leaders[0], f"header words {scores}"
    if by_year in leaders or (best < 2 and by_year in ("2021", "2019")):
        return by_year, f"header words {scores} inconclusive; by report year {year}"
    if by_year == "narrative" and best < 2:
        return "narrative", f"report year {year} predates the standard tables; header words {scores}"
    return leaders[0], f"header words {scores}"
