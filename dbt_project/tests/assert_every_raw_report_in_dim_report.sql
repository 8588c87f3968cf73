-- Every report in raw.reports has exactly one dim_report row, and dim_report has no other rows.
with raw_reports as (
    select report_id from {{ source('raw', 'reports') }}
),

dim as (
    select report_id, count(*) as n_rows
    from {{ ref('dim_report') }}
    group by report_id
)

select raw_reports.report_id, 'missing from dim_report' as problem
from raw_reports
left join dim on dim.report_id = raw_reports.report_id
where dim.report_id is null

union all

select dim.report_id, 'not in raw.reports' as problem
from dim
left join raw_reports on raw_reports.report_id = dim.report_id
where raw_reports.report_id is null

union all

select dim.report_id, 'more than one dim_report row' as problem
from dim
where dim.n_rows > 1
