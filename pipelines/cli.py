"""`xxgk`: extract | run | status.

- ``xxgk extract PATH...``  the JSON export of the spec, one line per report (pipelines.cli_extract)
- ``xxgk run``              materialize the whole ``xxgk_all`` job in-process and print a summary; skipped
                            (and said so) when the registry and the last build show nothing new
- ``xxgk status``           each raw file with its registry status and reason, and what a run would do
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

STATUS_ORDER = ("loaded", "loaded_with_warnings", "rejected", "duplicate", "removed")


def _apply_paths(args: argparse.Namespace) -> None:
    """Options override the environment; settings.py reads it at call time."""
    if getattr(args, "raw_dir", None):
        os.environ["XXGK_RAW_DIR"] = str(Path(args.raw_dir).resolve())
    if getattr(args, "warehouse", None):
        os.environ["XXGK_WAREHOUSE"] = str(Path(args.warehouse).resolve())


def cmd_extract(args: argparse.Namespace) -> int:
    from pipelines.cli_extract import main_extract

    return main_extract(args.paths)


def mart_row_counts(database: str | Path) -> dict[str, int]:
    """Rows per ``fct_*`` / ``dim_*`` table or view in any schema of the warehouse."""
    from pipelines import warehouse

    if not Path(database).exists():
        return {}
    with warehouse.connect_read_only(database) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE starts_with(table_name, 'fct_') OR starts_with(table_name, 'dim_') "
            "ORDER BY table_schema, table_name"
        ).fetchall()
        counts = {}
        for schema, table in tables:
            ident = f'"{schema.replace(chr(34), chr(34) * 2)}"."{table.replace(chr(34), chr(34) * 2)}"'
            counts[f"{schema}.{table}"] = con.execute(f"SELECT count(*) FROM {ident}").fetchall()[0][0]
    return counts


def registry_counts(database: str | Path) -> dict[str, int]:
    from pipelines import warehouse

    reg = warehouse.read_report_files(database)
    return {s: reg.filter(reg["status"] == s).height for s in STATUS_ORDER}


def run_all(*, instance=None, log_level: str = "INFO"):
    """Materialize the ``xxgk_all`` job in-process with the code location's resources (paths: settings.py),
    on the Dagster instance of DAGSTER_HOME unless one is given: the run, its materializations and its
    check results are on record in the UI like those the schedule or the UI launch."""
    from dagster import DagsterInstance

    from pipelines.defs.automation import JOB_NAME
    from pipelines.defs.dbt_project import prepare

    prepare()  # the dbt assets are built from the parsed manifest
    from pipelines.definitions import defs

    job = defs().resolve_job_def(JOB_NAME)
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    own = instance is None
    if own:
        from pipelines import settings

        settings.ensure_dagster_home()
        instance = DagsterInstance.get()
    from pipelines.defs.stale_runs import pid_tag, reap_dead_runs

    try:
        reap_dead_runs(instance)  # a run killed earlier would hold the warehouse pool's slot for ever
        return job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False,
                                      tags=pid_tag())
    finally:
        if own:
            instance.dispose()


def _print_registry(database: Path) -> None:
    counts = registry_counts(database)
    seen = sum(v for k, v in counts.items() if k != "removed")
    print(f"files seen {seen}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def _files_extracted(result, key: str = "files_extracted") -> int | None:
    for mat in result.asset_materializations_for_node("extracted_reports"):
        value = mat.metadata.get(key)
        if value is not None:
            return value.value
    return None


def _fail(message: str, code: int = 1) -> int:
    print(f"xxgk run: {message}", file=sys.stderr, flush=True)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    from pipelines import settings
    from pipelines.failures import exception_texts, one_line
    from pipelines.rawdir import raw_dir_problem
    from pipelines.runlock import WarehouseBusyError, warehouse_lock

    if args.retire_missing:
        os.environ["XXGK_RETIRE_MISSING"] = "1"  # read by the run's XxgkConfig (settings.retire_missing)
    try:
        database = settings.warehouse_path()
        raw = settings.raw_dir()
        settings.check_knobs()  # a bad knob is refused now, before the lock or the instance
    except ValueError as exc:
        return _fail(f"{exc}; nothing was changed", 2)
    problem = raw_dir_problem(raw)
    if problem:
        return _fail(problem, 2)
    try:
        with warehouse_lock(database, args.wait, say=lambda m: print(m, file=sys.stderr, flush=True)):
            return _run_locked(args)
    except WarehouseBusyError as exc:
        return _fail(str(exc), 3)
    except Exception as exc:  # one line a person can act on; the traceback with -v
        if args.verbose:
            raise
        return _fail(one_line(exception_texts(exc), warehouse=database) + "; the published warehouse is unchanged")


def _run_locked(args: argparse.Namespace) -> int:
    from pipelines import publish, settings
    from pipelines.failures import error_texts, one_line

    started = time.monotonic()
    home = settings.ensure_dagster_home()
    database = settings.warehouse_path()
    raw = settings.raw_dir()
    if not args.force:
        from pipelines.freshness import run_decision

        decision = run_decision(raw, database, **settings.scan_knobs())
        if not decision.run:
            print(f"raw dir:   {raw}")
            print(f"warehouse: {database}")
            _print_registry(database)
            print(decision.reason)
            print(f"skipped extraction, load and dbt in {time.monotonic() - started:.1f} s "
                  "(`xxgk run --force` runs anyway)")
            return 0
        print(f"to do: {decision.reason}")
    log_path = home / "logs" / "xxgk-run.log"
    if args.verbose:
        result = run_all()
    else:  # Dagster's and dbt's output go to a log file; the terminal gets the summary
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with (open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log),
              contextlib.redirect_stderr(log)):
            result = run_all(log_level="WARNING")
        print(f"run log:   {log_path}")
    print(f"dagster:   run {result.run_id} on the instance in {home}")
    print(f"raw dir:   {raw}")
    print(f"warehouse: {database}")
    _print_registry(database)
    extracted = _files_extracted(result)
    if extracted is not None:
        adopted = _files_extracted(result, "files_adopted") or 0
        shards = f" ({adopted} of them staged by extract_shards_job)" if adopted else ""
        print(f"extracted this run: {extracted} file(s){shards}" if extracted else "extracted this run: nothing new")
    marts = mart_row_counts(database)
    if marts:
        print("rows per mart: " + ", ".join(f"{k} {v}" for k, v in marts.items()))
    evaluations = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed = sorted(f"{c.asset_check_key.to_user_string()} ({c.severity.value})" for c in evaluations if not c.passed)
    print(f"checks: {len(evaluations) - len(failed)} passed, {len(failed)} failed")
    for name in failed:
        print(f"  failed: {name}")
    receipt = publish.read_receipt(database)
    receipt = receipt if receipt and receipt.run_id == result.run_id else None
    if not result.success or not (receipt and receipt.published):
        failures = [e for e in result.all_events if e.is_step_failure]
        if receipt and not failures:
            return _fail(f"FAILED: {receipt.reason}")
        if failures:
            first = failures[0]
            what = one_line(error_texts(first.event_specific_data.error), warehouse=database,
                            step=first.step_key, log=log_path)
            return _fail(f"FAILED at step {first.step_key}: {what}; the published warehouse is unchanged")
        return _fail(f"FAILED: {receipt.reason if receipt else 'the run ended without publishing'} "
                     f"(log: {log_path})")
    print(receipt.line())
    print(f"run succeeded in {time.monotonic() - started:.1f} s")
    return 0


def _display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def cmd_status(args: argparse.Namespace) -> int:
    from pipelines import publish, settings, warehouse
    from pipelines.freshness import run_decision
    from pipelines.rawdir import plan_directory

    raw = settings.raw_dir()
    database = settings.warehouse_path()
    reg = warehouse.read_report_files(database)
    plan = plan_directory(raw, reg, **settings.scan_knobs())
    rows = {r["path"]: r for r in reg.iter_rows(named=True)}
    pending = plan.pending()
    paths = sorted({*rows, *(e.path for e in plan.files), *plan.problems})
    print(f"raw dir: {raw}\nwarehouse: {database}\nparser: {plan.parser_version}")
    width = max((_display_width(p) for p in paths), default=4)
    print(f"{'path':<{width}}  {'status':<20}  {'pending':<8}  reason")
    for p in paths:
        row = rows.get(p)
        status = row["status"] if row else "-"
        reason = (row["reason"] or "") if row else plan.problems.get(p, "not loaded yet")
        pad = " " * (width - _display_width(p))
        print(f"{p}{pad}  {status:<20}  {pending.get(p, ''):<8}  {reason}")
    decision = run_decision(raw, database, plan=plan)
    receipt = publish.read_receipt(database)
    if receipt:
        print(receipt.line())
    print(f"next `xxgk run`: {'runs' if decision.run else 'skips'}: {decision.reason}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description="Government information-disclosure report warehouse.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("evaluate", help="score extraction on a generated corpus: xxgk evaluate CORPUS_DIR [--min-recall R ...]")
    sub.add_parser("generate", help="write a generated corpus with its truth: xxgk generate OUT_DIR --n N --seed S")
    p = sub.add_parser("extract", help="print the JSON export of each report, one line per file")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_extract)

    for name, func, text in (
        ("run", cmd_run, "scan, extract, load and build everything (the xxgk_all job, in-process)"),
        ("status", cmd_status, "list each raw file with its registry status and reason"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--raw-dir", help="directory of raw reports (default: $XXGK_RAW_DIR or data/raw)")
        p.add_argument("--warehouse", help="DuckDB file (default: $XXGK_WAREHOUSE or data/warehouse.duckdb)")
        if name == "run":
            p.add_argument("-v", "--verbose", action="store_true", help="show Dagster's and dbt's logs")
            p.add_argument("--force", action="store_true", help="run even when nothing is new (rebuilds the marts)")
            p.add_argument("--wait", type=float, default=1800, metavar="SECONDS",
                           help="how long to wait for another run holding the warehouse (default 1800; 0: stop at once)")
            p.add_argument("--retire-missing", action="store_true",
                           help="retire the reports of missing files even when more than XXGK_MAX_MISSING_SHARE "
                           "of the registered files are missing")
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["evaluate"]:  # its own options live with the evaluator
        from pipelines.corpus.evaluate import main as evaluate_main

        return evaluate_main(argv[1:])
    if argv[:1] == ["generate"]:
        from pipelines.corpus.generate import main as generate_main

        return generate_main(argv[1:])
    args = build_parser().parse_args(argv)
    _apply_paths(args)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
