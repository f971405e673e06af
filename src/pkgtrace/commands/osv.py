"""`pkgtrace export osv DEST`: OSV reports of the releases labelled malicious, laid out like
OpenSSF's malicious-packages repository (osv/malicious/<ecosystem>/<name>/MAL-….json).
`pkgtrace osv import PATH`: known-malicious OSV records into the local dataset, for verify."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from pkgtrace.commands._app import (EXIT_FAILURE, EXIT_USAGE, app, console, emit_json, fail,
                                    parse_ecosystem)
from pkgtrace.commands.export import export_app

osv_app = typer.Typer(no_args_is_help=True, help="Known-malicious intelligence from OSV.")
app.add_typer(osv_app, name="osv")


@osv_app.command("import")
def osv_import(path: Path = typer.Argument(..., help="A checkout of ossf/malicious-packages (or its osv/ "
                                           "folder), an osv.dev ecosystem zip (all.zip), or OSV JSON."),
               index: Optional[str] = typer.Option(None, "--index", help="Index URL (default: the local "
                                                   "dataset's)."),
               as_json: bool = typer.Option(False, "--json", help="The counts as JSON on stdout.")) -> None:
    """Import malicious-package records (MAL-…): `pkgtrace verify` then flags every release they
    cover, citing the record, even releases pkgtrace never analysed."""
    from pkgtrace.pipeline import settings
    from pkgtrace.results.index import open_index, redact
    from pkgtrace.results.index.osv import OsvImportError, import_osv

    url = settings.index_url(index)
    try:
        idx = open_index(url)
    except Exception as e:  # noqa: BLE001 - any driver's failure is one clear line
        raise fail(f"cannot open the index {redact(url)}: {type(e).__name__}: {e}", EXIT_FAILURE)
    try:
        result = import_osv(idx, path)
    except OsvImportError as e:
        raise fail(str(e), EXIT_USAGE)
    finally:
        idx.close()
    for err in result.errors[:20]:
        console.print(f"[yellow]skipped:[/] {escape(err)}", soft_wrap=True, highlight=False)
    if as_json:
        emit_json({"records": result.records, "packages": result.packages, "skipped": result.skipped,
                   "other_ecosystems": result.other_ecosystems, "errors": result.errors})
    console.print(f"{result.records} malicious-package record(s) for {result.packages} package(s) imported "
                  f"into {redact(url)}; {result.skipped} other record(s) skipped"
                  + (f", {len(result.errors)} file(s) unreadable" if result.errors else ""))
    if result.records == 0 and result.errors:
        raise typer.Exit(EXIT_USAGE)


@export_app.command("osv")
def osv(dest: Path = typer.Argument(..., help="Folder to write osv/malicious/… into (a malicious-packages "
                                    "checkout, for a pull request)."),
        ecosystem: Optional[str] = typer.Option(None, "--ecosystem", "-e", help="Only this ecosystem."),
        submission: bool = typer.Option(True, "--submission/--with-ids", help="Leave out id and summary, "
                                        "which that repository assigns on ingestion (default), or keep "
                                        "pkgtrace's stable ids."),
        index: Optional[str] = typer.Option(None, "--index", help="Index URL (default: the pipeline's)."),
        as_json: bool = typer.Option(False, "--json", help="List the written files as JSON on stdout.")) -> None:
    """Write one OSV report per package with releases labelled malicious, with pkgtrace's evidence."""
    from pkgtrace.formats.osv import MaliciousRelease, write_reports
    from pkgtrace.pipeline import settings
    from pkgtrace.results.index import open_index, redact
    from pkgtrace.results.index.query import releases_labelled
    from pkgtrace.verify.records import record_from

    eco = parse_ecosystem(ecosystem) if ecosystem else None
    url = settings.index_url(index)
    try:
        idx = open_index(url)
        releases = [MaliciousRelease(v.package, record_from(v.label, v.score, v.findings, analyzed=v.created,
                                                            url=_public(v.location)))
                    for v in releases_labelled(idx, "malicious", eco)]
    except Exception as e:  # noqa: BLE001 - any driver's failure is one clear line
        raise fail(f"cannot read the index {redact(url)}: {type(e).__name__}: {e}", EXIT_FAILURE)
    try:
        written = write_reports(releases, dest, submission=submission)
    except OSError as e:
        raise fail(f"cannot write under {dest}: {e.strerror or e}", EXIT_FAILURE)
    if as_json:
        emit_json({"dest": str(dest), "releases": len(releases), "reports": [str(p) for p in written]})
    else:
        for p in written:
            console.print(str(p))
        console.print(f"{len(written)} report(s) for {len(releases)} malicious release(s)")


def _public(location: str | None) -> str | None:
    """A report link fit for a public submission: an http(s) URL, never a path on this machine."""
    return location if location and location.startswith(("http://", "https://")) else None
