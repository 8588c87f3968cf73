"""Per-report noise: label variants, how numbers are written, line ends, encodings.

A :class:`Style` is drawn once per report; the renderers consult it. Number formatting keeps the value: the
truth is always the number the cell states (money converted to yuan).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

CN_NUM = "一二三四五六七八九十"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HALFWIDTH = str.maketrans("０１２３４５６７８９，．", "0123456789,.")

# renderings where a blank cell leaves a trace (the originals: an empty cell, ruled or standing in its column)
TABLE_BLANKS = ("pipe_cells", "tab_rows", "cell_lines", "markdown", "html_page", "docx", "pdf")


@dataclass
class Style:
    paren: str = "full"  # full （一） | half (一) | half_space (一)␠
    numbering: str = "."  # 1. | 1、 | 1.␠
    quotes: str = "“”"
    social_org: bool = False  # 社会组织 for 社会公益组织
    normative_short: bool = False  # 规范性文件 for 行政规范性文件
    prohibited_law: bool = False  # 其他法律法规禁止公开
    typo_abolished: bool = False  # 本年度止件数
    truncated_new: bool = False  # 本年新 for 本年新制作数量 / 本年新公开数量
    partial_short: bool = False  # （二）部分公开 without the parenthesis
    label_spaces: bool = False  # '(五) 不予 处理', '结果 维持'
    article_space: bool = False  # 第二十条 第（一）项
    fee_header: str = "本年收费金额（单位：万元）"
    procurement_header: str = "采购总金额（单位：万元）"
    fullwidth_p: float = 0.0
    separators: bool = False
    count_unit_p: float = 0.0  # 件 after counts in the proactive tables
    money_unit: str | None = None  # None | 万元 | 元 written in the money cell
    money_fixed4: bool = False  # 60.1790 rather than 60.179
    plus_sign: bool = False  # +5 for a positive 本年增/减
    crlf: bool = False
    encoding: str = "utf-8"
    page_breaks: bool = False  # page numbers and running headers inside tables
    blanks: str = "none"  # none | all_applicants | zero_cells
    title_form: str = "one_line"  # one_line | agency_above | niandu | short_name
    signature: bool = True
    date_form: str = "cn"  # cn 2022年1月17日 | iso 2022-01-17 | hanzi 二〇二二年一月十七日 | dotted 2022.1.17
    prose_between: bool = True

    def noise_list(self) -> list[str]:
        out = []
        for name in ("social_org", "normative_short", "prohibited_law", "typo_abolished", "truncated_new",
                     "partial_short", "label_spaces", "article_space", "separators", "money_fixed4", "plus_sign",
                     "crlf", "page_breaks", "prose_between"):
            if getattr(self, name):
                out.append(name)
        if self.paren != "full":
            out.append(f"paren_{self.paren}")
        if self.numbering != ".":
            out.append("numbering_" + {"、": "dun", ". ": "dot_space"}[self.numbering])
        if self.fullwidth_p:
            out.append("fullwidth_digits")
        if self.count_unit_p:
            out.append("count_units")
        if self.money_unit:
            out.append(f"money_unit_{'wan' if self.money_unit == '万元' else 'yuan'}")
        if self.encoding != "utf-8":
            out.append(f"encoding_{self.encoding}")
        if self.blanks != "none":
            out.append(f"blanks_{self.blanks}")
        out.append(f"title_{self.title_form}")
        out.append(f"date_{self.date_form}" if self.signature else "no_signature")
        return out


def draw_style(rng: random.Random, rendering: str, layout: str) -> Style:
    s = Style()
    run = rendering == "run_together"
    s.paren = rng.choice(("full", "full", "half", "half_space"))
    s.numbering = rng.choice((".", ".", "、", ". "))
    s.quotes = rng.choice(("“”", "“”", '""'))
    s.social_org = rng.random() < 0.25
    s.normative_short = rng.random() < (0.6 if layout == "2019" else 0.25)
    s.prohibited_law = rng.random() < 0.2
    s.typo_abolished = rng.random() < 0.1
    s.truncated_new = layout == "2019" and rng.random() < 0.15
    s.partial_short = rng.random() < 0.2
    s.label_spaces = rendering in ("tab_rows", "cell_lines", "markdown", "aligned_columns") and rng.random() < 0.3
    s.article_space = rng.random() < 0.2
    s.fee_header = rng.choice(("本年收费金额（单位：万元）", "本年收费金额（单位：万元）", "本年收费金额（万元）",
                               "本年收费金额（单位：万元，保留4位小数）"))
    s.procurement_header = rng.choice(("采购总金额（单位：万元）", "采购总金额（万元）", "采购总金额"))
    if not run:
        s.fullwidth_p = rng.choice((0.0, 0.0, 0.0, 0.15, 0.5))
        s.separators = rng.random() < 0.3
        s.count_unit_p = rng.choice((0.0, 0.0, 0.0, 0.5, 1.0))
        s.money_unit = rng.choice((None, None, None, "万元", "元"))
        s.plus_sign = layout == "2019" and rng.random() < 0.15
    if s.procurement_header == "采购总金额" and s.money_unit is None:
        s.procurement_header = "采购总金额（万元）"
    if s.money_unit == "元":
        s.fee_header = "本年收费金额"
        if s.procurement_header != "采购总金额":
            s.procurement_header = "采购总金额"
    s.money_fixed4 = rng.random() < 0.2
    s.crlf = not run and rng.random() < 0.2
    r = rng.random()
    s.encoding = "gbk" if r < 0.1 else "gb18030" if r < 0.18 else "utf-8"
    s.page_breaks = rendering not in ("run_together", "html_dump") and rng.random() < (0.8 if rendering == "aligned_columns"
                                                                                      else 0.3)
    if rendering in TABLE_BLANKS and layout != "narrative":
        s.blanks = rng.choice(("none", "none", "none", "all_applicants", "zero_cells"))
    s.title_form = rng.choice(("one_line", "one_line", "agency_above", "niandu", "short_name"))
    s.signature = rng.random() < 0.65
    s.date_form = rng.choice(("cn", "cn", "cn", "iso", "hanzi", "dotted"))
    s.prose_between = rng.random() < 0.5
    return s


# ---------------------------------------------------------------- labels


def paren(style: Style, n: int) -> str:
    c = CN_NUM[n - 1]
    if style.paren == "full":
        return f"（{c}）"
    if style.paren == "half":
        return f"({c})"
    return f"({c}) "


def numbered(style: Style, n: int, text: str) -> str:
    return f"{n}{style.numbering}{text}"


def article(style: Style, n: int) -> str:
    sep = " " if style.article_space else ""
    return f"第二十条{sep}第{paren(style, n).strip()}项"


def spaced(style: Style, rng: random.Random, text: str) -> str:
    """'不予处理' -> '不予 处理' now and then, when the report's labels carry stray spaces."""
    if not style.label_spaces or len(text) < 4 or rng.random() < 0.5:
        return text
    i = rng.randrange(2, len(text) - 1)
    if not ("\u4e00" <= text[i - 1] <= "\u9fff" and "\u4e00" <= text[i] <= "\u9fff"):
        return text
    return text[:i] + " " + text[i:]


def quoted(style: Style, text: str) -> str:
    return style.quotes[0] + text + style.quotes[1]


# ---------------------------------------------------------------- numbers


def to_fullwidth(s: str) -> str:
    return s.translate(FULLWIDTH)


def _group(int_text: str) -> str:
    neg = int_text.startswith("-")
    digits = int_text.lstrip("-")
    out = f"{int(digits):,}"
    return ("-" if neg else "") + out


def fmt_count(rng: random.Random, style: Style, value: int, *, unit_ok: bool = False, signed: bool = False) -> str:
    text = str(value)
    if style.separators and abs(value) >= 1000 and rng.random() < 0.85:
        text = _group(text)
    if signed and style.plus_sign and value > 0:
        text = "+" + text
    if style.fullwidth_p and rng.random() < style.fullwidth_p:
        text = to_fullwidth(text)
    if unit_ok and style.count_unit_p and rng.random() < style.count_unit_p:
        text += "件"
    return text


def fmt_money(rng: random.Random, style: Style, wan: Decimal) -> str:
    if style.money_unit == "元":
        yuan = int(wan * 10000)
        text = str(yuan)
        if style.separators and yuan >= 1000 and rng.random() < 0.85:
            text = _group(text)
        unit = "元"
    else:
        text = f"{wan:.4f}" if style.money_fixed4 and wan != 0 else format(wan.normalize(), "f")
        if style.separators and wan >= 1000 and rng.random() < 0.85:
            whole, _, frac = text.partition(".")
            text = _group(whole) + ("." + frac if frac else "")
        unit = style.money_unit or ""
    if style.fullwidth_p and rng.random() < style.fullwidth_p:
        text = to_fullwidth(text)
    return text + unit


def parse_cell_number(text: str) -> Decimal | None:
    """The value a rendered cell states, in the truth's units (yuan for money cells written in 万元).
    Used by the tests to check the truth against the text."""
    t = text.translate(HALFWIDTH).replace(",", "").strip()
    scale = Decimal(1)
    if t.endswith("万元"):
        t, scale = t[:-2], Decimal(10000)
    elif t.endswith("元") or t.endswith("件"):
        t = t[:-1]
    t = t.lstrip("+")
    try:
        return Decimal(t) * scale
    except ArithmeticError:
        return None


# ---------------------------------------------------------------- bytes


def encode(text: str, style: Style) -> tuple[bytes, str]:
    """Line ends and encoding. Falls back to GB18030 when GBK cannot encode a character."""
    if style.crlf:
        text = text.replace("\n", "\r\n")
    enc = style.encoding
    if enc == "gbk":
        try:
            return text.encode("gbk"), "gbk"
        except UnicodeEncodeError:
            enc = "gb18030"
    return text.encode(enc), enc
