"""The simulator reads inside TLS and catches UDP and DNS over TCP: a credential stealer's tricks,
driven through `pkgtrace analyze --local … --mode dynamic --json` in the real sandbox."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from builders import FIXTURES, npm_tgz, setup_py_package
from clirun import run_cli_json
from pkgtrace.sandbox.netsim.ca import RunCA

pytestmark = pytest.mark.sandbox


def _analyze(artifact: Path, ecosystem: str, results: Path) -> dict:
    return run_cli_json("analyze", ecosystem, "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "180")


def _bait(docs: dict, what: str) -> str:
    return next(v["value"] for v in docs["report"]["dynamic"]["bait"]["values"] if v["what"] == what)


def _findings(docs: dict, rule: str) -> list[dict]:
    return [f for f in docs["report"]["verdict"]["findings"] if f["rule"] == rule]


@pytest.fixture(scope="module")
def stealer(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("stealer")
    body = (FIXTURES / "pypi_netsim" / "setup_body.py").read_text()
    body = f"PINNED_CA = {RunCA.mint().cert_pem().decode()!r}\n" + body
    artifact = setup_py_package(work / "dist", "pkgtrace-fixture-netsim", body)
    return _analyze(artifact, "pypi", work / "results")


def _install_net(docs: dict) -> list[dict]:
    return docs["report"]["dynamic"]["phases"]["install"]["network"]


def test_https_post_is_read_whole_and_the_bait_in_it_flagged(stealer):
    posts = [e for e in _install_net(stealer) if (e.get("http") or {}).get("method") == "POST"
             and e.get("hostname") == "collect.example"]
    assert posts, _install_net(stealer)
    e = posts[0]
    assert e["tls"]["intercepted"] is True and e["tls"]["sni"] == "collect.example"
    assert e["http"]["target"] == "/upload" and e["allowed"] is False
    assert e["answer"]["status"] == 200 and e["answer"]["by"] == "simulator"
    body = base64.b64decode(e["http"]["body_b64"]).decode()
    assert _bait(stealer, "aws_access_key_id") in body
    sent = _findings(stealer, "DYN-BAIT-SENT")
    assert any("collect.example" in f["message"] for f in sent), sent
    assert _findings(stealer, "DYN-ENV-IN-PAYLOAD")
    assert stealer["report"]["verdict"]["label"] != "benign"


def test_stage_two_over_https_gets_a_placeholder_the_trace_follows(stealer):
    gets = [e for e in _install_net(stealer) if (e.get("http") or {}).get("target") == "/stage2.sh"]
    assert gets and gets[0]["answer"]["kind"] == "placeholder:sh" and gets[0]["tls"]["intercepted"]
    # what the package did with it: wrote it, made it executable, ran it (and it only printed)
    phase = stealer["report"]["dynamic"]["phases"]["install"]
    assert any(c["argv"][:1] == ["/tmp/stage2.sh"] for c in phase["commands"]), phase["commands"][-10:]
    assert any(f["path"] == "/tmp/stage2.sh" and f["write"] for f in phase["files"])
    ran = [p for p in stealer["report"]["dynamic"]["processes"] if p["argv"][:1] == ["/tmp/stage2.sh"]]
    assert ran and ran[0]["exit_code"] == 0  # the placeholder ran, and did nothing but print
    assert _findings(stealer, "DYN-DROP-EXECUTABLE")


def test_a_pinned_client_is_recorded_as_refusing(stealer):
    pinned = [e for e in _install_net(stealer) if (e.get("tls") or {}).get("sni") == "pinned.example"]
    assert pinned and all(not e["tls"]["intercepted"] for e in pinned)
    assert "refused the certificate" in pinned[0]["tls"]["refused"]
    assert _findings(stealer, "DYN-TLS-REFUSED-INTERCEPTION")


def test_udp_to_any_port_is_captured_and_its_bait_flagged(stealer):
    udp = [e for e in _install_net(stealer) if e["kind"] == "udp"]
    assert any(e["dst"] == "203.0.113.9" and e["port"] == 9999 for e in udp), udp
    token = _bait(stealer, "npm_token")
    assert any(token in base64.b64decode(e["first_bytes_b64"]).decode(errors="replace") for e in udp)
    assert any(f["evidence"].get("via") == "udp" for f in _findings(stealer, "DYN-BAIT-SENT"))
    assert _findings(stealer, "DYN-UDP-SEND")


def test_dns_over_tcp_is_decoded_answered_and_flagged(stealer):
    dns = stealer["report"]["dynamic"]["phases"]["install"]["dns"]
    tcp = [q for q in dns if q.get("transport") == "tcp"]
    token = _bait(stealer, "npm_token")
    assert tcp and tcp[0]["dst"] == "9.9.9.9" and tcp[0]["qname"].startswith(token), tcp
    conn = [e for e in _install_net(stealer) if e.get("dns_tcp")]
    assert conn and conn[0]["dns_queries"] == 1
    assert _findings(stealer, "DYN-DNS-OVER-TCP")
    assert any(f["evidence"].get("via") == "dns" and f["evidence"].get("what") == "npm_token"
               for f in _findings(stealer, "DYN-BAIT-SENT"))


def test_a_token_hex_encoded_across_dns_labels_is_still_found(stealer):
    # the evasion: no bait value appears as such in any single label
    assert any(f["evidence"].get("what") == "github_token" and f["evidence"].get("via") == "dns"
               for f in _findings(stealer, "DYN-BAIT-SENT")), _findings(stealer, "DYN-BAIT-SENT")


@pytest.fixture(scope="module")
def worm(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("worm")
    src = FIXTURES / "npm_registry_write"
    artifact = npm_tgz(work / "dist", {p.name: p.read_text() for p in src.iterdir()})
    return _analyze(artifact, "npm", work / "results")


def test_a_publish_with_a_stolen_token_is_refused_recorded_and_flagged(worm):
    net = worm["report"]["dynamic"]["phases"]["install"]["network"]
    puts = [e for e in net if (e.get("http") or {}).get("method") == "PUT"
            and (e.get("tls") or {}).get("sni") == "registry.npmjs.org"]
    assert puts, net
    e = puts[0]
    assert e["http"]["target"] == "/pkgtrace-fixture-worm" and e["allowed"] is False
    assert e["proxy"]["decision"] == "refused" and "not a read" in e["proxy"]["reason"]
    assert e["answer"]["status"] == 403
    token = _bait(worm, "npm_token")
    assert ["authorization", f"Bearer {token}"] in [[k.lower(), v] for k, v in e["http"]["headers"]]
    writes = _findings(worm, "DYN-REGISTRY-WRITE")
    assert any("PUT" in f["message"] for f in writes), writes
    assert any("authorization" in f["message"] for f in _findings(worm, "DYN-REGISTRY-TOKEN-USE"))
    # the proxy's own log agrees: refused, never forwarded
    log = worm["report"]["dynamic"]["registry_proxy"]
    assert {"host": "registry.npmjs.org", "method": "PUT", "target": "/pkgtrace-fixture-worm",
            "decision": "refused"}.items() <= next(p for p in log if p["method"] == "PUT").items()


def test_token_checks_and_trailing_dot_names_are_never_allowed(worm):
    net = worm["report"]["dynamic"]["phases"]["install"]["network"]
    whoami = [e for e in net if (e.get("http") or {}).get("target") == "/-/whoami"]
    assert whoami and not whoami[0]["allowed"] and whoami[0]["proxy"]["decision"] == "refused"
    assert any("/-/whoami" in f["message"] for f in _findings(worm, "DYN-REGISTRY-TOKEN-USE"))
    # "registry.npmjs.org." is not the registry: the write lands at the simulator, not allowed
    dotted = [e for e in net if (e.get("http") or {}).get("method") == "PUT"
              and (e.get("http") or {}).get("host", "").startswith("registry.npmjs.org.")]
    assert dotted and all(not e["allowed"] for e in dotted)
    assert not any(p["decision"] == "forwarded" for p in worm["report"]["dynamic"]["registry_proxy"])
