-- One row per agency name (as the reports give it): how many reports and which years.
-- Reports whose agency is unknown (null) are not counted here.
select
    agency,
    cast(count(*) as {{ dbt.type_int() }}) as n_reports,
    min(year) as first_year,
    max(year) as last_year
from {{ ref('stg_reports') }}
where agency is not null
group by agency
