"""The skip policy: a test that cannot run here skips, but under CI (CI=true) it fails, so CI
cannot be green while sandbox or service tests did not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

INNER = '''
from skips import cannot_run

def test_needs_a_service():
    cannot_run("redis-server cannot run here: not installed")

def test_fine():
    pass
'''


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_inner.py").write_text(INNER)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(TESTS)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # no third-party plugins: a fast inner run
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rs",
                           str(tmp_path / "test_inner.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_outside_ci_a_test_that_cannot_run_skips(tmp_path):
    p = _run(tmp_path, None)
    assert p.returncode == 0, p.stdout
    assert "1 passed, 1 skipped" in p.stdout and "redis-server cannot run here" in p.stdout


def test_under_ci_it_fails_instead(tmp_path):
    p = _run(tmp_path, "true")
    assert p.returncode == 1, p.stdout
    assert "1 failed, 1 passed" in p.stdout and "may not skip" in p.stdout
