{#- The decision counts of section 二 for the given items, one row per report × item, with the report's
    metadata: the shared body of fct_permits and fct_penalties. `extra_columns` go after report_id. -#}
{% macro decision_facts(items, extra_columns='') %}
select
    items.report_id,
    {{ extra_columns }}
    reports.agency,
    reports.year,
    reports.layout,
    cast(items.decisions as {{ dbt.type_bigint() }}) as decisions,
    cast(items.prior_year_items as {{ dbt.type_bigint() }}) as prior_year_items,
    cast(items.items_change as {{ dbt.type_bigint() }}) as items_change,
    items.decisions_line as line,
    items.decisions_location as location
from {{ ref('int_proactive_items') }} as items
inner join {{ ref('stg_reports') }} as reports
    on reports.report_id = items.report_id
where items.item in ({% for i in items %}'{{ i }}'{{ ", " if not loop.last }}{% endfor %})
  and items.decisions is not null
{% endmacro %}
