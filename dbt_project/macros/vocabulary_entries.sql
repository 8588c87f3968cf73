{#- The form's vocabulary is pipelines/extract/vocabulary.json, the file the parser reads; the models of
    staging/vocabulary read it with DuckDB (and the raw tables' test in_vocabulary). The path is the var
    `xxgk_vocabulary`, by default relative to the dbt project directory (dbt runs in it, whichever
    directory it was started from). -#}
{% macro vocabulary_document() -%}
    (select cast(content as json) as vocabulary from read_text('{{ var('xxgk_vocabulary', '../pipelines/extract/vocabulary.json') | replace("'", "''") }}'))
{%- endmacro %}

{#- The entries of one list of the vocabulary, a relation with one row per entry: `entry` (the JSON
    entry as the DuckDB type `entry_type`, e.g. '{"row": "VARCHAR"}' or '"VARCHAR"'), `entry_order`
    (1-based, the file's order) and `vocabulary` (the whole document, JSON). -#}
{% macro vocabulary_entries(json_path, entry_type) -%}
    (
        select
            unnest(entries) as entry,
            generate_subscripts(entries, 1) as entry_order,
            vocabulary
        from (
            select
                from_json(vocabulary -> '{{ json_path }}', '[{{ entry_type }}]') as entries,
                vocabulary
            from {{ vocabulary_document() }}
        )
    )
{%- endmacro %}
