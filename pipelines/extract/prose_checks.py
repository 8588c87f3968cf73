"""The report's prose against its tables: where a sentence states a table's total (共收到申请70件, 办结69件),
a difference is flagged on the row it concerns. Nothing is changed: prose is a witness, not a source."""

from __future__ import annotations

import re

from pipelines.extract.report import Report

_SAYS: tuple[tuple[re.Pattern[str], tuple[tuple[str, ...], ...], str], ...] = (
    # 受理 often counts the year's new requests together with those carried over: either reading agrees.
    (re.compile(r"(?:收到|受理|接收)[^。;；]{0,16}?(?:公开)?申请[^。,，;；\d]{0,4}?(\d{1,7})件"),
     (("new_received",), ("new_received", "carried_over")), "new_received"),
    (re.compile(r"(?:办结|共办理|办理完毕)[^。,，;；\d]{0,10}?(\d{1,7})件"), (("total",),), "total"),
    (re.compile(r"结转(?:至|到)?下(?:一)?年度?(?:继续)?(?:办理)?[^。,，;；\d]{0,4}?(\d{1,7})件"),
     (("carried_forward",),), "carried_forward"),
)


def cross_check_prose(report: Report, lines: list[str]) -> None:
    body = re.sub(r"\s+", "", "".join(lines))
    for pattern, readings, row in _SAYS:
        for m in pattern.finditer(body):
            said = int(m.group(1))
            sums = []
            for rows in readings:
                values = [report.value("applications", r, "total") for r in rows]
                if all(v is not None for v in values):
                    sums.append(sum(values))  # type: ignore[arg-type]
            if sums and said not in sums:
                report.add_issue("warning", "prose_disagrees", f"the text says {m.group(0)!r}; the table states "
                                 f"{' or '.join(str(s) for s in sums)} for applications {row}",
                                 section="applications", row=row)
            break  # the first statement of each kind is the summary; later ones are about parts
