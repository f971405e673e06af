"""Shared test plumbing: markers that skip with a clear reason, and the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def sandbox_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the sandbox needs root"
    for tool in ("runsc", "nft", "mmdebstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (see .ci/run)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = sandbox_unavailable()
    if reason:
        skip = pytest.mark.skip(reason=f"sandbox unavailable: {reason}")
        for item in items:
            if "sandbox" in item.keywords:
                item.add_marker(skip)


def run_cli(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """`pkgtrace ARGS…` in a child process, exactly as a user would run it."""
    proc = subprocess.run([sys.executable, "-m", "pkgtrace.cli", *args], capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"pkgtrace {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def run_cli_json(*args: str, timeout: float = 600) -> dict:
    return json.loads(run_cli(*args, "--json", timeout=timeout).stdout)


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "results"
