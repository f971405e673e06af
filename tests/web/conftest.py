import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webtest_fixtures import seed  # noqa: E402

from pkgtrace.results.index import open_index  # noqa: E402
from pkgtrace.results.stores.local import LocalStore  # noqa: E402

from webtest_support import MAX_UPLOAD, TOKEN, free_port  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    from pkgtrace.web import WebSettings
    index_url = f"sqlite:///{tmp_path / 'index.db'}"
    idx = open_index(index_url)
    seed(idx, LocalStore(tmp_path / "results"))
    idx.close()
    return WebSettings(index_url=index_url, results_url=str(tmp_path / "results"),
                       queue_url=f"sqlite:///{tmp_path / 'queue.db'}", tokens=[TOKEN],
                       max_upload_bytes=MAX_UPLOAD, uploads_dir=tmp_path / "uploads", upload_mode="static")


@pytest.fixture
def client(settings):
    from fastapi.testclient import TestClient
    from pkgtrace.web import create_app
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def live_server(settings):
    """The app on a real loopback port, served by uvicorn as `pkgtrace serve` does."""
    from pkgtrace.web.server import start_in_thread
    running = start_in_thread(settings, "127.0.0.1", free_port())
    yield running.url
    running.stop()


@pytest.fixture
def artifacts_dir(tmp_path_factory) -> Path:
    """Screenshots and other test artifacts: $PKGTRACE_TEST_ARTIFACTS/web, else a temp folder."""
    base = os.environ.get("PKGTRACE_TEST_ARTIFACTS")
    d = Path(base) / "web" if base else tmp_path_factory.mktemp("web-artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d
