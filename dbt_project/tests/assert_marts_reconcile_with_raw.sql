-- The facts carry exactly the raw values: per measure, the count and the sum of the values in
-- each fact equal those of the matching raw cells (the raw tables, not the staging views).
with raw_proactive as (
    select
        p.item,
        p.measure,
        count(*) as n_values,
        sum(p.value) as total
    from {{ source('raw', 'proactive') }} as p
    where p.value is not null
      and (
        (p.item in ('administrative_permits', 'administrative_penalties', 'administrative_coercions')
         and p.measure in ('decisions', 'prior_year_items', 'items_change'))
        or (p.item = 'administrative_fees' and p.measure in ('amount_yuan', 'prior_year_items', 'items_change'))
      )
      -- permits and penalties rows exist only where decisions are stated
      and (
        p.item = 'administrative_fees'
        or exists (
            select 1
            from {{ source('raw', 'proactive') }} as d
            where d.report_id = p.report_id
              and d.item = p.item
              and d.measure = 'decisions'
              and d.value is not null
        )
      )
    group by p.item, p.measure
),

{%- set fact_measures = [
    ('fct_permits', "'administrative_permits'", ['decisions', 'prior_year_items', 'items_change']),
    ('fct_penalties', "case kind when 'penalty' then 'administrative_penalties' else 'administrative_coercions' end",
        ['decisions', 'prior_year_items', 'items_change']),
    ('fct_fees', "'administrative_fees'", ['amount_yuan', 'prior_year_items', 'items_change']),
] %}

mart_proactive as (
    {%- for model, item_expr, measures in fact_measures %}
    {%- set outer_loop = loop %}
    {%- for measure in measures %}
    select
        {{ item_expr }} as item,
        '{{ measure }}' as measure,
        count({{ measure }}) as n_values,
        sum(cast({{ measure }} as decimal(38, 4))) as total
    from {{ ref(model) }}
    where {{ measure }} is not null
    group by 1
    {{ "union all" if not (outer_loop.last and loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

proactive_mismatches as (
    select
        'proactive' as section,
        coalesce(r.item, m.item) as item,
        coalesce(r.measure, m.measure) as measure,
        r.n_values as raw_n_values,
        m.n_values as mart_n_values,
        cast(r.total as decimal(38, 4)) as raw_total,
        cast(m.total as decimal(38, 4)) as mart_total
    from raw_proactive as r
    full outer join mart_proactive as m
        on m.item = r.item and m.measure = r.measure
    where coalesce(r.n_values, 0) <> coalesce(m.n_values, 0)
       or coalesce(r.total, 0) <> coalesce(m.total, 0)
),

raw_dispositions as (
    select
        {{ adapter.quote('row') }} as row_name,
        applicant,
        count(*) as n_values,
        sum(value) as total
    from {{ source('raw', 'applications') }}
    where value is not null
      and {{ adapter.quote('row') }} not in ('new_received', 'carried_over', 'total', 'carried_forward')
    group by 1, 2
),

mart_dispositions as (
    select
        row_name,
        applicant,
        count(*) as n_values,
        sum(value) as total
    from {{ ref('fct_application_dispositions') }}
    group by 1, 2
),

disposition_mismatches as (
    select
        'applications' as section,
        coalesce(r.row_name, m.row_name) as item,
        coalesce(r.applicant, m.applicant) as measure,
        r.n_values as raw_n_values,
        m.n_values as mart_n_values,
        cast(r.total as decimal(38, 4)) as raw_total,
        cast(m.total as decimal(38, 4)) as mart_total
    from raw_dispositions as r
    full outer join mart_dispositions as m
        on m.row_name = r.row_name and m.applicant = r.applicant
    where coalesce(r.n_values, 0) <> coalesce(m.n_values, 0)
       or coalesce(r.total, 0) <> coalesce(m.total, 0)
)

select * from proactive_mismatches
union all
select * from disposition_mismatches
