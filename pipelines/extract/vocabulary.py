"""The standard tables' vocabulary, loaded once from vocabulary.json (the single place it lives)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    layouts: tuple[str, ...]
    ordinals: frozenset[str] = frozenset()  # numbering its label may start with: "1", "(三)", "四、"


@dataclass(frozen=True)
class ItemSpec:
    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    measures: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Vocabulary:
    layout_markers: dict[str, tuple[re.Pattern[str], ...]]
    items: tuple[ItemSpec, ...]
    money_measures: frozenset[str]
    signed_measures: frozenset[str]
    applicants: tuple[str, ...]
    rows: tuple[RowSpec, ...]
    proceedings: tuple[str, ...]
    outcomes: tuple[str, ...]
    sections: dict[str, tuple[re.Pattern[str], ...]]
    raw: dict

    def rows_for(self, layout: str) -> tuple[RowSpec, ...]:
        return tuple(r for r in self.rows if layout in r.layouts)

    def items_for(self, layout: str) -> tuple[ItemSpec, ...]:
        return tuple(i for i in self.items if layout in i.measures)


def _compile(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@cache
def vocabulary() -> Vocabulary:
    raw = json.loads(resources.files(__package__).joinpath("vocabulary.json").read_text(encoding="utf-8"))
    apps = raw["applications"]
    all_layouts = ("2021", "2019")
    return Vocabulary(
        layout_markers={k: _compile(v["markers"]) for k, v in raw["layouts"].items()},
        items=tuple(
            ItemSpec(i["item"], i["label"], _compile(i["patterns"]),
                     {lay: tuple(ms) for lay, ms in i["measures"].items()})
            for i in raw["proactive"]
        ),
        money_measures=frozenset(raw["money_measures"]),
        signed_measures=frozenset(raw["signed_measures"]),
        applicants=tuple(apps["applicants"]),
        rows=tuple(
            RowSpec(r["row"], r["label"], _compile(r["patterns"]), tuple(r.get("layouts", all_layouts)),
                    frozenset(r.get("ordinals", ())))
            for r in apps["rows"]
        ),
        proceedings=tuple(raw["reviews"]["proceedings"]),
        outcomes=tuple(raw["reviews"]["outcomes"]),
        sections={k: _compile(v) for k, v in raw["sections"].items()},
        raw=raw,
    )


def canonical_names() -> dict[str, frozenset[str]]:
    """Every allowed canonical name per key column, for schemas and tests."""
    v = vocabulary()
    return {
        "item": frozenset(i.key for i in v.items),
        "measure": frozenset(m for i in v.items for ms in i.measures.values() for m in ms),
        "row": frozenset(r.key for r in v.rows),
        "applicant": frozenset(v.applicants),
        "proceeding": frozenset(v.proceedings),
        "outcome": frozenset(v.outcomes),
        "layout": frozenset({"2021", "2019", "narrative"}),
    }
