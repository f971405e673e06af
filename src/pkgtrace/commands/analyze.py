"""`pkgtrace analyze ECOSYSTEM NAME[@VERSION] | --local FILE`."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Optional

import typer

from pkgtrace.analysis import AnalysisRequest, analyze as run_analysis
from pkgtrace.api.network import NetworkEvent
from pkgtrace.commands._app import (EXIT_FAILURE, EXIT_USAGE, app, console, emit_json,
                                    exit_cleanly_on_sigterm, fail, parse_ecosystem)
from pkgtrace.config import results_dir
from pkgtrace.ecosystems import RegistryError, split_spec
from pkgtrace.results.documents import read_documents
from pkgtrace.results.record import record
from pkgtrace.results.stores import open_store
from pkgtrace.sandbox.netsim.story import story
from pkgtrace.sandbox.runsc import Limits


@app.command()
def analyze(
    ecosystem: str = typer.Argument(..., help="pypi, npm, rubygems, packagist or crates.io"),
    spec: Optional[str] = typer.Argument(None, help="NAME, NAME==VERSION or NAME@VERSION"),
    local: Optional[Path] = typer.Option(None, "--local", help="Analyse this artifact file instead"),
    mode: str = typer.Option("all", "--mode", help="static, dynamic or all"),
    results: Optional[str] = typer.Option(None, "--results", help="Results store (folder or URL)"),
    index: Optional[str] = typer.Option(None, "--index", help="The dataset to record the analysis in "
                                        "(default: the local one, where `verify` and `serve` look)"),
    timeout: float = typer.Option(Limits.phase_seconds, "--timeout", help="Wall-time limit per phase, seconds"),
    memory_mb: int = typer.Option(Limits.memory_bytes >> 20, "--memory", help="Sandbox memory limit, MiB"),
    disk_mb: int = typer.Option(Limits.disk_bytes >> 20, "--disk", min=16,
                                help="Sandbox disk limit (what the package may write), MiB"),
    trace_mb: int = typer.Option(Limits.run_trace_bytes >> 20, "--trace", min=1,
                                 help="Syscall log the whole run may write, MiB (past it: a flood)"),
    json_out: bool = typer.Option(False, "--json", help="Print the documents as JSON on stdout"),
) -> None:
    """Analyse one release and store its documents; print a summary."""
    exit_cleanly_on_sigterm()
    eco = parse_ecosystem(ecosystem)
    if mode not in ("static", "dynamic", "all"):
        raise fail("--mode must be static, dynamic or all", EXIT_USAGE)
    if (spec is None) == (local is None):
        raise fail("give either NAME[@VERSION] or --local FILE", EXIT_USAGE)
    name, version = split_spec(eco, spec) if spec else (None, None)
    limits = Limits(phase_seconds=timeout, memory_bytes=memory_mb << 20, disk_bytes=disk_mb << 20,
                    run_trace_bytes=trace_mb << 20)
    request = AnalysisRequest(eco, name, version, local, mode, limits)  # type: ignore[arg-type]
    try:
        with console.status("analysing") as status:
            outcome = run_analysis(request, progress=lambda m: status.update(m))
    except (RegistryError, FileNotFoundError) as e:
        raise fail(str(e), EXIT_FAILURE)
    store = open_store(results or str(results_dir()))
    _record(outcome, store, index)
    if json_out:
        emit_json(outcome.documents)
    else:
        print_summary(outcome.documents)
        console.print(f"results: {store.location(outcome.package)}")


def _record(outcome, store, index: str | None) -> None:
    """Record the analysis (results/record.py), so verify, search and the web find it. A dataset
    that cannot be written is a warning: the documents are stored either way."""
    from pkgtrace.pipeline import settings
    from pkgtrace.results.index import open_index, redact
    url = settings.index_url(index)

    def warn(e: Exception) -> None:
        console.print(f"[yellow]warning:[/] not recorded in the dataset {redact(url)}: {type(e).__name__}: {e}")

    def persist(what, step):
        if what != "index":
            return step()
        try:
            return step()
        except Exception as e:  # noqa: BLE001 - any driver's failure
            warn(e)
    try:
        idx = open_index(url)
    except Exception as e:  # noqa: BLE001 - any driver's failure
        warn(e)
        idx = None
    try:
        record(outcome.package, outcome.documents, store=store, index=idx, persist=persist)
    finally:
        if idx is not None:
            idx.close()


def print_summary(documents: dict) -> None:
    docs = read_documents(documents)
    report = docs.report
    if report is None:
        raise fail("no report to summarise", EXIT_FAILURE)
    pkg = report.package
    console.print(f"[bold]{pkg.ecosystem.value}/{pkg.name}@{pkg.version}[/]  sha256 {report.artifact.sha256[:16]}…")
    if docs.dynamic is not None:
        phases = report.dynamic.phases if report.dynamic else {}
        for phase, summary in docs.dynamic.Analysis.items():
            detail = phases.get(phase)
            console.print(f"  [bold]{phase}[/]: {summary.Status.value} ({detail.reason if detail else ''}, "
                          f"{detail.duration_s if detail else None} s)  files {len(summary.Files)}, "
                          f"commands {len(summary.Commands)}, sockets {len(summary.Sockets)}, "
                          f"dns {sum(len(d.Queries) for d in summary.DNS)}")
            for c in summary.Commands[:8]:
                cmd = " ".join(c.Command).replace("\n", " ")
                console.print(f"     $ {cmd[:150]}", markup=False, highlight=False, soft_wrap=True)
            for so in summary.Sockets[:8]:
                console.print(f"     -> {so.Address}:{so.Port} {' '.join(so.Hostnames)}")
            if detail is None:
                continue
            for e in detail.network[:8]:
                line = _net_line(e)
                if line:
                    console.print(f"     net {line}", markup=False, highlight=False, soft_wrap=True)
            if detail.left_running:
                console.print(f"     left running: {', '.join(str(p.name) for p in detail.left_running)}")
    if report.static is not None:
        console.print(f"  [bold]static[/]: {_static_line(report.static.summary)}", highlight=False)
    if report.verdict is not None:
        from pkgtrace.verdict.summary import print_verdict
        print_verdict(console, report.verdict)


def _net_line(e: NetworkEvent) -> str | None:
    if e.kind == "udp":
        return f"UDP {e.hostname or e.dst}:{e.port} {e.length or 0} bytes"
    if e.kind != "tcp":
        return None
    where = f"{e.hostname or e.dst}:{e.port}"
    if e.dns_tcp:
        return f"DNS over TCP {where} ({e.dns_queries or 0} queries)"
    if e.tls and not e.tls.intercepted:
        return f"TLS {where} sni={e.tls.sni} ({e.tls.refused or 'not intercepted'})"
    if e.http:
        h = e.http
        body = base64.b64decode(h.body_b64 or "")[:60]
        scheme = "HTTPS" if e.tls else "HTTP"
        said = story(e).outcome  # forwarded only with the proxy's own log behind it
        return f"{scheme} {h.method} {h.host or where}{(h.target or '')[:120]} body={body!r} ({said})"
    return f"TCP {where} {e.bytes_received or 0} bytes"


def _static_line(summary) -> str:
    """'10 files, 6 parsed (javascript 5, typescript 1), 0 syntax errors; signals: hex 1'."""
    def counts(d: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items()) or "none"
    return (f"{summary.files} files, {summary.parsed_files} parsed ({counts(summary.languages)}), "
            f"{summary.files_with_syntax_errors} with syntax errors; signals: {counts(summary.signals)}")
