"""PyPI: the XML-RPC changelog (`changelog_since_serial`), cursor = the last serial read.

Every change on PyPI gets a serial; a release shows up as "new release" and one "add … file …"
event per uploaded file. Either announces the release; the batch is deduplicated.

Package caches and most mirrors do not serve XML-RPC (the project's own machines reach PyPI through
one that answers 405, and serves no RSS either): there, `--watch pypi:NAME` (feeds/watch.py) follows
packages through the JSON API instead."""

from __future__ import annotations

import os
import xmlrpc.client
from xml.parsers.expat import ExpatError

from packaging.utils import canonicalize_name

from pkgtrace.feeds import _http
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release, dedup
from pkgtrace.model import Ecosystem, Package

# Warehouse answers at most this many events per call; a full batch means there is more.
MAX_EVENTS = 50000


def rpc_url() -> str:
    base = os.environ.get("PKGTRACE_PYPI_URL", "https://pypi.org").rstrip("/")
    return os.environ.get("PKGTRACE_PYPI_XMLRPC_URL", base + "/pypi")


def _is_release_event(action: str) -> bool:
    return action == "new release" or (action.startswith("add ") and " file " in action)


class PyPIFeed:
    name = "pypi"
    ecosystem = Ecosystem.PYPI

    def __init__(self, url: str | None = None):
        self.url = url or rpc_url()

    def _call(self, method: str, *params):
        body = xmlrpc.client.dumps(params, method).encode()
        try:
            r = _http.request("POST", self.url, content=body, headers={"Content-Type": "text/xml"})
        except FeedError as e:
            if any(f"answered HTTP {c}" in str(e) for c in (404, 405)):
                # Package caches and most mirrors serve the JSON API but not XML-RPC.
                raise FeedError(f"{e}: the XML-RPC changelog is not served there (a package cache or "
                                f"mirror?); follow packages with --watch pypi:NAME instead") from e
            raise
        try:
            (result,), _ = xmlrpc.client.loads(r.content)
        except (ExpatError, ValueError) as e:
            raise FeedError(f"{self.url} {method}: not an XML-RPC answer: {e}") from e
        except xmlrpc.client.Fault as e:
            raise FeedError(f"{self.url} {method}: fault {e.faultCode}: {e.faultString}") from e
        return result

    def start_cursor(self) -> str:
        serial = self._call("changelog_last_serial")
        if not isinstance(serial, int):
            raise FeedError(f"{self.url}: changelog_last_serial answered {serial!r}")
        return str(serial)

    def poll(self, cursor: str) -> FeedBatch:
        since = int(cursor)
        events = self._call("changelog_since_serial", since)
        if not isinstance(events, list):
            raise FeedError(f"{self.url}: changelog_since_serial answered {type(events).__name__}")
        rows = []
        for ev in events:
            if not (isinstance(ev, (list, tuple)) and len(ev) >= 5 and isinstance(ev[4], int)):
                raise FeedError(f"{self.url}: malformed changelog entry {ev!r:.200}")
            rows.append(ev)
        # Serials are the order of truth; an answer may come in any order.
        rows.sort(key=lambda ev: ev[4])
        releases = []
        last = since
        for name, version, ts, action, serial in (ev[:5] for ev in rows):
            if serial <= since:
                continue  # already read: a server that repeats itself must not make us repeat
            last = max(last, serial)
            if isinstance(name, str) and isinstance(version, str) and version \
                    and isinstance(action, str) and _is_release_event(action):
                pkg = Package(Ecosystem.PYPI, str(canonicalize_name(name)), version)
                releases.append(Release(pkg, float(ts) if isinstance(ts, (int, float)) else None))
        return FeedBatch(dedup(releases), str(last), more=len(events) >= MAX_EVENTS)
