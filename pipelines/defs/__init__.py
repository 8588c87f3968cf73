"""The Dagster layer, loaded by pipelines/definitions.py with ``load_from_defs_folder``: assets, checks,
the job, its schedule and sensor, and resources. Nothing else lives here, and nothing else imports Dagster.
"""
