"""`pkgtrace verify` end to end, as a CI job runs it: real lockfiles, a dataset left by the real
loader, every output format, --fail-on exit codes, suppressions, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from verify.dataset import LOCKS, NPM_LOCK, OBFUSCATED, PIP_LOCK, VERDICTS, build, ms_row_with_suppression

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


def pkgtrace(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> str:
    url, _ = build(tmp_path_factory.mktemp("dataset"))
    return url


def test_table_shows_labels_and_top_findings(index):
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index)
    assert p.returncode == 0, p.stderr  # no --fail-on: reporting only
    lines = p.stdout.splitlines()
    row = next(ln for ln in lines if "is-odd" in ln)
    assert "malicious" in row and "97.00" in row and "[critical]" in row
    assert "dynamic.install_exfiltrates_env" in p.stdout  # the top finding, wrapped in its cell
    assert lines.index(row) < next(i for i, ln in enumerate(lines) if "suspicious" in ln)  # worst first
    assert any("ms (as my-ms)" in ln and "suspicious" in ln for ln in lines)
    assert any("@isaacs/string-locale-compare" in ln and "unknown" in ln for ln in lines)
    assert any("is-number" in ln and "6.0.0" in ln and "analysed, no verdict yet" in ln for ln in lines)
    assert "1 malicious, 1 suspicious" in p.stdout
    assert "1 dependency is not in the dataset; --analyze-missing" in p.stderr
    assert "Traceback" not in p.stderr


def test_fail_on_malicious_exits_1_and_sarif_validates(index, tmp_path):
    sarif = tmp_path / "out" / "pkgtrace.sarif"
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--fail-on", "malicious", "--format", "sarif",
                 "-o", str(sarif), cwd=FIXTURES.parent.parent)
    assert p.returncode == 1, p.stderr
    doc = json.loads(sarif.read_text())
    jsonschema.validators.validator_for(SARIF_SCHEMA)(SARIF_SCHEMA).validate(doc)
    results = doc["runs"][0]["results"]
    bad = next(r for r in results if r["properties"]["package"] == "is-odd")
    assert bad["level"] == "error" and bad["ruleId"] == "dynamic.install_exfiltrates_env"
    loc = bad["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "tests/fixtures/lockfiles/real/npm-v3/package-lock.json"
    line = NPM_LOCK.read_text().splitlines()[loc["region"]["startLine"] - 1]
    assert '"node_modules/is-odd"' in line
    assert {r["properties"]["package"] for r in results} == {"is-odd", "ms"}  # flagged releases only


def test_fail_on_thresholds(index, tmp_path):
    # pip-tools lockfile: jaraco-classes is malicious (stored as jaraco.classes: the name is folded)
    p = pkgtrace("verify", str(PIP_LOCK), "--index", index, "--fail-on", "malicious", "--json")
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    row = next(r for r in doc["results"] if r["dependency"]["name"] == "jaraco-classes")
    assert row["status"] == "malicious" and row["release"]["score"] == 88.5
    assert {r["dependency"]["name"]: r["status"] for r in doc["results"]}["six"] == "benign"

    only_suspicious = tmp_path / "package-lock.json"
    lock = json.loads(NPM_LOCK.read_text())
    del lock["packages"]["node_modules/is-odd"]
    only_suspicious.write_text(json.dumps(lock, indent=2))
    assert pkgtrace("verify", str(only_suspicious), "--index", index, "--fail-on", "malicious").returncode == 0
    assert pkgtrace("verify", str(only_suspicious), "--index", index, "--fail-on", "suspicious").returncode == 1


def test_json_markdown_and_osv_formats(index):
    doc = json.loads(pkgtrace("verify", str(NPM_LOCK), "--index", index, "--format", "json").stdout)
    assert doc["schema_version"] == "pkgtrace-verify/1"
    assert doc["summary"]["malicious"] == 1 and doc["summary"]["suspicious"] == 1
    statuses = {r["dependency"]["name"] + "@" + (r["dependency"]["version"] or ""): r["status"] for r in doc["results"]}
    assert statuses["is-number@6.0.0"] == "unknown"  # analysed, but without a verdict yet
    assert statuses["@demo/app@0.1.0"] == "not-looked-up"  # a workspace package

    md = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--format", "markdown").stdout
    assert "🛑 **1 malicious** release(s)" in md and "`npm/is-odd`" in md

    osv = json.loads(pkgtrace("verify", str(NPM_LOCK), "--index", index, "--format", "osv").stdout)
    assert [r["affected"][0]["package"] for r in osv] == [{"ecosystem": "npm", "name": "is-odd"}]


def test_suppressions(index, tmp_path):
    sup = tmp_path / ".pkgtrace-suppressions.yaml"
    sup.write_text("suppressions:\n"
                   "  - package: npm/is-odd\n    version: 3.0.1\n    reason: reviewed, vendored fork\n"
                   "  - package: npm/ms\n    rule: static.decode_then_eval\n    reason: minified build\n")
    sarif = tmp_path / "s.sarif"
    # found in the working directory, without --suppressions
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--fail-on", "suspicious", "--format", "sarif",
                 "-o", str(sarif), cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    sup_by_pkg = {r["properties"]["package"]: r["suppressions"][0]["justification"] for r in results}
    assert sup_by_pkg == {"is-odd": "reviewed, vendored fork", "ms": "minified build"}
    assert "2 suppressed" in p.stderr

    expired = tmp_path / "old.yaml"
    expired.write_text("- package: npm/is-odd\n  reason: was fine\n  expires: 2020-01-01\n")
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--fail-on", "malicious", "--suppressions", str(expired))
    assert p.returncode == 1 and "suppression expired 2020-01-01" in p.stderr

    bad = tmp_path / "bad.yaml"
    bad.write_text("suppressions:\n  - package: npm/is-odd\n")
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--suppressions", str(bad))
    assert p.returncode == 2 and "suppressions[0].reason: required" in p.stderr


def test_hash_keyed_suppressions_hold_against_the_index(tmp_path):
    """The index keeps each finding's content hash, so an entry keyed on it silences that finding
    in local verify as in remote verify; the same rule with another hash (changed code) silences
    nothing. An index from before it kept hashes is upgraded when opened; a reindex fills them."""
    index, results = build(tmp_path / "dataset")
    local = ["--index", index]
    assert ms_row_with_suppression(local, OBFUSCATED["hash"], tmp_path)["suppressed"] == "reviewed decoder"
    other = ms_row_with_suppression(local, OBFUSCATED["hash"][::-1], tmp_path)  # the look-alike
    assert other["suppressed"] is None and other["status"] == "suspicious"

    engine = sa.create_engine(index)
    with engine.begin() as c:  # the findings table as the earlier version made it
        c.execute(sa.text("ALTER TABLE findings DROP COLUMN hash"))
    engine.dispose()
    unhashed = ms_row_with_suppression(local, OBFUSCATED["hash"], tmp_path)
    assert unhashed["suppressed"] is None and unhashed["status"] == "suspicious"  # nothing to match yet
    p = pkgtrace("export", "reindex", "--results", str(results), "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"loaded": len(VERDICTS), "failed": 0}
    assert ms_row_with_suppression(local, OBFUSCATED["hash"], tmp_path)["suppressed"] == "reviewed decoder"
    assert ms_row_with_suppression(local, OBFUSCATED["hash"][::-1], tmp_path)["suppressed"] is None


def test_malformed_lockfile_is_named_and_exit_2(index, tmp_path):
    bad = tmp_path / "poetry.lock"
    bad.write_text('[[package]]\nname = "six"\nversion = 1.17\n')
    p = pkgtrace("verify", str(bad), str(PIP_LOCK), "--index", index, "--json")
    assert p.returncode == 2
    assert f"{bad}:2 [package[0].version]: expected a string, found float 1.17" in p.stderr  # its entry
    assert "Traceback" not in p.stderr
    doc = json.loads(p.stdout)  # the readable lockfile is still reported
    assert doc["lockfiles"] == [str(PIP_LOCK)]


def test_usage_and_infrastructure_errors(index, tmp_path):
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--format", "xml")
    assert p.returncode == 2 and "unknown format 'xml'" in p.stderr
    p = pkgtrace("verify", str(NPM_LOCK), "--index", index, "--fail-on", "benign")
    assert p.returncode == 2 and "--fail-on must be unknown, suspicious or malicious" in p.stderr
    p = pkgtrace("verify", str(NPM_LOCK), "--server", "http://127.0.0.1:9")  # nothing listens there
    assert p.returncode == 3 and "127.0.0.1:9" in p.stderr and "Traceback" not in p.stderr
    p = pkgtrace("verify", str(tmp_path / "nope.lock"), "--index", index)
    assert p.returncode == 2 and "no such file" in p.stderr
    # no dataset given and none in the data folder yet: every dependency is not analysed (exit 0;
    # tests/verify/test_first_run.py), and nothing is created, here or in the data folder
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKGTRACE_")}
    env["PKGTRACE_DATA"] = str(tmp_path / "data")
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(NPM_LOCK)], capture_output=True,
                       text=True, timeout=60, cwd=tmp_path, env=env)
    assert p.returncode == 0 and "no analyses yet" in p.stderr
    assert not (tmp_path / "pkgtrace-state").exists() and not (tmp_path / "data").exists()


def test_every_real_lockfile_verifies(index):
    """Every lockfile format, as its tool wrote it, goes through verify without error."""
    files = sorted(p for p in (LOCKS / "real").rglob("*")
                   if p.name in {"requirements.txt", "pylock.toml", "uv.lock", "poetry.lock", "Pipfile.lock",
                                 "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                                 "Gemfile.lock", "composer.lock", "Cargo.lock"})
    assert len(files) == 16
    p = pkgtrace("verify", *map(str, files), "--index", index, "--json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert len(doc["lockfiles"]) == 16
    by_lock = {}
    for r in doc["results"]:
        by_lock.setdefault(r["dependency"]["file"], set()).add(r["status"])
    # is-odd@3.0.1 is in every npm-registry lockfile and found in each
    for name in ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"):
        assert all("malicious" in s for f, s in by_lock.items() if f.endswith(name)), name
