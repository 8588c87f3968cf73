-- One row per report: how many of the form's identities (勾稽关系) could be checked, how many
-- hold, fail (on every cell, or on the stated cells alone when those already exceed the total),
-- or are incomplete (a cell not stated), with the failing checks and their differences.
-- One row per check: report_quality_checks.
with checks as (
    select
        report_id,
        count(*) as checks_total,
        sum(case when status = 'holds' then 1 else 0 end) as checks_passed,
        sum(case when status = 'fails' then 1 else 0 end) as checks_failed,
        sum(case when status = 'fails' and judged_on = 'stated_cells' then 1 else 0 end)
            as checks_failed_on_stated_cells,
        sum(case when status = 'incomplete' then 1 else 0 end) as checks_incomplete
    from {{ ref('int_application_identities') }}
    group by report_id
),

failed as (
    select
        report_id,
        {{ dbt.listagg('check_name', "', '", 'order by check_name') }} as failed_checks,
        {{ dbt.listagg(dbt.concat(['check_name', "' ('", "coalesce(" ~ dbt.cast('difference', dbt.type_string()) ~ ", 'every split')", "')'"]),
                       "', '", 'order by check_name') }} as failed_check_differences,
        max(abs(difference)) as max_abs_difference
    from {{ ref('int_application_identities') }}
    where status = 'fails'
    group by report_id
),

parser_flags as (
    select report_id, count(*) as n_identity_warnings
    from {{ ref('stg_issues') }}
    where code = 'identity_failed'
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
    cast(coalesce(checks.checks_failed_on_stated_cells, 0) as {{ dbt.type_int() }}) as checks_failed_on_stated_cells,
    cast(coalesce(checks.checks_incomplete, 0) as {{ dbt.type_int() }}) as checks_incomplete,
    coalesce(checks.checks_failed, 0) > 0 as has_failed_checks,
    failed.failed_checks,
    failed.failed_check_differences,
    cast(failed.max_abs_difference as {{ dbt.type_bigint() }}) as max_abs_difference,
    cast(coalesce(parser_flags.n_identity_warnings, 0) as {{ dbt.type_int() }}) as n_parser_identity_warnings,
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
left join parser_flags
    on parser_flags.report_id = reports.report_id
