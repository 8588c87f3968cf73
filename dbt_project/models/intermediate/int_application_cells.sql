-- One row per stated cell of section 三, with the row's place in the form: its group
-- (received, granted, partially_granted, denied, unavailable, not_processed, other, total,
-- carried_forward), its Chinese label, its order in the form, and whether it is a disposition row.
select
    cells.report_id,
    cells.row_name,
    form_rows.row_group,
    form_rows.row_label,
    form_rows.row_order,
    form_rows.is_disposition,
    cells.applicant,
    applicants.applicant_order,
    cells.applicant = 'total' as is_applicant_total,
    cells.value,
    cells.line,
    cells.location
from {{ ref('stg_applications') }} as cells
left join {{ ref('stg_form_rows') }} as form_rows
    on cells.row_name = form_rows.row_name
left join {{ ref('stg_form_applicants') }} as applicants
    on cells.applicant = applicants.applicant
