-- A table, not a view: report_quality reads it twice and report_quality_checks once; as a view each read
-- recomputed every identity over every cell, and at 20,000 reports the joins no longer fitted DuckDB's
-- memory_limit (XXGK_DUCKDB_MEMORY) there.
{{ config(materialized='table') }}

-- The form's own identities (勾稽关系), one row per report × check:
--   column_balance:<applicant>      new_received + carried_over = total + carried_forward
--   column_dispositions:<applicant> total = sum of the disposition rows
--   row_applicants:<row>            the total column = sum of the six applicant columns
--   review_outcomes:<proceeding>    total = upheld + corrected + other + pending
-- A check is evaluated when every cell it involves is stated. With cells missing it still FAILS when
-- one side of its equation is fully stated and the stated cells of the other side already add up to
-- more (counts are never negative, so no value of the blanks can make it hold: the rule of
-- pipelines/extract/identities.py); expected / actual / difference are then sums over the stated
-- cells. Otherwise its status is 'incomplete' and expected / actual / difference / holds are null
-- (a blank cell is not 0).
-- The disposition rows depend on the form: the 2019 form has one （六）其他处理 row, the 2021 form
-- three numbered sub-rows; a report's style is the one its cells use, else its layout's.
-- Application checks cover reports with a standard layout or any section 三 cell, review checks
-- reports with a standard layout or any section 四 cell; narrative reports get no checks.
-- The form's vocabulary (its rows, applicant columns, proceedings and outcomes) comes from the
-- stg_form_* models, that is from pipelines/extract/vocabulary.json.

with form_rows as (
    select row_name, row_group, layouts
    from {{ ref('stg_form_rows') }}
),

applicant_columns as (
    select applicant, is_total
    from {{ ref('stg_form_applicants') }}
),

review_outcomes as (
    select outcome, is_total
    from {{ ref('stg_form_outcomes') }}
),

review_proceedings as (
    select proceeding
    from {{ ref('stg_form_proceedings') }}
),

-- Reports that get application checks, with the disposition style of their form: '2021' when a cell is
-- on a row only the 2021 form has, else '2019' when one is on a row only the 2019 form has, else the
-- report's layout's ('2021' when it has none).
application_scope as (
    select
        reports.report_id,
        case
            when max(case when not list_contains(form_rows.layouts, '2019') then 1 else 0 end) = 1 then '2021'
            when max(case when not list_contains(form_rows.layouts, '2021') then 1 else 0 end) = 1 then '2019'
            when reports.layout = '2019' then '2019'
            else '2021'
        end as disposition_style
    from {{ ref('stg_reports') }} as reports
    left join {{ ref('stg_applications') }} as cells
        on cells.report_id = reports.report_id
    left join form_rows
        on form_rows.row_name = cells.row_name
    group by reports.report_id, reports.layout
    having reports.layout in ('2019', '2021') or count(cells.report_id) > 0
),

review_scope as (
    select reports.report_id
    from {{ ref('stg_reports') }} as reports
    left join {{ ref('stg_reviews') }} as cells
        on cells.report_id = reports.report_id
    group by reports.report_id, reports.layout
    having reports.layout in ('2019', '2021') or count(cells.report_id) > 0
),

-- The cells each application check involves, and on which side of its equation they stand.
application_terms as (
    select
        'column_balance' as check_kind,
        applicant_columns.applicant as subject,
        form_rows.row_name,
        applicant_columns.applicant,
        case when form_rows.row_group = 'received' then 'expected' else 'actual' end as side,
        form_rows.layouts
    from applicant_columns
    cross join form_rows
    where form_rows.row_group in ('received', 'total', 'carried_forward')

    union all

    select
        'column_dispositions' as check_kind,
        applicant_columns.applicant as subject,
        form_rows.row_name,
        applicant_columns.applicant,
        case when form_rows.row_group = 'total' then 'expected' else 'actual' end as side,
        form_rows.layouts
    from applicant_columns
    cross join form_rows
    where form_rows.row_group not in ('received', 'carried_forward')

    union all

    select
        'row_applicants' as check_kind,
        form_rows.row_name as subject,
        form_rows.row_name,
        applicant_columns.applicant,
        case when applicant_columns.is_total then 'expected' else 'actual' end as side,
        form_rows.layouts
    from form_rows
    cross join applicant_columns
),

review_terms as (
    select
        'review_outcomes' as check_kind,
        review_proceedings.proceeding as subject,
        review_proceedings.proceeding,
        review_outcomes.outcome,
        case when review_outcomes.is_total then 'expected' else 'actual' end as side
    from review_proceedings
    cross join review_outcomes
),

term_values as (
    select
        application_scope.report_id,
        'applications' as section,
        application_terms.check_kind,
        application_terms.subject,
        application_terms.side,
        cells.value
    from application_scope
    -- an equi-join on one layout per term (a join on list_contains is a nested loop DuckDB cannot spill)
    inner join (select *, unnest(layouts) as layout from application_terms) as application_terms
        on application_terms.layout = application_scope.disposition_style
    left join {{ ref('stg_applications') }} as cells
        on cells.report_id = application_scope.report_id
        and cells.row_name = application_terms.row_name
        and cells.applicant = application_terms.applicant

    union all

    select
        review_scope.report_id,
        'reviews' as section,
        review_terms.check_kind,
        review_terms.subject,
        review_terms.side,
        cells.value
    from review_scope
    cross join review_terms
    left join {{ ref('stg_reviews') }} as cells
        on cells.report_id = review_scope.report_id
        and cells.proceeding = review_terms.proceeding
        and cells.outcome = review_terms.outcome
),

aggregated as (
    select
        report_id,
        section,
        check_kind,
        subject,
        cast(count(*) as {{ dbt.type_int() }}) as n_cells_involved,
        cast(count(value) as {{ dbt.type_int() }}) as n_cells_stated,
        sum(case when side = 'expected' and value is null then 1 else 0 end) = 0 as expected_complete,
        sum(case when side = 'actual' and value is null then 1 else 0 end) = 0 as actual_complete,
        cast(coalesce(sum(case when side = 'expected' then value end), 0) as {{ dbt.type_bigint() }}) as expected_sum,
        cast(coalesce(sum(case when side = 'actual' then value end), 0) as {{ dbt.type_bigint() }}) as actual_sum
    from term_values
    group by report_id, section, check_kind, subject
),

judged as (
    select
        aggregated.*,
        case
            when expected_complete and actual_complete then 'all_cells'
            -- one side fully stated, the stated cells of the other side already exceed it
            when expected_complete and actual_sum > expected_sum then 'stated_cells'
            when actual_complete and expected_sum > actual_sum then 'stated_cells'
        end as judged_on
    from aggregated
),

-- Rows the parser could not read because no reading of their run-together figures satisfies the row's
-- identity: the identity fails whatever the cells are (issue code identity_fails_every_split, whose
-- message starts with the check's name).
parser_failures as (
    select distinct
        report_id,
        regexp_extract(message, '^([a-z_]+:[a-z_]+):', 1) as check_name
    from {{ ref('stg_issues') }}
    where code = 'identity_fails_every_split'
)

select
    judged.report_id,
    {{ dbt.concat(['check_kind', "':'", 'subject']) }} as check_name,
    section,
    check_kind,
    subject,
    case check_kind
        when 'column_balance' then 'new_received + carried_over = total + carried_forward'
        when 'column_dispositions' then 'total = sum of the disposition rows'
        when 'row_applicants' then 'total column = sum of the six applicant columns'
        when 'review_outcomes' then 'total = upheld + corrected + other + pending'
    end as rule,
    n_cells_involved,
    n_cells_stated,
    n_cells_stated = n_cells_involved as is_complete,
    case when judged_on is null and parser_failures.check_name is not null then 'every_split' else judged_on end
        as judged_on,
    case when judged_on is not null then expected_sum end as expected,
    case when judged_on is not null then actual_sum end as actual,
    case when judged_on is not null then actual_sum - expected_sum end as difference,
    case
        when judged_on is not null then expected_sum = actual_sum
        when parser_failures.check_name is not null then false
    end as holds,
    case
        when judged_on is null and parser_failures.check_name is not null then 'fails'
        when judged_on is null then 'incomplete'
        when expected_sum = actual_sum then 'holds'
        else 'fails'
    end as status
from judged
left join parser_failures
    on parser_failures.report_id = judged.report_id
    and parser_failures.check_name = {{ dbt.concat(['judged.check_kind', "':'", 'judged.subject']) }}
