{#-
  The canonical vocabulary of /work/shared/spec/canonical-tables.md, in one place for the SQL.
  (The schema YAML repeats the lists in its accepted_values tests, since YAML cannot call macros.)
-#}

{#- The six applicant columns of section 三, in the form's order; `total` (总计) is their sum. -#}
{% macro xxgk_applicant_types() -%}
    {{ return(['natural_person', 'commercial_enterprise', 'research_institution',
               'social_welfare_org', 'legal_service_org', 'other_org']) }}
{%- endmacro %}

{#- Rows of section 三 in the form's order: (row, group, Chinese label).
    group: received / disposition groups (granted, partially_granted, denied, unavailable,
    not_processed, other) / total / carried_forward. -#}
{% macro xxgk_application_rows() -%}
    {{ return([
        ('new_received', 'received', '一、本年新收政府信息公开申请数量'),
        ('carried_over', 'received', '二、上年结转政府信息公开申请数量'),
        ('granted', 'granted', '（一）予以公开'),
        ('partially_granted', 'partially_granted', '（二）部分公开'),
        ('denied_state_secret', 'denied', '（三）不予公开 1.属于国家秘密'),
        ('denied_prohibited_by_law', 'denied', '（三）不予公开 2.其他法律行政法规禁止公开'),
        ('denied_security_stability', 'denied', '（三）不予公开 3.危及“三安全一稳定”'),
        ('denied_third_party_rights', 'denied', '（三）不予公开 4.保护第三方合法权益'),
        ('denied_internal_affairs', 'denied', '（三）不予公开 5.属于三类内部事务信息'),
        ('denied_process_information', 'denied', '（三）不予公开 6.属于四类过程性信息'),
        ('denied_enforcement_files', 'denied', '（三）不予公开 7.属于行政执法案卷'),
        ('denied_inquiry_matter', 'denied', '（三）不予公开 8.属于行政查询事项'),
        ('unavailable_not_held', 'unavailable', '（四）无法提供 1.本机关不掌握相关政府信息'),
        ('unavailable_needs_creation', 'unavailable', '（四）无法提供 2.没有现成信息需要另行制作'),
        ('unavailable_unclear', 'unavailable', '（四）无法提供 3.补正后申请内容仍不明确'),
        ('not_processed_petition', 'not_processed', '（五）不予处理 1.信访举报投诉类申请'),
        ('not_processed_duplicate', 'not_processed', '（五）不予处理 2.重复申请'),
        ('not_processed_publication', 'not_processed', '（五）不予处理 3.要求提供公开出版物'),
        ('not_processed_excessive', 'not_processed', '（五）不予处理 4.无正当理由大量反复申请'),
        ('not_processed_confirmation', 'not_processed', '（五）不予处理 5.要求行政机关确认或重新出具已获取信息'),
        ('other_handling', 'other', '（六）其他处理'),
        ('other_handling_no_correction', 'other', '（六）其他处理 1.申请人无正当理由逾期不补正'),
        ('other_handling_unpaid_fee', 'other', '（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用'),
        ('other_handling_other', 'other', '（六）其他处理 3.其他'),
        ('total', 'total', '（七）总计'),
        ('carried_forward', 'carried_forward', '四、结转下年度继续办理'),
    ]) }}
{%- endmacro %}

{#- The disposition rows whose sum is the （七）总计 row. `style` is '2019' (one （六）其他处理 row)
    or '2021' (three numbered （六） sub-rows). -#}
{% macro xxgk_disposition_rows(style) -%}
    {%- set rows = [] -%}
    {%- for r in xxgk_application_rows() -%}
        {%- if r[1] not in ('received', 'total', 'carried_forward') -%}
            {%- if r[0] == 'other_handling' -%}
                {%- if style == '2019' %}{% do rows.append(r[0]) %}{% endif -%}
            {%- elif r[0].startswith('other_handling_') -%}
                {%- if style == '2021' %}{% do rows.append(r[0]) %}{% endif -%}
            {%- else -%}
                {%- do rows.append(r[0]) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{#- Section 四: proceedings and the four outcomes whose sum is `total`. -#}
{% macro xxgk_review_proceedings() -%}
    {{ return(['review', 'litigation_direct', 'litigation_after_review']) }}
{%- endmacro %}

{% macro xxgk_review_outcomes() -%}
    {{ return(['upheld', 'corrected', 'other', 'pending']) }}
{%- endmacro %}

{#- A relation literal: `select ... union all select ...` over a list of tuples, with the given
    column names. Values are quoted as strings unless they are numbers. Portable SQL. -#}
{% macro xxgk_values_relation(rows, columns) -%}
    {%- for row in rows %}
    select
        {%- for value in row %}
        {% if value is number %}{{ value }}{% else %}'{{ value | replace("'", "''") }}'{% endif %} as {{ columns[loop.index0] }}{{ "," if not loop.last }}
        {%- endfor %}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
