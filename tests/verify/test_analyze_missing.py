"""`verify --analyze-missing`: what the dataset lacks goes to the real pipeline (scheduler and
worker processes on the same index and queue) ahead of the feed backlog, and verify waits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from pkgtrace.results.index import models as m
from pkgtrace.results.index import open_index
from services import free_port, wait_port
from verify.dataset import build

HERE = Path(__file__).resolve().parent


def lockfile(path: Path, deps: dict[str, str]) -> Path:
    packages = {"": {"name": "app", "version": "1.0.0", "dependencies": deps}}
    for name, version in deps.items():
        packages[f"node_modules/{name}"] = {"version": version,
                                            "resolved": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"}
    path.write_text(json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                                "packages": packages}, indent=2))
    return path


def test_missing_releases_are_analysed_and_waited_for(tmp_path):
    index, results = build(tmp_path, {("npm", "is-odd", "3.0.1"): {"label": "benign", "score": 1.0, "findings": []}})
    queue = f"sqlite:///{tmp_path / 'queue.db'}"
    lock = lockfile(tmp_path / "package-lock.json",
                    {"is-odd": "3.0.1", "evil-helper": "1.0.0", "left-pad": "1.3.0", "missing-thing": "0.0.1"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    services = ["--queue", queue, "--index", index]
    procs = [subprocess.Popen([sys.executable, "-m", "pkgtrace", "scheduler", *services], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([sys.executable, "-m", "pkgtrace", "worker", "-j", "1", "--mode", "static",
                               "--analyzer", "verify.verify_analyzers:analyze", "--results", str(results),
                               *services], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--index", index,
                            "--analyze-missing", "--wait-timeout", "90", "--fail-on", "malicious", "--json"],
                           capture_output=True, text=True, timeout=180, env=env)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert p.returncode == 1, p.stderr  # evil-helper came back malicious
    status = {r["dependency"]["name"]: r["status"] for r in json.loads(p.stdout)["results"]}
    assert status == {"is-odd": "benign", "evil-helper": "malicious", "left-pad": "benign",
                      "missing-thing": "unknown"}
    assert "analysing 3 release(s) the dataset lacks" in p.stderr
    assert "npm/missing-thing@0.0.1: not analysed (dead: RegistryError: not found" in p.stderr
    idx = open_index(index)
    try:
        with idx.engine.connect() as c:
            rows = {r.name: (r.source, r.priority) for r in c.execute(sa.select(m.releases))}
    finally:
        idx.close()
    assert rows["evil-helper"] == ("verify", 50)  # ahead of the feed backlog (priority 0)
    assert rows["is-odd"][0] != "verify"  # already in the dataset: never resubmitted


def test_analyze_missing_times_out_without_a_pipeline(tmp_path):
    index, _ = build(tmp_path, {})
    lock = lockfile(tmp_path / "package-lock.json", {"left-pad": "1.3.0"})
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--index", index,
                        "--analyze-missing", "--wait-timeout", "2", "--fail-on", "malicious"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr  # nothing flagged; the release is reported as unknown
    assert "npm/left-pad@1.3.0: not analysed (timeout: still new)" in p.stderr
    assert "unknown" in p.stdout


def test_a_server_analyses_what_it_lacks(tmp_path):
    """Against a server: verify submits with its API token, and polls the release URLs."""
    index, results = build(tmp_path, {})
    queue = f"sqlite:///{tmp_path / 'queue.db'}"
    lock = lockfile(tmp_path / "package-lock.json", {"evil-helper": "1.0.0", "left-pad": "1.3.0"})
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}
    port = free_port()
    services = ["--queue", queue, "--index", index]
    procs = [subprocess.Popen([sys.executable, "-m", "pkgtrace", "serve", "--port", str(port), "--results",
                               str(results), "--token", "s3cret", "--uploads-dir", str(tmp_path / "up"),
                               "--log-level", "warning", *services], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([sys.executable, "-m", "pkgtrace", "scheduler", *services], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
             subprocess.Popen([sys.executable, "-m", "pkgtrace", "worker", "-j", "1", "--mode", "static",
                               "--analyzer", "verify.verify_analyzers:analyze", "--results", str(results),
                               *services], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    url = f"http://127.0.0.1:{port}"
    try:
        wait_port(port, 60, procs[0])
        no_token = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--server", url,
                                   "--analyze-missing"], capture_output=True, text=True, timeout=60,
                                  env={k: v for k, v in env.items() if k != "PKGTRACE_API_TOKEN"})
        p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--server", url, "--token",
                            "s3cret", "--analyze-missing", "--wait-timeout", "90", "--fail-on", "malicious", "--json"],
                           capture_output=True, text=True, timeout=180, env=env)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert no_token.returncode == 3 and "submitting needs an API token" in no_token.stderr
    assert p.returncode == 1, p.stderr
    status = {r["dependency"]["name"]: r["status"] for r in json.loads(p.stdout)["results"]}
    assert status == {"evil-helper": "malicious", "left-pad": "benign"}
