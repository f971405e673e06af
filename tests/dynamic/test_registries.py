"""Real releases from the registries analyse to `completed` with plausible traces."""

from __future__ import annotations

import pytest

from clirun import run_cli_json
from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS

pytestmark = [pytest.mark.sandbox, pytest.mark.network]


def _plausible(docs: dict, *own_files: str) -> None:
    for phase in ("install", "import"):
        ossf = docs["dynamic"]["Analysis"][phase]
        assert ossf["Status"] == "completed", docs["report"]["dynamic"]["phases"][phase]["reason"]
        for s in ossf["Sockets"]:
            # only the simulator's resolver and the registries
            assert s["Port"] == 53 or set(s["Hostnames"]) <= REGISTRY_HOSTS, s
        net = docs["report"]["dynamic"]["phases"][phase]["network"]
        assert all(e.get("allowed") for e in net if e.get("kind") == "tcp"), net
    imported = [f["Path"] for f in docs["dynamic"]["Analysis"]["import"]["Files"] if f["Read"]]
    assert any(p.endswith(own_files) for p in imported), imported[:20]


def test_six_from_pypi(results):
    docs = run_cli_json("analyze", "pypi", "six", "--mode", "dynamic", "--results", str(results))
    assert docs["report"]["package"]["name"] == "six"
    # pip compiles at install, so the import reads the bytecode (the source is only stat'ed)
    _plausible(docs, "/site-packages/six.py", "/site-packages/__pycache__/six.cpython-311.pyc")


def test_is_number_from_npm(results):
    docs = run_cli_json("analyze", "npm", "is-number", "--mode", "dynamic", "--results", str(results))
    assert docs["report"]["package"]["name"] == "is-number"
    _plausible(docs, "/node_modules/is-number/index.js")


def test_pypi_dependencies_come_through_the_registry_pass_through(tmp_path, results):
    # a PEP 517 sdist: pip builds it in an isolated environment, so its build requirement
    # (setuptools, from PyPI) must come through the SNI allowlist
    from builders import pypi_sdist
    pyproject = ('[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
                 '[project]\nname = "pkgtrace-fixture-needs-build"\nversion = "1.0.0"\n')
    artifact = pypi_sdist(tmp_path / "dist", "pkgtrace-fixture-needs-build", "1.0.0",
                          {"pyproject.toml": pyproject, "pkgtrace_fixture_needs_build/__init__.py": ""})
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results))
    net = docs["report"]["dynamic"]["phases"]["install"]["network"]
    assert any(e.get("tls", {}).get("sni") == "pypi.org" and e["allowed"] for e in net)
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed"
