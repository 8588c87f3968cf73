"""The place name an agency's name starts with, checked against the GB/T 2260 divisions.

The divisions come from the `cpca` package's resources/adcodes.csv (the dataset pipelines/agencies uses). That
module is not imported: pipelines.agencies imports this package's metadata module, so importing it from here
would be circular, and loading the csv takes a dozen lines.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pipelines.extract.meta_names import MetaIssue

_SUFFIX_CHARS = "省市县区旗州盟"
_GROUPING = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# County-level divisions set up after the dataset was made: a report naming one is not misspelled.
_NEWER = ("临平区", "钱塘区", "龙港市", "彬州市")
# Zones and parts of a city that are no division: "高新区" is one character off 高港区 and many more.
_GENERIC = re.compile(r"(?:新区|开发区|园区|实验区|示范区|试验区|合作区|保税区|自贸区|管理区|度假区|风景区|景区|林区|矿区|"
                      r"城区|郊区|社区|片区|辖区|港区|工业区|功能区|先行区|集聚区)$")
# A run holding a unit word is the agency's unit, not its place ("公安局鼓楼区分局").
_UNIT_CHARS = re.compile(r"[局委厅办院]|政府|中共|国家")


@dataclass(frozen=True)
class _Divisions:
    names: frozenset[str]
    codes: dict[str, tuple[str, ...]]  # full name -> six-digit codes (朝阳区 has two)
    name_of: dict[str, str]
    one_off: dict[str, tuple[str, ...]]  # "沭?县" -> names with any one character but the suffix replaced
    stems: frozenset[str]  # names without their last character: 洪泽县 is 洪泽区 renamed, not misspelled


def _csv_text() -> str:
    # find_spec locates the package without running its __init__ (which imports pkg_resources: 170 ms).
    spec = importlib.util.find_spec("cpca")
    if spec and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")


@cache
def _divisions() -> _Divisions:
    try:
        text = _csv_text()
    except (ImportError, OSError, ModuleNotFoundError):
        text = "adcode,name\n"  # without the dataset nothing is checked, nothing is flagged
    codes: dict[str, list[str]] = defaultdict(list)
    name_of: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        name = (row.get("name") or "").strip()
        code = (row.get("adcode") or "")[:6]
        if not name or name in _GROUPING or len(code) != 6:
            continue
        codes[name].append(code)
        name_of[code] = name
    one_off: dict[str, list[str]] = defaultdict(list)
    for name in codes:
        for i in range(len(name) - 1):
            one_off[name[:i] + "?" + name[i + 1:]].append(name)
    names = frozenset(codes) | frozenset(_NEWER)
    return _Divisions(names, {k: tuple(v) for k, v in codes.items()}, name_of,
                      {k: tuple(v) for k, v in one_off.items()}, frozenset(n[:-1] for n in names))


@cache
def _parent_pattern() -> re.Pattern[str] | None:
    d = _divisions()
    parents = sorted({n for n, cs in d.codes.items() if any(c[4:] == "00" for c in cs) and len(n) >= 3},
                     key=len, reverse=True)
    return re.compile("|".join(map(re.escape, parents))) if parents else None


def _path(code: str) -> str:
    d = _divisions()
    parts = [d.name_of.get(code[:2] + "0000"), d.name_of.get(code[:4] + "00")]
    return "".join(p for p in dict.fromkeys(parts) if p and p != d.name_of[code])


def _inside(code: str, parent: str) -> bool:
    if parent[2:] == "0000":
        return code[:2] == parent[:2] and code != parent
    return parent[4:] == "00" and code[:4] == parent[:4] and code != parent


@dataclass(frozen=True)
class PlaceCheck:
    agency: str  # corrected where the correction is certain enough, else as written
    issues: tuple[MetaIssue, ...]


def _leading(name: str) -> tuple[int, str | None]:
    """How many characters of the name are division names (淮安市洪泽区…), and the last one's code if certain."""
    d = _divisions()
    pos, parent = 0, None
    while pos < len(name):
        found = next((name[pos:pos + n] for n in range(min(12, len(name) - pos), 1, -1)
                      if name[pos:pos + n] in d.names), None)
        if not found:
            break
        codes = d.codes.get(found, ())
        if parent:
            codes = tuple(c for c in codes if _inside(c, parent))
        parent = codes[0] if len(codes) == 1 else None
        pos += len(found)
    return pos, parent


def is_place(name: str) -> bool:
    """The name is division names only (上海市, 江苏省宿迁市)."""
    return bool(name) and _leading(name)[0] == len(name)


def leading_places(name: str) -> int:
    """How many of the name's first characters are division names: 3 of 南岳区文旅广体局, 6 of 长沙市岳麓区人民政府."""
    return _leading(name)[0]


def parent_city(before: str, name: str) -> str | None:
    """The prefecture-level division (衡阳市) ending `before` that holds the division the `name` starts with (南岳区 of
    南岳区文旅广体局): the city a county's name is written after in full."""
    d = _divisions()
    place = next((name[:n] for n in range(min(12, len(name)), 1, -1) if name[:n] in d.names), None)
    if place is None or not before or before[-1] not in "市州盟区":  # 区: 地区
        return None
    for n in range(min(8, len(before)), 1, -1):
        city = before[-n:]
        for c in d.codes.get(city, ()):
            if c[4:] == "00" and c[2:] != "0000" and any(_inside(p, c) for p in d.codes.get(place, ())):
                return city
    return None


def check_place(agency: str, text: str, line: int | None) -> PlaceCheck:
    """Leading division names are consumed; a run after them that ends like a division (县, 市, 区 …) but is
    none is compared with the divisions one character off it."""
    d = _divisions()
    pos, parent = _leading(agency)
    for token in _tokens(agency[pos:]):
        if token in d.names or token[:-1] in d.stems:
            return PlaceCheck(agency, ())  # a division, or one renamed (洪泽县 → 洪泽区)
        names = {n for i in range(len(token) - 1) for n in d.one_off.get(token[:i] + "?" + token[i + 1:], ())}
        codes = sorted(c for n in names for c in d.codes[n])
        alike = [c for c in codes if _look_alike(token, d.name_of[c])]
        if len(token) == 2:  # 黝县: every two-character county is a character off; only a look-alike tells
            codes = alike
        if codes:
            return _decide(agency, pos, token, codes, alike, parent, text, line)
    return PlaceCheck(agency, ())


def _decide(agency: str, pos: int, token: str, codes: list[str], alike: list[str], parent: str | None, text: str,
            line: int | None) -> PlaceCheck:
    d = _divisions()
    pool = [c for c in codes if _inside(c, parent)] if parent else codes
    # The text spelling a candidate itself (title 陨西县, body 郧西县) outweighs every other clue.
    written = [c for c in pool if d.name_of[c] in text]
    if written:
        pool = written
    elif len(pool) > 1:  # 沐阳县 is a character off 沭阳县 and forty more; 沐/沭 is the look-alike
        pool = [c for c in pool if c in alike] or pool
        pool = pool if parent else _plausible(pool, text)
    if len(pool) == 1:
        right = d.name_of[pool[0]]
        fixed = agency[:pos] + right + agency[pos + len(token):]
        return PlaceCheck(fixed, (("warning", "place_name_corrected",
                                   f"the report spells the place {token}, which is no GB/T 2260 division; read as "
                                   f"{right} ({_path(pool[0])}{right}), the division a character off it: "
                                   f"agency {fixed}", line),))
    listed = ", ".join(f"{d.name_of[c]} ({_path(c)}{d.name_of[c]})"
                       for c in [*alike, *(c for c in codes if c not in alike)][:6])
    return PlaceCheck(agency, (("warning", "place_name_suspect",
                                f"{token} in the agency's name is no GB/T 2260 division; divisions one character "
                                f"off it: {listed}{', …' if len(codes) > 6 else ''}; kept as written", line),))


# Characters that OCR and typists confuse in place names (沭阳 read 沐阳, 睢宁 typed 雎宁, 亳州 as 毫州).
_LOOK_ALIKE_PAIRS = ("沭沐", "睢雎", "亳毫", "汨汩", "泸沪", "郴彬", "滦栾", "涿琢", "邗刊", "盱盰", "眙贻", "鄱潘",
                     "柘拓", "芮苪", "枞纵", "蠡蠢", "鄄甄", "郓恽", "荥荣", "莘辛", "崇祟", "沅沉", "儋瞻", "岷泯",
                     "兖衮", "砀场", "衢瞿", "洮桃", "泾经", "峄绎", "鄞勤", "歙翕", "黟黝", "婺务", "濮璞", "邳丕",
                     "濉睢", "郧陨", "颍颖")
_LOOK_ALIKE = frozenset(p for a, b in _LOOK_ALIKE_PAIRS for p in (a + b, b + a))


def _look_alike(written: str, division: str) -> bool:
    return any(a != b and a + b in _LOOK_ALIKE for a, b in zip(written, division, strict=True))


# A division's last character that begins a word instead: 郑县市场监督管理局 is 郑县 + 市场….
_NOT_END = re.compile(r"市场|市容|区域|县域|省级|市级|县级|区级|州级|市属|县属|区属")


def _tokens(rest: str) -> list[str]:
    """The runs up to each character a division ends with (沪州 then 沪州市 of 沪州市人民政府), until a unit word or a
    zone's name begins."""
    out = []
    for i, ch in enumerate(rest[:12]):
        if ch not in _SUFFIX_CHARS or i == 0 or _NOT_END.match(rest, i):
            continue
        token = rest[:i + 1]
        if _UNIT_CHARS.search(token) or _GENERIC.search(token):
            break
        out.append(token)
    return out


def _plausible(codes: list[str], text: str) -> list[str]:
    """Candidates in a prefecture or province the text names; where it names none, those whose name is unique in
    the country."""
    d = _divisions()
    pattern = _parent_pattern()
    named = {c for m in pattern.finditer(text[:20000]) for c in d.codes[m.group(0)]} if pattern else set()
    if named:
        return [c for c in codes if c[:2] + "0000" in named or c[:4] + "00" in named]
    return [c for c in codes if len(d.codes[d.name_of[c]]) == 1]
