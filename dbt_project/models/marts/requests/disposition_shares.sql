-- What became of information requests, by year × administrative level × disposition: the requests
-- in the 总计 column of section 三 and their share of the year-level's dispositions total (the sum of
-- every stated disposition row （一）–（六）, so the shares of the six groups add up to 1).
-- Dispositions: the six groups (granted, partially_granted, denied, unavailable, not_processed,
-- other) and, within denied （三）, each reason (denied_*) separately; sum over is_group = true, or
-- over the reasons of one group, never over both. Sums are over stated cells only (a blank is not 0).
-- The administrative level comes from dim_agency.admin_level (null: agency unresolved or unknown).
-- The dispositions and their labels and order come from the form's vocabulary (stg_form_rows,
-- stg_form_row_groups): each group at its first row, each reason of denial after its group.

with dispositions as (
    select
        disposition,
        disposition_group,
        disposition_label,
        cast(row_number() over (order by first_row, is_reason) as {{ dbt.type_int() }}) as disposition_order
    from (
        select
            form_rows.row_group as disposition,
            form_rows.row_group as disposition_group,
            row_groups.group_label as disposition_label,
            min(form_rows.row_order) as first_row,
            0 as is_reason
        from {{ ref('stg_form_rows') }} as form_rows
        inner join {{ ref('stg_form_row_groups') }} as row_groups
            on row_groups.row_group = form_rows.row_group
        where row_groups.is_disposition
        group by form_rows.row_group, row_groups.group_label

        union all

        select
            row_name as disposition,
            row_group as disposition_group,
            row_label as disposition_label,
            row_order as first_row,
            1 as is_reason
        from {{ ref('stg_form_rows') }}
        where row_group = 'denied'
    ) as form_dispositions
),

reports as (
    select
        dim_report.report_id,
        dim_report.year,
        dim_agency.admin_level
    from {{ ref('dim_report') }} as dim_report
    left join {{ ref('dim_agency') }} as dim_agency
        on dim_agency.agency_key = dim_report.agency_key
    where dim_report.year is not null
),

cells as (
    select report_id, row_name, row_group, value
    from {{ ref('fct_application_dispositions') }}
    where is_applicant_total
),

-- each cell counts towards its group and, for a denied row, towards its own reason too
cell_dispositions as (
    select report_id, row_group as disposition, value
    from cells

    union all

    select report_id, row_name as disposition, value
    from cells
    where row_group = 'denied'
),

year_levels as (
    select
        reports.year,
        reports.admin_level,
        count(distinct reports.report_id) as n_reports,
        sum(cells.value) as dispositions_total
    from reports
    inner join cells
        on cells.report_id = reports.report_id
    group by reports.year, reports.admin_level
),

stated as (
    select
        reports.year,
        reports.admin_level,
        cell_dispositions.disposition,
        sum(cell_dispositions.value) as requests,
        count(distinct cell_dispositions.report_id) as n_reports_stating
    from reports
    inner join cell_dispositions
        on cell_dispositions.report_id = reports.report_id
    group by reports.year, reports.admin_level, cell_dispositions.disposition
)

select
    year_levels.year,
    year_levels.admin_level,
    dispositions.disposition,
    dispositions.disposition_group,
    dispositions.disposition = dispositions.disposition_group as is_group,
    dispositions.disposition_label,
    dispositions.disposition_order,
    cast(stated.requests as {{ dbt.type_bigint() }}) as requests,
    cast(coalesce(stated.n_reports_stating, 0) as {{ dbt.type_int() }}) as n_reports_stating,
    cast(year_levels.n_reports as {{ dbt.type_int() }}) as n_reports,
    cast(year_levels.dispositions_total as {{ dbt.type_bigint() }}) as dispositions_total,
    case
        when year_levels.dispositions_total > 0
            then cast(stated.requests as double precision) / year_levels.dispositions_total
    end as share
from year_levels
cross join dispositions
left join stated
    on stated.year = year_levels.year
    and stated.admin_level is not distinct from year_levels.admin_level
    and stated.disposition = dispositions.disposition
