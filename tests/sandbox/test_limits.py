"""Limits: a package that forks without end, eats memory or never returns ends with a status
that says so, within its limit, and the analysing process carries on."""

from __future__ import annotations

import time

import pytest

from builders import setup_py_package
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox

CASES = {
    "forkbomb": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                 "error_other", "process limit"),
    "hog": ("x = bytearray(50 * 1024 ** 3)", "error_other", "memory limit"),
    "sleeper": ("import time\ntime.sleep(10 ** 6)", "error_timeout", "wall-time limit"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_runaway_package_gets_a_status_that_says_why(case, tmp_path, results):
    body, status, reason = CASES[case]
    artifact = setup_py_package(tmp_path / "dist", f"pkgtrace-fixture-{case}", body)
    started = time.monotonic()
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "30", "--memory", "2048",
                        timeout=300)
    elapsed = time.monotonic() - started
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == status
    assert reason in install["reason"]
    assert install["duration_s"] <= 30 + 5
    assert elapsed < 120
    # import either ran or says plainly why not
    imp = docs["dynamic"]["Analysis"]["import"]
    assert imp["Status"] == "completed" or docs["report"]["dynamic"]["phases"]["import"]["reason"]


def test_analyses_still_work_after_runaways(tmp_path, results):
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-quiet", "pass")
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed"
    assert docs["dynamic"]["Analysis"]["import"]["Status"] == "completed"
