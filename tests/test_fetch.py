"""The shared registry client (pkgtrace.fetch) as `pkgtrace analyze` uses it: a registry that
stumbles (503, 429) is retried a bounded number of times; one that keeps failing, or answers
garbage, ends in a clear error and exit 3, quickly."""

from __future__ import annotations

import pytest

from clirun import run_cli, run_cli_json
from ecosystems.fakeregistry import serving
from static.builders import tar_bytes


@pytest.fixture
def registry(monkeypatch):
    with serving(monkeypatch, ["PKGTRACE_PYPI_URL"]) as reg:
        yield reg


def _publish(reg) -> None:
    sdist = tar_bytes({"okpkg-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: okpkg\nVersion: 1.0\n",
                       "okpkg-1.0/okpkg.py": b"x = 1\n"})
    digest = reg.blob("/packages/okpkg-1.0.tar.gz", sdist)
    files = [{"filename": "okpkg-1.0.tar.gz", "url": reg.url + "/packages/okpkg-1.0.tar.gz",
              "packagetype": "sdist", "digests": {"sha256": digest}, "yanked": False}]
    reg.json("/pypi/okpkg/json", {"info": {"name": "okpkg", "version": "1.0"},
                                  "releases": {"1.0": files}, "urls": files})


def _hits(reg, path: str) -> int:
    return sum(1 for p, _ in reg.requests if p == path)


def test_transient_failures_are_retried(registry, tmp_path):
    _publish(registry)
    registry.failures["/pypi/okpkg/json"] = [503, 429]
    registry.failures["/packages/okpkg-1.0.tar.gz"] = [502]
    out = run_cli_json("analyze", "pypi", "okpkg", "--mode", "static", "--results", str(tmp_path))
    assert out["static"]["name"] == "okpkg"
    assert registry.failures == {"/pypi/okpkg/json": [], "/packages/okpkg-1.0.tar.gz": []}
    assert _hits(registry, "/packages/okpkg-1.0.tar.gz") == 2


def test_a_registry_that_keeps_failing_is_given_up_on(registry, tmp_path):
    _publish(registry)
    registry.failures["/pypi/okpkg/json"] = [503] * 10
    r = run_cli("analyze", "pypi", "okpkg", "--mode", "static", "--results", str(tmp_path),
                check=False)
    assert r.returncode == 3 and "answered HTTP 503" in r.stderr and "Traceback" not in r.stderr
    assert _hits(registry, "/pypi/okpkg/json") == 3  # bounded: no endless retry


def test_not_found_and_client_errors_are_not_retried(registry, tmp_path):
    registry.failures["/pypi/gone/json"] = [403]
    r = run_cli("analyze", "pypi", "gone", "--mode", "static", "--results", str(tmp_path), check=False)
    assert r.returncode == 3 and "HTTP 403" in r.stderr
    assert _hits(registry, "/pypi/gone/json") == 1
    r = run_cli("analyze", "pypi", "nosuch", "--mode", "static", "--results", str(tmp_path), check=False)
    assert r.returncode == 3 and "not found" in r.stderr
    assert _hits(registry, "/pypi/nosuch/json") == 1
