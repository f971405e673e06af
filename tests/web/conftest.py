import os
import socket
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import seed  # noqa: E402

from pkgtrace.results.index import open_index  # noqa: E402
from pkgtrace.results.stores.local import LocalStore  # noqa: E402

TOKEN = "test-token-0123456789"
MAX_UPLOAD = 256 * 1024


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(settings):
    """The app on a real loopback port, served by uvicorn as `pkgtrace serve` does."""
    import uvicorn
    from pkgtrace.web import create_app
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    t.join(10)


@pytest.fixture
def artifacts_dir(tmp_path_factory) -> Path:
    """Screenshots and other test artifacts: $PKGTRACE_TEST_ARTIFACTS/web, else a temp folder."""
    base = os.environ.get("PKGTRACE_TEST_ARTIFACTS")
    d = Path(base) / "web" if base else tmp_path_factory.mktemp("web-artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_sdist(path: Path, name: str = "demo-upload", version: str = "0.1.0", extra: dict | None = None) -> Path:
    """A small real sdist (tar.gz with PKG-INFO and setup.py)."""
    import io
    files = {f"{name}-{version}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{name}-{version}/setup.py": "from setuptools import setup\nsetup(name=%r, version=%r)\n" % (name, version),
             f"{name}-{version}/demo/__init__.py": "import os\nURL = 'http://example.invalid/x'\n"}
    files.update(extra or {})
    with tarfile.open(path, "w:gz") as t:
        for n, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path
