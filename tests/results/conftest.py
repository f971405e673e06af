import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services import Postgres, SeaweedS3, aws_env  # noqa: E402


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    try:
        pg = Postgres(tmp_path_factory.mktemp("pg")).start()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"PostgreSQL cannot run here: {e}")
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    for k, v in aws_env().items():
        os.environ.setdefault(k, v)
    try:
        s3 = SeaweedS3(tmp_path_factory.mktemp("weed")).start()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"SeaweedFS cannot run here: {e}")
    yield s3
    s3.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def index_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'index.db'}"
    pg = request.getfixturevalue("postgres")
    pg.reset()
    return pg.url
