-- One row per agency (normalized key): every spelling the reports use, region, level, sector, coverage.
with names as (
    select
        agencies.*,
        count(reports.report_id) as n_reports_name,
        min(reports.year) as first_year_name,
        max(reports.year) as last_year_name
    from {{ ref('stg_agencies') }} as agencies
    left join {{ ref('stg_reports') }} as reports
        on reports.agency = agencies.agency
    group by all
)

select
    agency_key,
    agency_key as agency,
    string_agg(distinct names.agency, ' / ' order by names.agency) as name_variants,
    any_value(province) as province,
    any_value(prefecture) as prefecture,
    any_value(county) as county,
    any_value(division_code) as division_code,
    any_value(admin_level) as admin_level,
    any_value(sector) as sector,
    any_value(region_status) as region_status,
    any_value(region_reason) as region_reason,
    cast(sum(n_reports_name) as {{ dbt.type_int() }}) as n_reports,
    min(first_year_name) as first_year,
    max(last_year_name) as last_year
from names
group by agency_key
