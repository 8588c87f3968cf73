{#- Every non-null value of the column is a value of `field` in `to`, among the rows of `to` where
    `to_condition` holds (dbt's relationships with a filter on the parent, as dbt_utils.relationships_where). -#}
{% test relationships_where(model, column_name, to, field, to_condition='1 = 1') %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} not in (
        select {{ field }}
        from {{ to }}
        where ({{ to_condition }})
          and {{ field }} is not null
      )
{% endtest %}
