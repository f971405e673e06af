"""`pkgtrace export osv DEST`: OSV reports of the releases labelled malicious, laid out like
OpenSSF's malicious-packages repository (osv/malicious/<ecosystem>/<name>/MAL-….json)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pkgtrace.commands._app import EXIT_FAILURE, EXIT_USAGE, console, emit_json, fail
from pkgtrace.commands.export import export_app


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
    from pkgtrace.model import Ecosystem
    from pkgtrace.pipeline import settings
    from pkgtrace.results.index import open_index, redact
    from pkgtrace.results.index.query import releases_labelled
    from pkgtrace.verify.records import record_from

    try:
        eco = Ecosystem.parse(ecosystem) if ecosystem else None
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
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
