-- One row per stated cell of section 四 (行政复议、行政诉讼): report × proceeding × outcome.
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(proceeding as {{ dbt.type_string() }}) as proceeding,
    cast(outcome as {{ dbt.type_string() }}) as outcome,
    cast(value as {{ dbt.type_bigint() }}) as value,
    cast(line as {{ dbt.type_int() }}) as line,
    {{ origin_columns() }}
from {{ source('raw', 'reviews') }}
where value is not null
