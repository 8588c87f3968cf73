"""An agency's name → normalized key, region (province, prefecture, county, GB/T 2260 code), level, sector.

A name resolves only when its leading place names pick exactly one division; a name naming no division,
or one that several divisions share (朝阳区 is in Beijing and in Changchun), stays unresolved with the reason.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources

from pipelines.agencies.divisions import DATASET, Division, division_index
from pipelines.extract.metadata import subsequence

_NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国)")
_LEVEL_OF = {"province": "省级", "prefecture": "市级", "county": "县级"}


@dataclass(frozen=True)
class AgencyInfo:
    agency: str  # as the report gives it
    agency_key: str  # normalized: the same agency written two ways shares it
    province: str | None
    prefecture: str | None
    county: str | None
    division_code: str | None
    admin_level: str | None  # 国家级 / 省级 / 市级 / 县级
    sector: str | None
    region_status: str  # resolved / unresolved / ambiguous
    region_reason: str | None
    dataset: str = DATASET

    def as_row(self) -> dict:
        return asdict(self)


def normalize_name(name: str) -> str:
    """Full-width to half-width, no white space, Chinese brackets folded."""
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"[\s\u3000·•]+", "", text).replace("(", "(").replace(")", ")")


def describe_agency(agency: str) -> AgencyInfo:
    key = normalize_name(agency)
    sector = _sector(key)
    if _NATIONAL.match(key):
        return AgencyInfo(agency, key, None, None, None, None, "国家级", sector, "resolved", "a national body")
    chain, status, reason = _divisions(key)
    if not chain:
        return AgencyInfo(agency, key, None, None, None, None, None, sector, status, reason)
    idx = division_index()
    last = chain[-1]
    province = idx.by_code.get(last.province_code)
    prefecture = idx.by_code.get(last.prefecture_code) if last.prefecture_code else None
    return AgencyInfo(
        agency, key,
        province.name if province else None,
        prefecture.name if prefecture else None,
        last.name if last.level == "county" else None,
        last.code, _LEVEL_OF[last.level], sector, "resolved", reason,
    )


def describe_agencies(names: Iterable[str]) -> list[AgencyInfo]:
    """One AgencyInfo per distinct name; an abbreviated name (教体局) in the same division as a full name
    that contains its characters in order (…教育体育局) shares the full name's key."""
    infos = [describe_agency(n) for n in sorted(set(names))]
    out = []
    for info in infos:
        full = {o.agency_key for o in infos if o.division_code == info.division_code
                and o.division_code is not None and len(o.agency_key) > len(info.agency_key)
                and o.agency_key[-1] == info.agency_key[-1] and subsequence(info.agency_key, o.agency_key)}
        if len(full) == 1:
            info = AgencyInfo(**{**info.as_row(), "agency_key": full.pop()})
        out.append(info)
    return out


def _divisions(key: str) -> tuple[list[Division], str, str | None]:
    """Consume place names from the start of the name; each must lie inside the one before."""
    idx = division_index()
    pos = 0
    chain: list[Division] = []
    while pos < len(key):
        found = None
        for length in range(min(idx.max_name, len(key) - pos), 1, -1):
            options = idx.by_name.get(key[pos:pos + length])
            if options:
                found = (length, options)
                break
        if not found:
            break
        length, options = found
        if chain:
            options = tuple(d for d in options if chain[-1].contains(d))
            if not options:
                break
        if len(options) > 1:
            if chain:
                break
            codes = ", ".join(f"{d.code} {_path(d)}" for d in options[:6])
            return [], "ambiguous", f"'{key[pos:pos + length]}' names {len(options)} divisions: {codes}"
        chain.append(options[0])
        pos += length
    if not chain:
        return [], "unresolved", f"no administrative division of {DATASET} begins the name '{key}'"
    return chain, "resolved", None


def _path(d: Division) -> str:
    idx = division_index()
    parts = [idx.by_code.get(d.province_code), idx.by_code.get(d.prefecture_code or "")]
    return "".join(p.name for p in parts if p and p.code != d.code) + d.name


@cache
def _sector_rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    raw = json.loads(resources.files(__package__).joinpath("sectors.json").read_text(encoding="utf-8"))
    return tuple((name, re.compile(p)) for name, p in raw["sectors"])


def _sector(key: str) -> str | None:
    # The unit is at the end of the name: look there first, so 区教育局 is 教育 even where the place has 新区.
    for name, pattern in _sector_rules():
        if pattern.search(key):
            return name
    return None
