"""Shared test plumbing: sandbox tests skip with a clear reason; a results folder per test.
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
