"""Both queue backends, the real things (SQLite file, redis-server on loopback), same behaviour."""

from __future__ import annotations

import time
import uuid

import pytest

from pkgtrace.pipeline.queues import PRIORITY_USER, Job, QueueError, open_queue


@pytest.fixture(params=["sqlite", "redis"])
def qurl(request, tmp_path):
    opts = "lease=1&max_attempts=3&backoff=0.2"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'q.db'}?{opts}"
    r = request.getfixturevalue("redis_server")
    return f"{r.url}?prefix=t{uuid.uuid4().hex[:8]}&{opts}"


def job(name, **kw):
    return Job("pypi", name, "1.0", **kw)


def test_priority_then_fifo_and_dedup(qurl):
    q = open_queue(qurl)
    q.put(job("feed1"))
    q.put(job("feed2"))
    q.put(job("feed1"))  # already waiting: not twice
    q.put(job("user", priority=PRIORITY_USER))
    got = []
    while (d := q.get("c", timeout=0.2)) is not None:
        got.append(d.job.name)
        q.ack(d)
    assert got == ["user", "feed1", "feed2"]
    assert q.depth()["ready"] == 0 and q.depth()["leased"] == 0


def test_dead_consumer_job_is_redelivered(qurl):
    q = open_queue(qurl)
    q.put(job("a"))
    d1 = q.get("dies", timeout=1)
    assert d1 and d1.attempt == 1
    assert q.get("other", timeout=0.3) is None  # leased: nobody else gets it
    time.sleep(1.2)  # the lease runs out: the consumer is presumed dead
    d2 = q.get("other", timeout=2)
    assert d2 and d2.job.name == "a" and d2.attempt == 2
    q.ack(d2)
    assert q.get("other", timeout=0.3) is None


def test_lease_renewal_keeps_job(qurl):
    q = open_queue(qurl)
    q.put(job("long"))
    d = q.get("w", timeout=1)
    for _ in range(4):
        time.sleep(0.4)
        q.touch(d)
    assert q.get("thief", timeout=0.2) is None
    q.ack(d)


def test_retry_backoff_then_dead_letter_with_reason(qurl):
    q = open_queue(qurl)
    q.put(job("bad"))
    d = q.get("w", timeout=1)
    assert q.nack(d, "boom 1") is True
    assert q.get("w", timeout=0.05) is None  # waiting for its backoff
    assert q.depth()["delayed"] == 1
    d = q.get("w", timeout=2)
    assert d.attempt == 2 and d.job.last_error and "boom 1" in d.job.last_error
    assert q.nack(d, "boom 2") is True
    d = q.get("w", timeout=2)
    assert d.attempt == 3
    assert q.nack(d, "boom 3") is False  # max_attempts=3
    dead = q.dead_letters()
    assert len(dead) == 1 and dead[0].job.name == "bad" and "boom 3" in dead[0].reason and dead[0].attempts == 3
    assert q.depth()["dead"] == 1


def test_permanent_failure_dead_letters_at_once(qurl):
    q = open_queue(qurl)
    q.put(job("nope"))
    d = q.get("w", timeout=1)
    assert q.nack(d, "not found", retry=False) is False
    assert q.dead_letters()[0].reason == "not found"


def test_release_hands_back_without_counting(qurl):
    q = open_queue(qurl)
    q.put(job("x"))
    d = q.get("w", timeout=1)
    q.release(d)
    d2 = q.get("w2", timeout=1)
    assert d2.job.name == "x" and d2.attempt == 1


def test_dead_worker_too_often_is_dead_lettered(qurl):
    q = open_queue(qurl)
    q.put(job("poison"))
    for _ in range(3):
        assert q.get("w", timeout=2) is not None
        time.sleep(1.1)
    assert q.get("w", timeout=0.5) is None
    dead = q.dead_letters()
    assert dead and dead[0].job.name == "poison"
    assert "lease" in dead[0].reason or "worker lost" in dead[0].reason


def test_redis_restart_loses_nothing(own_redis):
    q = open_queue(f"{own_redis.url}?lease=1&max_attempts=5")
    for i in range(5):
        q.put(job(f"j{i}"))
    leased = q.get("w", timeout=1)  # one in flight when Redis dies
    own_redis.stop(kill=True)
    with pytest.raises(QueueError):
        q.put(job("while-down"))
    with pytest.raises(QueueError):
        q.get("w", timeout=0.2)
    own_redis.start()
    q.put(job("after"))
    time.sleep(1.1)
    names = []
    while (d := q.get("w2", timeout=0.5)) is not None:
        names.append(d.job.name)
        q.ack(d)
    assert sorted(names) == sorted([f"j{i}" for i in range(5)] + ["after"])
    assert leased.job.name in names


def test_bad_queue_url():
    with pytest.raises(ValueError):
        open_queue("amqp://x")
