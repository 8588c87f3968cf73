{#- Every non-null value of the column is one of the names at `path` in the form's vocabulary
    (pipelines/extract/vocabulary.json), a JSONPath such as '$.applications.rows[*].row'. For the raw
    tables, whose tests must depend on them alone (each is a Dagster check of its raw asset); the models
    test against the vocabulary models (staging/vocabulary) with relationships instead. -#}
{% test in_vocabulary(model, column_name, path) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} not in (
        select unnest(json_extract_string(vocabulary, '{{ path }}'))
        from {{ vocabulary_document() }}
      )
{% endtest %}
