"""A watchlist: the newest release of each named package, read from the registry's package API.

For machines that reach a registry's package documents but not its change feed (a mirror, a
caching proxy), and for following a handful of packages closely. Cursor = JSON {pkg: version}."""

from __future__ import annotations

import json

from pkgtrace.ecosystems import RegistryError, registry_for
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release
from pkgtrace.model import Ecosystem, Package


class WatchFeed:
    name = "watch"
    ecosystem = Ecosystem.PYPI  # mixed; the releases carry their own

    def __init__(self, packages: list[tuple[Ecosystem, str]], name: str = "watch"):
        self.packages = packages
        self.name = name

    def start_cursor(self) -> str:
        return "{}"  # first poll announces each package's newest release

    def poll(self, cursor: str) -> FeedBatch:
        try:
            seen = json.loads(cursor)
            assert isinstance(seen, dict)
        except (ValueError, AssertionError):
            seen = {}
        releases, notes = [], []
        for eco, name in self.packages:
            key = f"{eco.value}:{name}"
            try:
                pkg = registry_for(eco).resolve(name)
            except RegistryError as e:
                if str(e).startswith("not found") or "not supported" in str(e):
                    notes.append(str(e))
                    continue
                raise FeedError(str(e)) from e
            if seen.get(key) != pkg.version:
                releases.append(Release(Package(eco, pkg.name, pkg.version)))
                seen[key] = pkg.version
        return FeedBatch(releases, json.dumps(seen, sort_keys=True), notes=notes)


def parse_watch(spec: str) -> list[tuple[Ecosystem, str]]:
    """'pypi:six,npm:left-pad' -> [(pypi, six), (npm, left-pad)]."""
    out = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        eco, sep, name = item.partition(":")
        if not sep or not name:
            raise ValueError(f"watch entry {item!r} is not ECOSYSTEM:NAME")
        out.append((Ecosystem.parse(eco), name))
    return out
