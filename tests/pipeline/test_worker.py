"""Workers under faults, as separate `pkgtrace worker` processes against real services:
SIGKILL mid-analysis, Redis restarted mid-run, the S3 store down for a while, duplicates,
failing analyses, and graceful SIGTERM. The waits are generous upper bounds (a worker that takes
40 s to import on a machine ten times oversubscribed is slow, not wrong): a loaded machine makes
these tests slower, never red; what they check is what happened, not how fast."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid

import pytest

from helpers import analyses, analysis_log, release_states, start_worker, wait_for
from pkgtrace.model import Ecosystem, Package
from pkgtrace.pipeline.queues import open_queue
from pkgtrace.pipeline.scheduler import Scheduler
from pkgtrace.results.index import open_index
from pkgtrace.results.stores import open_store


def submit(index_url, queue_url, names, **kw):
    idx = open_index(index_url)
    s = Scheduler(idx, open_queue(queue_url))
    for n in names:
        s.submit(Package(Ecosystem.PYPI, n, "1.0"), **kw)
    s.step()
    idx.close()


@pytest.fixture(params=["sqlite", "redis"])
def services(request, tmp_path):
    if request.param == "sqlite":
        q = f"sqlite:///{tmp_path / 'queue.db'}?lease=2&max_attempts=3&backoff=0.5"
    else:
        r = request.getfixturevalue("redis_server")
        q = f"{r.url}?prefix=w{uuid.uuid4().hex[:8]}&lease=2&max_attempts=3&backoff=0.5"
    return q, f"sqlite:///{tmp_path / 'index.db'}", str(tmp_path / "results")


def test_sigkill_mid_analysis_redelivered_and_completed_once(services, child_env, tmp_path):
    q, idx, res = services
    env = dict(child_env, PKGTRACE_TEST_SLEEP="4")
    submit(idx, q, ["victim"])
    a = start_worker(env, q, idx, res, "--workers", "1", log=tmp_path / "a.log")
    wait_for(lambda: ("start", "pypi/victim@1.0") in analysis_log(tmp_path / "analyses.log"), 180, what="start")
    a.send_signal(signal.SIGKILL)
    a.wait(60)
    # The analysis child died with its worker (no orphan finishing the job behind our back).
    time.sleep(0.5)
    assert ("end", "pypi/victim@1.0") not in analysis_log(tmp_path / "analyses.log")
    b = start_worker(dict(env, PKGTRACE_TEST_SLEEP="0.2"), q, idx, res, "--workers", "1", "--max-jobs", "1",
                     log=tmp_path / "b.log")
    out, _ = b.communicate(timeout=300)
    assert b.returncode == 0 and json.loads(out)["done"] == 1
    assert analyses(idx) == [("pypi", "victim", "1.0")]
    assert [e for e in analysis_log(tmp_path / "analyses.log") if e[0] == "end"] == [("end", "pypi/victim@1.0")]
    assert open_store(res).get(Package(Ecosystem.PYPI, "victim", "1.0"), "report")["package"]["name"] == "victim"
    d = open_queue(q).depth()
    assert (d["ready"], d["leased"], d["dead"]) == (0, 0, 0)


def test_same_release_twice_analysed_once(services, child_env, tmp_path):
    q, idx, res = services
    submit(idx, q, ["dup", "dup"])
    # Announced again through the queue directly (a second scheduler racing): the worker skips it.
    from pkgtrace.pipeline.queues import Job
    open_queue(q).put(Job("pypi", "dup", "1.0", force=False))
    w = start_worker(child_env, q, idx, res, "--workers", "2", "--idle-exit", "3", log=tmp_path / "w.log")
    out, _ = w.communicate(timeout=300)
    assert [e for e in analysis_log(tmp_path / "analyses.log") if e[0] == "start"] == [("start", "pypi/dup@1.0")]
    # Announced once more after it is done: nothing; forced: analysed again, still one row.
    submit(idx, q, ["dup"])
    submit(idx, q, ["dup"], force=True)
    w = start_worker(child_env, q, idx, res, "--workers", "1", "--idle-exit", "3", log=tmp_path / "w.log")
    w.communicate(timeout=300)
    assert len([e for e in analysis_log(tmp_path / "analyses.log") if e[0] == "start"]) == 2
    assert analyses(idx) == [("pypi", "dup", "1.0")]


def test_failing_analyses_do_not_stop_the_worker(services, child_env, tmp_path):
    q, idx, res = services
    submit(idx, q, ["crash-a", "missing-b", "ok-c"])
    w = start_worker(child_env, q, idx, res, "--workers", "1", "--idle-exit", "4", log=tmp_path / "w.log",
                     analyzer="test_analyzers:flaky")
    out, _ = w.communicate(timeout=300)
    assert w.returncode == 0
    counts = json.loads(out)
    assert counts["done"] == 1 and counts["dead"] == 2
    states = release_states(idx)
    assert states == {"crash-a": "dead", "missing-b": "dead", "ok-c": "done"}
    dead = {d.job.name: d for d in open_queue(q).dead_letters()}
    assert dead["missing-b"].attempts == 1 and "not found" in dead["missing-b"].reason  # permanent: no retry
    assert dead["crash-a"].attempts == 3 and "signal" in dead["crash-a"].reason or "exited" in dead["crash-a"].reason
    starts = [e[1] for e in analysis_log(tmp_path / "analyses.log") if e[0] == "start"]
    assert starts.count("pypi/crash-a@1.0") == 3 and starts.count("pypi/missing-b@1.0") == 1


def test_sigterm_finishes_in_flight_job(services, child_env, tmp_path):
    q, idx, res = services
    submit(idx, q, ["graceful", "later"])
    w = start_worker(dict(child_env, PKGTRACE_TEST_SLEEP="2"), q, idx, res, "--workers", "1", "--grace", "30",
                     log=tmp_path / "w.log")
    wait_for(lambda: ("start", "pypi/graceful@1.0") in analysis_log(tmp_path / "analyses.log"), 180, what="start")
    w.send_signal(signal.SIGTERM)
    out, _ = w.communicate(timeout=300)
    assert w.returncode == 0 and json.loads(out)["done"] == 1
    assert analyses(idx) == [("pypi", "graceful", "1.0")]
    assert open_queue(q).depth()["ready"] == 1  # 'later' was never taken


def test_sigterm_past_grace_hands_job_back(services, child_env, tmp_path):
    q, idx, res = services
    submit(idx, q, ["handback"])
    w = start_worker(dict(child_env, PKGTRACE_TEST_SLEEP="30"), q, idx, res, "--workers", "1", "--grace", "1",
                     log=tmp_path / "w.log")
    wait_for(lambda: ("start", "pypi/handback@1.0") in analysis_log(tmp_path / "analyses.log"), 180, what="start")
    w.send_signal(signal.SIGTERM)
    out, _ = w.communicate(timeout=300)
    assert w.returncode == 0 and json.loads(out)["handed_back"] == 1
    qq = open_queue(q)
    d = qq.get("next", timeout=2)
    assert d and d.job.name == "handback" and d.attempt == 1  # a hand-back is not a failed attempt


def test_redis_restarted_mid_run_no_job_lost(own_redis, child_env, tmp_path):
    q = f"{own_redis.url}?lease=3&max_attempts=5&backoff=0.5"
    idx, res = f"sqlite:///{tmp_path / 'index.db'}", str(tmp_path / "results")
    names = [f"r{i}" for i in range(10)]
    submit(idx, q, names)
    env = dict(child_env, PKGTRACE_TEST_SLEEP="0.4")
    w = start_worker(env, q, idx, res, "--workers", "2", "--idle-exit", "6", log=tmp_path / "w.log")
    wait_for(lambda: len(analyses(idx)) >= 3, 240, what="first analyses")
    own_redis.stop(kill=True)
    time.sleep(2)
    own_redis.start()
    out, _ = w.communicate(timeout=400)
    assert w.returncode == 0
    assert analyses(idx) == sorted(("pypi", n, "1.0") for n in names)
    d = open_queue(q).depth()
    assert (d["ready"], d["leased"], d["delayed"], d["dead"]) == (0, 0, 0, 0)


def test_s3_down_for_a_while_results_written_when_back(seaweed, child_env, tmp_path):
    """What is promised: a job the worker still holds is never run twice. Its lease (3 s here,
    far shorter than the outage) is renewed on a timer for as long as the worker holds the job,
    whatever the slot is doing: waiting for the child, retrying the store, reading it for a diff."""
    q = f"sqlite:///{tmp_path / 'queue.db'}?lease=3"
    idx = f"sqlite:///{tmp_path / 'index.db'}"
    res = seaweed.url("pkgtrace-results", f"outage-{uuid.uuid4().hex[:6]}") + "&retries=1&connect_timeout=1"
    submit(idx, q, ["s3a", "s3b"])
    seaweed.stop()
    try:
        w = start_worker(child_env, q, idx, res, "--workers", "2", "--idle-exit", "5", log=tmp_path / "w.log")
        wait_for(lambda: len([e for e in analysis_log(tmp_path / "analyses.log") if e[0] == "end"]) == 2, 240,
                 what="analyses to finish")
        time.sleep(8)  # the worker holds the results and retries, well past the 3 s lease
        assert analyses(idx) == []
        assert w.poll() is None
    finally:
        seaweed.start()
    out, _ = w.communicate(timeout=300)
    assert w.returncode == 0 and json.loads(out)["done"] == 2
    assert analyses(idx) == [("pypi", "s3a", "1.0"), ("pypi", "s3b", "1.0")]
    store = open_store(res)
    assert sorted(p.name for p in store.list()) == ["s3a", "s3b"]
    assert store.get(Package(Ecosystem.PYPI, "s3a", "1.0"), "dynamic")["Package"]["Name"] == "s3a"
    # Each analysed once: the store outage cost no re-analysis.
    assert len([e for e in analysis_log(tmp_path / "analyses.log") if e[0] == "start"]) == 2
