{#- Every non-null value of the column lies in [min, max] of the bounds at `path` in the form's vocabulary
    (pipelines/extract/vocabulary.json), e.g. '$.bounds.year': the pipeline's pandera schemas read the same
    bounds (pipelines/schemas.py), so a file the pipeline loads never fails this test. -#}
{% test in_vocabulary_range(model, column_name, path) %}
    select {{ column_name }}
    from {{ model }}
    cross join (
        select
            cast(json_extract(vocabulary, '{{ path }}.min') as bigint) as lower_bound,
            cast(json_extract(vocabulary, '{{ path }}.max') as bigint) as upper_bound
        from {{ vocabulary_document() }}
    ) as bounds
    where {{ column_name }} is not null
      and ({{ column_name }} < lower_bound or {{ column_name }} > upper_bound)
{% endtest %}
