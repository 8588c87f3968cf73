"""Families of text that real conversions produce, drawn as variations of the seven renderings.

Each family is recorded in the truth record (``families: [...]``) so the evaluator can break its scores down.
They mimic what a converter or a publishing system writes (see /work/shared/corpus/real/), never what a parser
would find convenient:

- ``title_year_first``: the year before the agency in a two-line title (2021年金川市教育局 / 政府信息公开工作年度报告,
  关于2021年…的报告), under a page's breadcrumb (当前位置：首页 > 政务公开 > 年度报告).
- ``cms_fields``: a crawler's or CMS's field block (标题: …, 发布机构: …, 发布时间: …, 来源: …) above the body;
  the title names the region only, the 发布机构 field the office that publishes it (003_pingtan_2025).
- ``wrapped_tail_after_figures``: pdftotext -layout with a narrow label column: a row's figures stand on the line of
  its label's first part, the rest of the label on the lines after (3.要求提供公开  0 … / 出版物).
- ``total_only``: the applications table states only its 总计 column (aligned: the lone figure under 总计; run
  together: label and one figure).
- ``procurement_run_together``: 2019 layout, run together, the procurement amount written with its unit
  (政府集中采购012824.5056万元: 0 projects, 12824.5056 万元).
- ``ocr_markdown_rows``: OCR Markdown, one small table per row or group headed 类别 | 数据1 … 数据6 | 总计
  (021_shuyang_county_gov_2025); rendered by :mod:`pipelines.corpus.ocr_markdown`.
- ``renumbered_sections``: the narrative numbers its own parts 一..六, then the statistics restart at 一、主动公开…
  with prose figures (2024 年, 近 1400 个, 发布政府信息393件) around the tables (022_shanghai_stcsm_2024).
- ``place_typo``: OCR reads one character of the place wrong (沐阳县 for 沭阳县) in the title and signature, or
  throughout; the truth agency is the correct name.
"""

from __future__ import annotations

import random
from decimal import Decimal

from .render import ProBlock, Tables
from .truth import APPLICANTS, Key, Report, wan_to_yuan

FAMILIES = (
    "title_year_first",
    "cms_fields",
    "wrapped_tail_after_figures",
    "total_only",
    "procurement_run_together",
    "ocr_markdown_rows",
    "renumbered_sections",
    "place_typo",
)

OCR_RENDERINGS = ("pipe_cells", "tab_rows", "cell_lines", "markdown", "aligned_columns")

# (place as it is, its level, as OCR misreads it): one character off, a look-alike that names no other place
# (郴州 -> 彬州 would not do: 彬州市 exists, and a text that says 彬州 throughout is a report of 彬州)
TYPO_PLACES: tuple[tuple[str, str, str], ...] = (
    ("沭阳县", "county", "沐阳县"), ("睢宁县", "county", "雎宁县"), ("亳州市", "city", "毫州市"),
    ("泸州市", "city", "沪州市"), ("荥阳市", "city", "荣阳市"), ("汨罗市", "city", "汩罗市"),
    ("濉溪县", "county", "睢溪县"), ("郧西县", "county", "陨西县"), ("岷县", "county", "泯县"),
    ("盱眙县", "county", "盱贻县"), ("衢州市", "city", "瞿州市"), ("黟县", "county", "黝县"),
)


def draw_families(rng: random.Random, rendering: str, layout: str) -> list[str]:
    """The families a report shows; every draw is made whatever the rendering, so the rng advances alike."""
    tables = layout != "narrative"
    p = {name: rng.random() for name in FAMILIES}
    eligible = {
        "cms_fields": (rendering in ("run_together", "html_dump"), 0.35),
        "title_year_first": (rendering != "run_together", 0.15),
        "wrapped_tail_after_figures": (rendering == "aligned_columns" and tables, 0.4),
        "total_only": (rendering in ("aligned_columns", "run_together") and tables, 0.2),
        "procurement_run_together": (rendering == "run_together" and layout == "2019", 0.6),
        "ocr_markdown_rows": (rendering == "markdown" and tables, 0.4),
        "renumbered_sections": (tables, 0.1),
        "place_typo": (rendering in OCR_RENDERINGS, 0.08),
    }
    out = [name for name in FAMILIES if eligible[name][0] and p[name] < eligible[name][1]]
    if "cms_fields" in out and "title_year_first" in out:  # the CMS title is the region's
        out.remove("title_year_first")
    return out


# ---------------------------------------------------------------- titles and page chrome


def page_chrome(rng: random.Random) -> list[str]:
    crumb = rng.choice(("当前位置：首页 > 政务公开 > 年度报告", "当前位置：首页 > 政务公开 > 政府信息公开年报",
                        "当前位置: 首页 > 信息公开 > 政府信息公开年报 > 年度报告",
                        "您当前的位置：首页 > 政务公开 > 年度报告"))
    return [crumb, ""] if rng.random() < 0.6 else [crumb]


def year_first_title(rng: random.Random, year: int, agency: str) -> list[str]:
    """Two lines, as a web page or a PDF heading breaks them."""
    y = rng.choice((f"{year}年", f"{year}年度"))
    form = rng.choice(("plain", "plain", "about_work", "about_report"))
    if form == "plain":
        lines = [f"{y}{agency}", "政府信息公开工作年度报告"]
    elif form == "about_work":
        lines = [f"关于{y}{agency}政府信息公开", "工作情况的报告"]
    else:
        lines = [f"关于{y}{agency}政府信息公开工作", "年度报告的报告"]
    if rng.random() < 0.3:  # a width-based break instead of the phrase's own
        whole = "".join(lines)
        cut = rng.randint(len(whole) // 2 - 2, len(whole) // 2 + 2)
        lines = [whole[:cut], whole[cut:]]
    return lines


# ---------------------------------------------------------------- CMS field block


def office_agency(place: str, level: str) -> str:
    """The office that publishes a region's report (平潭综合实验区管委会办公室, 淮安市人民政府办公室)."""
    if level == "zone":
        return place + "管委会办公室"
    if level == "province":
        return place + "人民政府办公厅"
    return place + "人民政府办公室"


def cms_block(rng: random.Random, title: str, agency: str, place: str, stamp: str, url_id: int) -> list[str]:
    date = stamp.split(" ")[0]
    if rng.random() < 0.5:  # a crawler's archive (page.txt)
        ym = date[:7].replace("-", "")
        return [
            f"标题: {title}",
            f"发布时间: {stamp}",
            "文号: ",
            f"发布机构: {agency}",
            "栏目: 政府信息公开年报",
            f"原文链接: https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{ym}/t{date.replace('-', '')}_{url_id}.htm",
            "==================== 正文 ====================",
        ]
    source = rng.choice((place + "人民政府", "本站", agency))
    return [f"标题：{title}", f"发布机构：{agency}", f"发布日期：{date}", f"来源：{source}",
            f"索引号：{rng.randint(10**8, 10**9 - 1)}/{date[:4]}-{rng.randint(10000, 99999)}", ""]


_WE = {"city": "我市", "county": "我县", "district": "我区", "zone": "我区", "prefecture": "我州", "province": "我省"}


def cms_preamble(rng: random.Random, r: Report, place: str, level: str) -> str:
    notice = "国办公开办函〔2021〕30号" if r.layout == "2021" else "国办公开办函〔2019〕60号"
    me = _WE[level] if rng.random() < 0.6 else place
    return (f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）、《中华人民共和国政府信息公开工作年度报告格式》"
            f"（{notice}）等文件要求，{me}编制完成了本报告。本报告包括总体情况、主动公开政府信息情况、收到和处理政府"
            f"信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
            f"本报告所列数据统计期限为{r.year}年1月1日至{r.year}年12月31日。")


# ---------------------------------------------------------------- table families


def total_only_blanks(r: Report) -> set[Key]:
    return {k for k in r.cells() if k[0] == "applications" and k[2] in APPLICANTS}


def procurement_values(rng: random.Random, r: Report) -> None:
    """Reports that state an amount against 0 projects (政府集中采购012824.5056万元) exist; draw some."""
    if rng.random() < 0.5:
        decimals = rng.choice((0, 2, 4))
        wan = Decimal(rng.randint(1, 90_000)) + Decimal(rng.randrange(10**decimals)) / Decimal(10) ** decimals
        wan = wan.normalize() if wan != wan.to_integral_value() else Decimal(int(wan))
        r.proactive[("centralized_procurement", "projects")] = 0
        r.money_wan[("centralized_procurement", "amount_yuan")] = wan
        r.proactive[("centralized_procurement", "amount_yuan")] = wan_to_yuan(wan)


def procurement_units(rng: random.Random, tables: Tables, r: Report) -> None:
    """The amount cell carries its unit (万元, or 元 with the header in yuan)."""
    block: ProBlock = next(b for b in tables.proactive if any(row.cells[0].key[1] == "centralized_procurement"
                                                                  for row in b.rows))
    cell = block.rows[0].cells[1]
    wan = r.money_wan[("centralized_procurement", "amount_yuan")]
    if rng.random() < 0.7:
        cell.text = (f"{wan:.4f}" if rng.random() < 0.3 and wan else format(wan.normalize(), "f")) + "万元"
    else:
        yuan = wan_to_yuan(wan)
        cell.text = f"{yuan}.00元" if rng.random() < 0.5 else f"{yuan}元"
        block.header[2] = "采购总金额"
    if rng.random() < 0.5:
        block.header[2] = "采购总金额"


# ---------------------------------------------------------------- renumbered sections


def renumbered_blocks(rng: random.Random, r: Report, me: str, agency_ref: str,
                      closing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The narrative's own 一..六, then the statistics from 一 again, then the closing parts as 四 and 五."""
    y = r.year
    sp = " " if rng.random() < 0.6 else ""  # PDF text keeps a space between digits and CJK: 2024 年

    def n(x: object) -> str:
        return f"{sp}{x}{sp}"

    apps = r.applications
    new, carried = apps[("new_received", "total")], apps[("carried_over", "total")]
    granted, partial = apps[("granted", "total")], apps[("partially_granted", "total")]
    denied = sum(v for (row, a), v in apps.items() if a == "total" and row.startswith("denied_"))
    unavailable = sum(v for (row, a), v in apps.items() if a == "total" and row.startswith("unavailable_"))
    other = sum(v for (row, a), v in apps.items() if a == "total" and row.startswith("other_handling"))
    refused = sum(v for (row, a), v in apps.items() if a == "total" and row.startswith("not_processed_"))
    forward = apps[("carried_forward", "total")]
    published = rng.randint(40, 3000)
    regs = r.proactive.get(("normative_documents", "issued" if r.layout == "2021" else "new_published"), 0)
    media = rng.randint(30, 2000)
    rounded = max(100, media // 100 * 100)
    out: list[tuple[str, str]] = [
        ("heading", "一、总体情况"),
        ("para", f"{agency_ref}{n(y)}年深入贯彻《政府信息公开条例》，认真落实上级关于政务公开工作的各项部署，扎实推进"
                 f"政务公开工作。{n(y)}年{me}有{n(r.reviews[('review', 'total')])}件涉及政府信息公开工作的行政复议。"),
        ("heading", "二、工作机制保障"),
        ("para", f"{me}设立政务公开工作协调小组，统筹协调信息公开工作部门、法制部门、业务处室等共同推进政务公开任务。"),
        ("heading", "三、主动公开工作情况"),
        ("para", f"截至{n(y)}年 12 月 31 日，{me}通过部门网站当年发布政府信息{n(published)}件，其中包括：行政规范性文件"
                 f"{n(regs)}件；规划计划文件{n(rng.randint(0, 9))}件。"),
        ("heading", "四、政府信息公开申请情况"),
        ("para", f"全年收到政府信息公开申请{n(new)}件，上年结转政府信息公开申请{n(carried)}件。所有办结的信息公开申请中"
                 f"同意公开答复{n(granted)}件，部分公开答复{n(partial)}件，不予公开答复{n(denied)}件，无法提供的"
                 f"{n(unavailable)}件，不予处理{n(refused)}件，其他处理{n(other)}件，转下一年度办理答复的有{n(forward)}件。"),
        ("heading", "五、政府信息管理"),
        ("para", f"{me}及时发布最新版本的政府信息公开指南，动态调整权责清单和办事指南信息{n(rng.randint(5, 300))}项。"),
        ("heading", "六、政府信息公开平台建设"),
        ("para", f"{y}{sp}年，全系统在运维政务新媒体近{n(rounded)}个，网站全年累计发布信息{n(rng.randint(100, 9000))}条，"
                 f"其中政务信息发布{n(published)}条，解读类信息发布{n(rng.randint(0, 60))}条。"),
        ("heading", "一、主动公开政府信息情况"),
        ("table", "proactive"),
    ]
    if rng.random() < 0.5:
        out.append(("para", f"本年度通过门户网站发布政府信息{n(published)}件，其中行政规范性文件{n(regs)}件。"))
    out += [("heading", "二、收到和处理政府信息公开申请情况"), ("table", "applications")]
    if rng.random() < 0.5:
        out.append(("para", f"{y}{sp}年共受理政府信息公开申请{n(new + carried)}件，较上年{rng.choice(('增加', '减少'))}"
                            f"{n(rng.randint(1, 40))}件。"))
    out += [("heading", "三、政府信息公开行政复议、行政诉讼情况"), ("table", "reviews")]
    renamed = {"五、存在的主要问题及改进情况": "四、存在的主要问题及改进情况",
               "六、其他需要报告的事项": "五、其他需要报告的事项"}
    return out + [(kind, renamed.get(text, text) if kind == "heading" else text) for kind, text in closing]


# ---------------------------------------------------------------- place typo


def typo_record(place: str, printed: str, agency: str, throughout: bool) -> dict:
    return {"correct": place, "printed": printed, "agency_printed": agency.replace(place, printed),
            "scope": "throughout" if throughout else "title_signature"}


def misprint(lines: list[str], place: str, printed: str) -> list[str]:
    return [x.replace(place, printed) for x in lines]
