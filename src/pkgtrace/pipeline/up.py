"""`pkgtrace up`: feeds, scheduler, workers and metrics in one process, against the services given
(by default the embedded ones). Also the pieces each command runs alone."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from pkgtrace.feeds import open_feed
from pkgtrace.feeds.runner import FeedRunner
from pkgtrace.pipeline.scheduler import Filters, Scheduler
from pkgtrace.pipeline.worker import WorkerPool, WorkerSettings

log = logging.getLogger("pkgtrace.up")


@dataclass
class UpOptions:
    feeds: list[str] = field(default_factory=lambda: ["pypi", "npm"])
    feed_start: dict[str, str] = field(default_factory=dict)  # feed name → cursor when none stored
    interval: float = 60.0
    filters: Filters = field(default_factory=Filters)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    once: bool = False  # one pass of every feed, then drain the queue and exit
    metrics_port: int = 0  # 0: no /metrics
    metrics_addr: str = "127.0.0.1"


def start_feeds(specs: list[str], index, stop: threading.Event, *, starts: dict[str, str] | None = None,
                interval: float = 60.0, once: bool = False) -> list[tuple[FeedRunner, threading.Thread]]:
    out = []
    for spec in specs:
        feed = open_feed(spec)
        runner = FeedRunner(feed, index, start=(starts or {}).get(feed.name), interval=interval)
        t = threading.Thread(target=runner.run, args=(stop,), kwargs={"once": once}, name=f"feed-{feed.name}",
                             daemon=True)
        t.start()
        out.append((runner, t))
    return out


def run_up(queue, store, index, notifier, opts: UpOptions, stop: threading.Event) -> dict:
    """Run until STOP is set (or --once / --max-jobs is satisfied); a summary."""
    if opts.metrics_port:
        from pkgtrace.pipeline import metrics
        metrics.serve(index, queue, opts.metrics_port, opts.metrics_addr)
    feeds_stop = threading.Event()
    feeds = start_feeds(opts.feeds, index, feeds_stop, starts=opts.feed_start, interval=opts.interval,
                        once=opts.once)
    scheduler = Scheduler(index, queue, opts.filters)
    sched_stop = threading.Event()
    sched_thread = threading.Thread(target=scheduler.run, args=(sched_stop,), kwargs={"interval": 0.5},
                                    name="scheduler", daemon=True)
    sched_thread.start()
    pool = WorkerPool(queue, store, index, opts.worker, notifier)
    pool.start()
    t0 = time.monotonic()
    try:
        while pool.alive() and not stop.is_set():
            if opts.once and _drained(feeds, index, queue, pool):
                log.info("--once: feeds read, queue drained")
                break
            stop.wait(0.5)
    finally:
        feeds_stop.set()
        sched_stop.set()
        pool.stop()
        pool.join()
        for _, t in feeds:
            t.join(5)
        sched_thread.join(5)
    return {"elapsed_s": round(time.monotonic() - t0, 1), "done": pool.counts.done,
            "duplicates": pool.counts.duplicates, "retried": pool.counts.retried, "dead": pool.counts.dead,
            "handed_back": pool.counts.handed_back, "scheduled": scheduler.scheduled,
            "feeds": {r.feed.name: {"polls": r.polls, "error": r.last_error} for r, _ in feeds}}


def _drained(feeds, index, queue, pool) -> bool:
    if any(t.is_alive() for _, t in feeds) or pool.busy:
        return False
    if index.count_new():
        return False
    d = queue.depth()
    return not (d.get("ready") or d.get("leased") or d.get("delayed")) and not pool.busy
