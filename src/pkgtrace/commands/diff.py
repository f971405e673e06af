"""`pkgtrace diff ECOSYSTEM NAME V1 V2`: what V2 does that V1 did not, and what it stopped doing."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from pkgtrace.commands._app import EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, emit_json, fail


@app.command()
def diff(
    ecosystem: str = typer.Argument(..., help="pypi, npm, rubygems, packagist, crates.io"),
    name: str = typer.Argument(..., help="The package."),
    v1: str = typer.Argument(..., help="The older version."),
    v2: str = typer.Argument(..., help="The newer version."),
    results: Optional[str] = typer.Option(None, "--results", help="Results store: a folder (default ./results, "
                                          "PKGTRACE_RESULTS) or s3://BUCKET/PREFIX."),
    fail_on_change: bool = typer.Option(False, "--fail-on-change", help="Exit 1 when the releases differ."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout."),
) -> None:
    """Compare two analysed releases from their stored documents: new and removed hosts, sockets,
    commands, files touched, install hooks, findings, and files whose content changed."""
    from pkgtrace.diff import diff_documents
    from pkgtrace.model import Ecosystem, Package
    from pkgtrace.pipeline import settings
    from pkgtrace.results.stores import StoreError, open_store
    from pkgtrace.results.stores.interface import stored_documents

    try:
        eco = Ecosystem.parse(ecosystem)
        store = open_store(settings.results_url(results))
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    docs = {}
    try:
        for v in (v1, v2):
            docs[v] = stored_documents(store, Package(eco, name, v))
    except StoreError as e:
        raise fail(str(e), EXIT_FAILURE)
    missing = [v for v in (v1, v2) if not docs[v]]
    if missing:
        raise fail(f"no stored analysis of {eco.value}/{name} " + " or ".join(missing)
                   + f" in {settings.results_url(results)}; analyse it first: pkgtrace analyze "
                   + f"{eco.value} {name}@{missing[0]}", EXIT_USAGE)
    result = diff_documents(docs[v1], docs[v2])
    result["package"] = {"ecosystem": eco.value, "name": name}
    if as_json:
        emit_json(result)
    else:
        from pkgtrace.diff.render import print_diff
        out = Console()
        if not out.is_terminal:
            out = Console(width=200)
        print_diff(result, f"{eco.value}/{name}", out)
    raise typer.Exit(EXIT_FINDINGS if fail_on_change and result["changed"] else EXIT_OK)
