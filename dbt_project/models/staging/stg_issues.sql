-- One row per issue the parser raised on a report.
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(severity as {{ dbt.type_string() }}) as severity,
    cast(code as {{ dbt.type_string() }}) as code,
    cast(message as {{ dbt.type_string() }}) as message,
    cast(line as {{ dbt.type_int() }}) as line
from {{ source('raw', 'issues') }}
