"""Real installs still work through the read-only registry proxy, and a second run is served from
the shared download cache. (`pkgtrace analyze --local`, real sandbox, real PyPI and npm.)"""

from __future__ import annotations

import json

import pytest

from builders import npm_tgz, pypi_sdist
from clirun import run_cli_json
from pkgtrace.sandbox.netsim.policy import READ_METHODS, REGISTRY_HOSTS

pytestmark = [pytest.mark.sandbox, pytest.mark.network]


def _twice(ecosystem, artifact, results, monkeypatch, tmp_path) -> list[dict]:
    monkeypatch.setenv("PKGTRACE_DOWNLOAD_CACHE", str(tmp_path / "download-cache"))
    return [run_cli_json("analyze", ecosystem, "--local", str(artifact), "--mode", "dynamic",
                         "--results", str(results / str(i)), "--timeout", "300") for i in (1, 2)]


def _only_reads_left(docs: dict) -> list[dict]:
    """The proxy's log: everything forwarded was a read of a registry host; returns the forwarded."""
    log = docs["report"]["dynamic"]["registry_proxy"]
    forwarded = [p for p in log if p["decision"] == "forwarded"]
    assert all(p["method"] in READ_METHODS and p["host"] in REGISTRY_HOSTS for p in forwarded), forwarded
    return forwarded


def _downloads(docs: dict, suffix: str) -> list[dict]:
    return [p for p in _only_reads_left(docs) if p["target"].endswith(suffix)]


def test_pypi_build_dependencies_come_through_and_then_from_the_cache(tmp_path, results, monkeypatch):
    pyproject = ('[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
                 '[project]\nname = "pkgtrace-fixture-needs-build"\nversion = "1.0.0"\n')
    artifact = pypi_sdist(tmp_path / "dist", "pkgtrace-fixture-needs-build", "1.0.0",
                          {"pyproject.toml": pyproject, "pkgtrace_fixture_needs_build/__init__.py": ""})
    first, second = _twice("pypi", artifact, results, monkeypatch, tmp_path)
    for docs in (first, second):
        assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed"
        net = docs["report"]["dynamic"]["phases"]["install"]["network"]
        simple = [e for e in net if (e.get("http") or {}).get("target") == "/simple/setuptools/"]
        assert simple and simple[0]["allowed"] and simple[0]["tls"]["intercepted"]
        assert simple[0]["proxy"]["decision"] == "forwarded" and simple[0]["answer"]["status"] == 200
        assert not [f for f in docs["report"]["verdict"]["findings"] if f["rule"].startswith("DYN-REGISTRY")]
    assert [p["cache"] for p in _downloads(first, ".whl")] == ["miss"]
    assert [p["cache"] for p in _downloads(second, ".whl")] == ["hit"]


def test_npm_dependencies_come_through_and_then_from_the_cache(tmp_path, results, monkeypatch):
    artifact = npm_tgz(tmp_path / "dist", {
        "package.json": json.dumps({"name": "pkgtrace-fixture-with-deps", "version": "1.0.0",
                                    "main": "index.js", "dependencies": {"is-number": "7.0.0"}}),
        "index.js": "module.exports = require('is-number');\n"})
    first, second = _twice("npm", artifact, results, monkeypatch, tmp_path)
    for docs in (first, second):
        assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed"
        assert docs["dynamic"]["Analysis"]["import"]["Status"] == "completed"
        reads = [p["target"] for p in _only_reads_left(docs)]
        assert "/is-number" in reads, reads
    assert [p["cache"] for p in _downloads(first, "/is-number-7.0.0.tgz")] == ["miss"]
    assert [p["cache"] for p in _downloads(second, "/is-number-7.0.0.tgz")] == ["hit"]
