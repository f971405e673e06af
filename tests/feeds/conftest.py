import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services import FixtureRegistry  # noqa: E402


@pytest.fixture
def registry(monkeypatch):
    reg = FixtureRegistry()
    for k, v in reg.env().items():
        monkeypatch.setenv(k, v)
    yield reg
    reg.close()


@pytest.fixture
def index_url(tmp_path):
    return f"sqlite:///{tmp_path / 'index.db'}"
