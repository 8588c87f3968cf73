-- One row per report × identity check (勾稽关系): the check's result and difference, with the
-- report's file name and agency, so a reader can go from a failing report to the figures at fault.
-- The checks themselves are computed in int_application_identities.
select
    checks.report_id,
    reports.source_file,
    reports.agency,
    reports.year,
    reports.layout,
    checks.check_name,
    checks.section,
    checks.check_kind,
    checks.subject,
    checks.rule,
    checks.n_cells_involved,
    checks.n_cells_stated,
    checks.is_complete,
    checks.judged_on,
    checks.expected,
    checks.actual,
    checks.difference,
    checks.holds,
    checks.status
from {{ ref('int_application_identities') }} as checks
inner join {{ ref('stg_reports') }} as reports
    on reports.report_id = checks.report_id
