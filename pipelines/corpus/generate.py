"""Generate a synthetic corpus of 政府信息公开工作年度报告 with their ground truth.

    python -m pipelines.corpus.generate OUT_DIR --n 500 --seed 12345 [--inject-errors 0.1] [--formats all]

writes ``NNNNN_<rendering>.txt`` (bytes, in the report's encoding) and ``truth.jsonl`` (one object per report,
in file order). Deterministic for a given seed: only ``random.Random(seed)`` and streams named after it are used.
``--formats html_page,docx,pdf`` (or ``all``) also publishes reports as originals (``NNNNN_html_page.html``,
``NNNNN_docx.docx``, ``NNNNN_pdf.pdf``; pipelines.corpus.originals): they take the places a stream of their own
picks, every other file staying byte for byte the file of the corpus without them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from .families import (
    TYPO_PLACES,
    cms_block,
    cms_preamble,
    draw_families,
    misprint,
    office_agency,
    page_chrome,
    procurement_units,
    procurement_values,
    renumbered_blocks,
    total_only_blanks,
    typo_record,
    year_first_title,
)
from .marks import mark_tables, read_lines
from .noise import Style, draw_style, encode, fmt_count, fmt_money
from .ocr_markdown import render_ocr_markdown
from .originals import EXTENSIONS, ORIGINALS, render_original
from .render import (
    OUTCOME_LABELS,
    RENDERINGS,
    AppRow,
    Doc,
    ProBlock,
    ProRow,
    Tables,
    VCell,
    application_labels,
    proactive_labels,
    render,
)
from .truth import (
    APPLICANT_COLUMNS,
    APPLICANTS,
    MONEY_MEASURES,
    OUTCOMES,
    PROCEEDINGS,
    Key,
    Report,
    ambiguous_cells,
    gen_applications,
    gen_proactive,
    gen_reviews,
    inject_error,
    proactive_schema,
)

# ---------------------------------------------------------------- agencies

PLACES: tuple[tuple[str, str], ...] = (
    ("吉林省", "province"), ("福建省", "province"), ("山西省", "province"), ("甘肃省", "province"),
    ("黑龙江省", "province"), ("江西省", "province"), ("四川省", "province"), ("湖南省", "province"),
    ("淮安市", "city"), ("吕梁市", "city"), ("定西市", "city"), ("双辽市", "city"), ("南平市", "city"),
    ("赣州市", "city"), ("绵阳市", "city"), ("曲靖市", "city"), ("临沂市", "city"), ("襄阳市", "city"),
    ("岳阳市", "city"), ("遵义市", "city"), ("宝鸡市", "city"), ("张掖市", "city"), ("包头市", "city"),
    ("牡丹江市", "city"), ("丹东市", "city"), ("邯郸市", "city"), ("漳州市", "city"), ("柳州市", "city"),
    ("九江市", "city"), ("泉州市", "city"), ("湖州市", "city"), ("德阳市", "city"), ("白山市", "city"),
    ("宁都县", "county"), ("郧西县", "county"), ("平江县", "county"), ("桐庐县", "county"), ("安吉县", "county"),
    ("长兴县", "county"), ("寻乌县", "county"), ("沛县", "county"), ("睢宁县", "county"), ("凤县", "county"),
    ("清水县", "county"), ("会宁县", "county"), ("岷县", "county"), ("通渭县", "county"), ("将乐县", "county"),
    ("永春县", "county"), ("德化县", "county"), ("古田县", "county"), ("郑县", "county"), ("达拉特旗", "county"),
    ("哈尔滨市阿城区", "district"), ("广州市天河区", "district"), ("杭州市西湖区", "district"),
    ("成都市武侯区", "district"), ("南京市鼓楼区", "district"), ("武汉市洪山区", "district"),
    ("福州市仓山区", "district"), ("西安市雁塔区", "district"), ("长沙市岳麓区", "district"),
    ("济南市历下区", "district"), ("淮安市清江浦区", "district"), ("阿城区", "district"), ("鼓楼区", "district"),
    ("延边朝鲜族自治州", "prefecture"), ("恩施土家族苗族自治州", "prefecture"), ("湘西土家族苗族自治州", "prefecture"),
    ("黔东南苗族侗族自治州", "prefecture"), ("大理白族自治州", "prefecture"), ("甘南藏族自治州", "prefecture"),
    ("长阳土家族自治县", "county"), ("城步苗族自治县", "county"), ("孟村回族自治县", "county"),
    ("平潭综合实验区", "zone"), ("贵安新区", "zone"), ("兰州新区", "zone"), ("赣江新区", "zone"),
    ("长白山保护开发区", "zone"), ("横琴粤澳深度合作区", "zone"),
)
LEVELS = dict(PLACES) | {place: level for place, level, _ in TYPO_PLACES}

# (bureau form, provincial department form, abbreviation used in titles)
SECTORS: tuple[tuple[str, str, str | None], ...] = (
    ("教育局", "教育厅", None), ("教育体育局", "教育厅", "教体局"), ("公安局", "公安厅", None),
    ("卫生健康委员会", "卫生健康委员会", "卫健委"), ("人民政府", "人民政府", None), ("人民政府", "人民政府", None),
    ("人民政府办公室", "人民政府办公厅", "政府办"), ("交通运输局", "交通运输厅", "交通局"),
    ("市场监督管理局", "市场监督管理局", "市场监管局"), ("人力资源和社会保障局", "人力资源和社会保障厅", "人社局"),
    ("住房和城乡建设局", "住房和城乡建设厅", "住建局"), ("自然资源局", "自然资源厅", None),
    ("生态环境局", "生态环境厅", None), ("民政局", "民政厅", None), ("财政局", "财政厅", None),
    ("农业农村局", "农业农村厅", "农业农村局"), ("应急管理局", "应急管理厅", "应急局"), ("水利局", "水利厅", None),
    ("文化广电和旅游局", "文化和旅游厅", "文旅局"), ("司法局", "司法厅", None), ("审计局", "审计厅", None),
    ("发展和改革委员会", "发展和改革委员会", "发改委"), ("退役军人事务局", "退役军人事务厅", "退役军人局"),
    ("医疗保障局", "医疗保障局", "医保局"), ("统计局", "统计局", None),
)

LEVEL_PREFIX = {"city": "市", "county": "县", "district": "区", "prefecture": "州", "province": "省", "zone": ""}

TOPICS = {
    "教育": ("招生入学", "教师招聘", "学生资助", "教师资格认定", "校外培训治理"),
    "公安": ("户籍办理", "出入境管理", "交通安全", "治安管理", "反诈宣传"),
    "卫生": ("疫情防控", "医疗机构监管", "公共卫生", "家庭医生签约", "健康宣教"),
    "交通": ("道路运输", "公路建设", "城市公交", "农村公路养护", "运输执法"),
    "市场": ("食品安全", "特种设备", "价格监管", "市场主体登记", "知识产权保护"),
    "人力": ("就业创业", "社会保险", "人才引进", "劳动保障监察", "职业技能培训"),
    "住房": ("保障性住房", "建筑市场监管", "老旧小区改造", "物业管理", "住房公积金"),
}
DEFAULT_TOPICS = ("重大决策", "财政预决算", "重点项目", "民生实事", "行政执法")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def make_agency(rng: random.Random, place: str | None = None) -> tuple[str, str | None, str, str]:
    """(full name, title short name or None, place, sector); the place drawn unless given."""
    drawn, level = rng.choice(PLACES)
    if place is None:
        place = drawn
    level = LEVELS[place]
    bureau, dept, abbr = rng.choice(SECTORS)
    if level == "zone" and bureau == "人民政府":
        return place, None, place, bureau
    sector = dept if level == "province" else bureau
    full = place + sector
    short = (LEVEL_PREFIX[level] + abbr) if abbr and level != "province" else None
    if short and rng.random() < 0.4:
        short = abbr
    return full, short, place, sector


def _topics(sector: str) -> tuple[str, ...]:
    for k, v in TOPICS.items():
        if sector.startswith(k):
            return v
    return DEFAULT_TOPICS


def _self(sector: str) -> str:
    if "政府" in sector:
        return "本机关"
    if sector.endswith("委员会"):
        return "我委"
    if sector.endswith("厅"):
        return "我厅"
    return "我局"


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


# ---------------------------------------------------------------- dates

_HANZI_DIGITS = "〇一二三四五六七八九"


def _hanzi_number(n: int) -> str:
    if n < 10:
        return _HANZI_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _HANZI_DIGITS[tens]) + "十" + (_HANZI_DIGITS[ones] if ones else "")


def format_date(d: date, form: str) -> str:
    if form == "iso":
        return d.isoformat()
    if form == "dotted":
        return f"{d.year}.{d.month}.{d.day}"
    if form == "hanzi":
        year = "".join(_HANZI_DIGITS[int(c)] for c in str(d.year))
        return f"{year}年{_hanzi_number(d.month)}月{_hanzi_number(d.day)}日"
    return f"{d.year}年{d.month}月{d.day}日"


def publish_date(rng: random.Random, year: int, layout: str) -> date:
    if layout == "narrative" and rng.random() < 0.3:
        return date(year, 12, rng.randint(20, 31))
    return date(year + 1, 1, 1) + timedelta(days=rng.randint(5, 85))


# ---------------------------------------------------------------- prose


def _p(rng: random.Random, options: list[str]) -> str:
    return rng.choice(options)


def overview_paragraphs(rng: random.Random, r: Report, sector: str, agency_ref: str) -> list[tuple[str, str]]:
    y = r.year
    me = _self(sector)
    topics = _topics(sector)
    t1, t2 = rng.sample(topics, 2)
    out: list[tuple[str, str]] = [("heading", "一、总体情况")]
    out.append(("para", _p(rng, [
        f"{y}年，{agency_ref}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《中华人民共和国政府信息公开条例》，"
        f"围绕{t1}、{t2}等群众关注的重点领域，持续深化政务公开，切实保障人民群众的知情权、参与权、表达权和监督权。",
        f"{y}年，{me}按照上级关于政务公开工作的部署要求，结合工作职能，不断完善政务公开举措，"
        f"坚持以公开为常态、不公开为例外，推动{t1}等领域信息公开，取得了较好成效。",
    ])))
    n_info = rng.randint(20, 9000)
    out.append(("para", f"（一）主动公开情况。{y}年，{me}通过政府门户网站、政务新媒体等渠道主动公开政府信息"
                        f"{n_info}条，其中政策文件{rng.randint(0, 60)}件，政策解读{rng.randint(0, 40)}篇，"
                        f"召开新闻发布会{rng.randint(0, 12)}场。"))
    powers = rng.randint(20, 400)
    a, b, c = rng.randint(1, 60), rng.randint(1, 200), rng.randint(0, 20)
    out.append(("para", _p(rng, [
        f"全面梳理并公开权责清单，公开行政权力{powers}项，其中行政许可{a}项、行政处罚{b}项、行政强制{c}项。",
        f"在门户网站公开行政处罚信息{rng.randint(1, 500)}条、行政许可信息{rng.randint(1, 900)}条，"
        f"办理{t1}相关业务{rng.randint(100, 9000)}人次。",
    ])))
    total_new = r.applications.get(("new_received", "total"))
    if total_new is not None and rng.random() < 0.6:
        done = r.applications[("total", "total")]
        out.append(("para", f"（二）依申请公开情况。全年共收到政府信息公开申请{total_new}件，办结{done}件，"
                            f"均在法定期限内予以答复。"))
    else:
        out.append(("para", "（二）依申请公开情况。进一步规范依申请公开受理、审查、答复等环节，畅通申请渠道，"
                            "严格按照法定时限答复。"))
    out.append(("para", f"（三）政府信息管理。严格落实信息发布“三审三校”制度，全年开展保密审查{rng.randint(10, 900)}次，"
                        "动态更新政府信息公开目录。"))
    out.append(("para", f"（四）平台建设。持续优化政府网站栏目设置，加强政务新媒体管理，"
                        f"全年更新栏目信息{rng.randint(50, 5000)}条。"))
    out.append(("para", f"（五）监督保障。将政务公开纳入年度绩效考核，组织业务培训{rng.randint(1, 12)}次，"
                        f"参训人员{rng.randint(10, 600)}人次。"))
    return out


def between_text(rng: random.Random, section: str) -> str:
    options = {
        "proactive": ["本年度主动公开政府信息相关数据统计如下：", "主动公开政府信息情况详见下表。"],
        "applications": ["本年度收到和处理政府信息公开申请情况统计如下：", "依申请公开办理情况详见下表。"],
        "reviews": ["本年度因政府信息公开引起的行政复议、行政诉讼情况如下：", "复议诉讼情况详见下表。"],
        "after": ["以上数据由本机关政务公开工作机构汇总统计。", "表中数据统计口径与上级要求一致。",
                  "注：表中空白表示无此项内容。"],
    }
    return rng.choice(options[section])


def closing_paragraphs(rng: random.Random, r: Report, sector: str) -> list[tuple[str, str]]:
    y = r.year
    me = _self(sector)
    out: list[tuple[str, str]] = [("heading", "五、存在的主要问题及改进情况")]
    out.append(("para", _p(rng, [
        "一是政策解读形式不够丰富，图表图解、视频解读运用较少；二是信息公开的及时性有待进一步提高；"
        "三是工作人员业务能力需进一步提升。",
        f"对照上级要求和公众期待，{me}政务公开工作仍存在一些不足，主要表现在信息更新的时效性还需提升、公开范围仍需扩大。",
    ])))
    out.append(("para", f"{y + 1}年，{me}将进一步加强组织领导，完善工作机制，加大培训力度，"
                        f"计划组织专题培训{rng.randint(1, 6)}次，不断提升政务公开工作质量。"))
    out.append(("heading", "六、其他需要报告的事项"))
    out.append(("para", _p(rng, [
        f"依据《政府信息公开信息处理费管理办法》，{y}年发出收费通知{rng.randint(0, 3)}件，"
        f"实际收取金额{rng.choice((0, 0, 100, 3940))}元。",
        f"{y}年，{me}未收取政府信息公开信息处理费。",
        "无。",
        f"本年度{me}无其他需要报告的事项。",
    ])))
    return out


def narrative_paragraphs(rng: random.Random, r: Report, sector: str, agency_ref: str) -> list[tuple[str, str]]:
    y = r.year
    me = _self(sector)
    topics = _topics(sector)
    out: list[tuple[str, str]] = []
    out.append(("para", f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency_ref}{y}年度政府信息公开工作年度报告。"
                        "本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、政府信息公开的收费及减免情况、"
                        "因政府信息公开申请提起行政复议和行政诉讼的情况、存在的主要问题及改进措施等部分组成。"
                        f"本报告中所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。"))
    out.append(("heading", "一、概述"))
    out.append(("para", f"{y}年，{me}认真贯彻落实《条例》和上级有关要求，成立了信息公开工作领导小组，"
                        f"把信息公开工作分解到各科室，形成了“一把手负总责、分管领导具体抓”的工作机制。"))
    powers = rng.randint(20, 300)
    a, b = rng.randint(1, 40), rng.randint(1, 120)
    out.append(("heading", "二、主动公开政府信息情况"))
    out.append(("para", f"在政务服务网公开了《{agency_ref}权责清单》，公开行政权力{powers}项，其中行政许可{a}项、"
                        f"行政处罚{b}项、行政奖励{rng.randint(0, 5)}项、其他行政权力{rng.randint(0, 20)}项。"
                        f"全年通过门户网站发布各类信息{rng.randint(50, 3000)}条，其中{topics[0]}类{rng.randint(5, 200)}条、"
                        f"行政许可类信息{rng.randint(1, 60)}条，发布行政处罚{rng.randint(1, 60)}件。"))
    out.append(("para", f"办理{topics[1]}相关事项{rng.randint(100, 5000)}人次，公开随机抽查事项{rng.randint(1, 30)}项。"))
    out.append(("heading", "三、依申请公开政府信息情况"))
    out.append(("para", _p(rng, [f"{y}年，{me}未收到公民、法人或其他组织提出的政府信息公开申请。",
                                 "本年度未收到政府信息公开申请。",
                                 "进一步完善依申请公开工作制度，明确专人负责受理和答复工作。"])))
    out.append(("heading", "四、政府信息公开的收费及减免情况"))
    out.append(("para", "本年度未收取任何政府信息公开相关费用，也未发生减免情况。"))
    out.append(("heading", "五、因政府信息公开申请提起行政复议、行政诉讼的情况"))
    out.append(("para", "本年度未发生因政府信息公开申请提起行政复议、行政诉讼的情况。"))
    out.append(("heading", "六、存在的主要问题及改进措施"))
    out.append(("para", f"{y + 1}年，{me}将继续加大信息公开工作力度，不断拓展公开渠道，更好地服务公众。"))
    return out


def preamble(rng: random.Random, r: Report, agency: str, place: str) -> str:
    notice = "国办公开办函〔2021〕30号" if r.layout == "2021" else "国办公开办函〔2019〕60号"
    phone = f"0{rng.randint(10, 999)}-{rng.randint(2000000, 89999999)}"
    return (f"本报告由{agency}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开"
            f"办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{notice}）要求编制。"
            f"报告所列数据的统计期限自{r.year}年1月1日起至{r.year}年12月31日止。如对本报告有疑问，请与{agency}联系"
            f"（地址：{place}{rng.choice(('人民路', '解放路', '中山路', '建设大街'))}{rng.randint(1, 300)}号，"
            f"邮编：{rng.randint(100000, 850000)}，电话：{phone}）。")


# ---------------------------------------------------------------- building a report


def _kind(item: str, measure: str) -> str:
    if (item, measure) in MONEY_MEASURES:
        return "money"
    return "signed" if measure == "items_change" else "int"


def build_tables(rng: random.Random, r: Report, style: Style, blank: set[Key]) -> Tables:
    blocks: list[ProBlock] = []
    schema = dict(proactive_schema(r.layout))
    for heading, header, items in proactive_labels(style, r.layout):
        rows = []
        for item, label in items:
            measures = schema[item]
            cells = []
            for m in measures:
                key = ("proactive", item, m)
                if (item, m) in MONEY_MEASURES:
                    text = fmt_money(rng, style, r.money_wan[(item, m)])
                else:
                    text = fmt_count(rng, style, r.proactive[(item, m)], unit_ok=True, signed=m == "items_change")
                cells.append(VCell(key, text))
            rows.append(ProRow(label, cells))
        blocks.append(ProBlock(heading, header, rows))
    apps: list[AppRow] = application_labels(style, rng, r.layout)
    for row in apps:
        row.cells = [
            VCell(("applications", row.key, a), "" if ("applications", row.key, a) in blank
                  else fmt_count(rng, style, r.applications[(row.key, a)]))
            for a in APPLICANT_COLUMNS
        ]
    reviews = [VCell(("reviews", p, o), fmt_count(rng, style, r.reviews[(p, o)])) for p in PROCEEDINGS for o in OUTCOMES]
    return Tables(
        proactive=blocks,
        app_note="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        app_applicant="申请人情况",
        app_natural="自然人",
        app_legal="法人或其他组织",
        app_orgs=["商业企业", "科研机构", "社会组织" if style.social_org else "社会公益组织", "法律服务机构", "其他"],
        app_total="总计",
        apps=apps,
        rev_outcomes=list(OUTCOME_LABELS),
        reviews=reviews,
    )


def choose_blanks(rng: random.Random, r: Report, style: Style) -> set[Key]:
    blank: set[Key] = set()
    if style.blanks == "all_applicants":
        blank = {k for k in r.cells() if k[0] == "applications" and k[2] in APPLICANTS}
    elif style.blanks == "zero_cells":
        p = rng.choice((0.3, 0.7, 1.0))
        blank = {k for k in r.cells() if k[0] == "applications" and k[2] in APPLICANTS and r.value(k) == 0
                 and rng.random() < p}
    return blank


def build_doc(rng: random.Random, r: Report, style: Style, rendering: str, short: str | None, place: str,
              sector: str, tables: Tables | None, families: tuple[str, ...] = (),
              frng: random.Random | None = None) -> Doc:
    """The report's text before rendering. ``frng`` makes the families' draws, so a report without families
    consumes ``rng`` as before."""
    frng = frng or random.Random(0)
    cms = "cms_fields" in families
    typo = "place_typo" in families  # the misprint is the title's and the signature's: they name the place
    y = r.year
    agency = r.agency
    title_year = f"{y}年度" if style.title_form == "niandu" else f"{y}年"
    sep = " " if rendering == "aligned_columns" and rng.random() < 0.5 else ""
    if style.title_form == "agency_above":
        title = [agency, f"{title_year}{sep}政府信息公开工作年度报告"]
    elif style.title_form == "short_name" and short and not typo:
        title = [f"{short}{title_year}政府信息公开工作年度报告"]
    else:
        title = [f"{agency}{title_year}政府信息公开工作年度报告"]
        if rng.random() < 0.2 and rendering not in ("run_together",):
            title = [f"{agency}{title_year}", "政府信息公开工作年度报告"]
    agency_ref = agency if (style.title_form == "short_name" or rng.random() < 0.5) else (short or agency)
    pre_title: list[str] = []
    if "title_year_first" in families:
        title = year_first_title(frng, y, agency)
        pre_title = page_chrome(frng) if rendering != "html_dump" else []
    if cms:  # the title names the region; the field block names the office
        title = [f"{place}{title_year}政府信息公开工作年度报告"]
        agency_ref = place
    blocks: list[tuple[str, str]] = []
    if r.layout == "narrative":
        blocks += narrative_paragraphs(rng, r, sector, place if cms else agency)
    elif "renumbered_sections" in families:
        blocks.append(("para", cms_preamble(frng, r, place, LEVELS[place]) if cms else preamble(rng, r, agency, place)))
        blocks += renumbered_blocks(frng, r, _self(sector), agency_ref, closing_paragraphs(rng, r, sector))
    else:
        blocks.append(("para", cms_preamble(frng, r, place, LEVELS[place]) if cms else preamble(rng, r, agency, place)))
        blocks += overview_paragraphs(rng, r, sector, agency_ref)
        for section, heading in (("proactive", "二、主动公开政府信息情况"),
                                 ("applications", "三、收到和处理政府信息公开申请情况"),
                                 ("reviews", "四、政府信息公开行政复议、行政诉讼情况")):
            blocks.append(("heading", heading))
            if style.prose_between and rng.random() < 0.6:
                blocks.append(("para", between_text(rng, section)))
            blocks.append(("table", section))
            if style.prose_between and rng.random() < 0.3:
                blocks.append(("para", between_text(rng, "after")))
        blocks += closing_paragraphs(rng, r, sector)
    signature: list[str] = []
    if style.signature and r.published_on:
        d = format_date(date.fromisoformat(r.published_on), style.date_form)
        signature = rng.choice(([agency, d], [f"{agency} {d}"], [d], [agency, d]))
        if cms:
            signature = [d]
        elif typo and signature == [d]:
            signature = [agency, d]
    running = f"{agency}{y}年政府信息公开工作年度报告"
    doc = Doc(agency=agency, title=title, blocks=blocks, signature=signature, tables=tables, running_header=running,
              pre_title=pre_title, families=list(families))
    chrome_date = f"{r.published_on} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}" if r.published_on else None
    source = rng.choice((agency, "本站", f"{place}人民政府办公室", f"{place}人民政府"))
    if rendering == "html_dump":
        doc.chrome_top = [
            f"网站首页 | 政务公开 | 政务服务 | 互动交流 | 走进{place}",
            "当前位置：首页 > 政务公开 > 政府信息公开 > 政府信息公开年报",
            "",
            title[0] if len(title) == 1 else "".join(title),
            (f"发布时间：{chrome_date}　" if chrome_date else "") + f"来源：{source}　浏览次数：{rng.randint(10, 9999)}",
            "【字体：大 中 小】",
            "",
        ]
        doc.chrome_bottom = [
            "",
            f"责任编辑：{_person(rng)}",
            "分享到：",
            rng.choice(("【打印本页】 【关闭窗口】", "[ 打印本页 | 关闭窗口 ]")),
            "",
            f"主办单位：{place}人民政府办公室　承办单位：{place}大数据中心",
            f"网站标识码：{rng.randint(1000000000, 9999999999)}　ICP备{rng.randint(10000000, 99999999)}号",
        ]
    elif rendering == "run_together":
        doc.chrome_top = [
            "当前位置：", "首页政务公开政府信息公开政府信息公开年报", "".join(title), f"来源：{source}",
            *( [f"时间：{chrome_date}"] if chrome_date else []), "微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： -->",
        ]
        doc.chrome_bottom = [rng.choice(("附件下载", "【打印本页】【关闭窗口】", "扫一扫在手机打开当前页"))]
    if "title_year_first" in families and rendering == "html_dump":
        doc.chrome_top[1] = page_chrome(frng)[0]
    if cms and r.published_on:
        stamp = chrome_date or r.published_on
        doc.head_block = cms_block(frng, "".join(title), agency, place, stamp, frng.randint(10000, 99999))
    return doc


def run_together_unscored(tables: Tables) -> list[list[str]]:
    """Cells a run-together rendering leaves ambiguous: for each table row, the cells on which the splits of
    its concatenated digits that satisfy the row's identity disagree. Blank cells leave nothing in the text (and
    no identity to lean on); a unit written in a cell (12824.5056万元) ends it but is no digit."""
    out: list[list[str]] = []

    def row(cells: list[VCell], kinds: list[str], identity: str | None) -> None:
        stated = [(c, k) for c, k in zip(cells, kinds, strict=True) if c.text]
        if len(stated) < len(cells):
            identity = None
        texts = [c.text.removesuffix("万元").removesuffix("元") for c, _ in stated]
        truth = tuple(Decimal(t) for t in texts)
        for i in ambiguous_cells("".join(texts), [k for _, k in stated], identity, truth):
            out.append(list(stated[i][0].key))

    for b in tables.proactive:
        for r in b.rows:
            row(r.cells, [_kind(c.key[1], c.key[2]) for c in r.cells], None)
    for r in tables.apps:
        row(r.cells, ["int"] * 7, "row_sum")
    row(tables.reviews, ["int"] * 15, "blocks5")
    return out


def truth_record(r: Report, blank: set[Key], lines: dict[Key, int] | None = None) -> dict:
    """The stated cells; each with the line it stands on where that line holds one table row only."""
    out: dict[str, list[dict]] = {"proactive": [], "applications": [], "reviews": []}
    names = {"proactive": ("item", "measure"), "applications": ("row", "applicant"), "reviews": ("proceeding", "outcome")}
    for key in r.cells():
        if key in blank:
            continue
        section, k1, k2 = key
        f1, f2 = names[section]
        cell: dict = {f1: k1, f2: k2, "value": r.value(key)}
        if lines and key in lines:
            cell["line"] = lines[key]
        out[section].append(cell)
    return out


def generate_report(rng: random.Random, index: int, rendering: str, layout: str, inject_errors: float,
                    frng: random.Random | None = None, orng: random.Random | None = None) -> tuple[bytes, dict]:
    """One report and its truth record. ``frng`` draws the families (pipelines.corpus.families) and everything
    they decide, so the draws of ``rng`` are those of a report without families as far as they go; ``orng`` draws
    what an original's format decides (pipelines.corpus.originals), for the renderings html_page, docx and pdf."""
    frng = frng or random.Random(f"families/{index}")
    original = rendering in ORIGINALS
    families = draw_families(frng, rendering, layout)
    if layout == "2021":
        year = rng.randint(2021, 2024)
    elif layout == "2019":
        year = rng.randint(2019, 2020)
    else:
        year = rng.randint(2015, 2018)
    typo = frng.choice(TYPO_PLACES) if "place_typo" in families else None
    agency, short, place, sector = make_agency(rng, typo[0] if typo else None)
    if "cms_fields" in families:
        agency, short, sector = office_agency(place, LEVELS[place]), None, "人民政府办公室"
    r = Report(agency=agency, year=year, layout=layout)
    style = draw_style(rng, rendering, layout)
    dated = style.signature or "cms_fields" in families  # a CMS page always carries its date
    r.published_on = publish_date(rng, year, layout).isoformat() if dated else None
    is_gov = "政府" in sector or place == agency
    scale = rng.choices((0, 1, 2, 3), (4, 4, 2, 1 + 2 * is_gov))[0]
    tables = None
    blank: set[Key] = set()
    if layout != "narrative":
        gen_proactive(rng, r, scale, is_gov)
        gen_applications(rng, r, scale)
        gen_reviews(rng, r, scale)
        if "procurement_run_together" in families:
            procurement_values(frng, r)
        blank = choose_blanks(rng, r, style)
        if "total_only" in families:
            blank = total_only_blanks(r)
        if inject_errors and rng.random() < inject_errors:
            inject_error(rng, r, blank)
        tables = build_tables(rng, r, style, blank)
        if "procurement_run_together" in families:
            procurement_units(frng, tables, r)
    doc = build_doc(rng, r, style, rendering, short, place, sector, tables, tuple(families), frng)
    throughout = False
    if typo:
        doc.title, doc.signature = misprint(doc.title, place, typo[2]), misprint(doc.signature, place, typo[2])
        throughout = frng.random() < 0.5
    drawn: dict | None = None
    lines: dict[Key, int] = {}
    if original:  # no lines of text to point at: the truth cells carry no line
        data, encoding, drawn = render_original(doc, style, orng or random.Random(f"originals/{index}"), rendering,
                                                r.published_on)
        name = f"{index:05d}_{rendering}{EXTENSIONS[rendering]}"
    else:
        keys: list[Key] = []
        if tables is not None:
            doc.tables, keys = mark_tables(tables)
        ocr = "ocr_markdown_rows" in families
        text = render_ocr_markdown(doc, style, rng) if ocr else render(doc, style, rng, rendering)
        text, lines = read_lines(text, keys)
        if typo and throughout:  # an OCR pass that misreads the character wherever it stands
            text = text.replace(place, typo[2])
        data, encoding = encode(text, style)
        name = f"{index:05d}_{rendering}.txt"
    noise = [x for x in style.noise_list() if layout != "narrative" or x.startswith(_TEXT_NOISE)]
    if original:
        noise = [x for x in noise if not x.startswith(_TEXT_ONLY_NOISE[rendering])]
    record = {
        "file": name,
        "agency": agency,
        "year": year,
        "layout": layout,
        "rendering": rendering,
        "encoding": encoding,
        "published_on": r.published_on,
        **truth_record(r, blank, lines),
        "unscored": run_together_unscored(tables) if rendering == "run_together" and tables else [],
        "injected_errors": r.injected_errors,
        "noise": noise,
        "families": families,
    }
    if drawn is not None:
        record["original"] = drawn
    if typo:
        record["place_typo"] = typo_record(place, typo[2], agency, throughout)
    return data, record


_TEXT_NOISE = ("encoding_", "crlf", "title_", "date_", "no_signature")
# Noise of the text an original does not have: its page breaks are its own, and only a web page has a charset.
_TEXT_ONLY_NOISE = {"html_page": ("page_breaks",), "docx": ("page_breaks", "crlf", "encoding_"),
                    "pdf": ("page_breaks", "crlf", "encoding_")}


def parse_formats(spec: str | None) -> tuple[str, ...]:
    """``all`` or a comma list of html_page, docx, pdf (in any order); '' or None for none."""
    if not spec:
        return ()
    names = ORIGINALS if spec.strip() == "all" else tuple(x.strip() for x in spec.split(",") if x.strip())
    unknown = [x for x in names if x not in ORIGINALS]
    if unknown:
        raise ValueError(f"unknown formats {unknown}: choose from {', '.join(ORIGINALS)} or all")
    return tuple(x for x in ORIGINALS if x in names)


def format_places(seed: int, n: int, formats: tuple[str, ...]) -> dict[int, str]:
    """Which reports are published as originals: in every block of 7 + len(formats) reports, one per format, the
    places drawn from a stream of their own, so that the text reports' draws stay what they were."""
    if not formats:
        return {}
    pick = random.Random(f"originals/{seed}")
    size = len(RENDERINGS) + len(formats)
    out: dict[int, str] = {}
    for start in range(0, n, size):
        room = list(range(start, min(start + size, n)))
        names = list(formats)
        pick.shuffle(names)
        out.update(zip(sorted(pick.sample(room, min(len(names), len(room)))), names, strict=False))
    return out


def generate_corpus(out_dir: Path, n: int, seed: int, inject_errors: float = 0.0,
                    formats: tuple[str, ...] = ()) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    master = random.Random(seed)
    renderings: list[str] = []
    while len(renderings) < n:  # uniform, and every rendering once in each block of seven
        block = list(RENDERINGS)
        master.shuffle(block)
        renderings += block
    families = random.Random(f"families/{seed}")  # apart from master: reports without families stay as they were
    places = format_places(seed, n, formats)
    originals = random.Random(f"originals/{seed}/draws")  # apart from both: text reports stay as they were
    records = []
    for i in range(n):
        layout = master.choices(("2021", "2019", "narrative"), (0.45, 0.35, 0.2))[0]
        rng = random.Random(master.getrandbits(64))
        frng = random.Random(families.getrandbits(64))
        orng = random.Random(originals.getrandbits(64)) if i in places else None
        data, record = generate_report(rng, i, places.get(i, renderings[i]), layout, inject_errors, frng, orng)
        (out_dir / record["file"]).write_bytes(data)
        records.append(record)
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.corpus.generate", description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--inject-errors", type=float, default=0.0, help="fraction of reports given one arithmetic error")
    ap.add_argument("--formats", default="",
                    help="also publish reports as originals: 'all' or a comma list of " + ", ".join(ORIGINALS))
    args = ap.parse_args(argv)
    try:
        formats = parse_formats(args.formats)
    except ValueError as e:
        ap.error(str(e))
    generate_corpus(args.out_dir, args.n, args.seed, inject_errors=args.inject_errors, formats=formats)
    print(f"wrote {args.n} reports and truth.jsonl to {args.out_dir}"
          + (f" ({', '.join(formats)} among them)" if formats else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
