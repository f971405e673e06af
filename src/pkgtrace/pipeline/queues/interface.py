"""One job queue interface, two backends (SQLite embedded, Redis Streams).

At-least-once delivery with leases: `get` hands a job to one consumer for LEASE seconds; the
consumer renews the lease (`touch`) while it works and `ack`s only after the results are stored.
A consumer that dies stops renewing, and the job is delivered again to another one. `nack` retries
with exponential backoff and dead-letters after MAX_ATTEMPTS deliveries, with the reason;
`release` hands a job back untouched (graceful shutdown)."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Protocol

from pkgtrace.model import Ecosystem, Package

PRIORITY_FEED = 0
PRIORITY_VERIFY = 50
PRIORITY_USER = 100

DEFAULT_LEASE_S = 300.0
DEFAULT_MAX_ATTEMPTS = 5


class QueueError(Exception):
    """The queue's service is unreachable or refused the operation."""


@dataclass
class Job:
    ecosystem: str
    name: str
    version: str
    priority: int = PRIORITY_FEED
    force: bool = False
    source: str = "feed"
    mode: str | None = None  # None: the worker's setting
    local: str | None = None  # an archive on disk to analyse instead of the registry's (web uploads)
    attempts: int = 0  # deliveries before this one that ended in nack
    last_error: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def package(self) -> Package:
        return Package(Ecosystem(self.ecosystem), self.name, self.version)

    @property
    def key(self) -> str:
        return self.package.key

    @classmethod
    def for_package(cls, package: Package, **kw) -> "Job":
        return cls(package.ecosystem.value, package.name, package.version, **kw)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Job":
        d = json.loads(text)
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


@dataclass
class Delivery:
    job: Job
    receipt: str  # backend handle (row id, stream entry id)
    consumer: str
    attempt: int  # 1 for the first delivery


@dataclass
class DeadLetter:
    job: Job
    reason: str
    attempts: int
    at: float


class Queue(Protocol):
    url: str
    max_attempts: int

    def put(self, job: Job) -> str:
        """Enqueue; a job for a release already waiting or running is not duplicated."""

    def get(self, consumer: str, timeout: float = 1.0) -> Delivery | None:
        """The next job (highest priority first, then oldest) leased to CONSUMER, or None."""

    def touch(self, delivery: Delivery) -> None:
        """Renew the lease while the work goes on."""

    def ack(self, delivery: Delivery) -> None:
        """Done: the results are stored. Never delivered again."""

    def nack(self, delivery: Delivery, error: str, *, retry: bool = True) -> bool:
        """Failed: retry later with backoff, or dead-letter (no retry, or too many attempts).
        True when it will be retried."""

    def release(self, delivery: Delivery) -> None:
        """Hand the job back without counting an attempt (the worker is shutting down)."""

    def depth(self) -> dict[str, int]:
        """{'ready', 'leased', 'delayed', 'dead'} counts."""

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        ...

    def close(self) -> None:
        ...


def backoff(attempt: int, base: float = 5.0, cap: float = 600.0) -> float:
    """Seconds before retry number ATTEMPT (1-based): 5, 10, 20, … capped."""
    return min(cap, base * (2 ** max(0, attempt - 1)))
