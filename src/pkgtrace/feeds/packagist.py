"""Packagist: `/metadata/changes.json?since=T`, cursor = Packagist's own timestamp (1/10000 s).

An action names a package; its tagged versions come from the Composer 2 metadata file
`/p2/VENDOR/NAME.json` (minified: each version lists only what changed from the one before),
and those published within LOOKBACK of the action are announced."""

from __future__ import annotations

import os

from pkgtrace.ecosystems.packagist import expand_minified
from pkgtrace.feeds import _http
from pkgtrace.feeds._http import iso_timestamp
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release, dedup
from pkgtrace.model import Ecosystem, Package

LOOKBACK_S = 24 * 3600


def api_url() -> str:
    return os.environ.get("PKGTRACE_PACKAGIST_URL", "https://packagist.org").rstrip("/")


def repo_url() -> str:
    return os.environ.get("PKGTRACE_PACKAGIST_REPO_URL", "https://repo.packagist.org").rstrip("/")


class PackagistFeed:
    name = "packagist"
    ecosystem = Ecosystem.PACKAGIST

    def __init__(self, api: str | None = None, repo: str | None = None):
        self.api = api or api_url()
        self.repo = repo or repo_url()

    def start_cursor(self) -> str:
        # Without `since`, Packagist answers 400 with the current timestamp to start from.
        r = _http.request("GET", f"{self.api}/metadata/changes.json", ok=(200, 400))
        try:
            import json
            ts = json.loads(r.content).get("timestamp")
        except (ValueError, AttributeError):
            ts = None
        if not isinstance(ts, int):
            raise FeedError(f"{self.api}/metadata/changes.json gave no timestamp to start from")
        return str(ts)

    def poll(self, cursor: str) -> FeedBatch:
        doc = _http.get_json(f"{self.api}/metadata/changes.json?since={int(cursor)}")
        actions, ts = doc.get("actions"), doc.get("timestamp")
        if not isinstance(actions, list) or not isinstance(ts, int):
            raise FeedError(f"{self.api}/metadata/changes.json: no actions list or timestamp")
        notes, latest_action = [], {}
        for a in actions:
            if not isinstance(a, dict) or not isinstance(a.get("package"), str):
                raise FeedError(f"{self.api}: malformed action {a!r:.200}")
            if a.get("type") == "resync":
                notes.append("Packagist asked for a full resync; only new changes are followed")
            elif a.get("type") == "update" and not a["package"].endswith("~dev"):
                t = a.get("time") if isinstance(a.get("time"), (int, float)) else None
                prev = latest_action.get(a["package"])
                latest_action[a["package"]] = max(filter(None, (t, prev)), default=None)
        releases: list[Release] = []
        for package, t in latest_action.items():
            releases.extend(self._recent_versions(package, t, notes))
        # Never move the cursor backwards, whatever the server says.
        return FeedBatch(dedup(releases), str(max(ts, int(cursor))), notes=notes)

    def _recent_versions(self, package: str, action_time: float | None, notes: list[str]) -> list[Release]:
        r = _http.request("GET", f"{self.repo}/p2/{package}.json", ok=(200, 404))
        if r.status_code == 404:
            return []
        try:
            import json
            versions = expand_minified(json.loads(r.content)["packages"][package])
        except (ValueError, KeyError, TypeError):
            notes.append(f"skipped {package}: unreadable metadata")
            return []
        out = []
        for v in versions:
            version, published = v.get("version"), iso_timestamp(v.get("time"))
            if not isinstance(version, str):
                continue
            if action_time is None or published is None or published >= action_time - LOOKBACK_S:
                out.append(Release(Package(Ecosystem.PACKAGIST, package, version), published))
        return out


