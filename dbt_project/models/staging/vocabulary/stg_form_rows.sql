-- The rows of section 三, in the form's order (pipelines/extract/vocabulary.json): each row's group, its
-- label as the form prints it, and the layouts whose form has it (a row without `layouts` is in every one).
with form_rows as (
    select
        cast(entry."row" as {{ dbt.type_string() }}) as row_name,
        cast(entry."group" as {{ dbt.type_string() }}) as row_group,
        cast(entry.form_label as {{ dbt.type_string() }}) as row_label,
        cast(entry_order as {{ dbt.type_int() }}) as row_order,
        coalesce(entry.layouts, cast(json_keys(vocabulary -> '$.layouts') as varchar[])) as layouts
    from {{ vocabulary_entries('$.applications.rows', '{"row": "VARCHAR", "group": "VARCHAR", "form_label": "VARCHAR", "layouts": ["VARCHAR"]}') }}
)

select
    form_rows.row_name,
    form_rows.row_group,
    form_rows.row_label,
    form_rows.row_order,
    form_rows.layouts,
    row_groups.is_disposition
from form_rows
left join {{ ref('stg_form_row_groups') }} as row_groups
    on row_groups.row_group = form_rows.row_group
