"""`pkgtrace export parquet|bigquery|reindex`: the dataset out of the index or store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pkgtrace.commands._app import EXIT_FAILURE, EXIT_USAGE, app, console, emit_json, fail

export_app = typer.Typer(no_args_is_help=True, help="Export the dataset: Parquet files, BigQuery, re-index.")
app.add_typer(export_app, name="export")


def _index(url):
    from pkgtrace.pipeline import settings
    from pkgtrace.results.index import open_index
    try:
        return open_index(settings.index_url(url))
    except Exception as e:  # noqa: BLE001
        raise fail(f"cannot open the index: {e}")


def _store(url):
    from pkgtrace.pipeline import settings
    from pkgtrace.results.stores import open_store
    try:
        return open_store(settings.results_url(url))
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)


@export_app.command("parquet")
def parquet(dest: Path = typer.Argument(..., help="Folder for <table>.parquet files."),
            table: Optional[list[str]] = typer.Option(None, "--table", help="Only these tables (repeat)."),
            index: Optional[str] = typer.Option(None, "--index"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Write every dataset table as a Parquet file."""
    from pkgtrace.extras import require
    require("parquet")
    from pkgtrace.pipeline.export.parquet import export_parquet
    counts = export_parquet(_index(index), dest, table)
    if as_json:
        emit_json({"dest": str(dest), "rows": counts})
    else:
        for k, v in counts.items():
            console.print(f"{dest / (k + '.parquet')}: {v} rows")


@export_app.command("bigquery")
def bigquery(project: Optional[str] = typer.Option(None, "--project", help="Google Cloud project."),
             dataset: str = typer.Option("pkgtrace", "--dataset", help="BigQuery dataset (OSSF's is `packages`)."),
             location: str = typer.Option("US", "--location"),
             files: Optional[Path] = typer.Option(None, "--files", help="Write NDJSON + schema files here for `bq load` instead."),
             day: Optional[str] = typer.Option(None, "--day", metavar="YYYY-MM-DD", help="Replace only this day's "
                                               "partition, with the documents created that day."),
             table_names: str = typer.Option("pkgtrace", "--table-names", help="pkgtrace (analysis, "
                                             "static_analysis) or ossf (analysis, staticanalysis)."),
             results: Optional[str] = typer.Option(None, "--results"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Load the stored documents into BigQuery tables with OSSF's dynamic and static schemas,
    replacing what the tables (or, with --day, that day's partitions) held: a re-run loads each
    document once. Needs the `bigquery` extra (pip install 'pkgtrace\\[bigquery]') unless --files."""
    # (the backslash keeps rich from reading [bigquery] as markup and dropping it from --help)
    from datetime import date

    from pkgtrace.extras import MissingExtra
    from pkgtrace.pipeline.export.bigquery import TABLE_NAMES, BigQueryLoader, write_files
    if table_names not in TABLE_NAMES:
        raise fail(f"--table-names must be one of {', '.join(TABLE_NAMES)}", EXIT_USAGE)
    try:
        on_day = date.fromisoformat(day) if day else None
    except ValueError:
        raise fail(f"--day {day!r} is not a date (YYYY-MM-DD)", EXIT_USAGE)
    store = _store(results)
    if files is not None:
        counts = write_files(store, files, names=table_names, day=on_day)
    else:
        if not project:
            raise fail("--project is required (or --files DIR)", EXIT_USAGE)
        try:
            counts = BigQueryLoader(project, dataset, location, names=table_names).load(store, day=on_day)
        except MissingExtra:
            raise  # the exit-code policy (commands/_app.main) names the extra
        except Exception as e:  # noqa: BLE001 - credentials, network, quota: one clear line
            raise fail(f"BigQuery load failed: {type(e).__name__}: {e}", EXIT_FAILURE)
    if as_json:
        emit_json({"rows": counts})
    else:
        for k, v in counts.items():
            console.print(f"{k}: {v} documents")


@export_app.command("reindex")
def reindex_cmd(results: Optional[str] = typer.Option(None, "--results"),
                index: Optional[str] = typer.Option(None, "--index"),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Rebuild the dataset tables from the results store."""
    from pkgtrace.pipeline.loader import reindex
    out = reindex(_store(results), _index(index), progress=lambda m: console.print(m))
    if as_json:
        emit_json(out)
    else:
        console.print(f"loaded {out['loaded']}, failed {out['failed']}")
