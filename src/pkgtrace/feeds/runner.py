"""Polls one feed forever (or once), keeping its cursor in the index.

Each successful poll records its releases and the new cursor in one index transaction. A poll
that fails (5xx, garbage, timeout) changes nothing but the feed's error fields, which `pkgtrace
status` shows, and the next try waits longer (exponential backoff with jitter, capped)."""

from __future__ import annotations

import logging
import random
import threading

from pkgtrace.feeds.interface import Feed, FeedBatch, FeedError
from pkgtrace import metrics
from pkgtrace.results.index import Index

log = logging.getLogger("pkgtrace.feeds")


class FeedRunner:
    def __init__(self, feed: Feed, index: Index, *, start: str | None = None, interval: float = 60.0,
                 min_backoff: float = 1.0, max_backoff: float = 300.0):
        self.feed, self.index = feed, index
        self.start = start  # cursor to use when the index has none (default: the feed's "now")
        self.interval = interval
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.backoff = 0.0
        self.last_error: str | None = None
        self.polls = 0

    def cursor(self) -> str:
        cur = self.index.feed_cursor(self.feed.name)
        if cur is None:
            cur = self.start if self.start is not None else self.feed.start_cursor()
            # Durable from the first moment: a restart resumes here, not at a later "now".
            self.index.set_feed_cursor(self.feed.name, self.feed.ecosystem.value, cur)
        return cur

    def poll_once(self) -> tuple[FeedBatch, int]:
        """One poll; (batch, releases newly recorded). Raises FeedError after recording it."""
        try:
            cursor = self.cursor()
            batch = self.feed.poll(cursor)
        except (FeedError, ValueError) as e:
            self.last_error = str(e)
            metrics.FEED_POLLS.labels(self.feed.name, "error").inc()
            try:
                self.index.record_feed_error(self.feed.name, self.feed.ecosystem.value, str(e))
            except Exception as ie:  # noqa: BLE001 - the feed error is the news; log the index one
                log.warning("feed %s: could not record error: %s", self.feed.name, ie)
            raise FeedError(str(e)) from e
        added = self.index.record_feed_batch(self.feed.name, self.feed.ecosystem.value, batch.releases,
                                             batch.cursor, batch.notes)
        self.polls += 1
        self.last_error = None
        metrics.FEED_POLLS.labels(self.feed.name, "ok").inc()
        metrics.FEED_RELEASES.labels(self.feed.name).inc(added)
        for note in batch.notes:
            log.info("feed %s: %s", self.feed.name, note)
        return batch, added

    def run(self, stop: threading.Event, *, once: bool = False, once_tries: int = 3) -> None:
        """Poll until STOP. With ONCE: until the feed has nothing more to give, or ONCE_TRIES
        failures in a row (the error stays recorded for `status`)."""
        failures = 0
        while not stop.is_set():
            if once and failures >= once_tries:
                return
            try:
                batch, added = self.poll_once()
                self.backoff = 0.0
                failures = 0
                if batch.more:
                    continue
                if once:
                    return
                stop.wait(self.interval)
            except FeedError as e:
                failures += 1
                if once and failures >= once_tries:
                    log.warning("feed %s: %s (giving up after %d tries)", self.feed.name, e, failures)
                    return
                self.backoff = min(self.max_backoff, max(self.min_backoff, self.backoff * 2))
                wait = self.backoff * random.uniform(0.8, 1.2)
                log.warning("feed %s: %s (retry in %.1fs)", self.feed.name, e, wait)
                stop.wait(wait)
            except Exception as e:  # noqa: BLE001 - index down, or a bug: keep the feed alive
                self.last_error = f"{type(e).__name__}: {e}"
                failures += 1
                self.backoff = min(self.max_backoff, max(self.min_backoff, self.backoff * 2))
                log.warning("feed %s: %s (retry in %.1fs)", self.feed.name, self.last_error, self.backoff)
                stop.wait(self.backoff)

