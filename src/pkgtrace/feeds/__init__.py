"""One watcher per registry, chosen by name; runner.py polls them and keeps their cursors durable."""

from __future__ import annotations

from pkgtrace.feeds.interface import Feed, FeedBatch, FeedError, Release

FEED_NAMES = ("pypi", "npm", "rubygems", "packagist", "crates.io", "crates.io-api")


def open_feed(spec: str) -> Feed:
    """'pypi' | 'npm' | 'rubygems' | 'packagist' | 'crates.io' (git index) | 'crates.io-api' |
    'watch:ECO:NAME,ECO:NAME'. Registry URLs come from PKGTRACE_*_URL environment variables."""
    key = spec.strip().lower()
    if key == "pypi":
        from pkgtrace.feeds.pypi import PyPIFeed
        return PyPIFeed()
    if key == "npm":
        from pkgtrace.feeds.npm import NpmFeed
        return NpmFeed()
    if key in ("rubygems", "gem"):
        from pkgtrace.feeds.rubygems import RubyGemsFeed
        return RubyGemsFeed()
    if key in ("packagist", "composer"):
        from pkgtrace.feeds.packagist import PackagistFeed
        return PackagistFeed()
    if key in ("crates.io", "crates", "cargo"):
        from pkgtrace.feeds.crates import CratesIndexFeed
        return CratesIndexFeed()
    if key in ("crates.io-api", "crates-api"):
        from pkgtrace.feeds.crates import CratesApiFeed
        return CratesApiFeed()
    if key.startswith("watch:"):
        from pkgtrace.feeds.watch import WatchFeed, parse_watch
        return WatchFeed(parse_watch(spec.strip()[len("watch:"):]))
    raise ValueError(f"unknown feed {spec!r}; expected one of {', '.join(FEED_NAMES)} or watch:ECO:NAME,…")


__all__ = ["Feed", "FeedBatch", "FeedError", "Release", "open_feed", "FEED_NAMES"]
