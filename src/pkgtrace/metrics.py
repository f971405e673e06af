"""Prometheus counters kept by the process's workers and feeds (in one registry, apart from the
pipeline so that feeds and workers record without importing each other)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry()

ANALYSES = Counter("pkgtrace_analyses", "Jobs finished by this process's workers, by outcome",
                   ["ecosystem", "outcome"], registry=REGISTRY)
ANALYSIS_SECONDS = Histogram("pkgtrace_analysis_seconds", "Wall time of one job in a worker", ["ecosystem"],
                             buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800), registry=REGISTRY)
FEED_POLLS = Counter("pkgtrace_feed_polls", "Feed polls by outcome", ["feed", "outcome"], registry=REGISTRY)
FEED_RELEASES = Counter("pkgtrace_feed_releases", "New releases recorded by feeds", ["feed"], registry=REGISTRY)
