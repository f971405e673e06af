"""The CLI as a user runs it, from tests: `from clirun import run_cli, run_cli_json`.

(Not in conftest.py: several conftest modules exist, and `from conftest import` picks whichever
pytest loaded last.)"""

from __future__ import annotations

import json
import subprocess
import sys


def run_cli(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
    """`pkgtrace ARGS…` in a child process, exactly as a user would run it."""
    proc = subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"pkgtrace {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def run_cli_json(*args: str, timeout: float = 600) -> dict:
    return json.loads(run_cli(*args, "--json", timeout=timeout).stdout)
