"""Shared test plumbing: sandbox tests skip with a clear reason (under CI they fail instead: a
green CI run means they ran); a results folder per test; the real services (tests/services.py),
one per test session, for every test that asks; a private data folder for the whole session, so
no test reads or writes the user's dataset. (The CLI runner is tests/clirun.py.)"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from skips import cannot_run, pytest_runtest_makereport  # noqa: F401 (the hook: skips fail under CI)


def pytest_configure(config):
    # Commands default to $XDG_DATA_HOME/pkgtrace; tests get a fresh one (children and xdist
    # workers inherit it), removed when the session that made it ends.
    if not os.environ.get("PKGTRACE_TEST_DATA_SET"):
        import tempfile
        base = tempfile.mkdtemp(prefix="pkgtrace-test-data-")
        os.environ["XDG_DATA_HOME"] = base
        os.environ.pop("PKGTRACE_DATA", None)
        os.environ["PKGTRACE_TEST_DATA_SET"] = base
        config._pkgtrace_test_data = base


def pytest_unconfigure(config):
    base = getattr(config, "_pkgtrace_test_data", None)
    if base:
        shutil.rmtree(base, ignore_errors=True)


def sandbox_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "the sandbox needs root"
    for tool in ("runsc", "nft", "mmdebstrap"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (see .ci/run)"
    return None


def pytest_runtest_setup(item):
    if "sandbox" in item.keywords:
        reason = sandbox_unavailable()
        if reason:
            cannot_run(f"sandbox unavailable: {reason}")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "results"


def _service(start, what: str):
    try:
        return start()
    except Exception as e:  # noqa: BLE001
        cannot_run(f"{what} cannot run here: {e}")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    from services import RedisServer
    r = _service(lambda: RedisServer(tmp_path_factory.mktemp("redis")).start(), "redis-server")
    yield r
    r.stop()


@pytest.fixture(scope="session")
def postgres():
    """One PostgreSQL for the session; tests call reset() for an empty database."""
    from services import Postgres
    pg = _service(lambda: Postgres().start(), "PostgreSQL")
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    from services import SeaweedS3, aws_env
    for k, v in aws_env().items():
        os.environ.setdefault(k, v)
    s3 = _service(lambda: SeaweedS3(tmp_path_factory.mktemp("weed")).start(), "SeaweedFS")
    yield s3
    s3.stop()
