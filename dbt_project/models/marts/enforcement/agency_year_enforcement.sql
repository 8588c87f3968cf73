-- Enforcement per agency and year: permit decisions (行政许可), penalty decisions (行政处罚),
-- coercion decisions (行政强制) and administrative fees collected (行政事业性收费, yuan), each with
-- the agency's value the year before and the year-over-year change (absolute, and in percent of the
-- year before's value; null when that is 0). A value the reports do not state is null, and so is
-- every change involving it.
-- When an agency has several reports on one year, a value is taken only when the reports stating it
-- agree (else null, has_conflicting_reports = true). admin_level and sector come from dim_agency.
{%- set measures = ['permits', 'penalties', 'coercions', 'fees_yuan'] %}

with reports as (
    select report_id, agency_key, agency, year
    from {{ ref('dim_report') }}
    where agency_key is not null
      and year is not null
),

report_values as (
    select
        reports.agency_key,
        reports.agency,
        reports.year,
        reports.report_id,
        permits.decisions as permits,
        penalties.decisions as penalties,
        coercions.decisions as coercions,
        fees.amount_yuan as fees_yuan
    from reports
    left join {{ ref('fct_permits') }} as permits
        on permits.report_id = reports.report_id
    left join {{ ref('fct_penalties') }} as penalties
        on penalties.report_id = reports.report_id
        and penalties.kind = 'penalty'
    left join {{ ref('fct_penalties') }} as coercions
        on coercions.report_id = reports.report_id
        and coercions.kind = 'coercion'
    left join {{ ref('fct_fees') }} as fees
        on fees.report_id = reports.report_id
),

agency_years as (
    select
        agency_key,
        year,
        min(agency) as agency,
        count(*) as n_reports,
        {{ dbt.listagg('report_id', "', '", 'order by report_id') }} as report_ids,
        {%- for m in measures %}
        case when min({{ m }}) = max({{ m }}) then min({{ m }}) end as {{ m }},
        {%- endfor %}
        (
            {%- for m in measures %}
            min({{ m }}) <> max({{ m }}){{ " or" if not loop.last }}
            {%- endfor %}
        ) as has_conflicting_reports
    from report_values
    group by agency_key, year
)

select
    this_year.agency_key,
    this_year.agency,
    dim_agency.admin_level,
    dim_agency.sector,
    this_year.year,
    cast(this_year.n_reports as {{ dbt.type_int() }}) as n_reports,
    this_year.report_ids,
    coalesce(this_year.has_conflicting_reports, false) as has_conflicting_reports,
    last_year.year is not null as has_previous_year,
    {%- for m in measures %}
    {%- set t = 'decimal(38, 4)' if m == 'fees_yuan' else dbt.type_bigint() %}
    cast(this_year.{{ m }} as {{ t }}) as {{ m }},
    cast(last_year.{{ m }} as {{ t }}) as {{ m }}_previous,
    cast(this_year.{{ m }} - last_year.{{ m }} as {{ t }}) as {{ m }}_change,
    case
        when last_year.{{ m }} <> 0
            then 100 * cast(this_year.{{ m }} - last_year.{{ m }} as double precision)
                 / cast(last_year.{{ m }} as double precision)
    end as {{ m }}_change_pct{{ "," if not loop.last }}
    {%- endfor %}
from agency_years as this_year
left join agency_years as last_year
    on last_year.agency_key = this_year.agency_key
    and last_year.year = this_year.year - 1
left join {{ ref('dim_agency') }} as dim_agency
    on dim_agency.agency_key = this_year.agency_key
