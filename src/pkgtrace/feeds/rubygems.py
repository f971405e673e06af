"""RubyGems: the compact index's append-only `/versions` file, cursor = a byte offset into it.

Each poll asks for the bytes from the cursor on (an HTTP Range request). As bundler does, the
request starts one byte early: that byte must be the newline that ended the last line read, or
the file was rebuilt (it is, now and then) and offsets mean nothing any more; then the feed
resynchronises at the file's end and says so. Only complete lines are consumed."""

from __future__ import annotations

import os
import re

from pkgtrace.feeds import _http
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release, dedup
from pkgtrace.model import Ecosystem, Package

_RANGE_TOTAL = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_LINE = re.compile(r"^(\S+) (\S+) ([0-9a-f]{32})$")


def versions_url() -> str:
    base = os.environ.get("PKGTRACE_RUBYGEMS_URL", "https://rubygems.org").rstrip("/")
    return base + "/versions"


class RubyGemsFeed:
    name = "rubygems"
    ecosystem = Ecosystem.RUBYGEMS

    def __init__(self, url: str | None = None):
        self.url = url or versions_url()

    def start_cursor(self) -> str:
        r = _http.request("HEAD", self.url)
        length = r.headers.get("content-length")
        if not (length and length.isdigit()):
            raise FeedError(f"{self.url}: HEAD gave no Content-Length to start from")
        return length

    def poll(self, cursor: str) -> FeedBatch:
        offset = int(cursor)
        start = max(offset - 1, 0)
        r = _http.request("GET", self.url, headers={"Range": f"bytes={start}-",
                                                    "Accept-Encoding": "identity"}, ok=(200, 206, 416))
        if r.status_code == 416:  # shorter than our offset: rebuilt
            total = _total_from(r.headers.get("content-range"))
            return self._resync(total, offset)
        if r.status_code == 206:
            m = _RANGE_TOTAL.match(r.headers.get("content-range", ""))
            if not m or int(m.group(1)) != start:
                raise FeedError(f"{self.url}: 206 with unexpected Content-Range "
                                f"{r.headers.get('content-range')!r}")
            body = r.content
            total = int(m.group(3)) if m.group(3) != "*" else start + len(body)
        else:  # the server ignored Range: cut the part we have not read ourselves
            if not r.content.startswith(b"created_at:"):
                raise FeedError(f"{self.url}: the answer is not a compact index versions file")
            total = len(r.content)
            if total < start:
                return self._resync(total, offset)
            body = r.content[start:]
        if offset > 0:
            if body[:1] != b"\n":
                return self._resync(total, offset)
            body = body[1:]
        end = body.rfind(b"\n")
        if end < 0:
            return FeedBatch([], str(offset))  # nothing new, or half a line still being written
        chunk = body[:end + 1]
        releases = []
        for raw in chunk.split(b"\n"):
            line = raw.decode("utf-8", "replace").strip()
            if not line or line == "---" or line.startswith("created_at:"):
                continue
            m = _LINE.match(line)
            if not m:
                raise FeedError(f"{self.url}: malformed line at byte ~{offset}: {line[:120]!r}")
            name, versions = m.group(1), m.group(2)
            for v in versions.split(","):
                if v.startswith("-") or not v:
                    continue  # a yank
                # Platform gems ("1.2.0-x86_64-linux") are builds of the release 1.2.0.
                releases.append(Release(Package(Ecosystem.RUBYGEMS, name, v.split("-", 1)[0])))
        return FeedBatch(dedup(releases), str(offset + len(chunk)))

    def _resync(self, total: int | None, offset: int) -> FeedBatch:
        if total is None:
            raise FeedError(f"{self.url}: the file changed under offset {offset} and its size is unknown")
        return FeedBatch([], str(total), notes=[f"/versions was rebuilt (offset {offset} no longer a "
                                                 f"line boundary); resynced at byte {total}"])


def _total_from(header: str | None) -> int | None:
    m = re.match(r"bytes \*/(\d+)", header or "")
    return int(m.group(1)) if m else None
