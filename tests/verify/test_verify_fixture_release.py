"""verify and the OSV export against a dataset holding a known-malicious fixture release: the real
analysis (sandbox, static analysis, verdict engine) of pkgtrace-fixture-phonehome 1.1.0, recorded,
loaded by the real loader; a project's lockfile pins it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from diff.recorded import NAME, VERSIONS, read_recorded
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import load_documents, open_index
from pkgtrace.results.stores.local import LocalStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


def pkgtrace(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ds")
    index = f"sqlite:///{root / 'index.db'}"
    store, idx = LocalStore(root / "results"), open_index(index)
    for v in VERSIONS:
        pkg, docs = Package(Ecosystem.NPM, NAME, v), read_recorded(v)
        store.put(pkg, docs)
        load_documents(idx, pkg, docs, location=store.location(pkg))
    idx.close()
    return root, index


def project(root: Path, version: str) -> Path:
    (root / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0",
                                                   "dependencies": {NAME: version}}))
    lock = root / "package-lock.json"
    lock.write_text(json.dumps({"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": {
        "": {"name": "app", "version": "1.0.0", "dependencies": {NAME: version}},
        f"node_modules/{NAME}": {"version": version, "resolved": f"https://registry.npmjs.org/{NAME}/-/{NAME}-{version}.tgz",
                                 "hasInstallScript": version == "1.1.0"}}}, indent=2))
    return lock


def test_the_malicious_release_fails_ci_with_valid_sarif(dataset, tmp_path):
    _, index = dataset
    lock = project(tmp_path, "1.1.0")
    p = pkgtrace("verify", str(lock), "--index", index, "--fail-on", "malicious", "--format", "sarif",
                 "-o", "pkgtrace.sarif", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    doc = json.loads((tmp_path / "pkgtrace.sarif").read_text())
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(doc)
    [result] = doc["runs"][0]["results"]
    assert result["level"] == "error" and result["properties"]["label"] == "malicious"
    assert result["ruleId"] in {"COMBO-DNS-AND-CONNECT", "STATIC-SYSINFO-EXFIL"}  # a critical finding leads
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "package-lock.json"
    assert "telemetry.phonehome.example" in json.dumps(result["properties"]["findings"])
    rules = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert {"DYN-HTTP-REQUEST", "STATIC-INSTALL-HOOK-NETWORK"} <= rules


def test_the_previous_release_passes(dataset, tmp_path):
    _, index = dataset
    p = pkgtrace("verify", str(project(tmp_path, "1.0.0")), "--index", index, "--fail-on", "suspicious", "--json")
    assert p.returncode == 0, p.stderr
    [row] = json.loads(p.stdout)["results"]
    assert row["status"] == "benign"


def test_suppressing_the_reviewed_release(dataset, tmp_path):
    """A consumer can accept a reviewed release, or each of its findings by rule and content hash
    (the verdict engine's kind of entry): the index keeps the hashes; another hash silences nothing."""
    _, index = dataset
    lock = project(tmp_path, "1.1.0")
    reviewed = {(f["rule"], f["hash"]) for f in read_recorded("1.1.0")["report"]["verdict"]["findings"]}
    for exact, exit_code in ((True, 0), (False, 1)):
        (tmp_path / "h.yaml").write_text("".join(f"- {{package: npm/{NAME}, rule: {r}, hash: '{h if exact else 'ab' * 32}', "
                                                 "reason: reviewed}\n" for r, h in reviewed))
        p = pkgtrace("verify", str(lock), "--index", index, "--fail-on", "malicious", "--suppressions",
                     str(tmp_path / "h.yaml"))
        assert p.returncode == exit_code, p.stdout + p.stderr
    (tmp_path / "s.yaml").write_text(f"- package: npm/{NAME}@1.1.0\n  reason: our own test fixture\n")
    p = pkgtrace("verify", str(lock), "--index", index, "--fail-on", "malicious", "--suppressions",
                 str(tmp_path / "s.yaml"), "--format", "markdown")
    assert p.returncode == 0, p.stderr
    assert "malicious (suppressed)" in p.stdout


def test_osv_export_of_the_malicious_release(dataset, tmp_path):
    _, index = dataset
    p = pkgtrace("export", "osv", str(tmp_path / "mp"), "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["releases"] == 1
    [path] = out["reports"]
    rel = Path(path).relative_to(tmp_path / "mp")
    assert rel.parts[:4] == ("osv", "malicious", "npm", NAME) and rel.name.startswith("MAL-0000-pkgtrace-")
    report = json.loads(Path(path).read_text())
    # malicious-packages' contribution rules: no id or summary, one affected entry, credits, iocs
    assert "id" not in report and "summary" not in report
    assert report["affected"] == [{"package": {"ecosystem": "npm", "name": NAME}, "versions": ["1.1.0"]}]
    assert report["credits"][0]["type"] == "FINDER"
    assert report["database_specific"]["iocs"]["domains"] == ["telemetry.phonehome.example"]
    assert "ip_addresses" not in report["database_specific"]["iocs"]  # the simulator's answers are not IoCs
    assert "collects host/user data" in report["details"]
    # with ids, it is a complete OSV record (the schema's required fields and types)
    p = pkgtrace("export", "osv", str(tmp_path / "ids"), "--index", index, "--with-ids", "--json")
    full = json.loads(Path(json.loads(p.stdout)["reports"][0]).read_text())
    assert full["id"].startswith("MAL-0000-pkgtrace-") and full["modified"].endswith("Z")
    assert full["summary"] == f"Malicious code in {NAME} (npm)"
