-- One row per report × kind ('penalty' 行政处罚, 'coercion' 行政强制) stating the number of decisions.
{{ decision_facts(['administrative_penalties', 'administrative_coercions'], extra_columns="
    case items.item
        when 'administrative_penalties' then 'penalty'
        when 'administrative_coercions' then 'coercion'
    end as kind,") }}
