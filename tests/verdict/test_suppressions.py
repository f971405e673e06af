"""Suppressions: by package, rule and content hash; changed code is never silenced."""

from __future__ import annotations

import json

import pytest

from clirun import run_cli_json
from verdict.fixtures import sdist
from pkgtrace.model import Ecosystem
from pkgtrace.verdict import suppressions as supp

SETUP = 'import requests\nrequests.get("https://stats.example/ping")\nfrom setuptools import setup\nsetup()\n'


def _suppression_for(verdict: dict, rule: str, package: str = "pypi/pkg") -> list:
    f = next(f for f in verdict["findings"] if f["rule"] == rule)
    return supp.parse({"suppressions": [{"package": package, "rule": rule, "hash": f["hash"],
                                         "reason": "pings its own stats server, reviewed"}]})


def test_suppression_silences_exactly_that_rule_on_that_code(judged):
    data = sdist("pkg", {"setup.py": SETUP})
    before = judged(data, Ecosystem.PYPI, "pkg")
    assert "STATIC-INSTALL-HOOK-NETWORK" in before["rules_fired"] and before["score"] > 0
    s = _suppression_for(before, "STATIC-INSTALL-HOOK-NETWORK")
    after = judged(data, Ecosystem.PYPI, "pkg", suppressions=s)
    assert "STATIC-INSTALL-HOOK-NETWORK" not in after["rules_fired"]
    assert after["label"] == "benign" and after["score"] < before["score"]
    assert after["suppressed"][0]["suppression"]["reason"].startswith("pings")


def test_suppression_never_silences_changed_code(judged):
    before = judged(sdist("pkg", {"setup.py": SETUP}), Ecosystem.PYPI, "pkg")
    s = _suppression_for(before, "STATIC-INSTALL-HOOK-NETWORK")
    changed = sdist("pkg", {"setup.py": SETUP.replace("stats.example/ping", "stats.example/ping?u=1")})
    after = judged(changed, Ecosystem.PYPI, "pkg", suppressions=s)
    assert "STATIC-INSTALL-HOOK-NETWORK" in after["rules_fired"] and not after["suppressed"]


def test_suppression_is_scoped_to_its_package(judged):
    before = judged(sdist("pkg", {"setup.py": SETUP}), Ecosystem.PYPI, "pkg")
    s = _suppression_for(before, "STATIC-INSTALL-HOOK-NETWORK", package="pypi/other")
    after = judged(sdist("pkg", {"setup.py": SETUP}), Ecosystem.PYPI, "pkg", suppressions=s)
    assert not after["suppressed"]


@pytest.mark.parametrize("doc", [{"suppressions": [{"package": "pkg", "rule": "X", "hash": "0" * 64}]},
                                 {"suppressions": [{"package": "pypi/pkg", "rule": "X"}]},
                                 {"suppressions": [{"package": "pypi/pkg", "rule": "X", "hash": "0a", "reason": "r"}]},
                                 {"suppressions": "nope"}])
def test_bad_suppression_files_are_rejected(doc):
    with pytest.raises(supp.SuppressionError):
        supp.parse(doc)


def test_npm_scoped_names_and_versions_parse():
    [s] = supp.parse([{"package": "npm/@acme/pkg@1.2.3", "rule": "R", "hash": "a" * 64, "reason": "r"}])
    assert (s.ecosystem, s.name, s.version) == (Ecosystem.NPM, "@acme/pkg", "1.2.3")


def test_only_rule_and_hash_entries_hide_findings_at_analysis_time(judged):
    """A whole-release or hash-less entry is for verify; it must not blank a verdict, or one
    reviewed version would silence whatever the next one ships."""
    data = sdist("pkg", {"setup.py": SETUP})
    broad = supp.parse([{"package": "pypi/pkg", "reason": "reviewed"},
                        {"package": "pypi/pkg", "rule": "STATIC-INSTALL-HOOK-NETWORK", "reason": "reviewed"}])
    after = judged(data, Ecosystem.PYPI, "pkg", suppressions=broad)
    assert "STATIC-INSTALL-HOOK-NETWORK" in after["rules_fired"] and not after["suppressed"]


def test_analyze_cli_applies_suppressions_from_the_environment(tmp_path, monkeypatch):
    archive = tmp_path / "pkg-1.0.0.tar.gz"
    archive.write_bytes(sdist("pkg", {"setup.py": SETUP}))
    docs = run_cli_json("analyze", "pypi", "--local", str(archive), "--mode", "static",
                        "--results", str(tmp_path / "r"))
    v = docs["report"]["verdict"]
    f = next(f for f in v["findings"] if f["rule"] == "STATIC-INSTALL-HOOK-NETWORK")
    (tmp_path / "s.yaml").write_text(json.dumps({"suppressions": [
        {"package": "pypi/pkg", "rule": f["rule"], "hash": f["hash"], "reason": "reviewed"}]}))
    monkeypatch.setenv("PKGTRACE_SUPPRESSIONS", str(tmp_path / "s.yaml"))
    docs = run_cli_json("analyze", "pypi", "--local", str(archive), "--mode", "static",
                        "--results", str(tmp_path / "r"))
    assert docs["report"]["verdict"]["suppressed"][0]["rule"] == "STATIC-INSTALL-HOOK-NETWORK"
