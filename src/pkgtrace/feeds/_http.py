"""HTTP for feeds: the shared client (pkgtrace.fetch), failing with FeedError; registry times."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from pkgtrace import fetch
from pkgtrace.feeds.interface import FeedError

MAX_BODY = 256 << 20  # a batch of npm's _changes can be large

request = partial(fetch.request, error=FeedError, max_bytes=MAX_BODY)
get_json = partial(fetch.get_json, error=FeedError, max_bytes=MAX_BODY)


def iso_timestamp(text: object) -> float | None:
    """An ISO 8601 time as the registries write it ("…Z" included) to epoch seconds, or None."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
