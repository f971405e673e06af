"""`pkgtrace serve` and `pkgtrace up --web-port` as a user runs them: real processes, real ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from webtest_support import TOKEN, free_port



def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True, timeout=timeout)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {proc.stderr.read()[-2000:]}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def test_serve_serves_the_dataset(settings, tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "pkgtrace", "serve", "--port", str(port),
                             "--index", settings.index_url, "--results", settings.results_url,
                             "--queue", settings.queue_url, "--token", TOKEN,
                             "--uploads-dir", str(tmp_path / "up"), "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_http(base + "/openapi.json", proc).json()["info"]["title"] == "pkgtrace"
        assert httpx.get(base + "/api/releases/pypi/evil-pkg/1.0.0").json()["release"]["label"] == "malicious"
        page = httpx.get(base + "/release/pypi/evil-pkg/1.0.0")
        assert page.status_code == 200 and "dynamic.bait_read" in page.text
        assert httpx.get(base + "/static/app.css").status_code == 200
        r = httpx.post(base + "/api/submissions", json={"ecosystem": "npm", "name": "left-pad", "version": "1.3.0"},
                       headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 202 and r.json()["result"] == "new"
    finally:
        assert stop(proc) == 0


def test_serve_bad_options(settings):
    p = run_cli("serve", "--upload-mode", "everything", "--index", settings.index_url)
    assert p.returncode == 2 and "--upload-mode" in p.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        p = run_cli("serve", "--port", str(port), "--index", settings.index_url,
                    "--results", settings.results_url, timeout=60)
    assert p.returncode == 3 and "cannot listen" in p.stderr and "Traceback" not in p.stderr


def test_up_serves_the_web_too(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from services import FixtureRegistry
    reg = FixtureRegistry()
    try:
        port = free_port()
        env = dict(os.environ, **reg.env(), PKGTRACE_STATE=str(tmp_path / "state"),
                   PKGTRACE_RESULTS=str(tmp_path / "results"), PKGTRACE_API_TOKENS=TOKEN)
        for k in ("PKGTRACE_QUEUE", "PKGTRACE_INDEX", "PKGTRACE_NOTIFY"):
            env.pop(k, None)
        proc = subprocess.Popen([sys.executable, "-m", "pkgtrace", "up", "--feed", "pypi", "--mode", "static",
                                 "-j", "1", "--interval", "1", "--grace", "1", "--web-port", str(port), "--quiet"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/api/status", proc)
            deadline = time.monotonic() + 30
            while True:  # the feed's first poll shows on the status the web app reads
                st = httpx.get(base + "/api/status").json()
                if st["feeds"] or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert [f["feed"] for f in st["feeds"]] == ["pypi"]
            assert st["queue"] is not None
            # Submitting through the web app reaches the running scheduler.
            r = httpx.post(base + "/api/submissions", json={"ecosystem": "pypi", "name": "nothing-here", "version": "1.0"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code == 202
            deadline = time.monotonic() + 30
            while httpx.get(base + r.json()["poll_url"]).json()["release"]["state"] == "new":
                assert time.monotonic() < deadline, "the scheduler never picked the submission up"
                time.sleep(0.3)
        finally:
            assert stop(proc) == 0
    finally:
        reg.close()
