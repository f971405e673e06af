"""The /metrics endpoint: the process's counters (pkgtrace.metrics) plus gauges read from the
shared index and queue at scrape time. `serve(index, queue, port, addr)` exposes them."""

from __future__ import annotations

import logging

from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily

from pkgtrace.metrics import REGISTRY

log = logging.getLogger("pkgtrace.metrics")


class _SharedState:
    """Gauges computed from the index and queue at each scrape."""

    def __init__(self, index, queue):
        self.index, self.queue = index, queue

    def collect(self):
        from pkgtrace.pipeline.status import collect
        try:
            s = collect(self.index, self.queue)
        except Exception as e:  # noqa: BLE001 - a scrape must never take the process down
            log.warning("metrics: %s", e)
            return
        depth = GaugeMetricFamily("pkgtrace_queue_jobs", "Jobs in the queue by state", labels=["state"])
        for state, n in (s["queue"] or {}).items():
            if isinstance(n, int):
                depth.add_metric([state], n)
        yield depth
        rel = GaugeMetricFamily("pkgtrace_releases", "Releases in the index by state", labels=["state"])
        for state, n in s["releases"].items():
            rel.add_metric([state], n)
        yield rel
        done = GaugeMetricFamily("pkgtrace_analyses_last_hour", "Analyses loaded in the last hour")
        done.add_metric([], s["throughput"]["last_1h"])
        yield done
        lag = GaugeMetricFamily("pkgtrace_feed_lag_seconds", "Age of the newest release a feed announced "
                                "(or of its last successful poll)", labels=["feed"])
        errs = GaugeMetricFamily("pkgtrace_feed_consecutive_errors", "Failed polls in a row", labels=["feed"])
        for f in s["feeds"]:
            if f["lag_s"] is not None:
                lag.add_metric([f["feed"]], f["lag_s"])
            errs.add_metric([f["feed"]], f["consecutive_errors"])
        yield lag
        yield errs


def serve(index, queue, port: int, addr: str = "127.0.0.1"):
    """Start the /metrics endpoint in a background thread; returns (server, thread)."""
    REGISTRY.register(_SharedState(index, queue))
    return start_http_server(port, addr=addr, registry=REGISTRY)
