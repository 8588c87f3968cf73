-- Cross-year links: for the same agency (dim_report.agency_key), every pair of a report on year y
-- and a report on year y + 1, once per applicant column of section 三 (the six columns and 总计):
-- what the earlier report carried forward (四、结转下年度继续办理) against what the later one says it
-- carried over (二、上年结转政府信息公开申请数量). A blank cell is not 0: when either value is not
-- stated the link is 'incomplete' and difference / holds are null.

with reports as (
    select report_id, source_file, agency, agency_key, year, layout
    from {{ ref('dim_report') }}
    where agency_key is not null
      and year is not null
),

pairs as (
    select
        later.agency_key,
        earlier.report_id as previous_report_id,
        earlier.source_file as previous_source_file,
        earlier.agency as previous_agency,
        earlier.year as previous_year,
        earlier.layout as previous_layout,
        later.report_id,
        later.source_file,
        later.agency,
        later.year,
        later.layout
    from reports as later
    inner join reports as earlier
        on earlier.agency_key = later.agency_key
        and earlier.year = later.year - 1
),

applicant_columns as (
    select applicant, applicant_order
    from {{ ref('stg_form_applicants') }}
),

carried as (
    select report_id, row_name, applicant, value, line
    from {{ ref('int_application_cells') }}
    where row_name in ('carried_forward', 'carried_over')
)

select
    pairs.agency_key,
    pairs.previous_report_id,
    pairs.previous_source_file,
    pairs.previous_agency,
    pairs.previous_year,
    pairs.previous_layout,
    pairs.report_id,
    pairs.source_file,
    pairs.agency,
    pairs.year,
    pairs.layout,
    applicant_columns.applicant,
    applicant_columns.applicant_order,
    last_year.value as previous_carried_forward,
    last_year.line as previous_carried_forward_line,
    this_year.value as carried_over,
    this_year.line as carried_over_line,
    this_year.value - last_year.value as difference,
    case when last_year.value is not null and this_year.value is not null then this_year.value = last_year.value end as holds,
    case
        when last_year.value is null or this_year.value is null then 'incomplete'
        when this_year.value = last_year.value then 'holds'
        else 'fails'
    end as status
from pairs
cross join applicant_columns
left join carried as last_year
    on last_year.report_id = pairs.previous_report_id
    and last_year.row_name = 'carried_forward'
    and last_year.applicant = applicant_columns.applicant
left join carried as this_year
    on this_year.report_id = pairs.report_id
    and this_year.row_name = 'carried_over'
    and this_year.applicant = applicant_columns.applicant
