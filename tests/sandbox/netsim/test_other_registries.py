"""RubyGems, Packagist and crates.io through the real path: a guest's TLS to the simulator, the
host-side proxy, and an upstream that speaks each registry's read protocol over HTTPS.

The registries themselves are out of reach here, so fixture_registries.py stands in for them in a
mount and network namespace of its own: /etc/hosts sends their real names to 127.0.0.1, and the
proxy trusts a test CA through SSL_CERT_FILE, for this test only. Reads are forwarded and their
downloads cached; a publish (gem push, cargo publish) is refused, never reaches the upstream, is
logged by the proxy and flagged by the rules."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fixture_registries as fx
from simharness import events, exchange, request, response_body, simulator
from skips import cannot_run
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.policy import REGISTRY_HOSTS_BY_ECOSYSTEM
from pkgtrace.api.network import NetworkEvent
from pkgtrace.sandbox.netsim.story import story
from pkgtrace.verdict.engine import judge

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "results"))
from fixture_docs import dynamic_section, report_doc  # noqa: E402

HERE = Path(__file__).resolve().parent


class Upstream:
    """The fixture registries and the real proxy in their namespace; `finish()` gives the proxy's
    log and every request the registries saw."""

    def __init__(self, folder: Path, ecosystem: str):
        if os.geteuid() != 0 or not shutil.which("unshare"):
            cannot_run("a namespace of its own for the fixture registries needs root and unshare")
        ca_folder = folder / "upstream-ca"
        ca_folder.mkdir()
        cert, key = RunCA.mint().write(ca_folder)
        hosts = folder / "hosts"
        hosts.write_text("127.0.0.1 localhost\n127.0.0.1 " + " ".join(fx.HOSTS) + "\n")
        self.socket = str(folder / "proxy.sock")
        self.cache = folder / "download-cache"
        config = folder / "upstream.json"
        config.write_text(json.dumps({"upstream_ca_cert": str(cert), "upstream_ca_key": str(key),
                                      "socket": self.socket, "cache": str(self.cache),
                                      "allow": sorted(REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])}))
        env = dict(os.environ, SSL_CERT_FILE=str(cert), PYTHONPATH=os.pathsep.join(sys.path))
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--net", "sh", "-c",
             'ip link set lo up && mount --bind "$0" /etc/hosts && exec "$@"',
             str(hosts), sys.executable, str(HERE / "fixture_registries.py"), str(config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        assert self.proc.stdout and self.proc.stdout.readline().strip() == "READY", self.proc.stderr.read()

    def finish(self) -> dict:
        out, err = self.proc.communicate("", timeout=60)
        assert self.proc.returncode == 0, err
        return json.loads(out.strip().splitlines()[-1])

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def registry(tmp_path):
    made: list[Upstream] = []

    def make(ecosystem: str) -> tuple[Upstream, object]:
        up = Upstream(tmp_path, ecosystem)
        made.append(up)
        state = simulator(tmp_path, RunCA.mint(), up.socket, REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])
        return up, state
    yield make
    for up in made:
        up.kill()


def _get(state, host: str, target: str) -> tuple[int, bytes]:
    return response_body(exchange(state, request("GET", target, host, {"Accept-Encoding": "identity"}), host))


def _verdict(ecosystem: str, evs: list[dict]) -> set[str]:
    report = {**report_doc("fixture", ecosystem=ecosystem), "verdict": None,
              "dynamic": dynamic_section({"install": {"network": evs}})}
    return set(judge({"report": report}, suppressions=[])["rules_fired"])


# (ecosystem, index reads, downloads, the write a worm would make)
CASES = {
    "rubygems": ([("index.rubygems.org", "/versions"), ("index.rubygems.org", f"/info/{fx.GEM}")],
                 [("rubygems.org", f"/gems/{fx.GEM}-{fx.GEM_VERSION}.gem")],
                 ("POST", "rubygems.org", "/api/v1/gems", {"Authorization": "rubygems_0123456789abcdef"})),
    "packagist": ([("repo.packagist.org", "/packages.json"), ("repo.packagist.org", f"/p2/{fx.COMPOSER}.json")],
                  [("codeload.github.com", f"/{fx.COMPOSER}/legacy.zip/{fx.COMMIT}")],
                  ("POST", "packagist.org", "/api/update-package?username=acme&apiToken=0123456789", {})),
    "crates.io": ([("index.crates.io", "/config.json"), ("index.crates.io", f"/fi/xt/{fx.CRATE}")],
                  [("static.crates.io", f"/crates/{fx.CRATE}/{fx.CRATE}-{fx.CRATE_VERSION}.crate")],
                  ("PUT", "crates.io", "/api/v1/crates/new", {"Authorization": "cio0123456789abcdef"})),
}


@pytest.mark.parametrize("ecosystem", sorted(CASES))
def test_reads_are_forwarded_and_cached_and_a_publish_is_refused(registry, ecosystem):
    up, state = registry(ecosystem)
    table = fx.routes()
    reads, downloads, (method, host, target, headers) = CASES[ecosystem]
    for h, t in reads:
        assert _get(state, h, t) == (200, table[(h, t)][2])
    for h, t in downloads:  # twice: the second from the shared cache
        assert _get(state, h, t) == (200, table[(h, t)][2])
        assert _get(state, h, t) == (200, table[(h, t)][2])
    body = fx.gem_file() if ecosystem == "rubygems" else b'{"name":"worm","vers":"6.6.6"}'
    status, _ = response_body(exchange(state, request(method, target, host, headers, body), host))
    assert status == 403
    evs = events(state)
    done = up.finish()

    # what the guest's connections show: every read forwarded, the downloads' second time a hit
    forwarded = [(e["tls"]["sni"], e["http"]["target"], e["proxy"].get("cache")) for e in evs if e["allowed"]]
    assert forwarded == ([(h, t, None) for h, t in reads]
                         + [x for h, t in downloads for x in ((h, t, "miss"), (h, t, "hit"))])
    assert all(e["tls"]["intercepted"] and e["answer"]["by"] == "registry" for e in evs if e["allowed"])
    # the upstream saw each read once, the download once, and never the write
    assert done["upstream"] == [[h, "GET", t] for h, t in reads + downloads]
    for h, t in downloads:
        blob = table[(h, t)][2]
        digest = hashlib.sha256(blob).hexdigest()
        assert (up.cache / "blobs" / digest[:2] / digest).read_bytes() == blob
    # the write: refused by the proxy, recorded with its method, target and token, flagged
    (w,) = [e for e in evs if e["http"]["method"] == method]
    assert not w["allowed"] and w["proxy"]["decision"] == "refused" and w["proxy"]["write"] is True
    assert w["answer"] == {"status": 403, "kind": "refused", "length": w["answer"]["length"], "by": "proxy"}
    assert w["http"]["target"] == target and w["http"]["body_length"] == len(body)
    assert {"host": host, "method": method, "target": target, "decision": "refused"}.items() \
        <= next(p for p in done["log"] if p["method"] == method).items()
    fired = _verdict(ecosystem, evs)
    assert "DYN-REGISTRY-WRITE" in fired
    assert ("DYN-REGISTRY-TOKEN-USE" in fired) == bool(headers)


def test_a_registry_name_with_a_trick_never_reaches_the_upstream(registry):
    """The evasions: a trailing dot, an address in place of the name, a Host that is not the SNI,
    a path the package manager never reads, a read with a body, plain HTTP. Only the name in
    another case is the registry itself (names are case-blind), and only it is forwarded."""
    up, state = registry("crates.io")
    crate = CASES["crates.io"][1][0][1]
    tricks = [  # (request, SNI, forwarded)
        (request("GET", crate, "static.crates.io."), "static.crates.io.", False),
        (request("GET", crate, "static.crates.io"), "127.0.0.1", False),
        (request("GET", crate, "collect.example"), "static.crates.io", False),
        (request("GET", "/api/v1/me", "crates.io", {"Authorization": "cio0123"}), "crates.io", False),
        (request("GET", "/config.json", "index.crates.io", body=b"smuggled"), "index.crates.io", False),
        (request("GET", crate, "static.crates.io"), None, False),
        (request("GET", crate, "STATIC.Crates.IO"), "STATIC.Crates.IO", True),
    ]
    for raw, sni, _ in tricks:
        exchange(state, raw, sni, verify_name=False)
    evs = events(state)
    done = up.finish()
    assert len(evs) == len(tricks)
    assert [e["allowed"] for e in evs] == [f for _, _, f in tricks], evs
    assert done["upstream"] == [["static.crates.io", "GET", crate]]
    assert [p["decision"] for p in done["log"]].count("forwarded") == 1
    # and every reader (page, diff, CLI) tells it the same way
    assert [story(NetworkEvent.model_validate(e)).forwarded for e in evs] == [f for _, _, f in tricks]
    for e, (_, sni, forwarded) in zip(evs, tricks):
        said = (e.get("proxy") or {}).get("decision")
        assert (said == "forwarded") == forwarded, e
        # a lookalike of the registry's name is answered by the simulator or refused by the proxy
        assert e["answer"]["by"] == ("registry" if forwarded else "simulator" if said is None or
                                     "registry host" in e["proxy"]["reason"] or not e.get("tls")
                                     else "proxy"), e
