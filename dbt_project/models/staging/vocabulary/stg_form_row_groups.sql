-- The groups of section 三's rows, in the form's order (pipelines/extract/vocabulary.json).
select
    cast(entry."group" as {{ dbt.type_string() }}) as row_group,
    cast(entry.form_label as {{ dbt.type_string() }}) as group_label,
    cast(entry_order as {{ dbt.type_int() }}) as group_order,
    cast(entry.disposition as boolean) as is_disposition
from {{ vocabulary_entries('$.applications.row_groups', '{"group": "VARCHAR", "disposition": "BOOLEAN", "form_label": "VARCHAR"}') }}
