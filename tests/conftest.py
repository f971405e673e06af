"""Shared test plumbing: sandbox tests skip with a clear reason; a results folder per test; the real
services (tests/services.py), one per test session, for every test that asks.
(The CLI runner is tests/clirun.py.)"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "results"


def _service(start, what: str):
    try:
        return start()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"{what} cannot run here: {e}")


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
