-- One row per report in raw.reports: its metadata, whether it states any standard table,
-- and how much it states. agency_key (from raw.agencies: spaces, full/half width, one agency written
-- two ways) groups an agency's reports across years and joins dim_agency.
select
    reports.report_id,
    reports.agency,
    coalesce(agencies.agency_key, reports.agency) as agency_key,
    reports.year,
    reports.layout,
    reports.published_on,
    reports.source_file,
    reports.sha256,
    reports.rendering,
    reports.encoding,
    reports.parser_version,
    reports.n_warnings,
    contents.has_tables,
    contents.n_proactive_cells,
    contents.n_application_cells,
    contents.n_review_cells,
    contents.n_issues
from {{ ref('stg_reports') }} as reports
inner join {{ ref('int_report_contents') }} as contents
    on contents.report_id = reports.report_id
left join {{ ref('stg_agencies') }} as agencies
    on agencies.agency = reports.agency
