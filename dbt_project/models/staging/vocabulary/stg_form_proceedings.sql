-- The proceedings of section 四 (rows of the table), in the form's order (pipelines/extract/vocabulary.json).
select
    cast(entry as {{ dbt.type_string() }}) as proceeding,
    cast(vocabulary ->> ('$.reviews.proceeding_labels.' || entry) as {{ dbt.type_string() }}) as proceeding_label,
    cast(entry_order as {{ dbt.type_int() }}) as proceeding_order
from {{ vocabulary_entries('$.reviews.proceedings', '"VARCHAR"') }}
