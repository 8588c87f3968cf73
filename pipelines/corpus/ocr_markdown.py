"""The ``ocr_markdown_rows`` family: an OCR-to-Markdown conversion that cuts the applications table into one small
table per row (or per group of numbered rows), each under a ### heading and a header the converter invents
(类别 | 数据1 … 数据6 | 总计), after 021_shuyang_county_gov_2025. Value cells are written as the Doc gives them.
"""

from __future__ import annotations

import random
import re

from .noise import Style
from .render import AppRow, Doc, Tables

DATA_HEADER = ["数据1", "数据2", "数据3", "数据4", "数据5", "数据6", "总计"]
# the header a converter put on the last block of 021 (the columns are still the applicants')
WRONG_HEADER = ["项目", "本年新收件数", "上年结转件数", "予以公开", "部分公开", "不予公开", "结转下年度", "总计"]
_OCR_PUNCT = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ","})


def _md(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]], dashes: str = "---") -> list[str]:
    return [_md(header), "|" + "|".join(dashes for _ in header) + "|", *(_md(r) for r in rows), ""]


def _spaced_title(title: str, spaced: bool) -> str:
    if not spaced:
        return title
    return re.sub(r"\s+", " ", re.sub(r"(\d{4})(年度?)", r" \1 \2 ", title)).strip()


def _applications(t: Tables, rng: random.Random) -> list[str]:
    layout = "2021" if any(r.key == "other_handling_unpaid_fee" for r in t.apps) else "2019"
    out = [t.app_note.translate(_OCR_PUNCT) if rng.random() < 0.5 else t.app_note, ""]
    if rng.random() < 0.6:  # the header cells, read as tables of their own holding only '-'
        out += ["### 申请人情况 (自然人)", *_table(["(数据项目)", "数量"], [["-", "-"]])]
        out += ["### 申请人情况 (法人或其他组织)", *_table(t.app_orgs, [["-"] * len(t.app_orgs)])]
        out += ["### 申请人情况 (总计)", *_table(["(数据项目)", "数量"], [["-", "-"]])]
    header = [rng.choice(("类别", "项目")), *DATA_HEADER]
    space_numbers = rng.random() < 0.5
    trap_key = ("other_handling_unpaid_fee" if layout == "2021" else "total") if rng.random() < 0.3 else None

    def label(r: AppRow) -> str:
        text = r.label
        if space_numbers:
            text = re.sub(r"^(\d)[.、]\s?", r"\1. ", text)
        return text

    def bare(text: str) -> str:  # the row's label in its cell, without the heading's numbering
        return re.sub(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十][）)]\s?)", "", text)

    block: list[list[str]] = []
    block_header = header

    def flush() -> None:
        nonlocal block
        if block:
            out.extend(_table(block_header, block))
        block = []

    trapped = False
    for r in t.apps:
        values = [c.text for c in r.cells]
        if r.key == trap_key:
            flush()
            trapped, block_header = True, WRONG_HEADER
        if trapped:
            block.append([label(r), *values])
            continue
        if r.level == "item":
            if r.group_first:
                flush()
                out += [f"### {r.group_label}", ""] if rng.random() < 0.3 else [f"### {r.group_label}"]
            block.append([label(r), *values])
            continue
        flush()
        if r.section_label:
            out += [f"### {r.section_label}", ""]
        out += [f"### {r.label}", *_table(header, [[bare(r.label), *values]])]
    flush()
    return out


def _reviews(t: Tables, rng: random.Random) -> list[str]:
    cells = [c.text for c in t.reviews]
    outs = list(t.rev_outcomes)
    if rng.random() < 0.7:
        out: list[str] = []
        for i, name in enumerate(("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")):
            out += [f"### {name}", *_table(outs, [cells[5 * i : 5 * i + 5]], dashes="----------")]
        return out
    head = ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]
    return _table(head, [outs + ["未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
                         [""] * 5 + outs + outs, cells])


def render_ocr_markdown(doc: Doc, style: Style, rng: random.Random) -> str:
    t = doc.tables
    assert t is not None
    lines: list[str] = list(doc.pre_title)
    lines += ["# " + _spaced_title("".join(doc.title), rng.random() < 0.6), ""]
    split_subheads = rng.random() < 0.4
    for kind, text in doc.blocks:
        if kind == "heading":
            lines += [f"## {text}", ""]
        elif kind == "para":
            m = re.match(r"^([（(][一二三四五六七八九十][）)][^。]{2,20}。)(.+)$", text)
            if split_subheads and m:
                lines += [f"### {m.group(1)}", m.group(2), ""]
            else:
                lines += [text, ""]
        elif text == "proactive":
            for b in t.proactive:
                lines += [f"### {b.heading}", *_table(b.header, [[r.label, *(c.text for c in r.cells)] for r in b.rows])]
        elif text == "applications":
            lines += _applications(t, rng)
        else:
            lines += _reviews(t, rng)
    lines += doc.signature
    return "\n".join(lines) + "\n"
