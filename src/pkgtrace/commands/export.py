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
    from pkgtrace.pipeline.export.parquet import export_parquet
    counts = export_parquet(_index(index), dest, table)
    if as_json:
        emit_json({"dest": str(dest), "rows": counts})
    else:
        for k, v in counts.items():
            console.print(f"{dest / (k + '.parquet')}: {v} rows")


@export_app.command("bigquery")
def bigquery(project: Optional[str] = typer.Option(None, "--project", help="Google Cloud project."),
             dataset: str = typer.Option("pkgtrace", "--dataset"),
             location: str = typer.Option("US", "--location"),
             files: Optional[Path] = typer.Option(None, "--files", help="Write NDJSON + schema files here for `bq load` instead."),
             results: Optional[str] = typer.Option(None, "--results"),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Load the stored documents into BigQuery tables with OSSF's dynamic and static schemas."""
    from pkgtrace.pipeline.export.bigquery import BigQueryLoader, write_files
    store = _store(results)
    if files is not None:
        counts = write_files(store, files)
    else:
        if not project:
            raise fail("--project is required (or --files DIR)", EXIT_USAGE)
        try:
            counts = BigQueryLoader(project, dataset, location).load(store)
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
