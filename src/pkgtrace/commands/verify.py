"""`pkgtrace verify LOCKFILE…`: every release the lockfiles pin, checked against the dataset."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pkgtrace.commands._app import EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, console, fail

DEFAULT_SUPPRESSIONS = (".pkgtrace-suppressions.yaml", ".pkgtrace-suppressions.yml", ".pkgtrace-suppressions.json")


@app.command()
def verify(
    lockfiles: list[Path] = typer.Argument(..., help="Lockfiles (any format `pkgtrace deps` reads), or "
                                           "folders to search for them (node_modules, virtualenvs and "
                                           "vendor folders skipped)."),
    index: Optional[str] = typer.Option(None, "--index", help="The local dataset: sqlite:///PATH (default: "
                                        "the pipeline's, PKGTRACE_INDEX) or postgresql://…"),
    server: Optional[str] = typer.Option(None, "--server", envvar="PKGTRACE_SERVER",
                                         help="A pkgtrace server to ask instead: http(s)://HOST[:PORT]."),
    token: Optional[str] = typer.Option(None, "--token", help="API token for --server, needed to submit with "
                                        "--analyze-missing (or PKGTRACE_API_TOKEN)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json, sarif, markdown or osv."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report here instead of stdout."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if any release not suppressed is "
                                          "labelled this or worse: suspicious or malicious; unknown: "
                                          "also any release not analysed yet."),
    suppressions: Optional[Path] = typer.Option(None, "--suppressions", help="Suppressions file (default: "
                                                ".pkgtrace-suppressions.yaml here, if present)."),
    analyze_missing: bool = typer.Option(False, "--analyze-missing", help="Ask the pipeline to analyse the "
                                         "releases the dataset lacks, and wait for them."),
    wait_timeout: float = typer.Option(1800.0, "--wait-timeout", help="With --analyze-missing: seconds to wait."),
    lockfile_type: Optional[str] = typer.Option(None, "--type", metavar="FORMAT", help="Read every file as "
                                                "this lockfile format instead of detecting it."),
    as_json: bool = typer.Option(False, "--json", help="Same as --format json."),
) -> None:
    """Look every dependency (direct and transitive) up in the dataset and report its label and top
    findings. Exit codes: 0 fine, 1 --fail-on matched, 2 bad input, 3 dataset unavailable."""
    from pkgtrace.formats import RenderContext, fails, get_format
    from pkgtrace.lockfiles import parser_named
    from pkgtrace.verify import DatasetError, open_dataset, verify_lockfiles
    from pkgtrace.verdict.suppressions import SuppressionError, load as load_suppressions

    if as_json:
        fmt = "json"
    try:
        formatter = get_format(fmt)
        if lockfile_type:
            parser_named(lockfile_type)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    if fail_on is not None and fail_on not in ("unknown", "suspicious", "malicious"):
        raise fail(f"--fail-on must be unknown, suspicious or malicious, not {fail_on!r}", EXIT_USAGE)
    if server and index:
        raise fail("give --index or --server, not both", EXIT_USAGE)
    sup = None
    sup_path = suppressions or next((Path(p) for p in DEFAULT_SUPPRESSIONS if Path(p).is_file()), None)
    if sup_path is not None:
        try:
            sup = load_suppressions(sup_path)
        except SuppressionError as e:
            raise fail(str(e), EXIT_USAGE)
        for s in sup.expired:
            console.print(f"[yellow]suppression expired {s.expires}:[/] {escape(s.name)}"
                          f"{'@' + escape(s.version) if s.version else ''}{' ' + escape(s.rule) if s.rule else ''}")

    from pkgtrace.verify.discover import find_lockfiles
    try:
        lockfiles = find_lockfiles(lockfiles)
    except FileNotFoundError as e:
        raise fail(str(e), EXIT_USAGE)
    if not lockfiles:
        raise fail("no lockfiles found in the folders given", EXIT_USAGE)

    missing = None
    if server:
        where = server
    else:
        from pkgtrace.pipeline import settings
        where = settings.index_url(index)
        missing = _missing_sqlite(where)
        if missing and (index or os.environ.get("PKGTRACE_INDEX")):
            raise fail(f"no dataset at {missing}: give --index URL (a pipeline's index) or --server URL "
                       "(a pkgtrace server), or set PKGTRACE_INDEX / PKGTRACE_SERVER", EXIT_USAGE)
        if missing and not analyze_missing:
            # Nothing analysed on this machine yet: every dependency is "not analysed", which is
            # the true answer. Nothing is created (--analyze-missing creates the dataset it fills).
            console.print(f"no analyses yet in {escape(str(Path(missing).parent))}: every dependency "
                          "is listed as not analysed (`pkgtrace analyze`, `pkgtrace osv import` or "
                          "--server fill it)")
    try:
        if not server and missing and not analyze_missing:
            from pkgtrace.verify.local import EmptyDataset
            dataset = EmptyDataset(where)
        else:
            dataset = open_dataset(where, token=token)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    except DatasetError as e:
        raise fail(str(e), EXIT_FAILURE)

    progress_bar: Progress | None = None
    task = None

    def on_progress(done: int, total: int, pkg, state: str) -> None:
        nonlocal progress_bar, task
        if progress_bar is None:
            console.print(f"analysing {total} release(s) the dataset lacks; the pipeline serving "
                          f"{escape(dataset.name)} (`pkgtrace up`, or scheduler + worker) does the work")
            progress_bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), console=console, transient=False)
            progress_bar.start()
            task = progress_bar.add_task("analyses", total=total)
        if pkg is not None:
            progress_bar.update(task, completed=done, description=f"{pkg} {state}")

    try:
        result = verify_lockfiles(lockfiles, dataset, lockfile_type=lockfile_type, suppressions=sup,
                                  analyze_missing_timeout=wait_timeout if analyze_missing else None,
                                  progress=on_progress)
    except DatasetError as e:
        raise fail(str(e), EXIT_FAILURE)
    finally:
        if progress_bar is not None:
            progress_bar.stop()
        dataset.close()

    for e in result.errors:
        console.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True)
    for lf in result.lockfiles:
        for n in lf.notes:
            console.print(f"[yellow]note:[/] {escape(n)}", soft_wrap=True)
    for w in result.waited:
        if w.state != "done":
            console.print(f"[yellow]{escape(str(w.package))}: not analysed "
                          f"({w.state}{': ' + escape(w.detail) if w.detail else ''})[/]", soft_wrap=True)

    to_file = output is not None
    ctx = RenderContext(lockfiles=tuple(str(lf.path) for lf in result.lockfiles), dataset=dataset.name,
                        failed=tuple({"file": e.file, "line": e.line, "key": e.key, "message": e.message}
                                     for e in result.errors),
                        notes=tuple(n for lf in result.lockfiles for n in lf.notes),
                        color=not to_file and fmt == "table" and sys.stdout.isatty(),
                        width=None if to_file or not sys.stdout.isatty() else console.width)
    text = formatter.render(result.rows, ctx)
    if to_file:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
            tmp.write_text(text)
            tmp.replace(output)
        except OSError as e:
            raise fail(f"cannot write {output}: {e.strerror or e}", EXIT_FAILURE)
        console.print(f"wrote {fmt} report to {escape(str(output))}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()

    unknown = len({r.dependency.package for r in result.rows if r.status == "unknown" and r.release is None})
    if unknown and not analyze_missing:
        console.print(f"{unknown} dependenc{'y is' if unknown == 1 else 'ies are'} not in the dataset; "
                      "--analyze-missing has the pipeline analyse them"
                      + (" (with an API token for the server)" if server else ""))
    if to_file or fmt != "table":  # the table ends with this line already
        from pkgtrace.formats import summarize
        c = summarize(result.rows)
        console.print(f"{c['total']} dependencies: {c['malicious']} malicious, {c['suspicious']} suspicious, "
                      f"{c['benign']} benign, {c['unknown']} unknown, {c['not-looked-up']} not looked up"
                      + (f", {c['suppressed']} suppressed" if c["suppressed"] else ""))
    if result.errors:
        raise typer.Exit(EXIT_USAGE)
    if fails(result.rows, fail_on):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


def _missing_sqlite(url: str) -> str | None:
    """The path of an SQLite index that does not exist (verify reads a dataset, never makes one)."""
    from sqlalchemy.engine import make_url

    from pkgtrace.results.index.db import normalize_url
    try:
        u = make_url(normalize_url(url))
    except Exception:  # noqa: BLE001 - a bad URL is reported when it is opened
        return None
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:" \
            and not Path(u.database).exists():
        return u.database
    return None
