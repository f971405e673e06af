"""Queue backends behind one interface, chosen by URL: sqlite:///… (embedded) or redis://…"""

from __future__ import annotations

from pkgtrace.pipeline.queues.interface import (PRIORITY_FEED, PRIORITY_USER, PRIORITY_VERIFY, DeadLetter,
                                                Delivery, Job, Queue, QueueError)


def open_queue(url: str) -> Queue:
    if url.startswith("sqlite:") or "://" not in url:
        from pkgtrace.pipeline.queues.sqlite import SQLiteQueue
        return SQLiteQueue(url if url.startswith("sqlite:") else f"sqlite:///{url}")
    if url.startswith(("redis://", "rediss://", "unix://")):
        from pkgtrace.pipeline.queues.redis_streams import RedisStreamsQueue
        return RedisStreamsQueue(url)
    raise ValueError(f"unsupported queue URL {url!r}; expected sqlite:///PATH or redis://HOST:PORT/DB")


__all__ = ["Job", "Delivery", "DeadLetter", "Queue", "QueueError", "open_queue",
           "PRIORITY_FEED", "PRIORITY_USER", "PRIORITY_VERIFY"]
