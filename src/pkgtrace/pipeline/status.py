"""What the pipeline is doing: queue depth, throughput, failures, feed lag. Read from the shared
services (index and queue), so any process, or `pkgtrace status` on another machine, sees the same."""

from __future__ import annotations

import time

from pkgtrace.pipeline.queues import Queue
from pkgtrace.results.index import Index


def collect(index: Index, queue: Queue | None, now: float | None = None) -> dict:
    now = now or time.time()
    out: dict = {"time": now}
    try:
        out["queue"] = queue.depth() if queue is not None else None
        out["dead_letters"] = [{"release": str(d.job.package), "reason": d.reason, "attempts": d.attempts,
                                "at": d.at} for d in queue.dead_letters(10)] if queue is not None else []
    except Exception as e:  # noqa: BLE001 - status must show a down queue, not crash on it
        out["queue"] = {"error": str(e)}
        out["dead_letters"] = []
    stats = index.stats(now)
    out["releases"] = stats["releases"]
    out["throughput"] = {"analyses_total": stats["analyses_total"], "last_5m": stats["done_5m"],
                         "last_1h": stats["done_1h"], "per_hour_5m_rate": stats["done_5m"] * 12,
                         "mean_duration_s_1h": stats["mean_duration_s_1h"]}
    out["failures"] = {"failed_or_dead_1h": stats["failed_1h"],
                       "dead": stats["releases"].get("dead", 0), "failed": stats["releases"].get("failed", 0)}
    feeds = []
    for f in index.feed_states():
        feeds.append({
            "feed": f["feed"], "cursor": f["cursor"],
            "last_ok_age_s": round(now - f["last_ok"], 1) if f["last_ok"] else None,
            # Lag: how old the newest release we have announced is (when the registry dates them),
            # else how long since the feed last answered.
            "lag_s": round(now - f["last_release_at"], 1) if f["last_release_at"]
            else (round(now - f["last_ok"], 1) if f["last_ok"] else None),
            "releases_total": f["releases_total"], "consecutive_errors": f["errors"],
            "last_error": f["last_error"] if f["errors"] else None, "notes": f["notes"],
        })
    out["feeds"] = feeds
    return out
