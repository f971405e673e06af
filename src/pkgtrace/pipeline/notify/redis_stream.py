"""Events onto a Redis stream: redis://host:port/db?stream=pkgtrace:events[&maxlen=100000].
Each entry has one field, `event`, holding the JSON object; consumers read with XREAD/XREADGROUP."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse, urlunparse

from pkgtrace.extras import require
from pkgtrace.pipeline.notify.interface import NotifyError


class RedisStreamNotifier:
    def __init__(self, url: str):
        redis = require("redis")
        u = urlparse(url)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        self.stream = q.pop("stream", "pkgtrace:events")
        self.maxlen = int(q.pop("maxlen", 100000))
        self.r = redis.Redis.from_url(urlunparse(u._replace(query="")), socket_connect_timeout=5, socket_timeout=10)

    def send(self, event: dict) -> None:
        import redis
        try:
            self.r.xadd(self.stream, {"event": json.dumps(event, default=str)}, maxlen=self.maxlen, approximate=True)
        except redis.RedisError as e:
            raise NotifyError(f"redis stream {self.stream}: {e}") from e

    def close(self) -> None:
        self.r.close()
