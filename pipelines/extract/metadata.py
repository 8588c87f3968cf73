"""Report metadata: the publishing agency, the year reported on, the date of publication.

Every place a person would look is read: the title (meta_title), a CMS's or crawler's fields, the signature, the
body's own words and the statistics period (meta_sources). Where two disagree the report says so
(metadata_conflict, naming both) and the more specific name wins; the place the name starts with is checked
against the GB/T 2260 divisions (meta_divisions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.extract.meta_dates import signature
from pipelines.extract.meta_divisions import check_place, is_place
from pipelines.extract.meta_names import (
    PLACE,
    STANDARD,
    MetaIssue,
    expand_from_body,
    is_bare_region,
    related,
    standard_abbreviation,
    subsequence,
)
from pipelines.extract.meta_sources import (
    Compact,
    Named,
    compact,
    compiler,
    fields,
    niandu_year,
    period_year,
    signed_name,
)
from pipelines.extract.meta_title import Title, find_title

__all__ = ["Metadata", "extract_metadata", "subsequence"]  # pipelines.agencies imports subsequence from here


@dataclass(frozen=True)
class Metadata:
    agency: str | None
    year: int | None
    published_on: str | None
    title_line: int | None
    agency_unsure: bool = False  # the title abbreviates the name and the body does not spell it out
    issues: tuple[MetaIssue, ...] = field(default=())


def extract_metadata(lines: list[str]) -> Metadata:
    issues: list[MetaIssue] = []
    title = find_title(lines)
    head = compact(lines)
    year = _year(title, head, issues)
    sig = signature(lines, year)
    agency, unsure = _agency(lines, title, signed_name(sig), head, issues)
    return Metadata(agency, year, sig.published_on, title.line if title else None, unsure, tuple(issues))


def _year(title: Title | None, head: Compact, issues: list[MetaIssue]) -> int | None:
    """The year reported on: the title's, else the statistics period's, else a 'YYYY年度' near the start. Never a
    date of publication: a report on 2021 is published in 2022."""
    period = period_year(head)
    if title and title.year is not None:
        if period and period[0] != title.year:
            issues.append(("warning", "metadata_conflict", f"the title gives the year {title.year}, the statistics "
                           f"period {period[0]} (line {period[1]}); read as the title's {title.year}", title.line))
        return title.year
    if period:
        return period[0]
    niandu = niandu_year(head)
    return niandu[0] if niandu else None


def _conflict(kept: Named, other: Named, chosen: str) -> MetaIssue:
    return ("warning", "metadata_conflict", f"the {_SOURCE.get(kept.source, kept.source)} names the agency "
            f"{kept.name}, the {_SOURCE.get(other.source, other.source)} {other.name} (line {other.line}); "
            f"read as {chosen}", kept.line)


_SOURCE = {"title": "title", "signature": "signature", "body": "text"}


class _Body:
    """The whole text without white space, made only when a name needs looking up in it."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(_WS.sub("", ln) for ln in self._lines)
        return self._text


_WS = re.compile(r"\s+")


def _abbreviated(name: str) -> bool:
    place = PLACE.search(name)
    return place is None or place.start() == 0 or standard_abbreviation(name) is not None


def _agency(lines: list[str], title: Title | None, signed: Named | None, head: Compact,
            issues: list[MetaIssue]) -> tuple[str | None, bool]:
    publishers, sources = fields(lines)
    chosen = Named("title", title.agency, title.line) if title and title.agency else None
    others = [n for n in (publishers[0] if publishers else None, signed) if n]
    for other in others:
        if chosen and (other.name == chosen.name or _one_off(other.name, chosen.name)):
            continue  # a spelling a character off is weighed against the divisions below
        if chosen is None:
            chosen = other
        elif not related(chosen.name, other.name):
            issues.append(_conflict(chosen, other, chosen.name))
        elif len(other.name) > len(chosen.name):
            if other.source != "signature" and is_bare_region(chosen.name):
                # The title names the region (平潭综合实验区), the CMS its office that published the report.
                issues.append(_conflict(chosen, other, other.name))
                chosen = other
            elif _abbreviated(chosen.name):
                chosen = other  # the same name spelled out
    # The body's own words, then the site's 来源, only where nothing better names the agency.
    chosen = chosen or compiler(head) or (sources[0] if sources else None)
    if chosen is None:
        issues.append(("warning", "agency_missing", "no title naming the agency was found", None))
        return None, False
    agency, line = chosen.name, chosen.line
    body = _Body(lines)
    unsure = False
    place = PLACE.search(agency)
    standard = standard_abbreviation(agency)
    if place is None or place.start() == 0:  # '教体局', '县文旅局': no place name before the unit
        full = expand_from_body(agency, body.text)
        unsure = full is None
        if unsure:
            issues.append(("warning", "agency_abbreviated", f"the title names the agency only as {agency}, "
                           "and the report does not spell the name out", line))
        agency = full or agency
    elif standard:
        full = expand_from_body(agency, body.text, prefix=standard[0])
        if full is None and is_place(standard[0]):
            full = standard[0] + STANDARD[standard[1]]
            issues.append(("warning", "agency_abbreviated", f"the title names the agency only as {agency}, and the "
                           f"report does not spell the name out; read as {full}, the usual full name of "
                           f"{standard[1]}", line))
        agency = full or agency
    for short, rest in (("办", "公室"), ("委", "员会")):  # 人民政府办 → 人民政府办公室 where the body says so
        if agency.endswith(short) and agency + rest in body.text:
            agency += rest
    checked = check_place(agency, head.text, line)
    issues.extend(checked.issues)
    for other in (*others, compiler(head)):
        if other and other.name not in (agency, checked.agency) and _one_off(other.name, agency):
            # 彬州市… in the title, 郴州市… in 本报告由…编制: both divisions, one of them misspelled.
            issues.append(_conflict(Named(chosen.source, agency, line), other, checked.agency))
            break
    return checked.agency, unsure


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
