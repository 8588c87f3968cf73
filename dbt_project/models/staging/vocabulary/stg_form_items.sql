-- The items of section 二 (rows of its tables), in the form's order (pipelines/extract/vocabulary.json).
select
    cast(entry.item as {{ dbt.type_string() }}) as item,
    cast(entry."label" as {{ dbt.type_string() }}) as item_label,
    cast(entry_order as {{ dbt.type_int() }}) as item_order
from {{ vocabulary_entries('$.proactive', '{"item": "VARCHAR", "label": "VARCHAR"}') }}
