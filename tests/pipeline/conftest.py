import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from services import FixtureRegistry, RedisServer, aws_env  # noqa: E402
from skips import cannot_run  # noqa: E402


@pytest.fixture
def own_redis(tmp_path):
    """A Redis of this test's own, to kill and restart."""
    try:
        r = RedisServer(tmp_path / "redis").start()
    except Exception as e:  # noqa: BLE001
        cannot_run(f"redis-server cannot run here: {e}")
    yield r
    r.stop(kill=True)


@pytest.fixture
def registry(monkeypatch):
    reg = FixtureRegistry()
    for k, v in reg.env().items():
        monkeypatch.setenv(k, v)
    yield reg
    reg.close()


@pytest.fixture
def child_env(tmp_path, monkeypatch):
    """Environment for worker processes: the test analyzers importable, a log of analyses started."""
    log = tmp_path / "analyses.log"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
               PKGTRACE_TEST_LOG=str(log), **aws_env())
    monkeypatch.setenv("PKGTRACE_TEST_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])
    return env
