-- One row per stated cell of section 二 (主动公开): report × item × measure.
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(item as {{ dbt.type_string() }}) as item,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(value as decimal(38, 4)) as value,
    cast(line as {{ dbt.type_int() }}) as line,
    {{ origin_columns() }}
from {{ source('raw', 'proactive') }}
where value is not null
