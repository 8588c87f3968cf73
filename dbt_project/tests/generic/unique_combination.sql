{#- Grain test: no two rows of the model share the same values in `combination_of_columns`.
    (dbt_utils.unique_combination_of_columns, written here since the package hub is unreachable.)
    Null is treated as a value: two rows with the same nulls count as duplicates. -#}
{% test unique_combination(model, combination_of_columns) %}
    {%- set columns_csv = combination_of_columns | join(', ') %}
    select {{ columns_csv }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns_csv }}
    having count(*) > 1
{% endtest %}
