"""The distributed queue: Redis Streams with a consumer group.

URL: redis://[:password@]host:port/db[?prefix=pkgtrace&lease=300&max_attempts=5&backoff=5]

Layout (all under PREFIX):
  :jobs:high, :jobs:normal   streams; user and verify requests go to high, the feed backlog to normal
  :delayed                   sorted set of jobs waiting for their retry time
  :dead                      stream of dead letters, with the reason
  :active                    hash release-key → entry, so a release waiting or running is not queued twice
A job stays in its consumer's pending list until `ack`, which comes after its results are stored;
entries idle longer than the lease (the consumer died) are claimed by the next `get` (XAUTOCLAIM).
Run Redis with appendonly yes (appendfsync always or everysec) so that a restart loses no job."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse, urlunparse

from pkgtrace.extras import require
from pkgtrace.pipeline.queues.interface import (DEFAULT_LEASE_S, DEFAULT_MAX_ATTEMPTS, DeadLetter,
                                                Delivery, Job, QueueError, backoff)

GROUP = "workers"

_PUT = """
if ARGV[3] ~= '1' then
  local existing = redis.call('HGET', KEYS[1], ARGV[1])
  if existing then return existing end
end
local id = redis.call('XADD', KEYS[2], '*', 'job', ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4] .. ' ' .. id)
return id
"""

# Move due retries back into their stream, atomically (a crash never drops one in between).
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  local which, key, payload = string.match(member, '^([^\\t]*)\\t([^\\t]*)\\t(.*)$')
  local stream = KEYS[3]
  if which == 'high' then stream = KEYS[2] end
  local id = redis.call('XADD', stream, '*', 'job', payload)
  redis.call('HSET', KEYS[4], key, which .. ' ' .. id)
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""


class RedisStreamsQueue:
    def __init__(self, url: str):
        redis = require("redis")

        u = urlparse(url)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        self.url = url
        self.prefix = q.pop("prefix", "pkgtrace")
        self.lease = float(q.pop("lease", DEFAULT_LEASE_S))
        self.max_attempts = int(q.pop("max_attempts", DEFAULT_MAX_ATTEMPTS))
        self.backoff_base = float(q.pop("backoff", 5.0))
        self.block_ms = int(float(q.pop("block", 1.0)) * 1000)
        clean = urlunparse(u._replace(query="&".join(f"{k}={v}" for k, v in q.items())))
        self.r = redis.Redis.from_url(clean, socket_connect_timeout=5,
                                      socket_timeout=self.block_ms / 1000 + 10, health_check_interval=15)
        self.streams = {"high": f"{self.prefix}:jobs:high", "normal": f"{self.prefix}:jobs:normal"}
        self.delayed = f"{self.prefix}:delayed"
        self.dead = f"{self.prefix}:dead"
        self.active = f"{self.prefix}:active"
        self._put = self.r.register_script(_PUT)
        self._promote = self.r.register_script(_PROMOTE)
        self._groups_ready = False

    # ---- plumbing ----------------------------------------------------------------------------
    def _do(self, what: str, fn, *args, **kwargs):
        import redis
        for attempt in (1, 2):
            try:
                if not self._groups_ready:
                    self._ensure_groups()
                return fn(*args, **kwargs)
            except redis.ResponseError as e:
                if "NOGROUP" in str(e) and attempt == 1:  # Redis lost its data, or a stream was deleted
                    self._groups_ready = False
                    continue
                raise QueueError(f"redis {what}: {e}") from e
            except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
                self._groups_ready = False
                raise QueueError(f"redis {what}: {type(e).__name__}: {e}") from e
            except redis.RedisError as e:
                raise QueueError(f"redis {what}: {e}") from e

    def _ensure_groups(self) -> None:
        import redis
        for s in self.streams.values():
            try:
                self.r.xgroup_create(s, GROUP, id="0", mkstream=True)
            except redis.ResponseError as e:
                if "BUSYGROUP" not in str(e):
                    raise
        self._groups_ready = True

    @staticmethod
    def _which(job: Job) -> str:
        return "high" if job.priority > 0 else "normal"

    # ---- Queue -------------------------------------------------------------------------------
    def put(self, job: Job) -> str:
        which = self._which(job)
        rid = self._do("put", self._put, keys=[self.active, self.streams[which]],
                       args=[job.key, job.to_json(), "1" if job.force else "0", which])
        return rid.decode() if isinstance(rid, bytes) else str(rid)

    def get(self, consumer: str, timeout: float = 1.0) -> Delivery | None:
        deadline = time.monotonic() + timeout
        while True:
            d = self._get_once(consumer, block_ms=max(1, min(self.block_ms,
                                                            int((deadline - time.monotonic()) * 1000))))
            if d or time.monotonic() >= deadline:
                return d

    def _get_once(self, consumer: str, block_ms: int) -> Delivery | None:
        self._do("promote", self._promote, keys=[self.delayed, self.streams["high"], self.streams["normal"],
                                                 self.active], args=[time.time()])
        for which in ("high", "normal"):
            d = self._reclaim(which, consumer)
            if d:
                return d
        for which, block in (("high", None), ("normal", block_ms)):
            res = self._do("read", self.r.xreadgroup, GROUP, consumer, {self.streams[which]: ">"},
                           count=1, block=block)
            for _stream, entries in res or []:
                for entry_id, fields in entries:
                    d = self._delivery(which, entry_id, fields, consumer, deliveries=1)
                    if d:
                        return d
        return None

    def _reclaim(self, which: str, consumer: str) -> Delivery | None:
        """An entry whose consumer stopped renewing its lease: deliver it again, or bury it."""
        stream = self.streams[which]
        res = self._do("autoclaim", self.r.xautoclaim, stream, GROUP, consumer,
                       min_idle_time=int(self.lease * 1000), start_id="0-0", count=1)
        claimed = res[1] if res else []
        for entry_id, fields in claimed:
            if not fields:
                continue
            info = self._do("pending", self.r.xpending_range, stream, GROUP, min=entry_id, max=entry_id, count=1)
            times = int(info[0]["times_delivered"]) if info else 1
            return self._delivery(which, entry_id, fields, consumer, deliveries=times)
        return None

    def _delivery(self, which: str, entry_id, fields, consumer: str, deliveries: int) -> Delivery | None:
        eid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        raw = fields.get(b"job") if b"job" in fields else fields.get("job")
        try:
            job = Job.from_json(raw)
        except (TypeError, ValueError) as e:
            self._bury(which, eid, None, f"unreadable job entry: {e}", deliveries, raw=raw)
            return None
        attempt = job.attempts + deliveries
        if attempt > self.max_attempts:
            self._bury(which, eid, job, f"delivered {attempt} times without completing (worker lost); "
                                        f"last error: {job.last_error or 'none'}", attempt - 1)
            return None
        return Delivery(job, f"{which} {eid}", consumer, attempt)

    def _split(self, delivery: Delivery) -> tuple[str, str]:
        which, eid = delivery.receipt.split(" ", 1)
        return which, eid

    def touch(self, delivery: Delivery) -> None:
        which, eid = self._split(delivery)
        # XCLAIM … JUSTID resets the idle time without counting a delivery.
        self._do("touch", self.r.xclaim, self.streams[which], GROUP, delivery.consumer, 0, [eid], justid=True)

    def ack(self, delivery: Delivery) -> None:
        which, eid = self._split(delivery)
        p = self.r.pipeline(transaction=True)
        p.xack(self.streams[which], GROUP, eid)
        p.xdel(self.streams[which], eid)
        p.hdel(self.active, delivery.job.key)
        self._do("ack", p.execute)

    def nack(self, delivery: Delivery, error: str, *, retry: bool = True) -> bool:
        which, eid = self._split(delivery)
        if retry and delivery.attempt < self.max_attempts:
            job = delivery.job
            job.attempts = delivery.attempt
            job.last_error = error[-4000:]
            member = f"{self._which(job)}\t{job.key}\t{job.to_json()}"
            p = self.r.pipeline(transaction=True)
            p.zadd(self.delayed, {member: time.time() + backoff(delivery.attempt, self.backoff_base)})
            p.xack(self.streams[which], GROUP, eid)
            p.xdel(self.streams[which], eid)
            self._do("nack", p.execute)
            return True
        reason = error if not retry else f"gave up after {delivery.attempt} attempts: {error}"
        self._bury(which, eid, delivery.job, reason, delivery.attempt)
        return False

    def _bury(self, which: str, eid: str, job: Job | None, reason: str, attempts: int, raw=None) -> None:
        p = self.r.pipeline(transaction=True)
        p.xadd(self.dead, {"job": job.to_json() if job else (raw or b""), "reason": reason[-4000:],
                           "attempts": attempts, "at": time.time()})
        p.xack(self.streams[which], GROUP, eid)
        p.xdel(self.streams[which], eid)
        if job:
            p.hdel(self.active, job.key)
        self._do("dead-letter", p.execute)

    def release(self, delivery: Delivery) -> None:
        which, eid = self._split(delivery)
        # Hand back at the head of the line, as a fresh entry whose deliveries start again at 0.
        job = delivery.job
        job.attempts = max(0, delivery.attempt - 1)
        p = self.r.pipeline(transaction=True)
        p.xack(self.streams[which], GROUP, eid)
        p.xdel(self.streams[which], eid)
        p.xadd(self.streams[which], {"job": job.to_json()})
        self._do("release", p.execute)
        new_id = None
        try:
            last = self.r.xrevrange(self.streams[which], count=1)
            new_id = last[0][0].decode() if last else None
        except Exception:  # noqa: BLE001 - bookkeeping only; the job itself is back
            pass
        if new_id:
            self._do("release", self.r.hset, self.active, job.key, f"{which} {new_id}")

    def depth(self) -> dict[str, int]:
        out = {"ready": 0, "leased": 0, "delayed": 0, "dead": 0}
        for s in self.streams.values():
            groups = self._do("info", self.r.xinfo_groups, s)
            length = self._do("info", self.r.xlen, s)
            for g in groups:
                name = g.get("name")
                if (name.decode() if isinstance(name, bytes) else name) != GROUP:
                    continue
                pending = int(g.get("pending") or 0)
                lag = g.get("lag")
                out["leased"] += pending
                out["ready"] += int(lag) if lag is not None else max(0, length - pending)
        out["delayed"] = int(self._do("info", self.r.zcard, self.delayed))
        out["dead"] = int(self._do("info", self.r.xlen, self.dead))
        return out

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        out = []
        for _eid, f in self._do("dead letters", self.r.xrevrange, self.dead, count=limit):
            try:
                job = Job.from_json(f[b"job"])
            except (KeyError, TypeError, ValueError):
                continue
            out.append(DeadLetter(job, f.get(b"reason", b"").decode(errors="replace"),
                                  int(f.get(b"attempts", 0)), float(f.get(b"at", 0))))
        return out

    def close(self) -> None:
        self.r.close()
