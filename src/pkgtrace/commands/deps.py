"""`pkgtrace deps LOCKFILE…`: the dependencies a lockfile pins, as `verify` will look them up."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pkgtrace.commands._app import EXIT_USAGE, app, console, emit_json, fail

DEPS_SCHEMA = "pkgtrace-deps/1"


@app.command()
def deps(lockfiles: list[Path] = typer.Argument(..., help="Lockfiles: requirements.txt, pylock.toml, uv.lock, "
                                                "poetry.lock, pdm.lock, Pipfile.lock, pixi.lock, conda-lock.yml, package-lock.json, "
                                                "npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, bun.lock, deno.lock, "
                                                "Gemfile.lock, composer.lock, Cargo.lock."),
         lockfile_type: Optional[str] = typer.Option(None, "--type", metavar="FORMAT",
                                                     help="Read every file as this format (e.g. uv.lock, "
                                                          "yarn-berry) instead of detecting it."),
         as_json: bool = typer.Option(False, "--json", help="Machine-readable output on stdout.")) -> None:
    """List every dependency the lockfiles pin (direct and transitive): ecosystem, name, exact version,
    where it came from (registry, git, url, path, workspace) and the line it is on."""
    from pkgtrace.lockfiles import LockfileError, parser_named, read_lockfile

    if lockfile_type:
        try:
            parser_named(lockfile_type)
        except ValueError as e:
            raise fail(str(e), EXIT_USAGE)
    results, errors, notes = [], [], []
    for path in lockfiles:
        try:
            lock = read_lockfile(path, lockfile_type)
        except LockfileError as e:
            errors.append(e)
            console.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True)
            continue
        results.append((path, lock.format, lock.dependencies))
        for n in lock.notes:
            console.print(f"[yellow]note:[/] {escape(n)}", soft_wrap=True)
        notes.extend(lock.notes)

    if as_json:
        emit_json({
            "schema_version": DEPS_SCHEMA,
            "lockfiles": [{"file": str(p), "format": fmt, "count": len(found),
                           "dependencies": [d.model_dump(mode="json") for d in found]} for p, fmt, found in results],
            "errors": [{"file": e.file, "line": e.line, "key": e.key, "message": e.message} for e in errors],
            "notes": notes,
        })
    else:
        out = Console()  # the listing is the command's output: stdout
        if not out.is_terminal:
            out = Console(width=200)  # piped: do not squeeze the table into 80 columns
        for path, fmt, found in results:
            out.print(f"{path} ({fmt}): {len(found)} dependencies", markup=False, highlight=False,
                      soft_wrap=True)
            table = Table()
            for col in ("ecosystem", "name", "version", "direct", "source", "line"):
                table.add_column(col, no_wrap=col in ("name", "version"))
            for d in found:
                direct = {True: "direct", False: "transitive", None: "?"}[d.direct]
                if d.source == "workspace" and not d.direct:
                    direct = "-"  # the project's own package, not a dependency of it
                if d.dev:
                    direct += " (dev)"
                source = d.source + (f" {d.locator}" if d.locator else "")
                name = d.name + (f" (as {d.alias})" if d.alias else "")
                table.add_row(d.ecosystem.value, name, d.version or "-", direct, source,
                              str(d.line) if d.line else (d.key or ""))
            out.print(table)
    if errors:
        raise typer.Exit(EXIT_USAGE)
