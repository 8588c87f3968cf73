{#- A cell's place in its original, typed, and as one phrase a reader can follow (location). -#}
{% macro origin_columns() -%}
    cast(page as {{ dbt.type_int() }}) as page,
    cast(bbox as {{ dbt.type_string() }}) as bbox,
    cast(table_no as {{ dbt.type_int() }}) as table_no,
    cast(table_row as {{ dbt.type_int() }}) as table_row,
    cast(table_col as {{ dbt.type_int() }}) as table_col,
    case
        when page is not null then 'page ' || cast(page as {{ dbt.type_string() }})
            || coalesce(', box ' || bbox, '')
        when table_no is not null then 'table ' || cast(table_no as {{ dbt.type_string() }})
            || ', row ' || cast(table_row as {{ dbt.type_string() }})
            || ', column ' || cast(table_col as {{ dbt.type_string() }})
        else 'line ' || cast(line as {{ dbt.type_string() }})
    end as location
{%- endmacro %}
