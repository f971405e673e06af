"""What every registry watcher provides: one poll from a cursor to the releases after it.

A feed is stateless: the cursor it returns is stored by the caller (feeds/runner.py) in the index,
in the same transaction as the releases it announced, so that a restart neither loses nor repeats
releases. Cursors are opaque strings, each feed defines its own (a serial, a sequence, a byte
offset, a timestamp, a commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from pkgtrace.model import Ecosystem, Package


class FeedError(Exception):
    """The registry answered 5xx, garbage, or not at all; the cursor must stay where it was."""


@dataclass(frozen=True)
class Release:
    package: Package
    published: float | None = None  # unix time when the registry says so


@dataclass
class FeedBatch:
    releases: list[Release]
    cursor: str  # where the next poll starts; equal to the old one when nothing happened
    more: bool = False  # the registry has more after this batch: poll again at once
    notes: list[str] = field(default_factory=list)  # e.g. "index rebuilt, resynced at end"


class Feed(Protocol):
    name: str  # unique id of this watcher, the key of its cursor
    ecosystem: Ecosystem

    def start_cursor(self) -> str:
        """The cursor meaning 'from now on', used when the index holds none."""

    def poll(self, cursor: str) -> FeedBatch:
        """Releases announced after CURSOR (at most one batch) and the cursor after them.
        Raises FeedError on any bad answer; never returns a cursor past unread releases."""


def dedup(releases: list[Release]) -> list[Release]:
    """One entry per release, first occurrence kept (a release is often announced per file)."""
    seen: set[Package] = set()
    out = []
    for r in releases:
        if r.package not in seen:
            seen.add(r.package)
            out.append(r)
    return out
