"""Every feed against a loopback server speaking its registry's protocol: first start, resume
after restart (nothing lost, nothing repeated), a 500, a truncated body, a hang, garbage, and
batches in the wrong order. The cursor lives in a real SQLite index, and a 'restart' is a fresh
Index and FeedRunner on the same file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pkgtrace.feeds import FeedError, open_feed
from pkgtrace.feeds.runner import FeedRunner
from pkgtrace.fetch import ATTEMPTS
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import open_index
from pkgtrace.results.index import models as m

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from services import make_crates_repo, publish_crate  # noqa: E402


def recorded(index) -> list[tuple[str, str, str]]:
    with index.engine.connect() as c:
        return sorted((r.ecosystem, r.name, r.version) for r in c.execute(sa.select(m.releases)))


class Pypi:
    feed, eco, fault_path = "pypi", "pypi", "/pypi"

    def publish(self, reg, i):
        reg.add_pypi_release(f"Pkg_{i}", f"1.{i}")
        reg.add_pypi_event(f"pkg-{i}", None, "create")  # not a release
        reg.add_pypi_event(f"Pkg_{i}", f"1.{i}", "add py3 file pkg_{i}-1.{i}-py3-none-any.whl")

    def expect(self, i):
        return ("pypi", f"pkg-{i}", f"1.{i}")  # canonical name


class Npm:
    feed, eco, fault_path = "npm", "npm", "/registry/_changes"

    def publish(self, reg, i):
        reg.add_npm_release(f"@scope/pkg{i}" if i % 2 else f"pkg{i}", f"2.{i}.0")

    def expect(self, i):
        return ("npm", f"@scope/pkg{i}" if i % 2 else f"pkg{i}", f"2.{i}.0")


class Gems:
    feed, eco, fault_path = "rubygems", "rubygems", "/versions"

    def publish(self, reg, i):
        reg.add_gem_line(f"gem{i} 0.{i}.0,0.{i}.0-x86_64-linux,-0.0.1 {'a' * 32}")

    def expect(self, i):
        return ("rubygems", f"gem{i}", f"0.{i}.0")


class Packagist:
    feed, eco, fault_path = "packagist", "packagist", "/metadata/changes.json"

    def publish(self, reg, i):
        reg.add_packagist_release(f"acme/lib{i}", f"3.{i}.0")

    def expect(self, i):
        return ("packagist", f"acme/lib{i}", f"3.{i}.0")


class Crates:
    feed, eco, fault_path = "crates.io", "crates.io", "/crates-index.git/"

    def __init__(self, work):
        self.work = work

    def publish(self, reg, i):
        publish_crate(self.work, f"crate{i}", f"0.{i}.1")

    def expect(self, i):
        return ("crates.io", f"crate{i}", f"0.{i}.1")


@pytest.fixture(params=["pypi", "npm", "rubygems", "packagist", "crates.io"])
def kind(request, registry, tmp_path, monkeypatch):
    if request.param == "crates.io":
        work = make_crates_repo(tmp_path)
        registry.crates_repo = tmp_path / "crates-index.git"
        monkeypatch.setenv("PKGTRACE_CACHE", str(tmp_path / "cache"))
        return Crates(work)
    return {"pypi": Pypi, "npm": Npm, "rubygems": Gems, "packagist": Packagist}[request.param]()


def runner_for(kind, index_url):
    return FeedRunner(open_feed(kind.feed), open_index(index_url), min_backoff=0.01, max_backoff=0.05)


def test_start_resume_and_faults(kind, registry, index_url):
    # Releases from before the first start are not ours to announce: the feed starts "now".
    kind.publish(registry, 0)
    r = runner_for(kind, index_url)
    r.poll_once()
    assert recorded(r.index) == []
    cursor0 = r.index.feed_cursor(kind.feed)
    assert cursor0 is not None

    kind.publish(registry, 1)
    kind.publish(registry, 2)
    r.poll_once()
    assert recorded(r.index) == sorted([kind.expect(1), kind.expect(2)])
    assert r.index.feed_cursor(kind.feed) != cursor0

    # Restart: a new process would open the index anew. Nothing is repeated...
    r2 = runner_for(kind, index_url)
    _, added = r2.poll_once()
    assert added == 0
    # ...and what came while we were down is not lost.
    kind.publish(registry, 3)
    r3 = runner_for(kind, index_url)
    _, added = r3.poll_once()
    assert added == 1 and kind.expect(3) in recorded(r3.index)

    # Faults: the cursor stays, the error is visible, the next poll catches up.
    for fault in ("500", "truncate", "garbage", "hang"):
        if kind.feed == "crates.io" and fault in ("garbage", "hang"):
            continue  # git reports these as the same fetch failure; 500 and truncation cover it
        kind.publish(registry, 10 + len(fault))
        before = r3.index.feed_cursor(kind.feed)
        registry.fault(kind.fault_path, *_every_attempt(kind, fault))
        with pytest.raises(FeedError):
            r3.poll_once()
        assert r3.index.feed_cursor(kind.feed) == before, fault
        state = {s["feed"]: s for s in r3.index.feed_states()}[kind.feed]
        assert state["errors"] >= 1 and state["last_error"], fault
        r3.poll_once()
        assert kind.expect(10 + len(fault)) in recorded(r3.index), fault
        assert {s["feed"]: s for s in r3.index.feed_states()}[kind.feed]["errors"] == 0


def _every_attempt(kind, fault: str) -> list[str]:
    """A fault on every try of one poll: the shared client retries transient ones (5xx, a cut
    body, a hang) ATTEMPTS times; garbage is final at once. crates.io's index is git, not retried."""
    transient = fault != "garbage" and not (kind is not None and kind.feed == "crates.io")
    return [fault] * (ATTEMPTS if transient else 1)


def test_a_single_transient_fault_is_absorbed_by_the_retry(registry, index_url):
    kind = Npm()
    r = runner_for(kind, index_url)
    r.poll_once()
    kind.publish(registry, 42)
    registry.fault(kind.fault_path, "500")
    r.poll_once()
    assert kind.expect(42) in recorded(r.index)
    assert {s["feed"]: s for s in r.index.feed_states()}[kind.feed]["errors"] == 0


@pytest.mark.parametrize("feed", ["pypi", "npm", "packagist"])
def test_out_of_order_batch(feed, registry, index_url):
    kinds = {"pypi": Pypi(), "npm": Npm(), "packagist": Packagist()}
    k = kinds[feed]
    r = runner_for(k, index_url)
    r.poll_once()
    registry.out_of_order = True
    if feed == "npm":
        registry.npm_no_last_seq = True  # the cursor must then be the highest sequence read
    for i in range(1, 6):
        k.publish(registry, i)
    r.poll_once()
    assert recorded(r.index) == sorted(k.expect(i) for i in range(1, 6))
    # The cursor is past all of them: a second poll brings nothing again.
    _, added = r.poll_once()
    assert added == 0
    if feed == "pypi":
        assert r.index.feed_cursor("pypi") == str(registry.serial)
    if feed == "npm":
        assert r.index.feed_cursor("npm") == str(registry.seq)


def test_same_release_announced_twice_recorded_once(registry, index_url):
    r = runner_for(Pypi(), index_url)
    r.poll_once()
    registry.add_pypi_release("dup", "1.0")  # new release + add source file
    registry.add_pypi_event("Dup", "1.0", "add py3 file dup-1.0-py3-none-any.whl")
    _, added = r.poll_once()
    assert added == 1
    registry.add_pypi_event("dup", "1.0", "add cp311 file dup-1.0-cp311-cp311-manylinux.whl")
    _, added = r.poll_once()
    assert added == 0
    assert recorded(r.index) == [("pypi", "dup", "1.0")]


def test_rubygems_partial_line_and_rebuilt_file(registry, index_url):
    r = runner_for(Gems(), index_url)
    r.poll_once()
    start = int(r.index.feed_cursor("rubygems"))
    # Half a line (the writer has not finished it): not consumed yet.
    registry.gem_versions += b"half 1.0.0 " + b"b" * 32
    r.poll_once()
    assert int(r.index.feed_cursor("rubygems")) == start and recorded(r.index) == []
    registry.gem_versions += b"\n"
    r.poll_once()
    assert recorded(r.index) == [("rubygems", "half", "1.0.0")]
    # The file is rebuilt (shorter, different): resync at its end, and say so.
    registry.gem_versions = bytearray(b"created_at: 2024-05-01T00:00:00Z\n---\nnew 1.0 " + b"c" * 32 + b"\n")
    batch, _ = r.poll_once()
    assert batch.notes and "rebuilt" in batch.notes[0]
    assert int(r.index.feed_cursor("rubygems")) == len(registry.gem_versions)


def test_npm_skips_deleted_and_design_docs(registry, index_url):
    r = runner_for(Npm(), index_url)
    r.poll_once()
    registry.seq += 1
    registry.npm_changes.append({"seq": registry.seq, "id": "gone", "deleted": True, "changes": []})
    registry.seq += 1
    registry.npm_changes.append({"seq": registry.seq, "id": "_design/app", "changes": []})
    registry.seq += 1
    registry.npm_changes.append({"seq": registry.seq, "id": "unpublished", "changes": []})  # 404 packument
    registry.add_npm_release("real", "1.0.0")
    r.poll_once()
    assert recorded(r.index) == [("npm", "real", "1.0.0")]
    assert r.index.feed_cursor("npm") == str(registry.seq)


def test_crates_api_feed_resume_faults_and_order(registry, index_url):
    """crates.io's recent-updates listing (for machines without git): cursor = newest updated_at."""
    import json
    from datetime import datetime, timedelta, timezone
    rows: list[dict] = []
    base = datetime.now(timezone.utc)

    def publish(name, vers, minutes):
        rows.append({"name": name, "newest_version": vers, "updated_at": (base + timedelta(minutes=minutes)).isoformat()})
        registry.files["/api/v1/summary"] = json.dumps({"just_updated": rows, "new_crates": []}).encode()

    publish("old", "0.1.0", -10)  # before the first start: not ours
    r = FeedRunner(open_feed("crates.io-api"), open_index(index_url), min_backoff=0.01, max_backoff=0.05)
    r.poll_once()
    assert recorded(r.index) == []
    publish("serde", "9.9.9", 1)
    r.poll_once()
    assert recorded(r.index) == [("crates.io", "serde", "9.9.9")]
    _, added = r.poll_once()
    assert added == 0
    # Restart, with a release that came meanwhile, listed out of order (newest first, as crates.io does).
    publish("tokio", "2.0.0", 3)
    publish("rand", "1.0.0", 2)
    rows.reverse()
    registry.files["/api/v1/summary"] = json.dumps({"just_updated": rows, "new_crates": []}).encode()
    r2 = FeedRunner(open_feed("crates.io-api"), open_index(index_url), min_backoff=0.01, max_backoff=0.05)
    _, added = r2.poll_once()
    assert added == 2
    assert recorded(r2.index) == [("crates.io", "rand", "1.0.0"), ("crates.io", "serde", "9.9.9"),
                                  ("crates.io", "tokio", "2.0.0")]
    for i, fault in enumerate(("500", "truncate", "garbage")):
        before = r2.index.feed_cursor("crates.io-api")
        publish(f"late{i}", "1.0.0", 10 + i)
        registry.fault("/api/v1/summary", *_every_attempt(None, fault))
        with pytest.raises(FeedError):
            r2.poll_once()
        assert r2.index.feed_cursor("crates.io-api") == before, fault
        r2.poll_once()
        assert ("crates.io", f"late{i}", "1.0.0") in recorded(r2.index), fault


def test_crates_index_squashed_history(registry, index_url, tmp_path, monkeypatch):
    """crates.io squashes its index's history now and then (a force push of one new root commit).
    The feed compares trees, so it announces only what really changed across the squash."""
    kind = Crates(make_crates_repo(tmp_path))
    registry.crates_repo = tmp_path / "crates-index.git"
    monkeypatch.setenv("PKGTRACE_CACHE", str(tmp_path / "cache"))
    r = runner_for(kind, index_url)
    r.poll_once()
    kind.publish(registry, 1)
    r.poll_once()
    assert recorded(r.index) == [kind.expect(1)]
    work = kind.work
    kind.publish(registry, 2)
    # Squash: one orphan commit holding the whole current tree, force-pushed over the history.
    subprocess.run(["git", "-C", str(work), "checkout", "-q", "--orphan", "squashed"], check=True)
    from services import git_commit
    git_commit(work, "Collapse index into one commit")
    subprocess.run(["git", "-C", str(work), "push", "-q", "-f", "origin", "squashed:master"], check=True)
    subprocess.run(["git", "--git-dir", str(registry.crates_repo), "update-server-info"], check=True)
    r2 = runner_for(kind, index_url)
    _, added = r2.poll_once()
    assert added == 1 and recorded(r2.index) == [kind.expect(1), kind.expect(2)]
    _, added = r2.poll_once()
    assert added == 0


def test_feeds_command_once(registry, index_url, tmp_path):
    """`pkgtrace feeds --once` as a user runs it: starts from a given cursor, records, exits."""
    import os
    registry.add_pypi_release("clipkg", "0.1")
    env = dict(os.environ, **registry.env())
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "feeds", "--feed", "pypi", "--feed-start", "pypi=0",
                        "--once", "--index", index_url, "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    import json
    out = json.loads(p.stdout)
    assert out["pypi"]["cursor"] == str(registry.serial)
    assert recorded(open_index(index_url)) == [("pypi", "clipkg", "0.1")]
    # A feed that cannot be reached: exit 3, the error is in status.
    registry.fault("/pypi", *["500"] * 4 * ATTEMPTS)
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "feeds", "--feed", "pypi", "--once",
                        "--index", index_url], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 3
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "status", "--index", index_url,
                        "--queue", f"sqlite:///{tmp_path / 'q.db'}", "--json"], capture_output=True, text=True,
                       env=env, timeout=60)
    feed = json.loads(p.stdout)["feeds"][0]
    assert feed["consecutive_errors"] >= 1 and "500" in feed["last_error"]
