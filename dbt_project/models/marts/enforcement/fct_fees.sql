-- One row per report stating anything about administrative fees (行政事业性收费): the amount
-- collected in yuan (2021 layout) and/or the item counts (2019 layout).
select
    items.report_id,
    reports.agency,
    reports.year,
    reports.layout,
    cast(items.amount_yuan as decimal(38, 4)) as amount_yuan,
    cast(items.prior_year_items as {{ dbt.type_bigint() }}) as prior_year_items,
    cast(items.items_change as {{ dbt.type_bigint() }}) as items_change,
    coalesce(items.amount_yuan_line, items.line) as line,
    coalesce(items.amount_yuan_location, items.prior_year_items_location) as location
from {{ ref('int_proactive_items') }} as items
inner join {{ ref('stg_reports') }} as reports
    on reports.report_id = items.report_id
where items.item = 'administrative_fees'
