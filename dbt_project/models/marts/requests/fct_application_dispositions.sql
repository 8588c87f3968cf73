-- One row per report × disposition row × applicant column with a stated value: how the
-- requests were handled (section 三 （一）–（六）). The applicant column 'total' (总计) is included
-- and flagged: sum over is_applicant_total = false, or over it alone, never over both.
select
    cells.report_id,
    reports.agency,
    reports.year,
    reports.layout,
    cells.row_name,
    cells.row_group,
    cells.row_label,
    cells.row_order,
    cells.applicant,
    cells.is_applicant_total,
    cells.value,
    cells.line,
    cells.location
from {{ ref('int_application_cells') }} as cells
inner join {{ ref('stg_reports') }} as reports
    on reports.report_id = cells.report_id
where cells.is_disposition
