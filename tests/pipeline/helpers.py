"""Driving pipeline processes the way an operator does: `pkgtrace worker` etc. as subprocesses."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from pkgtrace.results.index import open_index
from pkgtrace.results.index import models as m


def pkgtrace(*args: str) -> list[str]:
    return [sys.executable, "-m", "pkgtrace", *args]


def start_worker(env: dict, queue: str, index: str, results: str, *extra: str, log: Path | None = None,
                 analyzer: str | None = "test_analyzers:slow") -> subprocess.Popen:
    cmd = pkgtrace("worker", "--queue", queue, "--index", index, "--results", results, "--json", *extra)
    if analyzer:
        cmd += ["--analyzer", analyzer]
    err = open(log, "ab") if log else subprocess.DEVNULL
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err, text=True)


def analysis_log(path: Path) -> list[tuple[str, str]]:
    if not path.exists():
        return []
    return [tuple(line.split()[:2]) for line in path.read_text().splitlines() if line.strip()]


def wait_for(pred, timeout: float = 60.0, every: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def analyses(index_url: str) -> list[tuple[str, str, str]]:
    idx = open_index(index_url)
    try:
        with idx.engine.connect() as c:
            return sorted((r.ecosystem, r.name, r.version) for r in c.execute(sa.select(m.analyses)))
    finally:
        idx.close()


def release_states(index_url: str) -> dict[str, str]:
    idx = open_index(index_url)
    try:
        with idx.engine.connect() as c:
            return {r.name: r.state for r in c.execute(sa.select(m.releases))}
    finally:
        idx.close()
