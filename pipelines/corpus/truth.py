"""The ground truth of a synthetic report: vocabulary, plausible random figures, the form's identities.

Names follow /work/shared/spec/canonical-tables.md. Everything here is independent of the parser in
``pipelines.extract``: the generator decides what a report states, the renderers write it, the evaluator
compares the parser's reading with this truth.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

LAYOUTS = ("2021", "2019", "narrative")

APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
APPLICANT_COLUMNS = (*APPLICANTS, "total")

DENIED = (
    "denied_state_secret",
    "denied_prohibited_by_law",
    "denied_security_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_information",
    "denied_enforcement_files",
    "denied_inquiry_matter",
)
UNAVAILABLE = ("unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear")
NOT_PROCESSED = (
    "not_processed_petition",
    "not_processed_duplicate",
    "not_processed_publication",
    "not_processed_excessive",
    "not_processed_confirmation",
)
OTHER_2019 = ("other_handling",)
OTHER_2021 = ("other_handling_no_correction", "other_handling_unpaid_fee", "other_handling_other")


def disposition_rows(layout: str) -> tuple[str, ...]:
    other = OTHER_2021 if layout == "2021" else OTHER_2019
    return ("granted", "partially_granted", *DENIED, *UNAVAILABLE, *NOT_PROCESSED, *other)


def application_rows(layout: str) -> tuple[str, ...]:
    return ("new_received", "carried_over", *disposition_rows(layout), "total", "carried_forward")


PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")

# (item, measures) in the order the form lists them
PROACTIVE_2021 = (
    ("regulations", ("issued", "abolished", "in_force")),
    ("normative_documents", ("issued", "abolished", "in_force")),
    ("administrative_permits", ("decisions",)),
    ("administrative_penalties", ("decisions",)),
    ("administrative_coercions", ("decisions",)),
    ("administrative_fees", ("amount_yuan",)),
)
_MGMT = ("prior_year_items", "items_change", "decisions")
PROACTIVE_2019 = (
    ("regulations", ("new_made", "new_published", "total_published")),
    ("normative_documents", ("new_made", "new_published", "total_published")),
    ("administrative_permits", _MGMT),
    ("other_management_services", _MGMT),
    ("administrative_penalties", _MGMT),
    ("administrative_coercions", _MGMT),
    ("administrative_fees", ("prior_year_items", "items_change")),
    ("centralized_procurement", ("projects", "amount_yuan")),
)


def proactive_schema(layout: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if layout == "2021":
        return PROACTIVE_2021
    if layout == "2019":
        return PROACTIVE_2019
    return ()


MONEY_MEASURES = {("administrative_fees", "amount_yuan"), ("centralized_procurement", "amount_yuan")}

Key = tuple[str, str, str]  # (section, key1, key2)


@dataclass
class Report:
    """What one synthetic report states (before rendering decides which cells are blank)."""

    agency: str
    year: int
    layout: str
    published_on: str | None = None
    proactive: dict[tuple[str, str], int] = field(default_factory=dict)  # money already in yuan
    money_wan: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # money as the table states it (万元)
    applications: dict[tuple[str, str], int] = field(default_factory=dict)
    reviews: dict[tuple[str, str], int] = field(default_factory=dict)
    injected_errors: list[dict] = field(default_factory=list)

    def value(self, key: Key) -> int:
        section, k1, k2 = key
        return getattr(self, section)[(k1, k2)]

    def set_value(self, key: Key, value: int) -> None:
        section, k1, k2 = key
        getattr(self, section)[(k1, k2)] = value

    def cells(self) -> list[Key]:
        """Every cell of the report's tables, in the form's order."""
        out: list[Key] = []
        for item, measures in proactive_schema(self.layout):
            out += [("proactive", item, m) for m in measures]
        if self.layout == "narrative":
            return out
        for row in application_rows(self.layout):
            out += [("applications", row, a) for a in APPLICANT_COLUMNS]
        for proc in PROCEEDINGS:
            out += [("reviews", proc, o) for o in OUTCOMES]
        return out


# ---------------------------------------------------------------- random figures


def _loguniform(rng: random.Random, hi: float) -> int:
    """An integer spread evenly over orders of magnitude in [0, hi]."""
    if hi < 1:
        return 0
    return int(10 ** rng.uniform(0, math.log10(hi + 1)) - 1)


def _maybe_zero(rng: random.Random, p_zero: float, value: int) -> int:
    return 0 if rng.random() < p_zero else value


def _money_wan(rng: random.Random, hi: float, p_zero: float) -> Decimal:
    if rng.random() < p_zero:
        return Decimal(0)
    decimals = rng.choice((0, 1, 2, 3, 4, 4, 4))
    whole = _loguniform(rng, hi)
    frac = rng.randrange(10**decimals) if decimals else 0
    value = Decimal(whole) + Decimal(frac) / (Decimal(10) ** decimals)
    return value.normalize() if value != 0 else Decimal(0)


def wan_to_yuan(wan: Decimal) -> int:
    yuan = wan * 10000
    assert yuan == yuan.to_integral_value(), wan
    return int(yuan)


def gen_proactive(rng: random.Random, report: Report, scale: int, is_government: bool) -> None:
    big = {0: 50, 1: 3000, 2: 100_000, 3: 4_000_000}[scale]
    p0 = {0: 0.7, 1: 0.4, 2: 0.2, 3: 0.1}[scale]
    if report.layout == "2021":
        for item in ("regulations", "normative_documents"):
            regs = item == "regulations"
            if regs and not is_government:
                issued, abolished, in_force = 0, 0, 0
            else:
                cap = 6 if regs else 80
                issued = _maybe_zero(rng, 0.4, rng.randint(0, cap))
                abolished = _maybe_zero(rng, 0.6, rng.randint(0, cap))
                in_force = issued + _maybe_zero(rng, 0.3, rng.randint(0, cap * 8))
            report.proactive[(item, "issued")] = issued
            report.proactive[(item, "abolished")] = abolished
            report.proactive[(item, "in_force")] = in_force
        report.proactive[("administrative_permits", "decisions")] = _maybe_zero(rng, p0, _loguniform(rng, big))
        report.proactive[("administrative_penalties", "decisions")] = _maybe_zero(rng, p0, _loguniform(rng, big))
        report.proactive[("administrative_coercions", "decisions")] = _maybe_zero(rng, p0 + 0.2, _loguniform(rng, big / 40))
        wan = _money_wan(rng, big / 40, p0 + 0.1)
        report.money_wan[("administrative_fees", "amount_yuan")] = wan
        report.proactive[("administrative_fees", "amount_yuan")] = wan_to_yuan(wan)
    elif report.layout == "2019":
        for item in ("regulations", "normative_documents"):
            regs = item == "regulations"
            if regs and not is_government:
                made, published, total = 0, 0, 0
            else:
                cap = 6 if regs else 60
                made = _maybe_zero(rng, 0.4, rng.randint(0, cap))
                published = made if rng.random() < 0.7 else rng.randint(0, made)
                total = published + _maybe_zero(rng, 0.3, rng.randint(0, cap * 10))
            report.proactive[(item, "new_made")] = made
            report.proactive[(item, "new_published")] = published
            report.proactive[(item, "total_published")] = total
        for item, hi in (
            ("administrative_permits", big),
            ("other_management_services", big / 10),
            ("administrative_penalties", big),
            ("administrative_coercions", big / 40),
        ):
            prior = _maybe_zero(rng, p0, rng.randint(0, 600 if scale else 40))
            change = rng.randint(-prior, min(60, prior + 20)) if rng.random() < 0.6 else 0
            report.proactive[(item, "prior_year_items")] = prior
            report.proactive[(item, "items_change")] = change
            report.proactive[(item, "decisions")] = _maybe_zero(rng, p0, _loguniform(rng, hi))
        prior = _maybe_zero(rng, p0, rng.randint(0, 40))
        report.proactive[("administrative_fees", "prior_year_items")] = prior
        report.proactive[("administrative_fees", "items_change")] = rng.randint(-prior, 5) if rng.random() < 0.5 else 0
        projects = _maybe_zero(rng, p0, _loguniform(rng, 600))
        wan = _money_wan(rng, 80_000 if scale >= 2 else 3000, 0.0) if projects else Decimal(0)
        report.proactive[("centralized_procurement", "projects")] = projects
        report.money_wan[("centralized_procurement", "amount_yuan")] = wan
        report.proactive[("centralized_procurement", "amount_yuan")] = wan_to_yuan(wan)


_APPLICANT_SHARE = {
    "natural_person": 1.0,
    "commercial_enterprise": 0.12,
    "research_institution": 0.01,
    "social_welfare_org": 0.02,
    "legal_service_org": 0.06,
    "other_org": 0.04,
}


def _disposition_weights(layout: str) -> list[float]:
    w = {"granted": 40, "partially_granted": 10, "unavailable_not_held": 20, "unavailable_needs_creation": 3,
         "unavailable_unclear": 2, "not_processed_petition": 4, "not_processed_duplicate": 2,
         "not_processed_publication": 0.5, "not_processed_excessive": 0.5, "not_processed_confirmation": 0.5,
         "other_handling": 6, "other_handling_no_correction": 3, "other_handling_unpaid_fee": 0.3,
         "other_handling_other": 4}
    return [w.get(r, 1.0) for r in disposition_rows(layout)]


def gen_applications(rng: random.Random, report: Report, scale: int) -> None:
    layout = report.layout
    rows = disposition_rows(layout)
    weights = _disposition_weights(layout)
    mean = {0: 0.0, 1: 4.0, 2: 60.0, 3: 1500.0}[scale]
    for applicant in APPLICANTS:
        share = _APPLICANT_SHARE[applicant]
        m = mean * share
        handled = int(rng.expovariate(1 / m)) if m > 0 and rng.random() < 0.85 else 0
        counts = dict.fromkeys(rows, 0)
        for r in rng.choices(rows, weights, k=handled) if handled else ():
            counts[r] += 1
        carried_over = rng.randint(0, max(0, handled // 10)) if rng.random() < 0.4 else 0
        carried_forward = rng.randint(0, max(0, handled // 10) + 1) if rng.random() < 0.4 else 0
        new_received = handled + carried_forward - carried_over
        for r in rows:
            report.applications[(r, applicant)] = counts[r]
        report.applications[("total", applicant)] = handled
        report.applications[("carried_over", applicant)] = carried_over
        report.applications[("carried_forward", applicant)] = carried_forward
        report.applications[("new_received", applicant)] = new_received
    for row in application_rows(layout):
        report.applications[(row, "total")] = sum(report.applications[(row, a)] for a in APPLICANTS)


def gen_reviews(rng: random.Random, report: Report, scale: int) -> None:
    mean = {0: 0.3, 1: 1.5, 2: 8.0, 3: 150.0}[scale]
    for proc, factor in zip(PROCEEDINGS, (1.0, 0.4, 0.2), strict=True):
        n = int(rng.expovariate(1 / (mean * factor))) if rng.random() < 0.6 else 0
        parts = dict.fromkeys(OUTCOMES[:4], 0)
        for o in rng.choices(OUTCOMES[:4], (5, 1, 3, 1), k=n) if n else ():
            parts[o] += 1
        for o in OUTCOMES[:4]:
            report.reviews[(proc, o)] = parts[o]
        report.reviews[(proc, "total")] = n


# ---------------------------------------------------------------- identities


def identity_failures(truth: dict) -> list[str]:
    """The form's identities that do not hold in a truth record (missing cells count as 0 when their
    row's or column's other cells are stated; a check with no stated total is skipped)."""
    failures: list[str] = []
    if truth["layout"] == "narrative":
        return failures
    apps = {(c["row"], c["applicant"]): Decimal(str(c["value"])) for c in truth["applications"]}
    rows = application_rows(truth["layout"])
    for row in rows:
        if (row, "total") in apps:
            s = sum(apps.get((row, a), 0) for a in APPLICANTS)
            stated = [a for a in APPLICANTS if (row, a) in apps]
            if stated and s != apps[(row, "total")]:
                failures.append(f"applications row {row}: applicants sum {s} != total {apps[(row, 'total')]}")
    for col in APPLICANT_COLUMNS:
        def g(r: str, col: str = col) -> Decimal:
            return apps.get((r, col), Decimal(0))

        if not any((r, col) in apps for r in rows):
            continue
        if g("new_received") + g("carried_over") != g("total") + g("carried_forward"):
            failures.append(f"applications column {col}: new + carried_over != total + carried_forward")
        if sum(g(r) for r in disposition_rows(truth["layout"])) != g("total"):
            failures.append(f"applications column {col}: dispositions do not sum to total")
    revs = {(c["proceeding"], c["outcome"]): c["value"] for c in truth["reviews"]}
    for proc in PROCEEDINGS:
        if (proc, "total") in revs and sum(revs.get((proc, o), 0) for o in OUTCOMES[:4]) != revs[(proc, "total")]:
            failures.append(f"reviews {proc}: outcomes do not sum to total")
    return failures


def inject_error(rng: random.Random, report: Report, blank: set[Key]) -> dict:
    """Change one stated cell so an identity no longer holds; return a record of the change."""
    candidates: list[Key] = [
        k for k in report.cells() if k[0] in ("applications", "reviews") and k not in blank
    ]
    key = rng.choice(candidates)
    old = report.value(key)
    delta = rng.choice((1, 2, 3, 5, 10, 100))
    new = old + delta if (old < delta or rng.random() < 0.5) else old - delta
    report.set_value(key, new)
    section, k1, k2 = key
    if section == "reviews":
        broken = ["review total = sum of outcomes"]
    else:
        broken = ["row total = sum of applicants"]
        broken.append("column: dispositions sum to total" if k1 != "total" else "column: total = sum of dispositions")
        if k1 in ("new_received", "carried_over", "total", "carried_forward"):
            broken.append("column: new + carried_over = total + carried_forward")
    entry = {"section": section, "key": [k1, k2], "original": old, "rendered": new, "breaks": broken}
    report.injected_errors.append(entry)
    return entry


# ---------------------------------------------------------------- run-together splits

_INT = re.compile(r"0|[1-9][0-9]*")
_SIGNED = re.compile(r"-?(?:0|[1-9][0-9]*)")
_MONEY = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


class SplitCapExceeded(Exception):
    pass


def enumerate_splits(
    digits: str, kinds: list[str], identity: str | None, cap: int = 200_000
) -> list[tuple[Decimal, ...]]:
    """Every way to cut ``digits`` into len(kinds) numbers (no leading zeros unless '0'; 'signed' may start
    with '-', 'money' may carry decimals) for which the row's identity holds.

    identity: None (any split), 'row_sum' (last cell = sum of the others), 'blocks5' (in every block of five
    cells the fifth is the sum of the first four). Raises SplitCapExceeded after ``cap`` search steps."""
    n = len(kinds)
    out: list[tuple[Decimal, ...]] = []
    steps = 0

    def candidates(pos: int, kind: str, remaining_cells: int) -> list[str]:
        limit = len(digits) - remaining_cells  # leave at least one char for each later cell
        pat = {"int": _INT, "signed": _SIGNED, "money": _MONEY}[kind]
        toks: list[str] = []
        for end in range(pos + 1, limit + 1):
            tok = digits[pos:end]
            if pat.fullmatch(tok):
                toks.append(tok)
        return toks

    def forced(idx: int, acc: list[Decimal]) -> Decimal | None:
        if identity == "row_sum" and idx == n - 1:
            return sum(acc, Decimal(0))
        if identity == "blocks5" and idx % 5 == 4:
            return sum(acc[idx - 4 : idx], Decimal(0))
        return None

    def dfs(pos: int, idx: int, acc: list[Decimal]) -> None:
        nonlocal steps
        steps += 1
        if steps > cap:
            raise SplitCapExceeded
        if idx == n:
            if pos == len(digits):
                out.append(tuple(acc))
            return
        want = forced(idx, acc)
        if want is not None:
            tok = _canonical(want)
            last = idx == n - 1
            if digits.startswith(tok, pos) and (not last or pos + len(tok) == len(digits)):
                dfs(pos + len(tok), idx + 1, [*acc, want])
            return
        for tok in candidates(pos, kinds[idx], n - idx - 1):
            dfs(pos + len(tok), idx + 1, [*acc, Decimal(tok)])

    dfs(0, 0, [])
    return out


def _canonical(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def ambiguous_cells(digits: str, kinds: list[str], identity: str | None, truth: tuple[Decimal, ...]) -> list[int]:
    """Indexes of the cells on which the splits that satisfy the identity disagree (all cells when the
    enumeration is capped). When the true split breaks the identity (a deliberately injected error), the
    identity is dropped and every split counts."""
    truth = tuple(truth)
    try:
        splits = enumerate_splits(digits, kinds, identity)
        if truth not in splits and identity is not None:
            splits = enumerate_splits(digits, kinds, None)
    except SplitCapExceeded:
        return list(range(len(kinds)))
    assert truth in splits, (digits, truth, splits[:5])
    return [i for i in range(len(kinds)) if len({s[i] for s in splits}) > 1]
