"""Report metadata: the publishing agency, the year reported on, the date of publication.

Every place a person would look is read: the title (meta_title), a CMS's or crawler's fields, the signature, the
body's own words and the statistics period (meta_sources). Where two disagree the report says so
(metadata_conflict, naming both) and the more specific name wins; the place the name starts with is checked
against the GB/T 2260 divisions (meta_divisions).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipelines.extract.meta_dates import signature
from pipelines.extract.meta_divisions import check_place, is_place, leading_places, parent_city
from pipelines.extract.meta_names import (
    PLACE,
    STANDARD,
    MetaIssue,
    abbreviated_unit,
    agency_like,
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
    head = compact(lines)
    period = period_year(head)
    title = find_title(lines, period[0] if period else None, head.text)
    year = _year(title, head, period, issues)
    sig = signature(lines, year)
    agency, unsure = _agency(lines, title, signed_name(sig), head, issues)
    return Metadata(agency, year, sig.published_on, title.line if title else None, unsure, tuple(issues))


def _year(title: Title | None, head: Compact, period: tuple[int, int] | None, issues: list[MetaIssue]) -> int | None:
    """The year reported on: the title's, else the statistics period's, else a 'YYYY年度' near the start. Never a
    date of publication: a report on 2021 is published in 2022."""
    if title and title.rivals and title.chosen_by != "period":
        others = "、".join(map(str, title.rivals))
        issues.append(("warning", "metadata_conflict", f"titles of several years stand alike at the start ({title.year}"
                       f", {others}), and no statistics period tells which is this report's; read as {title.year}, "
                       "the year the text writes most", title.line))
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
    return place is None or place.start() == 0 or standard_abbreviation(name) is not None \
        or abbreviated_unit(name[leading_places(name):])


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
        full = _spelled_out(agency, head.text) or expand_from_body(agency, body.text, prefix=standard[0])
        if full is None and is_place(standard[0]):
            full = standard[0] + STANDARD[standard[1]]
            issues.append(("warning", "agency_abbreviated", f"the title names the agency only as {agency}, and the "
                           f"report does not spell the name out; read as {full}, the usual full name of "
                           f"{standard[1]}", line))
        agency = full or agency
    else:  # 南岳区文旅广体局, 洪泽区人民政府, 长沙市岳麓区: a place, then a unit perhaps written short
        full = _spelled_out(agency, head.text)
        if full is None and abbreviated_unit(agency[leading_places(agency):]):
            unsure = True
            issues.append(("warning", "agency_abbreviated", f"the title names the agency only as {agency}, "
                           "and the report does not spell the name out", line))
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


def _spelled_out(agency: str, text: str) -> str | None:
    """The agency's name as the text spells it in full: its city before the place (衡阳市南岳区), the unit's every
    character in order (文旅广体局 → 文化旅游广电体育局), or both. A bare region is its government where the text
    names that (长沙市岳麓区 → 长沙市岳麓区人民政府, of 长沙市岳麓区人民政府办公室)."""
    lead = leading_places(agency)
    if lead == 0:
        return None
    government = None
    if lead == len(agency):
        if agency + "人民政府" not in text:
            return None
        agency = government = agency + "人民政府"
    place, unit = agency[:lead], agency[lead:]
    counts: Counter[str] = Counter()
    at = text.find(place)
    while at >= 0:
        after = at + lead
        rest = unit if text.startswith(unit, after) else _unit_at(text, after, unit)
        city = parent_city(text[max(0, at - 8): at], agency) if at and text[at - 1] in "市州盟区" else None
        if rest and (rest != unit or city) and agency_like(rest):
            counts[(city or "") + place + rest] += 1
        at = text.find(place, after)
    if not counts:
        return government
    return max(counts, key=lambda c: (counts[c], len(c)))


_INSIDE_NO_NAME = re.compile(r"[局委厅]|报告|根据|现将|截至|本局|我局|编制")


def _unit_at(text: str, start: int, unit: str) -> str | None:
    """The unit's name written at `start`, ending at the first place it holds the unit's characters in order: 文化旅游
    广电体育局 for 文旅广体局. Not the unit and more after it (人民政府政府信息公开…), nor two units (文化局和…体育局)."""
    stop = start
    while stop < len(text) and stop - start < 30 and "\u4e00" <= text[stop] <= "\u9fff":
        stop += 1
    end = text.find(unit[-1], start, stop)
    while end >= 0:
        rest = text[start: end + 1]
        if subsequence(unit, rest):
            if rest != unit and (rest.startswith(unit) or _INSIDE_NO_NAME.search(rest[:-1])
                                 or not rest.startswith(unit[0]) and not (rest.startswith("人民") and unit[0] == "政")):
                return None  # 政府网站教育局 is no 教育局 spelled out; 人民政府 is 政府's
            return rest + "员会" if rest.endswith("委") and text.startswith("员会", end + 1) else rest
        end = text.find(unit[-1], end + 1, stop)
    return None


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
