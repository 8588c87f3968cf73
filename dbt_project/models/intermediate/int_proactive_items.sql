-- One row per report × item of section 二 with at least one stated measure: the measures
-- pivoted into columns (null where the report does not state them).
{%- set measures = ['issued', 'abolished', 'in_force', 'new_made', 'new_published', 'total_published',
                    'prior_year_items', 'items_change', 'decisions', 'projects', 'amount_yuan'] %}
select
    report_id,
    item,
    {%- for measure in measures %}
    max(case when measure = '{{ measure }}' then value end) as {{ measure }},
    {%- endfor %}
    {%- for measure in measures %}
    max(case when measure = '{{ measure }}' then line end) as {{ measure }}_line,
    {%- endfor %}
    {%- for measure in measures %}
    max(case when measure = '{{ measure }}' then location end) as {{ measure }}_location,
    {%- endfor %}
    min(line) as line,
    count(*) as n_measures
from {{ ref('stg_proactive') }}
group by report_id, item
