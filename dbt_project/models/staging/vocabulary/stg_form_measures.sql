-- The measures of section 二 (columns of its tables): one row per item × layout × measure the layout's form
-- states for the item, in the form's order (pipelines/extract/vocabulary.json).
with layouts as (
    select
        entry.item,
        entry_order as item_order,
        unnest(map_entries(entry.measures)) as layout_measures,
        vocabulary
    from {{ vocabulary_entries('$.proactive', '{"item": "VARCHAR", "measures": "MAP(VARCHAR, VARCHAR[])"}') }}
),

measures as (
    select
        item,
        item_order,
        layout_measures."key" as layout,
        unnest(layout_measures."value") as measure,
        generate_subscripts(layout_measures."value", 1) as measure_order,
        vocabulary
    from layouts
)

select
    cast(item as {{ dbt.type_string() }}) as item,
    cast(layout as {{ dbt.type_string() }}) as layout,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(measure_order as {{ dbt.type_int() }}) as measure_order,
    list_contains(from_json(vocabulary -> '$.money_measures', '["VARCHAR"]'), measure) as is_money,
    list_contains(from_json(vocabulary -> '$.signed_measures', '["VARCHAR"]'), measure) as is_signed
from measures
