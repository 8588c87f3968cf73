-- One row per report: how many of the form's identities (勾稽关系) could be checked, how many
-- fail, how many are incomplete (a cell not stated), and the names of the failing checks.
with checks as (
    select
        report_id,
        count(*) as checks_total,
        sum(case when status = 'holds' then 1 else 0 end) as checks_passed,
        sum(case when status = 'fails' then 1 else 0 end) as checks_failed,
        sum(case when status = 'incomplete' then 1 else 0 end) as checks_incomplete
    from {{ ref('int_application_identities') }}
    group by report_id
),

failed as (
    select
        report_id,
        {{ dbt.listagg('check_name', "', '", 'order by check_name') }} as failed_checks
    from {{ ref('int_application_identities') }}
    where status = 'fails'
    group by report_id
)

select
    reports.report_id,
    reports.source_file,
    reports.agency,
    reports.year,
    reports.layout,
    cast(coalesce(checks.checks_total, 0) as {{ dbt.type_int() }}) as checks_total,
    cast(coalesce(checks.checks_passed, 0) as {{ dbt.type_int() }}) as checks_passed,
    cast(coalesce(checks.checks_failed, 0) as {{ dbt.type_int() }}) as checks_failed,
    cast(coalesce(checks.checks_incomplete, 0) as {{ dbt.type_int() }}) as checks_incomplete,
    coalesce(checks.checks_failed, 0) > 0 as has_failed_checks,
    failed.failed_checks,
    contents.n_issues,
    contents.n_issues_warning,
    contents.n_issues_error
from {{ ref('stg_reports') }} as reports
inner join {{ ref('int_report_contents') }} as contents
    on contents.report_id = reports.report_id
left join checks
    on checks.report_id = reports.report_id
left join failed
    on failed.report_id = reports.report_id
