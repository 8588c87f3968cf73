-- One row per report stating the number of administrative-permit decisions (行政许可 处理决定数量).
{{ decision_facts(['administrative_permits']) }}
