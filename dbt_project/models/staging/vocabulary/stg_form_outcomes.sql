-- The outcomes of section 四 (columns of the table), in the form's order (pipelines/extract/vocabulary.json);
-- the last, total (总计), is the sum of the others.
select
    cast(entry as {{ dbt.type_string() }}) as outcome,
    cast(vocabulary ->> ('$.reviews.outcome_labels.' || entry) as {{ dbt.type_string() }}) as outcome_label,
    cast(entry_order as {{ dbt.type_int() }}) as outcome_order,
    entry = 'total' as is_total
from {{ vocabulary_entries('$.reviews.outcomes', '"VARCHAR"') }}
