import pytest

from ecosystems.fakeregistry import FakeRegistry, serve


@pytest.fixture
def registry(monkeypatch):
    reg = FakeRegistry()
    server = serve(reg)
    for var in ("PKGTRACE_RUBYGEMS_URL", "PKGTRACE_PACKAGIST_URL", "PKGTRACE_CRATES_URL",
                "PKGTRACE_PYPI_URL", "PKGTRACE_NPM_URL"):
        monkeypatch.setenv(var, reg.url)
    yield reg
    server.shutdown()
    server.server_close()
