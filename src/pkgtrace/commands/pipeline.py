"""`pkgtrace up | feeds | scheduler | worker | submit`: the pipeline, whole or in parts.

Every service is a URL (flag or environment variable): --queue (PKGTRACE_QUEUE, sqlite:///… or
redis://…), --index (PKGTRACE_INDEX, sqlite:///… or postgresql://…), --results (PKGTRACE_RESULTS,
a folder or s3://…), --notify (PKGTRACE_NOTIFY, redis://…?stream=… or http(s)://…)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Optional

import typer

from pkgtrace.commands._app import (EXIT_FAILURE, EXIT_OK, EXIT_USAGE, app, console, emit_json, fail,
                                    parse_ecosystem)

QueueOpt = typer.Option(None, "--queue", help="Queue URL: sqlite:///PATH (default) or redis://HOST:PORT/DB.")
IndexOpt = typer.Option(None, "--index", help="Index URL: sqlite:///PATH (default) or postgresql://…")
ResultsOpt = typer.Option(None, "--results", help="Results store: a folder (default ./results) or s3://BUCKET/PREFIX.")
NotifyOpt = typer.Option(None, "--notify", help="Completion events: redis://…?stream=NAME or http(s)://WEBHOOK.")
JsonOpt = typer.Option(False, "--json", help="Print a JSON summary on stdout.")


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")


def _stop_on_signals(stop: threading.Event, on_stop=None) -> None:
    def handler(signum, _frame):
        console.print(f"[yellow]{signal.Signals(signum).name}: stopping (in-flight jobs finish or are handed back)[/]")
        stop.set()
        if on_stop:
            on_stop()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _services(queue: str | None, index: str | None, results: str | None, notify: str | None, *,
              need_queue=True, need_store=True):
    from pkgtrace.pipeline import settings
    from pkgtrace.pipeline.notify import open_notifier
    from pkgtrace.pipeline.queues import open_queue
    from pkgtrace.results.index import open_index
    from pkgtrace.results.stores import open_store
    try:
        idx = open_index(settings.index_url(index))
        q = open_queue(settings.queue_url(queue)) if need_queue else None
        st = open_store(settings.results_url(results)) if need_store else None
        n_url = settings.notify_url(notify)
        n = open_notifier(n_url) if n_url else None
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    except Exception as e:  # noqa: BLE001 - a service that cannot be reached is a clear error
        raise fail(f"cannot open the pipeline's services: {type(e).__name__}: {e}")
    return q, st, idx, n


def _filters(ecosystem: list[str] | None, include: list[str] | None, exclude: list[str] | None):
    from pkgtrace.pipeline.scheduler import Filters
    try:
        return Filters.parse(ecosystem, include, exclude)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)


def _starts(items: list[str] | None) -> dict[str, str]:
    out = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep:
            raise fail(f"--feed-start {it!r} is not FEED=CURSOR", EXIT_USAGE)
        out[k] = v
    return out


def _feed_specs(feed: list[str] | None, watch: list[str] | None, default: list[str]) -> list[str]:
    from pkgtrace.feeds import open_feed
    specs = list(feed or []) or ([] if watch else default)
    if watch:
        specs.append("watch:" + ",".join(watch))
    for s in specs:
        try:
            open_feed(s)
        except ValueError as e:
            raise fail(str(e), EXIT_USAGE)
    return specs


def _worker_settings(mode: str, workers: int, max_jobs: int, analyzer: str | None, grace: float,
                     job_timeout: float, idle_exit: float = 0.0):
    from pkgtrace.pipeline.worker import DEFAULT_ANALYZER, WorkerSettings
    if mode not in ("static", "dynamic", "all"):
        raise fail(f"--mode must be static, dynamic or all, not {mode!r}", EXIT_USAGE)
    return WorkerSettings(mode=mode, concurrency=workers, analyzer=analyzer or DEFAULT_ANALYZER,
                          grace_s=grace, job_timeout_s=job_timeout, max_jobs=max_jobs, idle_exit_s=idle_exit)


@app.command()
def up(
    feed: Optional[list[str]] = typer.Option(None, "--feed", help="Feed to run (repeat): pypi, npm, rubygems, packagist, crates.io, crates.io-api. Default: pypi and npm."),
    watch: Optional[list[str]] = typer.Option(None, "--watch", help="Follow ECOSYSTEM:NAME's newest release (repeat); for registries whose change feed is out of reach."),
    feed_start: Optional[list[str]] = typer.Option(None, "--feed-start", help="FEED=CURSOR where a feed with no stored cursor starts (default: now)."),
    ecosystem: Optional[list[str]] = typer.Option(None, "--ecosystem", "-e", help="Only schedule these ecosystems (repeat)."),
    include: Optional[list[str]] = typer.Option(None, "--include", help="ECOSYSTEM:REGEX a name must match to be scheduled."),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude", help="ECOSYSTEM:REGEX of names never scheduled."),
    workers: int = typer.Option(0, "--workers", "-j", help="Analyses at once (default: from cores and memory)."),
    mode: str = typer.Option("all", "--mode", help="static, dynamic or all."),
    once: bool = typer.Option(False, "--once", help="Read every feed once, analyse what they announced, exit."),
    max_jobs: int = typer.Option(0, "--max-jobs", help="Exit after this many jobs (0: no limit)."),
    interval: float = typer.Option(60.0, "--interval", help="Seconds between feed polls."),
    metrics_port: int = typer.Option(0, "--metrics-port", help="Serve Prometheus /metrics on this port (0: off)."),
    metrics_addr: str = typer.Option("127.0.0.1", "--metrics-addr"),
    web_port: int = typer.Option(0, "--web-port", help="Also serve the web pages and HTTP API (`pkgtrace serve`) on this port (0: off). API tokens from PKGTRACE_API_TOKENS."),
    web_addr: str = typer.Option("127.0.0.1", "--web-addr"),
    grace: float = typer.Option(60.0, "--grace", help="On SIGTERM, seconds in-flight analyses may finish."),
    job_timeout: float = typer.Option(1800.0, "--job-timeout"),
    analyzer: Optional[str] = typer.Option(None, "--analyzer", hidden=True, help="MODULE:FUNCTION instead of pkgtrace.analysis:analyze."),
    queue: Optional[str] = QueueOpt, index: Optional[str] = IndexOpt, results: Optional[str] = ResultsOpt,
    notify: Optional[str] = NotifyOpt, as_json: bool = JsonOpt,
    verbose: bool = typer.Option(True, "--verbose/--quiet"),
) -> None:
    """The whole pipeline on this machine: feeds → scheduler → workers → results + dataset."""
    from pkgtrace.pipeline.up import UpOptions, run_up
    _logging(verbose)
    specs = _feed_specs(feed, watch, ["pypi", "npm"])
    opts = UpOptions(feeds=specs, feed_start=_starts(feed_start), interval=interval,
                     filters=_filters(ecosystem, include, exclude),
                     worker=_worker_settings(mode, workers, max_jobs, analyzer, grace, job_timeout), once=once,
                     metrics_port=metrics_port, metrics_addr=metrics_addr)
    q, st, idx, n = _services(queue, index, results, notify)
    stop = threading.Event()
    _stop_on_signals(stop)
    console.print(f"pkgtrace up: feeds {', '.join(specs)}; mode {mode}; "
                  f"{workers or 'auto'} worker(s)" + (f"; metrics on :{metrics_port}" if metrics_port else "")
                  + (f"; web on http://{web_addr}:{web_port}/" if web_port else ""))
    web = None
    if web_port:  # `pkgtrace serve` in a thread beside the pipeline, on the same services
        from pkgtrace.web import WebSettings
        from pkgtrace.web.server import WebServerError, start_in_thread
        try:
            web = start_in_thread(WebSettings.from_env(index=index, results=results, queue=queue),
                                  web_addr, web_port)
        except WebServerError as e:
            raise fail(str(e))
    try:
        summary = run_up(q, st, idx, n, opts, stop)
    finally:
        if web is not None:
            web.stop()
    if as_json:
        emit_json(summary)
    else:
        console.print(f"done {summary['done']}, duplicates {summary['duplicates']}, retried {summary['retried']}, "
                      f"dead {summary['dead']}, handed back {summary['handed_back']} in {summary['elapsed_s']}s")
    # --once is a CI-style run: a feed that was never read is a failure, and says why.
    unread = {k: v["error"] for k, v in summary["feeds"].items() if not v["polls"] and v["error"]}
    if once and unread:
        which = "no feed could be read" if len(unread) == len(summary["feeds"]) else \
            f"feed(s) {', '.join(unread)} could not be read"
        details = "; ".join(f"{k}: {v}" for k, v in unread.items())
        raise fail(f"{which} ({details}). If this machine reaches the registries only through a package "
                   "cache or mirror, follow packages with --watch ECOSYSTEM:NAME instead.")
    raise typer.Exit(EXIT_OK)


@app.command()
def feeds(
    feed: Optional[list[str]] = typer.Option(None, "--feed", help="Feed to run (repeat). Default: pypi and npm."),
    watch: Optional[list[str]] = typer.Option(None, "--watch", help="Follow ECOSYSTEM:NAME (repeat)."),
    feed_start: Optional[list[str]] = typer.Option(None, "--feed-start", help="FEED=CURSOR for a feed with no stored cursor."),
    once: bool = typer.Option(False, "--once", help="Poll each feed until it has nothing more, then exit."),
    interval: float = typer.Option(60.0, "--interval"),
    metrics_port: int = typer.Option(0, "--metrics-port"),
    index: Optional[str] = IndexOpt, as_json: bool = JsonOpt,
) -> None:
    """Run the registry feeds alone: new releases go into the index for the scheduler."""
    from pkgtrace.pipeline.up import start_feeds
    _logging(True)
    specs = _feed_specs(feed, watch, ["pypi", "npm"])
    _, _, idx, _ = _services(None, index, None, None, need_queue=False, need_store=False)
    if metrics_port:
        from pkgtrace.pipeline import metrics
        metrics.serve(idx, None, metrics_port)
    stop = threading.Event()
    _stop_on_signals(stop)
    runners = start_feeds(specs, idx, stop, starts=_starts(feed_start), interval=interval, once=once)
    while any(t.is_alive() for _, t in runners) and not stop.is_set():
        stop.wait(0.5)
    stop.set()
    for _, t in runners:
        t.join(10)
    summary = {r.feed.name: {"polls": r.polls, "cursor": idx.feed_cursor(r.feed.name), "error": r.last_error}
               for r, _ in runners}
    if as_json:
        emit_json(summary)
    failed = [k for k, v in summary.items() if v["error"]]
    raise typer.Exit(EXIT_FAILURE if once and failed else EXIT_OK)


@app.command()
def scheduler(
    ecosystem: Optional[list[str]] = typer.Option(None, "--ecosystem", "-e"),
    include: Optional[list[str]] = typer.Option(None, "--include"),
    exclude: Optional[list[str]] = typer.Option(None, "--exclude"),
    once: bool = typer.Option(False, "--once", help="Schedule what is waiting, then exit."),
    queue: Optional[str] = QueueOpt, index: Optional[str] = IndexOpt, as_json: bool = JsonOpt,
) -> None:
    """Run the scheduler alone: announced releases → queue jobs (dedup, priorities, filters)."""
    from pkgtrace.pipeline.queues import QueueError
    from pkgtrace.pipeline.scheduler import Scheduler
    _logging(True)
    q, _, idx, _ = _services(queue, index, None, None, need_store=False)
    s = Scheduler(idx, q, _filters(ecosystem, include, exclude))
    if once:
        try:
            while s.step():
                pass
        except QueueError as e:
            raise fail(str(e))
    else:
        stop = threading.Event()
        _stop_on_signals(stop)
        s.run(stop)
    if as_json:
        emit_json({"scheduled": s.scheduled, "skipped": s.skipped})
    else:
        console.print(f"scheduled {s.scheduled}, skipped {s.skipped}")


@app.command()
def worker(
    workers: int = typer.Option(0, "--workers", "-j", help="Analyses at once (default: from cores and memory)."),
    mode: str = typer.Option("all", "--mode", help="static, dynamic or all."),
    max_jobs: int = typer.Option(0, "--max-jobs", help="Exit after this many jobs (0: no limit)."),
    idle_exit: float = typer.Option(0.0, "--idle-exit", help="Exit after this many seconds with nothing to do (0: never)."),
    grace: float = typer.Option(60.0, "--grace", help="On SIGTERM, seconds in-flight analyses may finish."),
    job_timeout: float = typer.Option(1800.0, "--job-timeout"),
    metrics_port: int = typer.Option(0, "--metrics-port"),
    analyzer: Optional[str] = typer.Option(None, "--analyzer", hidden=True),
    queue: Optional[str] = QueueOpt, index: Optional[str] = IndexOpt, results: Optional[str] = ResultsOpt,
    notify: Optional[str] = NotifyOpt, as_json: bool = JsonOpt,
) -> None:
    """Run workers alone against shared services: take jobs, analyse, store, load, notify."""
    from pkgtrace.pipeline.worker import WorkerPool
    _logging(True)
    q, st, idx, n = _services(queue, index, results, notify)
    settings = _worker_settings(mode, workers, max_jobs, analyzer, grace, job_timeout, idle_exit)
    pool = WorkerPool(q, st, idx, settings, n)
    if metrics_port:
        from pkgtrace.pipeline import metrics
        metrics.serve(idx, q, metrics_port)
    stop = threading.Event()
    _stop_on_signals(stop, on_stop=pool.stop)
    console.print(f"worker {settings.name}: {pool.concurrency} slot(s), mode {mode}")
    counts = pool.run()
    summary = {"done": counts.done, "duplicates": counts.duplicates, "retried": counts.retried,
               "dead": counts.dead, "handed_back": counts.handed_back}
    if as_json:
        emit_json(summary)
    else:
        console.print(", ".join(f"{k} {v}" for k, v in summary.items()))


@app.command()
def submit(
    ecosystem: str = typer.Argument(..., help="pypi, npm, rubygems, packagist, crates.io"),
    specs: list[str] = typer.Argument(..., help="NAME@VERSION (or NAME==VERSION) …"),
    force: bool = typer.Option(False, "--force", help="Analyse again even if already analysed."),
    priority: int = typer.Option(100, "--priority", help="100 user (default), 50 verify, 0 feed backlog."),
    source: str = typer.Option("user", "--source"),
    index: Optional[str] = IndexOpt, as_json: bool = JsonOpt,
) -> None:
    """Ask the pipeline to analyse releases, ahead of the feed backlog."""
    from pkgtrace.ecosystems import split_spec
    from pkgtrace.model import Package
    eco = parse_ecosystem(ecosystem)
    _, _, idx, _ = _services(None, index, None, None, need_queue=False, need_store=False)
    out = []
    for spec in specs:
        name, version = split_spec(eco, spec)
        if not version:
            raise fail(f"{spec!r}: give an exact version (NAME@VERSION)", EXIT_USAGE)
        pkg = Package(eco, name, version)
        out.append({"release": str(pkg), "result": idx.request(pkg, source=source, priority=priority, force=force)})
    if as_json:
        emit_json(out)
    else:
        for o in out:
            console.print(f"{o['release']}: {o['result']}")
