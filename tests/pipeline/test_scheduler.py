"""The scheduler as an operator runs it (`pkgtrace submit`, `pkgtrace scheduler --once`): feed
releases and user requests become queue jobs once each, users ahead of the feed backlog, and the
per-ecosystem filters leave the rest 'skipped' with the reason."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from helpers import pkgtrace, release_states
from pkgtrace.feeds import Release
from pkgtrace.model import Ecosystem, Package
from pkgtrace.pipeline.queues import open_queue
from pkgtrace.results.index import open_index


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(pkgtrace(*args), capture_output=True, text=True, timeout=120, env=dict(os.environ))


@pytest.fixture
def urls(tmp_path):
    return f"sqlite:///{tmp_path / 'queue.db'}", f"sqlite:///{tmp_path / 'index.db'}"


def test_priorities_filters_and_dedup(urls):
    queue, index = urls
    idx = open_index(index)
    backlog = [Package(Ecosystem.PYPI, "feed-a", "1"), Package(Ecosystem.PYPI, "test-junk", "1"),
               Package(Ecosystem.NPM, "@types/node", "1"), Package(Ecosystem.NPM, "feed-b", "1"),
               Package(Ecosystem.RUBYGEMS, "gem-c", "1")]
    idx.record_feed_batch("mixed", "pypi", [Release(p) for p in backlog], "1")
    # Announced again by a second feed: still one release.
    idx.record_feed_batch("mixed2", "pypi", [Release(backlog[0])], "1")
    p = cli("submit", "npm", "urgent@2.0", "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)[0]["result"] == "new"
    p = cli("submit", "npm", "urgent@2.0", "--index", index, "--json")
    assert json.loads(p.stdout)[0]["result"] == "exists"

    p = cli("scheduler", "--once", "--queue", queue, "--index", index, "-e", "pypi", "-e", "npm",
            "--exclude", "pypi:^test-", "--exclude", "npm:^@types/", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"scheduled": 3, "skipped": 3}
    states = release_states(index)
    assert states == {"feed-a": "queued", "feed-b": "queued", "urgent": "queued",
                      "test-junk": "skipped", "@types/node": "skipped", "gem-c": "skipped"}

    q = open_queue(queue)
    order = []
    while (d := q.get("t", timeout=0.2)) is not None:
        order.append(d.job.name)
        q.ack(d)
    assert order == ["urgent", "feed-a", "feed-b"]  # the user first, then the backlog in order

    # Nothing is scheduled twice; a forced request goes through even past the filters.
    p = cli("scheduler", "--once", "--queue", queue, "--index", index, "-e", "pypi", "--json")
    assert json.loads(p.stdout) == {"scheduled": 0, "skipped": 0}
    cli("submit", "rubygems", "gem-c@1", "--force", "--index", index)
    p = cli("scheduler", "--once", "--queue", queue, "--index", index, "-e", "pypi", "--json")
    assert json.loads(p.stdout) == {"scheduled": 1, "skipped": 0}


def test_bad_filter_is_a_usage_error(urls):
    queue, index = urls
    p = cli("scheduler", "--once", "--queue", queue, "--index", index, "--exclude", "pypi:(")
    assert p.returncode == 2 and "bad regular expression" in p.stderr
    p = cli("scheduler", "--once", "--queue", "amqp://nowhere", "--index", index)
    assert p.returncode == 2 and "unsupported queue URL" in p.stderr
