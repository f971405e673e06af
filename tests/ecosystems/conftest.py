import pytest

from ecosystems.fakeregistry import serving


@pytest.fixture
def registry(monkeypatch):
    urls = ("PKGTRACE_RUBYGEMS_URL", "PKGTRACE_PACKAGIST_URL", "PKGTRACE_CRATES_URL", "PKGTRACE_PYPI_URL",
            "PKGTRACE_NPM_URL")
    with serving(monkeypatch, urls) as reg:
        yield reg
