-- One row per report: how many cells of each standard table it states and how many issues
-- of each severity the parser raised on it.
with proactive as (
    select report_id, count(*) as n_cells
    from {{ ref('stg_proactive') }}
    group by report_id
),

applications as (
    select report_id, count(*) as n_cells
    from {{ ref('stg_applications') }}
    group by report_id
),

reviews as (
    select report_id, count(*) as n_cells
    from {{ ref('stg_reviews') }}
    group by report_id
),

issues as (
    select
        report_id,
        count(*) as n_issues,
        sum(case when severity = 'info' then 1 else 0 end) as n_info,
        sum(case when severity = 'warning' then 1 else 0 end) as n_warning,
        sum(case when severity = 'error' then 1 else 0 end) as n_error
    from {{ ref('stg_issues') }}
    group by report_id
)

select
    reports.report_id,
    cast(coalesce(proactive.n_cells, 0) as {{ dbt.type_int() }}) as n_proactive_cells,
    cast(coalesce(applications.n_cells, 0) as {{ dbt.type_int() }}) as n_application_cells,
    cast(coalesce(reviews.n_cells, 0) as {{ dbt.type_int() }}) as n_review_cells,
    coalesce(proactive.n_cells, 0) + coalesce(applications.n_cells, 0) + coalesce(reviews.n_cells, 0) > 0
        as has_tables,
    cast(coalesce(issues.n_issues, 0) as {{ dbt.type_int() }}) as n_issues,
    cast(coalesce(issues.n_info, 0) as {{ dbt.type_int() }}) as n_issues_info,
    cast(coalesce(issues.n_warning, 0) as {{ dbt.type_int() }}) as n_issues_warning,
    cast(coalesce(issues.n_error, 0) as {{ dbt.type_int() }}) as n_issues_error
from {{ ref('stg_reports') }} as reports
left join proactive on proactive.report_id = reports.report_id
left join applications on applications.report_id = reports.report_id
left join reviews on reviews.report_id = reports.report_id
left join issues on issues.report_id = reports.report_id
