-- One row per report × kind ('penalty' 行政处罚, 'coercion' 行政强制) stating the number of decisions.
select
    items.report_id,
    case items.item
        when 'administrative_penalties' then 'penalty'
        when 'administrative_coercions' then 'coercion'
    end as kind,
    reports.agency,
    reports.year,
    reports.layout,
    cast(items.decisions as {{ dbt.type_bigint() }}) as decisions,
    cast(items.prior_year_items as {{ dbt.type_bigint() }}) as prior_year_items,
    cast(items.items_change as {{ dbt.type_bigint() }}) as items_change,
    items.decisions_line as line
from {{ ref('int_proactive_items') }} as items
inner join {{ ref('stg_reports') }} as reports
    on reports.report_id = items.report_id
where items.item in ('administrative_penalties', 'administrative_coercions')
  and items.decisions is not null
