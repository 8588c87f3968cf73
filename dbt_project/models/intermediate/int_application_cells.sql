-- One row per stated cell of section 三, with the row's place in the form: its group
-- (received, granted, partially_granted, denied, unavailable, not_processed, other, total,
-- carried_forward), its Chinese label, its order in the form, and whether it is a disposition row.
with row_vocabulary as (
    {%- set rows = [] %}
    {%- for r in xxgk_application_rows() %}
        {%- do rows.append((r[0], r[1], r[2], loop.index)) %}
    {%- endfor %}
    {{ xxgk_values_relation(rows, ['row_name', 'row_group', 'row_label', 'row_order']) }}
),

applicant_vocabulary as (
    {%- set applicants = [] %}
    {%- for a in xxgk_applicant_types() + ['total'] %}
        {%- do applicants.append((a, loop.index)) %}
    {%- endfor %}
    {{ xxgk_values_relation(applicants, ['applicant', 'applicant_order']) }}
)

select
    cells.report_id,
    cells.row_name,
    row_vocabulary.row_group,
    row_vocabulary.row_label,
    row_vocabulary.row_order,
    row_vocabulary.row_group not in ('received', 'total', 'carried_forward') as is_disposition,
    cells.applicant,
    applicant_vocabulary.applicant_order,
    cells.applicant = 'total' as is_applicant_total,
    cells.value,
    cells.line,
    cells.location
from {{ ref('stg_applications') }} as cells
left join row_vocabulary
    on cells.row_name = row_vocabulary.row_name
left join applicant_vocabulary
    on cells.applicant = applicant_vocabulary.applicant
