"""When a test may skip: `from skips import cannot_run`. Under CI (CI=true) a sandbox or service
test that cannot run fails instead, so a green CI run means it ran.
(Not in conftest.py: several conftest modules exist, and `from conftest import` picks whichever
pytest loaded last.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Tests that need the sandbox or a service: under CI, a skip of one (a skipif on a missing tool,
# root or image, a pytest.skip in the test) fails too, not only the ones that call cannot_run.
MUST_RUN_FOLDERS = ("sandbox", "dynamic", "web")


def under_ci() -> bool:
    """CI sets CI=true (.ci/run, and every hosted CI service)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def cannot_run(reason: str) -> None:
    """Skip a test that needs what this machine lacks; under CI, fail it."""
    if under_ci():
        pytest.fail(f"{reason} (CI=true: a sandbox or service test may not skip)", pytrace=False)
    pytest.skip(reason)


def must_run(item: pytest.Item) -> bool:
    if "sandbox" in item.keywords:
        return True
    try:
        return item.path.relative_to(TESTS).parts[0] in MUST_RUN_FOLDERS
    except (ValueError, IndexError):
        return False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Imported by tests/conftest.py: under CI, a sandbox, dynamic or web test that skipped failed."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and under_ci() and must_run(item) and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{reason} (CI=true: a sandbox or service test may not skip)"
