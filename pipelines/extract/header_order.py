"""The columns' order as the table's own header states it. The form fixes the order (自然人, 法人或其他组织: 商业企业 …
其他, 总计; 行政复议 before 行政诉讼; 结果维持 … 尚未审结, 总计); a report that prints another order cannot be read
by position, and its figures are left missing rather than put under the wrong heading."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipelines.extract.normalize import compact
from pipelines.extract.tokens import Kind, Token

# Header words in the form's order, each a whole cell or word (其他 alone, not 法人或其他组织). A header is often
# two rows (自然人 | 法人或其他组织 | 总计 over 商业企业 … 其他), read as one run of cells: so the order is checked
# along chains that hold in either reading.
_NATURAL, _TOTAL = re.compile(r"^自然人$"), re.compile(r"^总计$")
APPLICANT_HEADER = (
    (_NATURAL, re.compile(r"^法人或其他组织$"), _TOTAL),
    (_NATURAL, re.compile(r"^商业企业$"), re.compile(r"^科研机构$"), re.compile(r"^社会公益(?:组织)?$"),
     re.compile(r"^法律服务(?:机构)?$"), re.compile(r"^其他$")),
)
PROCEEDING_HEADER = (
    (re.compile(r"^行政复议$"), re.compile(r"^行政诉讼$")),
    (re.compile(r"^未经复议直接起诉$"), re.compile(r"^复议后起诉$")),
)
OUTCOME_HEADER = (
    (re.compile(r"^结果维持$"), re.compile(r"^结果纠正$"), re.compile(r"^其他结果$"), re.compile(r"^尚未审结$"), _TOTAL),
    # A PDF's header wraps each outcome over two lines (结果 结果 其他 尚未 总计 above 维持 纠正 结果 审结): of
    # its words only this holds on every line, that a block's 总计 comes after its 结果.
    (re.compile(r"^结果$"), _TOTAL),
)


def header_groups(tokens: Sequence[Token]) -> list[list[str]]:
    """The header's words before the table's first figure, as rows: a line is a row, except that lines of one
    delimited cell each (one cell per line renderings) make one row up to their row break."""
    groups: list[list[str]] = [[]]
    by_line: dict[int, int] = {}
    for t in tokens:
        if t.kind is Kind.NUM:
            break
        if t.kind is Kind.TEXT:
            by_line[t.line] = by_line.get(t.line, 0) + 1
    line = None
    single = False
    for t in tokens:
        if t.kind is Kind.NUM:
            break
        if t.kind is Kind.BREAK:
            groups.append([])
            line, single = None, False
            continue
        if t.kind is not Kind.TEXT:
            continue
        one_cell = t.delimited and by_line.get(t.line) == 1
        if t.line != line and groups[-1] and not (one_cell and single):
            groups.append([])
        line, single = t.line, one_cell
        groups[-1].extend(compact(w) for w in t.text.split())
    return [g for g in groups if g]


def out_of_order(groups: Sequence[Sequence[str]], chains: Sequence[Sequence[re.Pattern[str]]],
                 cyclic: bool = False) -> str | None:
    """The header row whose words break the form's order along one of the chains, shown; None when every row
    keeps it. `cyclic`: a chain may start again after its last word (the outcomes repeat for each proceeding)."""
    for words in groups:
        for order in chains:
            ranks = [next(i for i, p in enumerate(order) if p.match(w)) for w in words if any(p.match(w) for p in order)]
            if cyclic and 0 not in ranks:
                continue  # a header line of totals only (a two-line header): nothing to compare
            if cyclic and ranks[0] != 0:
                return " ".join(words)
            for a, b in zip(ranks, ranks[1:], strict=False):
                restart = cyclic and a == len(order) - 1 and b == 0
                if b < a and not restart or b == a == len(order) - 1:
                    return " ".join(words)
    return None
