"""The skip policy: a test that cannot run here skips, but under CI (CI=true) it fails, so CI
cannot be green while sandbox or service tests did not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

INNER = '''
import pytest

from skips import cannot_run

def test_needs_a_service():
    cannot_run("redis-server cannot run here: not installed")

@pytest.mark.sandbox
@pytest.mark.skipif(True, reason="runsc is not installed")
def test_sandbox_skipped_by_a_marker():
    pass

@pytest.mark.sandbox
def test_sandbox_skipped_inside():
    pytest.skip("no sandbox image built")

@pytest.mark.skipif(True, reason="a host tool is missing")
def test_other_skip():
    pass

def test_fine():
    pass
'''


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_inner.py").write_text(INNER)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(TESTS)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no third-party plugins: a fast inner run
    (tmp_path / "conftest.py").write_text("from skips import pytest_runtest_makereport  # noqa\n")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                           str(tmp_path / "test_inner.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_outside_ci_a_test_that_cannot_run_skips(tmp_path):
    p = _run(tmp_path, None)
    assert p.returncode == 0, p.stdout
    assert "1 passed, 4 skipped" in p.stdout and "redis-server cannot run here" in p.stdout


def test_under_ci_it_fails_instead(tmp_path):
    p = _run(tmp_path, "true")
    assert p.returncode == 1, p.stdout
    # every sandbox test that did not run fails, however it skipped; a test of neither still skips
    # (a skip decided in setup, by a skipif marker, reports as an error)
    assert "2 failed, 1 passed, 1 skipped" in p.stdout and "1 error" in p.stdout
    assert "may not skip" in p.stdout
    assert "runsc is not installed" in p.stdout and "no sandbox image built" in p.stdout
