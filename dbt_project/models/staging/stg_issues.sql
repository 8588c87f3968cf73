-- One row per issue the parser raised on a report.
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(severity as {{ dbt.type_string() }}) as severity,
    cast(code as {{ dbt.type_string() }}) as code,
    cast(message as {{ dbt.type_string() }}) as message,
    cast(line as {{ dbt.type_int() }}) as line,
    cast(section as {{ dbt.type_string() }}) as section,
    cast(row_key as {{ dbt.type_string() }}) as row_key
from {{ source('raw', 'issues') }}
