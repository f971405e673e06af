"""npm: the registry's CouchDB-style `_changes` feed, cursor = the last sequence read.

A change names a package, not a version, so each changed package's packument is fetched and the
versions published within LOOKBACK of its last modification are announced; earlier announcements
of the same release are dropped by the index (a release is recorded once)."""

from __future__ import annotations

import os
from urllib.parse import quote, urlencode

from pkgtrace.feeds import _http
from pkgtrace.feeds._http import iso_timestamp
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release, dedup
from pkgtrace.model import Ecosystem, Package

BATCH = 500
LOOKBACK_S = 24 * 3600
MAX_VERSIONS_PER_CHANGE = 50


def changes_url() -> str:
    return os.environ.get("PKGTRACE_NPM_CHANGES_URL", "https://replicate.npmjs.com/registry").rstrip("/")


def registry_url() -> str:
    return os.environ.get("PKGTRACE_NPM_URL", "https://registry.npmjs.org").rstrip("/")


class NpmFeed:
    name = "npm"
    ecosystem = Ecosystem.NPM

    def __init__(self, changes: str | None = None, registry: str | None = None, batch: int = BATCH):
        self.changes = changes or changes_url()
        self.registry = registry or registry_url()
        self.batch = batch

    def start_cursor(self) -> str:
        root = _http.get_json(self.changes + "/")
        seq = root.get("update_seq")
        if seq is None:  # the slimmed-down root document: ask the feed for its newest sequence
            seq = _http.get_json(f"{self.changes}/_changes?descending=true&limit=1").get("last_seq")
        if seq is None:
            raise FeedError(f"{self.changes}: no update_seq or last_seq to start from")
        return str(seq)

    def poll(self, cursor: str) -> FeedBatch:
        doc = _http.get_json(f"{self.changes}/_changes?" + urlencode({"since": cursor, "limit": self.batch}))
        results = doc.get("results")
        if not isinstance(results, list):
            raise FeedError(f"{self.changes}/_changes: no results list")
        names: list[str] = []
        seqs = []
        for row in results:
            if not isinstance(row, dict) or "seq" not in row or not isinstance(row.get("id"), str):
                raise FeedError(f"{self.changes}/_changes: malformed row {row!r:.200}")
            seqs.append(row["seq"])
            if row.get("deleted") or row["id"].startswith("_design/"):
                continue
            if row["id"] not in names:
                names.append(row["id"])
        last = doc.get("last_seq")
        if last is None:
            # Without last_seq the highest sequence read is the cursor; rows may come in any order.
            last = _max_seq(seqs) if seqs else cursor
        releases: list[Release] = []
        notes: list[str] = []
        for name in names:
            releases.extend(self._recent_versions(name, notes))
        return FeedBatch(dedup(releases), str(last), more=len(results) >= self.batch, notes=notes)

    def _recent_versions(self, name: str, notes: list[str]) -> list[Release]:
        url = f"{self.registry}/{quote(name, safe='@')}"
        # Registry trouble raises FeedError: the batch is retried later rather than a package skipped.
        r = _http.request("GET", url, ok=(200, 404))
        if r.status_code == 404:
            return []  # unpublished since the change
        try:
            import json
            pack = json.loads(r.content)
            versions = pack["versions"]
            assert isinstance(versions, dict)
        except (ValueError, KeyError, AssertionError, TypeError):
            notes.append(f"skipped {name}: unreadable packument")
            return []
        times = pack.get("time") if isinstance(pack.get("time"), dict) else {}
        stamped = [(v, iso_timestamp(times.get(v))) for v in versions]
        stamped = [(v, t) for v, t in stamped if t is not None]
        if not stamped:  # no publish times (abbreviated document): the latest tag is the news
            latest = (pack.get("dist-tags") or {}).get("latest")
            return [Release(Package(Ecosystem.NPM, name, latest))] if latest in versions else []
        newest = max(t for _, t in stamped)
        recent = sorted((x for x in stamped if x[1] >= newest - LOOKBACK_S), key=lambda x: x[1])
        return [Release(Package(Ecosystem.NPM, name, v), t) for v, t in recent[-MAX_VERSIONS_PER_CHANGE:]]


def _max_seq(seqs: list) -> object:
    # CouchDB 2+ sequences are "N-opaque": order by N, keep the whole token.
    try:
        return max(seqs, key=lambda s: int(str(s).split("-")[0]))
    except ValueError:
        return seqs[-1]
