"""Notifiers chosen by URL: redis://…?stream=NAME (a Redis stream) or http(s)://… (a webhook)."""

from __future__ import annotations

from pkgtrace.pipeline.notify.interface import Notifier, NotifyError


def open_notifier(url: str) -> Notifier:
    if url.startswith(("redis://", "rediss://")):
        from pkgtrace.pipeline.notify.redis_stream import RedisStreamNotifier
        return RedisStreamNotifier(url)
    if url.startswith(("http://", "https://")):
        from pkgtrace.pipeline.notify.webhook import WebhookNotifier
        return WebhookNotifier(url)
    raise ValueError(f"unsupported notification URL {url!r}; expected redis://…?stream=NAME or http(s)://…")


__all__ = ["Notifier", "NotifyError", "open_notifier"]
