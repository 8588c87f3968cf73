-- One row per parsed report: raw.reports with explicit types and trimmed agency names.
select
    cast(report_id as {{ dbt.type_string() }}) as report_id,
    cast(source_file as {{ dbt.type_string() }}) as source_file,
    cast(sha256 as {{ dbt.type_string() }}) as sha256,
    nullif(trim(agency), '') as agency,
    cast(year as {{ dbt.type_int() }}) as year,
    cast(layout as {{ dbt.type_string() }}) as layout,
    coalesce(layout in ('2021', '2019'), false) as is_standard_layout,
    cast(published_on as date) as published_on,
    cast(rendering as {{ dbt.type_string() }}) as rendering,
    cast(encoding as {{ dbt.type_string() }}) as encoding,
    cast(parser_version as {{ dbt.type_string() }}) as parser_version,
    cast(coalesce(n_warnings, 0) as {{ dbt.type_int() }}) as n_warnings
from {{ source('raw', 'reports') }}
