"""Every cell of the five sample reports, read by hand from data/raw/ (not from the parser's output).

000 (双辽, 2019 layout): only the 总计 column of the applications table is filled (applicant columns
are blank), every total is 0; the review table is fifteen 0s. 001, 003, 004 (2021 layout): every cell of
the applications and review tables is 0. 002 (定西, 2017) is a narrative report with no table.
"""

from __future__ import annotations

from decimal import Decimal

APPLICANTS = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org", "total"]
ROWS_2021 = ["new_received", "carried_over", "granted", "partially_granted", "denied_state_secret",
             "denied_prohibited_by_law", "denied_security_stability", "denied_third_party_rights",
             "denied_internal_affairs", "denied_process_information", "denied_enforcement_files",
             "denied_inquiry_matter", "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
             "not_processed_petition", "not_processed_duplicate", "not_processed_publication",
             "not_processed_excessive", "not_processed_confirmation", "other_handling_no_correction",
             "other_handling_unpaid_fee", "other_handling_other", "total", "carried_forward"]
ROWS_2019 = [r for r in ROWS_2021 if not r.startswith("other_handling_")]
ROWS_2019.insert(ROWS_2019.index("total"), "other_handling")
REVIEWS = {(p, o): 0 for p in ("review", "litigation_direct", "litigation_after_review")
           for o in ("upheld", "corrected", "other", "pending", "total")}

_PROACTIVE_2021_ZERO = {
    ("regulations", "issued"): 0, ("regulations", "abolished"): 0, ("regulations", "in_force"): 0,
    ("normative_documents", "issued"): 0, ("normative_documents", "abolished"): 0,
    ("normative_documents", "in_force"): 0,
    ("administrative_penalties", "decisions"): 0, ("administrative_coercions", "decisions"): 0,
}

SEED_TABLES: dict[str, dict] = {
    "000_6c6888ab43a2d839.txt": {
        "proactive": {
            ("regulations", "new_made"): 0, ("regulations", "new_published"): 0,
            ("regulations", "total_published"): 0,
            ("normative_documents", "new_made"): 0, ("normative_documents", "new_published"): 0,
            ("normative_documents", "total_published"): 0,
            ("administrative_permits", "prior_year_items"): 28, ("administrative_permits", "items_change"): -9,
            ("administrative_permits", "decisions"): 173,
            ("other_management_services", "prior_year_items"): 0,
            ("other_management_services", "items_change"): 0, ("other_management_services", "decisions"): 0,
            ("administrative_penalties", "prior_year_items"): 3, ("administrative_penalties", "items_change"): -3,
            ("administrative_penalties", "decisions"): 0,
            ("administrative_coercions", "prior_year_items"): 0, ("administrative_coercions", "items_change"): 0,
            ("administrative_coercions", "decisions"): 0,
            ("administrative_fees", "prior_year_items"): 5, ("administrative_fees", "items_change"): 0,
            ("centralized_procurement", "projects"): 16,
            ("centralized_procurement", "amount_yuan"): Decimal("60127896"),
        },
        "applications": {(r, "total"): 0 for r in ROWS_2019},
        "reviews": REVIEWS,
    },
    "001_0413918a63fee9e6.txt": {
        "proactive": {**_PROACTIVE_2021_ZERO, ("administrative_permits", "decisions"): 0,
                      ("administrative_fees", "amount_yuan"): Decimal("601790")},
        "applications": {(r, a): 0 for r in ROWS_2021 for a in APPLICANTS},
        "reviews": REVIEWS,
    },
    "002_d8b684135bb33e7b.txt": {"proactive": {}, "applications": {}, "reviews": {}},
    "003_a71b1af0d410ed53.txt": {
        "proactive": {**_PROACTIVE_2021_ZERO, ("administrative_permits", "decisions"): 17,
                      ("administrative_fees", "amount_yuan"): Decimal("0")},
        "applications": {(r, a): 0 for r in ROWS_2021 for a in APPLICANTS},
        "reviews": REVIEWS,
    },
    "004_8a5c167a3bf215e4.txt": {
        "proactive": {**_PROACTIVE_2021_ZERO, ("administrative_permits", "decisions"): 627,
                      ("administrative_fees", "amount_yuan"): Decimal("0")},
        "applications": {(r, a): 0 for r in ROWS_2021 for a in APPLICANTS},
        "reviews": REVIEWS,
    },
}
