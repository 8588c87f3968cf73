-- One row per file seen in the raw directory, with what became of it.
select
    cast(path as {{ dbt.type_string() }}) as path,
    cast(sha256 as {{ dbt.type_string() }}) as sha256,
    cast(size_bytes as {{ dbt.type_bigint() }}) as size_bytes,
    cast(encoding as {{ dbt.type_string() }}) as encoding,
    cast(rendering as {{ dbt.type_string() }}) as rendering,
    cast(layout as {{ dbt.type_string() }}) as layout,
    cast(status as {{ dbt.type_string() }}) as status,
    status in ('loaded', 'loaded_with_warnings') as is_loaded,
    cast(reason as {{ dbt.type_string() }}) as reason,
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(first_seen as {{ dbt.type_timestamp() }}) as first_seen,
    cast(last_seen as {{ dbt.type_timestamp() }}) as last_seen,
    cast(parser_version as {{ dbt.type_string() }}) as parser_version
from {{ source('raw', 'report_files') }}
