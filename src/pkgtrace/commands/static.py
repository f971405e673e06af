"""`pkgtrace static ECOSYSTEM NAME[@VERSION] | --local FILE`: the static pass alone, no sandbox."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from pkgtrace.commands._app import (EXIT_FAILURE, EXIT_USAGE, app, console, emit_json, fail,
                                    parse_ecosystem)


@app.command("static")
def static_cmd(
    ecosystem: str = typer.Argument(..., help="pypi, npm, rubygems, packagist or crates.io"),
    name: Optional[str] = typer.Argument(None, help="NAME, NAME@VERSION or NAME==VERSION"),
    local: Optional[Path] = typer.Option(None, "--local", help="analyse this artifact file"),
    as_json: bool = typer.Option(False, "--json", help="print {ossf, report} as JSON"),
) -> None:
    """Extract a release safely, parse every source file, and report OSSF-style static signals."""
    from pkgtrace.analysis import AnalysisRequest, resolve_artifact
    from pkgtrace.ecosystems import RegistryError, split_spec
    from pkgtrace.static import analyze_artifact

    eco = parse_ecosystem(ecosystem)
    if (name is None) == (local is None):
        raise fail("give a package NAME or --local FILE (one of them)", EXIT_USAGE)
    pkg_name, version = split_spec(eco, name) if name else (None, None)
    work = Path(tempfile.mkdtemp(prefix="pkgtrace-static-cli-"))
    try:
        with console.status("fetching artifact") as status:
            try:
                artifact = resolve_artifact(AnalysisRequest(eco, pkg_name, version, local, "static"),
                                            work)
            except FileNotFoundError as e:
                raise fail(str(e), EXIT_USAGE)
            except RegistryError as e:
                code = EXIT_USAGE if local is not None else EXIT_FAILURE
                raise fail(str(e), code)
            doc, section = analyze_artifact(artifact, progress=lambda m: status.update(m))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if as_json:
        emit_json({"ossf": doc, "report": section})
    else:
        _print_summary(str(artifact.package), section)
    if section["extraction"]["status"] == "failed":
        raise typer.Exit(EXIT_USAGE)


def _print_summary(title: str, s: dict) -> None:
    ext, summ = s["extraction"], s["summary"]
    console.print(f"[bold]{title}[/] {s['archive']['kind']}: {summ['files']} files, "
                  f"{summ['parsed_files']} parsed, extraction {ext['status']}")
    for e in ext["errors"][:20]:
        console.print(f"  [red]{e['kind']}[/] {e.get('path') or ''} {e['message']}")
    if summ["languages"]:
        console.print("  languages: " + ", ".join(f"{k} {v}" for k, v in summ["languages"].items()))
    for h in s["install_hooks"]:
        console.print(f"  [yellow]install hook[/] {h['kind']} {h['file']} {h['details']}")
    if summ["signals"]:
        t = Table("signal", "count", "first", "where")
        firsts: dict[str, dict] = {}
        for sig in s["signals"]:
            firsts.setdefault(sig["kind"], sig)
        for kind, n in summ["signals"].items():
            f = firsts.get(kind, {})
            t.add_row(kind, str(n), str(f.get("value", ""))[:60],
                      f"{f.get('file', '')}:{f.get('line') or ''}")
        console.print(t)
