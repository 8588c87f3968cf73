-- One row per report stating the number of administrative-permit decisions (行政许可 处理决定数量).
select
    items.report_id,
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
where items.item = 'administrative_permits'
  and items.decisions is not null
