"""China's administrative divisions from a maintained dataset shipped offline in a PyPI package.

The `cpca` package ships `resources/adcodes.csv` (12-digit codes whose first six digits are the GB/T 2260
code, and names). The hierarchy follows from the code: PP0000 province, PPCC00 prefecture, PPCCDD county.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

DATASET = "cpca (PyPI) resources/adcodes.csv"
_SUFFIX = re.compile(r"(?:自治州|自治县|自治旗|特别行政区|地区|新区|林区|省|市|县|区|旗|盟|州)$")
_GROUPING = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class Division:
    code: str  # six-digit GB/T 2260 code
    name: str

    @property
    def level(self) -> str:
        if self.code[2:] == "0000":
            return "province"
        if self.code[4:] == "00":
            return "prefecture"
        return "county"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def prefecture_code(self) -> str | None:
        return None if self.level == "province" else self.code[:4] + "00"

    def contains(self, other: Division) -> bool:
        if self.level == "province":
            return other.code[:2] == self.code[:2] and other.code != self.code
        if self.level == "prefecture":
            return other.code[:4] == self.code[:4] and other.code != self.code
        return False


@dataclass(frozen=True)
class DivisionIndex:
    by_code: dict[str, Division]
    by_name: dict[str, tuple[Division, ...]]  # full names and, for names of 3+ characters, short names
    max_name: int


def short_name(name: str) -> str | None:
    short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 and short != name else None


@cache
def division_index() -> DivisionIndex:
    text = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    by_code: dict[str, Division] = {}
    for row in csv.DictReader(text.splitlines()):
        name = row["name"].strip()
        if name in _GROUPING:
            continue
        d = Division(row["adcode"][:6], name)
        by_code[d.code] = d
    by_name: dict[str, list[Division]] = defaultdict(list)
    for d in by_code.values():
        by_name[d.name].append(d)
    for d in by_code.values():
        s = short_name(d.name)
        if s and d not in by_name[s]:
            by_name.setdefault(s, []).append(d)
    return DivisionIndex(by_code, {k: tuple(v) for k, v in by_name.items()}, max(len(k) for k in by_name))
