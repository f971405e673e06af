"""The scheduler: announced releases (rows in state 'new') become queue jobs.

Feeds and user requests only write rows into the index; this loop claims them, applies the
per-ecosystem filters, and enqueues them by priority (user and verify requests before the feed
backlog). Dedup is structural: a release has one row (unique ecosystem/name/version), so it is
scheduled once unless someone forces it; the worker checks again before it analyses."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from pkgtrace.model import Ecosystem, Package
from pkgtrace.pipeline.queues import PRIORITY_USER, Job, Queue, QueueError
from pkgtrace.results.index import Index

log = logging.getLogger("pkgtrace.scheduler")


@dataclass
class Filters:
    """Which releases are worth a job. Empty means everything."""

    ecosystems: set[Ecosystem] = field(default_factory=set)
    include: dict[Ecosystem, list[re.Pattern]] = field(default_factory=dict)
    exclude: dict[Ecosystem, list[re.Pattern]] = field(default_factory=dict)

    @classmethod
    def parse(cls, ecosystems: list[str] | None = None, include: list[str] | None = None,
              exclude: list[str] | None = None) -> "Filters":
        """ecosystems: ['pypi', 'npm']; include/exclude: ['npm:^@types/', 'pypi:^test'] (regex on the name)."""
        f = cls(ecosystems={Ecosystem.parse(e) for e in ecosystems or []})
        for spec, target in ((include or [], f.include), (exclude or [], f.exclude)):
            for item in spec:
                eco, sep, rx = item.partition(":")
                if not sep:
                    raise ValueError(f"filter {item!r} is not ECOSYSTEM:REGEX")
                try:
                    target.setdefault(Ecosystem.parse(eco), []).append(re.compile(rx))
                except re.error as e:
                    raise ValueError(f"filter {item!r}: bad regular expression: {e}") from e
        return f

    def reason_to_skip(self, package: Package) -> str | None:
        if self.ecosystems and package.ecosystem not in self.ecosystems:
            return f"ecosystem {package.ecosystem.value} is not scheduled"
        inc = self.include.get(package.ecosystem)
        if inc and not any(p.search(package.name) for p in inc):
            return "name matches no include filter"
        for p in self.exclude.get(package.ecosystem, []):
            if p.search(package.name):
                return f"name matches exclude filter {p.pattern!r}"
        return None


class Scheduler:
    def __init__(self, index: Index, queue: Queue, filters: Filters | None = None):
        self.index = index
        self.queue = queue
        self.filters = filters or Filters()
        self.scheduled = 0
        self.skipped = 0
        self.last_error: str | None = None

    def submit(self, package: Package, *, priority: int = PRIORITY_USER, force: bool = False,
               source: str = "user") -> str:
        """A request from a user (or verify): recorded, then scheduled ahead of the feed backlog."""
        return self.index.request(package, source=source, priority=priority, force=force)

    def step(self, limit: int = 200) -> int:
        """Schedule what is waiting; the number of jobs enqueued."""
        rows = self.index.claim_new(limit)
        n = 0
        for i, row in enumerate(rows):
            why = self.filters.reason_to_skip(row.package) if not row.force else None
            if why:
                self.index.set_state(row.package, "skipped", error=why, only_from=("queuing",))
                self.skipped += 1
                continue
            try:
                self.queue.put(Job.for_package(row.package, priority=row.priority, force=row.force,
                                               source=row.source or "feed"))
            except QueueError as e:
                # Give the rest back at once rather than waiting for the stale-claim timeout.
                for r in rows[i:]:
                    self.index.set_state(r.package, "new", only_from=("queuing",))
                self.last_error = str(e)
                raise
            self.index.set_state(row.package, "queued", only_from=("queuing",))
            n += 1
        self.scheduled += n
        return n

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        delay = interval
        while not stop.is_set():
            try:
                n = self.step()
                self.last_error = None
                delay = 0 if n else interval
            except Exception as e:  # noqa: BLE001 - the loop must outlive a flaky queue or index
                self.last_error = f"{type(e).__name__}: {e}"
                log.warning("scheduler: %s", self.last_error)
                delay = min(max(delay * 2, 1.0), 30.0)
            stop.wait(delay)
