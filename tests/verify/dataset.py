"""A dataset as the pipeline leaves it: documents in a local results store and loaded into an
SQLite index by the real loader, for releases of the lockfiles under tests/fixtures/lockfiles.

The verdicts are recorded ones, in the report shape the verdict engine writes (score 0..100)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import load_documents, open_index
from pkgtrace.results.stores.local import LocalStore

LOCKS = Path(__file__).resolve().parent.parent / "fixtures" / "lockfiles"
NPM_LOCK = LOCKS / "real" / "npm-v3" / "package-lock.json"
PIP_LOCK = LOCKS / "real" / "pip-tools" / "requirements.txt"

EXFIL = {"rule": "dynamic.install_exfiltrates_env", "severity": "critical", "source": "dynamic", "phase": "install",
         "message": "postinstall sends the environment to 203.0.113.7:443 (evil.example)",
         "evidence": {"syscall": "sendto", "ip": "203.0.113.7", "domain": "evil.example", "excerpt": "AWS_SECRET"}}
BAIT = {"rule": "dynamic.bait_read", "severity": "high", "source": "dynamic", "phase": "install",
        "message": "reads the planted ~/.npmrc token", "evidence": {"path": "/root/.npmrc", "syscall": "openat"}}
OBFUSCATED = {"rule": "static.decode_then_eval", "severity": "medium", "source": "static",
              "message": "evaluates a base64-decoded string", "evidence": {"file": "index.js", "line": 3},
              "hash": "cd" * 32}  # the content hash of package/index.js, which suppressions key on

# (ecosystem, name as the registry spells it, version) -> verdict; None: analysed, no verdict yet
VERDICTS: dict[tuple[str, str, str], dict | None] = {
    ("npm", "is-odd", "3.0.1"): {"label": "malicious", "score": 97.0, "findings": [EXFIL, BAIT, OBFUSCATED]},
    ("npm", "ms", "2.1.2"): {"label": "suspicious", "score": 41.0, "findings": [OBFUSCATED]},
    ("npm", "ms", "2.1.3"): {"label": "benign", "score": 2.0, "findings": []},
    ("npm", "is-number", "7.0.0"): {"label": "benign", "score": 0.0, "findings": []},
    ("npm", "is-number", "6.0.0"): None,
    # PyPI's display spelling; lockfiles carry the canonical name (jaraco-classes)
    ("pypi", "jaraco.classes", "3.4.0"): {"label": "malicious", "score": 88.5, "findings": [EXFIL]},
    ("pypi", "six", "1.17.0"): {"label": "benign", "score": 1.0, "findings": []},
}


def documents(eco: str, name: str, version: str, verdict: dict | None) -> dict:
    report = {"schema_version": "pkgtrace-report/1",
              "package": {"ecosystem": eco, "name": name, "version": version},
              "artifact": {"filename": f"{name}-{version}.tgz", "sha256": "ab" * 32, "url": None, "local": False},
              "created": 1764000000, "timings": {"static_s": 0.4}}
    if verdict is not None:
        report["verdict"] = {**verdict, "suppressed": [], "evidence": {"static": True, "dynamic": True,
                                                                       "metadata": False, "code_files": 1}}
    static = {"schema_version": "1.0", "ecosystem": eco, "name": name, "version": version,
              "created": "2026-11-24T12:00:00Z",
              "results": {"files": [{"filename": "package/index.js", "size": 10, "sha256": "cd" * 32}]}}
    return {"static": static, "report": report}


def build(root: Path, verdicts: dict = VERDICTS) -> tuple[str, Path]:
    """(index URL, results folder) holding VERDICTS."""
    results = root / "results"
    index_url = f"sqlite:///{root / 'index.db'}"
    store, idx = LocalStore(results), open_index(index_url)
    try:
        for (eco, name, version), verdict in verdicts.items():
            pkg = Package(Ecosystem(eco), name, version)
            docs = documents(eco, name, version, verdict)
            store.put(pkg, docs)
            load_documents(idx, pkg, docs, location=store.location(pkg), duration_s=1.0)
    finally:
        idx.close()
    return index_url, results


def ms_row_with_suppression(dataset: list[str], digest: str, tmp: Path) -> dict:
    """`verify NPM_LOCK --json` against DATASET (["--index", URL] or ["--server", URL]) with an
    entry accepting ms 2.1.2's OBFUSCATED finding by content hash DIGEST: that release's row."""
    sup = tmp / "suppressions.yaml"
    sup.write_text(f"- {{package: npm/ms@2.1.2, rule: {OBFUSCATED['rule']}, hash: '{digest}', reason: reviewed decoder}}\n")
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(NPM_LOCK), *dataset, "--json",
                        "--suppressions", str(sup)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return next(r for r in json.loads(p.stdout)["results"]
                if (r["dependency"]["name"], r["dependency"]["version"]) == ("ms", "2.1.2"))


def wait_until(pred, timeout: float = 60.0, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(every)
    raise AssertionError("timed out")
