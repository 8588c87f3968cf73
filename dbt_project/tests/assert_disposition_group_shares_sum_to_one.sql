-- In disposition_shares, the six groups cover every disposition: per year and administrative level,
-- their requests add up to the dispositions total (so their shares to 1), and the reasons of denial
-- add up to the denied group.
with groups as (
    select
        year,
        admin_level,
        max(dispositions_total) as dispositions_total,
        sum(case when is_group then coalesce(requests, 0) else 0 end) as group_requests,
        sum(case when disposition = 'denied' then coalesce(requests, 0) else 0 end) as denied,
        sum(case when disposition_group = 'denied' and not is_group then coalesce(requests, 0) else 0 end)
            as denied_reasons
    from {{ ref('disposition_shares') }}
    group by year, admin_level
)

select *
from groups
where group_requests <> dispositions_total
   or denied <> denied_reasons
