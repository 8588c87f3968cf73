-- One row per stated cell of section 三 (依申请公开): report × row × applicant column.
-- The raw column "row" is renamed row_name (ROW is an SQL keyword).
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast({{ adapter.quote('row') }} as {{ dbt.type_string() }}) as row_name,
    cast(applicant as {{ dbt.type_string() }}) as applicant,
    cast(value as {{ dbt.type_bigint() }}) as value,
    cast(line as {{ dbt.type_int() }}) as line,
    {{ origin_columns() }}
from {{ source('raw', 'applications') }}
where value is not null
