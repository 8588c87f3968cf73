"""The samples as PDF reports: the State Council's three tables as table specs, filled from the hand-read cells.

Written from seed_tables.py and seeds_expected.json, not from any parser output, so the reader is not its own
judge. The form's labels are those of canonical-tables.md (the web page tests draw the same form as markup).
"""

from __future__ import annotations

import random
from decimal import Decimal

from seed_tables import APPLICANTS, ROWS_2019, ROWS_2021

from pipelines.corpus.originals_pdf import Doc, Spec, TableSpec

PROACTIVE_2021 = [
    ("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", "regulations"), ("行政规范性文件", "normative_documents")], ["issued", "abolished", "in_force"]),
    ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("行政许可", "administrative_permits")], ["decisions"]),
    ("第二十条第（六）项", ["信息内容", "本年处理决定数量"],
     [("行政处罚", "administrative_penalties"), ("行政强制", "administrative_coercions")], ["decisions"]),
    ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("行政事业性收费", "administrative_fees")],
     ["amount_yuan"]),
]
PROACTIVE_2019 = [
    ("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", "regulations"), ("规范性文件", "normative_documents")], ["new_made", "new_published", "total_published"]),
    ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政许可", "administrative_permits"), ("其他对外管理服务事项", "other_management_services")],
     ["prior_year_items", "items_change", "decisions"]),
    ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
     [("行政处罚", "administrative_penalties"), ("行政强制", "administrative_coercions")],
     ["prior_year_items", "items_change", "decisions"]),
    ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减", ""], [("行政事业性收费", "administrative_fees")],
     ["prior_year_items", "items_change", ""]),
    ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"], [("政府集中采购", "centralized_procurement")],
     ["projects", "amount_yuan"]),
]
ROW_LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开", "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密", "denied_prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”", "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息", "denied_process_information": "6.属于四类过程性信息",
    "denied_enforcement_files": "7.属于行政执法案卷", "denied_inquiry_matter": "8.属于行政查询事项",
    "unavailable_not_held": "1.本机关不掌握相关政府信息", "unavailable_needs_creation": "2.没有现成信息需要另行制作",
    "unavailable_unclear": "3.补正后申请内容仍不明确", "not_processed_petition": "1.信访举报投诉类申请",
    "not_processed_duplicate": "2.重复申请", "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_excessive": "4.无正当理由大量反复申请",
    "not_processed_confirmation": "5.要求行政机关确认或重新出具已获取信息",
    "other_handling": "（六）其他处理",
    "other_handling_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_handling_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_handling_other": "3.其他", "total": "（七）总计", "carried_forward": "四、结转下年度继续办理",
}
GROUPS = {"denied_state_secret": ("（三）不予公开", "denied_"), "unavailable_not_held": ("（四）无法提供", "unavailable_"),
          "not_processed_petition": ("（五）不予处理", "not_processed_"),
          "other_handling_no_correction": ("（六）其他处理", "other_handling_")}
HEADER_ROWS = 3  # the applications table's header, drawn again where the table goes on to a new page


def _figure(value: int | Decimal | None, key: tuple[str, str, str], colspan: int = 1, money: str = "") -> Spec:
    if value is None:
        return Spec(colspan=colspan)
    if money == "wan":
        value = Decimal(value) / 10000
    text = format(Decimal(value).normalize(), "f") if isinstance(value, Decimal) else str(value)
    return Spec(text + ("元" if money == "yuan" else ""), colspan=colspan, key=key, align="center")


def _head(text: str, **kw) -> Spec:
    return Spec(text, align="center", **kw)


def proactive(layout: str, cells: dict) -> TableSpec:
    blocks = PROACTIVE_2021 if layout == "2021" else PROACTIVE_2019
    rows: list[list[Spec]] = []
    for heading, header, items, measures in blocks:
        rows.append([_head(heading, colspan=4)])
        wide = 4 - len(header) + 1  # a block with fewer measures: its last header and figure span the rest
        rows.append([_head(h, colspan=wide if k == len(header) - 1 else 1) for k, h in enumerate(header)])
        for label, item in items:
            row = [Spec(label)]
            for k, m in enumerate(measures):
                money = "" if m != "amount_yuan" else ("wan" if layout == "2021" else "yuan")
                row.append(_figure(cells.get((item, m)), ("proactive", item, m),
                                   colspan=wide if k == len(measures) - 1 else 1, money=money))
            rows.append(row)
    return TableSpec([163.0, 96.0, 96.0, 96.0], rows)


def applications(layout: str, cells: dict, break_before: str | None = None) -> TableSpec:
    rows_of = ROWS_2021 if layout == "2021" else ROWS_2019
    dispositions = rows_of[rows_of.index("granted"):rows_of.index("carried_forward")]
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows = [[_head(note, rowspan=3, colspan=3), _head("申请人情况", colspan=7)],
            [_head("自然人", rowspan=2), _head("法人或其他组织", colspan=5), _head("总计", rowspan=2)],
            [_head(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")]]
    for row in rows_of:
        specs: list[Spec] = []
        if row in ("new_received", "carried_over", "carried_forward"):
            specs.append(Spec(ROW_LABELS[row], colspan=3))
        else:
            if row == dispositions[0]:
                specs.append(Spec("三、本年度办理结果", rowspan=len(dispositions)))
            group = GROUPS.get(row)
            if group is not None:
                size = len([r for r in rows_of[rows_of.index(row):] if r.startswith(group[1])])
                specs += [Spec(group[0], rowspan=size), Spec(ROW_LABELS[row])]
            elif any(row.startswith(g[1]) for g in GROUPS.values()):
                specs.append(Spec(ROW_LABELS[row]))
            else:
                specs.append(Spec(ROW_LABELS[row], colspan=2))
        specs += [_figure(cells.get((row, a)), ("applications", row, a)) for a in APPLICANTS]
        rows.append(specs)
    at = None if break_before is None else HEADER_ROWS + rows_of.index(break_before)
    return TableSpec([50.0, 50.0, 71.0] + [40.0] * 7, rows, header_rows=HEADER_ROWS, break_before=at)


def reviews(cells: dict) -> TableSpec:
    outcomes = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    keys = ["upheld", "corrected", "other", "pending", "total"]
    rows = [[_head("行政复议", colspan=5), _head("行政诉讼", colspan=10)],
            [_head(o, rowspan=2) for o in outcomes] + [_head("未经复议直接起诉", colspan=5), _head("复议后起诉", colspan=5)],
            [_head(o) for o in outcomes * 2],
            [_figure(cells.get((p, k)), ("reviews", p, k))
             for p in ("review", "litigation_direct", "litigation_after_review") for k in keys]]
    return TableSpec([451.0 / 15] * 15, rows)


def report_pdf(expected: dict, tables: dict, ruled: bool, break_before: str | None = "unavailable_needs_creation") -> Doc:
    """A sample as a published PDF: title, text, the three tables, the signature; `break_before` puts the applications
    table's page break before that row (its vertical labels then go on over the break, as in the Hongze reports)."""
    doc = Doc(ruled)
    agency, year = expected["agency"], expected["year"]
    if expected["layout"] == "narrative":
        doc.paragraph(f"{agency}{year}年度政府信息公开情况", size=16, indent=False, align="center")
        doc.paragraph(f"{year}年，市教育局公开了权责清单，公开行政权力24项，其中行政许可2项、行政处罚12项。")
        doc.paragraph("在今后的工作中，我们将进一步加大信息公开工作力度。")
    else:
        doc.paragraph(agency, size=16, indent=False, align="center")
        doc.paragraph(f"{year}年政府信息公开工作年度报告", size=16, indent=False, align="center")
        doc.paragraph("一、总体情况")
        doc.paragraph(f"{year}年，本机关认真贯彻《中华人民共和国政府信息公开条例》，全年主动公开政府信息，"
                      "做好依申请公开工作，加强平台建设和监督保障，政府信息公开工作规范有序开展。")
        doc.paragraph("二、主动公开政府信息情况")
        doc.table(proactive(expected["layout"], tables["proactive"]))
        doc.paragraph("三、收到和处理政府信息公开申请情况")
        doc.table(applications(expected["layout"], tables["applications"], break_before if ruled else None))
        doc.paragraph("四、政府信息公开行政复议、行政诉讼情况")
        doc.table(reviews(tables["reviews"]))
        doc.paragraph("五、存在的主要问题及改进情况")
        doc.paragraph("信息公开工作仍有不足。")
        doc.paragraph("六、其他需要报告的事项")
        doc.paragraph("无。")
    if expected["published_on"]:
        y, m, d = (int(x) for x in expected["published_on"].split("-"))
        doc.paragraph(agency, indent=False, align="right")
        doc.paragraph(f"{y}年{m}月{d}日", indent=False, align="right")
    return doc


def distinct_tables(blank: tuple[str, ...] = ("research_institution",)) -> dict:
    """Every figure different, the form's identities holding, one applicant column blank throughout."""
    rng = random.Random(9)
    filled = [a for a in APPLICANTS[:6] if a not in blank]
    dispositions = ROWS_2021[2:-2]
    apps: dict = {}
    for a in filled:
        for row in dispositions:
            apps[row, a] = rng.randint(0, 40)
        apps["total", a] = sum(apps[row, a] for row in dispositions)
        apps["carried_over", a] = rng.randint(0, 9)
        apps["carried_forward", a] = rng.randint(0, 9)
        apps["new_received", a] = apps["total", a] + apps["carried_forward", a] - apps["carried_over", a]
    for row in ROWS_2021:
        apps[row, "total"] = sum(apps[row, a] for a in filled)
    revs: dict = {}
    for p in ("review", "litigation_direct", "litigation_after_review"):
        for o in ("upheld", "corrected", "other", "pending"):
            revs[p, o] = rng.randint(0, 30)
        revs[p, "total"] = sum(revs[p, o] for o in ("upheld", "corrected", "other", "pending"))
    pro = {("regulations", "issued"): 1, ("regulations", "abolished"): 2, ("regulations", "in_force"): 13,
           ("normative_documents", "issued"): 4, ("normative_documents", "abolished"): 5,
           ("normative_documents", "in_force"): 36, ("administrative_permits", "decisions"): 9487,
           ("administrative_penalties", "decisions"): 2776, ("administrative_coercions", "decisions"): 84,
           ("administrative_fees", "amount_yuan"): Decimal("77302800")}
    return {"proactive": pro, "applications": apps, "reviews": revs}
