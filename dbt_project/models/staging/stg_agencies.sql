-- One row per agency name, typed: the agency dimension's source.
select
    cast(agency as varchar) as agency,
    cast(agency_key as varchar) as agency_key,
    province,
    prefecture,
    county,
    division_code,
    admin_level,
    sector,
    region_status,
    region_reason,
    dataset
from {{ source('raw', 'agencies') }}
