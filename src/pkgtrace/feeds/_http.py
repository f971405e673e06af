"""HTTP for feeds: bounded bodies, short timeouts, and every failure turned into FeedError."""

from __future__ import annotations

import json
import os
from datetime import datetime

import httpx

from pkgtrace.feeds.interface import FeedError

MAX_BODY = 256 * 1024 * 1024
USER_AGENT = "pkgtrace-feeds/0.1 (+malicious package analysis)"


def timeout() -> httpx.Timeout:
    return httpx.Timeout(float(os.environ.get("PKGTRACE_FEED_TIMEOUT", "30")), connect=10.0)


def request(method: str, url: str, *, headers: dict[str, str] | None = None,
            content: bytes | None = None, ok: tuple[int, ...] = (200,)) -> httpx.Response:
    """One request; the body is read whole (bounded). Raises FeedError unless status is in OK."""
    try:
        with httpx.Client(timeout=timeout(), follow_redirects=True,
                          headers={"User-Agent": USER_AGENT}) as c:
            with c.stream(method, url, headers=headers or {}, content=content) as r:
                body = bytearray()
                for chunk in r.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY:
                        raise FeedError(f"{url}: answer larger than {MAX_BODY} bytes")
                if r.status_code not in ok:
                    raise FeedError(f"{url} answered HTTP {r.status_code}")
                # Keep the body on the response object for callers.
                r._content = bytes(body)  # noqa: SLF001 - httpx's own slot for a read body
                return r
    except httpx.HTTPError as e:  # timeouts, refused connections, truncated bodies
        raise FeedError(f"{url}: {type(e).__name__}: {e}") from e


def get_json(url: str, headers: dict[str, str] | None = None) -> dict:
    r = request("GET", url, headers=headers)
    try:
        doc = json.loads(r.content)
    except ValueError as e:
        raise FeedError(f"{url} did not answer JSON: {e}") from e
    if not isinstance(doc, dict):
        raise FeedError(f"{url} answered JSON that is not an object")
    return doc


def iso_timestamp(text: object) -> float | None:
    """An ISO 8601 time as the registries write it ("…Z" included) to epoch seconds, or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
