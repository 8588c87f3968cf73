-- The applicant columns of section 三, in the form's order (pipelines/extract/vocabulary.json); the last,
-- total (总计), is the sum of the others.
select
    cast(entry as {{ dbt.type_string() }}) as applicant,
    cast(vocabulary ->> ('$.applications.applicant_labels.' || entry) as {{ dbt.type_string() }}) as applicant_label,
    cast(entry_order as {{ dbt.type_int() }}) as applicant_order,
    entry = 'total' as is_total
from {{ vocabulary_entries('$.applications.applicants', '"VARCHAR"') }}
