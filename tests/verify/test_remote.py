"""`verify --server URL` against a real `pkgtrace serve` on loopback, serving the same dataset as
the local tests: the answers must be the same as reading the index directly."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services import free_port, wait_port
from verify.dataset import NPM_LOCK, OBFUSCATED, PIP_LOCK, build, documents, ms_row_with_suppression


def pkgtrace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    index, results = build(root)
    port = free_port()
    log = open(root / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "pkgtrace", "serve", "--port", str(port), "--index", index,
                             "--results", str(results), "--queue", f"sqlite:///{root / 'queue.db'}",
                             "--uploads-dir", str(root / "uploads"), "--log-level", "warning"],
                            stdout=log, stderr=log)
    try:
        wait_port(port, 60, proc)
    except Exception:
        proc.kill()
        pytest.fail((root / "serve.log").read_text()[-3000:])
    yield index, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(20)


def _statuses(doc: dict) -> dict:
    return {(r["dependency"]["name"], r["dependency"]["version"]): (r["status"], (r["release"] or {}).get("score"),
                                                                     [f["rule"] for f in (r["release"] or {}).get("findings", [])])
            for r in doc["results"]}


def _same_answers(index: str, url: str, lock) -> None:
    remote = pkgtrace("verify", str(lock), "--server", url, "--json")
    local = pkgtrace("verify", str(lock), "--index", index, "--json")
    assert remote.returncode == local.returncode == 0, remote.stderr + local.stderr
    r, lo = json.loads(remote.stdout), json.loads(local.stdout)
    assert _statuses(r) == _statuses(lo)
    assert r["dataset"] == url


def test_server_folds_pypi_names(served):
    _same_answers(*served, PIP_LOCK)


def test_server_answers_like_the_local_index(served):
    index, url = served
    _same_answers(index, url, NPM_LOCK)
    doc = json.loads(pkgtrace("verify", str(NPM_LOCK), "--server", url, "--json").stdout)
    odd = next(x for x in doc["results"] if x["dependency"]["name"] == "is-odd")
    assert odd["status"] == "malicious" and odd["release"]["url"].startswith(url + "/release/npm/is-odd/3.0.1")
    # a scoped name travels with its '@' and '/' and is found as unknown, not an error
    scoped = next(x for x in doc["results"] if x["dependency"]["name"] == "@isaacs/string-locale-compare")
    assert scoped["status"] == "unknown"


def test_server_fail_on_malicious(served):
    _, url = served
    p = pkgtrace("verify", str(NPM_LOCK), "--server", url, "--fail-on", "malicious")
    assert p.returncode == 1 and "is-odd" in p.stdout


def test_hash_keyed_suppressions_hold_against_the_server(served, tmp_path):
    """The server's findings carry their content hash, so an entry keyed on it silences that
    finding in remote verify; the same rule with another hash (changed code) silences nothing."""
    server = ["--server", served[1]]
    assert ms_row_with_suppression(server, OBFUSCATED["hash"], tmp_path)["suppressed"] == "reviewed decoder"
    # the look-alike: same rule, another file's hash
    other = ms_row_with_suppression(server, OBFUSCATED["hash"][::-1], tmp_path)
    assert other["suppressed"] is None and other["status"] == "suspicious"


class _Broken(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = b"upstream exploded" if "ms" in self.path else b"<html>not json</html>"
        self.send_response(500 if "ms" in self.path else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_a_broken_server_is_an_infrastructure_error():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        p = pkgtrace("verify", str(NPM_LOCK), "--server", f"http://127.0.0.1:{srv.server_port}")
    finally:
        srv.shutdown()
    assert p.returncode == 3, p.stderr
    assert "Traceback" not in p.stderr
    assert "HTTP 500" in p.stderr or "not JSON" in p.stderr


class _Reports(BaseHTTPRequestHandler):
    """Static reports by release path, as a file server of pkgtrace reports would answer."""

    def do_GET(self):  # noqa: N802
        if self.path == "/api/releases/npm/is-odd/3.0.1":
            verdict = {"label": "malicious", "score": 90.0, "findings": [
                {"rule": "R1", "severity": "critical", "message": "steals tokens", "source": "dynamic"}]}
            body = json.dumps(documents("npm", "is-odd", "3.0.1", verdict)["report"]).encode()
            self.send_response(200)
        else:
            body = b'{"detail": "not found"}'
            self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def test_a_server_of_plain_reports():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Reports)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        p = pkgtrace("verify", str(NPM_LOCK), "--server", f"http://127.0.0.1:{srv.server_port}", "--json")
    finally:
        srv.shutdown()
    assert p.returncode == 0, p.stderr
    rows = {r["dependency"]["name"]: r for r in json.loads(p.stdout)["results"]}
    assert rows["is-odd"]["status"] == "malicious"
    assert rows["is-odd"]["release"]["findings"][0]["message"] == "steals tokens"
    assert rows["ms"]["status"] == "unknown"
