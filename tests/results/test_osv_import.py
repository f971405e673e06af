"""Known-malicious intelligence: `pkgtrace osv import` of OSV records as ossf/malicious-packages
and osv.dev publish them, and `pkgtrace verify` flagging what they cover, analysed or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from verify.dataset import NPM_LOCK, PIP_LOCK, build


def pkgtrace(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PKGTRACE_INDEX", "PKGTRACE_STATE")}
    env["PKGTRACE_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True,
                          timeout=300, env=env)


def mal(rid: str, eco: str, name: str, *, versions=None, ranges=None, **extra) -> dict:
    aff: dict = {"package": {"ecosystem": eco, "name": name}}
    if versions is not None:
        aff["versions"] = versions
    if ranges is not None:
        aff["ranges"] = ranges
    return {"schema_version": "1.5.0", "id": rid, "modified": "2025-01-02T03:04:05Z",
            "summary": f"Malicious code in {name} ({eco})", "details": "exfiltrates tokens",
            "affected": [aff], **extra}


ALL = [{"type": "SEMVER", "events": [{"introduced": "0"}]}]


def _malicious_packages_checkout(root: Path) -> Path:
    """The ossf/malicious-packages layout: osv/malicious/<ecosystem>/<name>/MAL-….json."""
    recs = {
        "npm/is-number/MAL-2025-100.json": mal("MAL-2025-100", "npm", "is-number", versions=["7.0.0"]),
        "npm/@isaacs/string-locale-compare/MAL-2025-101.json":
            mal("MAL-2025-101", "npm", "@isaacs/string-locale-compare", ranges=ALL),
        "pypi/six/MAL-2025-102.json": mal("MAL-2025-102", "PyPI", "Six", ranges=[
            {"type": "ECOSYSTEM", "events": [{"introduced": "1.16.0"}, {"fixed": "1.18.0"}]}]),
        "pypi/old/MAL-2025-103.json": mal("MAL-2025-103", "PyPI", "more-itertools", versions=["11.2.1"],
                                          withdrawn="2025-02-01T00:00:00Z"),
    }
    for rel, rec in recs.items():
        f = root / "osv" / "malicious" / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(rec, indent=2))
    (root / "osv" / "withdrawn").mkdir(parents=True)
    (root / "README.md").write_text("not a record\n")
    return root


def _rows(doc: dict) -> dict[str, dict]:
    return {f"{r['dependency']['name']}@{r['dependency']['version']}": r for r in doc["results"]}


def test_import_malicious_packages_then_verify_flags_unanalysed_releases(tmp_path):
    data = tmp_path / "data"
    repo = _malicious_packages_checkout(tmp_path / "malicious-packages")
    p = pkgtrace("osv", "import", str(repo), "--json", data=data)
    assert p.returncode == 0, p.stderr
    counts = json.loads(p.stdout)
    assert (counts["records"], counts["packages"]) == (3, 3)  # the withdrawn one is not kept

    p = pkgtrace("verify", str(NPM_LOCK), str(PIP_LOCK), "--json", "--fail-on", "malicious", data=data)
    assert p.returncode == 1, p.stderr
    rows = _rows(json.loads(p.stdout))
    n7 = rows["is-number@7.0.0"]
    assert n7["status"] == "malicious"
    f = n7["release"]["findings"][0]
    assert f["rule"] == "osv-malicious-package" and f["message"].startswith("MAL-2025-100")
    assert n7["release"]["url"] == "https://osv.dev/vulnerability/MAL-2025-100"
    assert rows["is-number@6.0.0"]["status"] == "unknown"  # only 7.0.0 is listed
    assert rows["@isaacs/string-locale-compare@1.1.0"]["status"] == "malicious"  # introduced 0: all
    six = next(r for k, r in rows.items() if k.startswith("six@"))
    assert six["status"] == "malicious"  # "Six" in the record, "six" in the lockfile
    assert rows["more-itertools@11.2.1"]["status"] == "unknown"  # a withdrawn record is not intelligence

    # Importing again replaces, never duplicates.
    assert pkgtrace("osv", "import", str(repo), data=data).returncode == 0
    rows2 = _rows(json.loads(pkgtrace("verify", str(NPM_LOCK), "--json", data=data).stdout))
    assert len(rows2["is-number@7.0.0"]["release"]["findings"]) == 1


def test_osv_dev_zip_keeps_only_malicious_package_records(tmp_path):
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("MAL-2025-200.json", json.dumps(mal("MAL-2025-200", "npm", "ms", ranges=[
            {"type": "SEMVER", "events": [{"introduced": "2.1.0"}, {"last_affected": "2.1.2"}]}])))
        zf.writestr("GHSA-xxxx-yyyy-zzzz.json", json.dumps(mal("GHSA-xxxx-yyyy-zzzz", "npm", "is-odd",
                                                                ranges=ALL)))
        zf.writestr("MAL-2025-201.json", json.dumps(mal("MAL-2025-201", "Go", "example.com/x", ranges=ALL)))
        zf.writestr("broken.json", "{not json")
    data = tmp_path / "data"
    p = pkgtrace("osv", "import", str(z), "--json", data=data)
    assert p.returncode == 0, p.stderr
    c = json.loads(p.stdout)
    assert (c["records"], c["skipped"], c["other_ecosystems"]) == (1, 1, 1)
    assert any("broken.json" in e for e in c["errors"])
    rows = _rows(json.loads(pkgtrace("verify", str(NPM_LOCK), "--json", data=data).stdout))
    assert rows["ms@2.1.2"]["status"] == "malicious"   # last_affected is inclusive
    assert rows["ms@2.1.3"]["status"] == "unknown"     # past it
    assert rows["is-odd@3.0.1"]["status"] == "unknown"  # a GHSA advisory is not a malware record


def test_a_hostile_zip_entry_is_bounded(tmp_path):
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("MAL-2025-300.json", b" " * (9 << 20) + b"{}")  # 9 MiB of padding, compresses to KiB
        zf.writestr("MAL-2025-301.json", json.dumps(mal("MAL-2025-301", "npm", "ms", versions=["2.1.3"])))
    p = pkgtrace("osv", "import", str(z), "--json", data=tmp_path / "data")
    assert p.returncode == 0, p.stderr
    c = json.loads(p.stdout)
    assert c["records"] == 1 and any("too large" in e for e in c["errors"])


def test_export_osv_round_trips_through_the_importer(tmp_path):
    index, _ = build(tmp_path / "ds")
    out = tmp_path / "export"
    p = pkgtrace("export", "osv", str(out), "--index", index, "--json", data=tmp_path / "unused")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["reports"]
    # What pkgtrace published, imported by another pkgtrace that never analysed anything:
    fresh = tmp_path / "fresh"
    p = pkgtrace("osv", "import", str(out), "--json", data=fresh)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["records"] == 2  # is-odd (npm) and jaraco.classes (PyPI)
    rows = _rows(json.loads(pkgtrace("verify", str(NPM_LOCK), str(PIP_LOCK), "--json", data=fresh).stdout))
    assert rows["is-odd@3.0.1"]["status"] == "malicious"
    assert rows["jaraco-classes@3.4.0"]["status"] == "malicious"
    assert rows["ms@2.1.2"]["status"] == "unknown"  # suspicious is not exported as malicious
    cited = rows["is-odd@3.0.1"]["release"]["findings"][0]["evidence"]["osv"]
    assert cited.startswith("MAL-0000-pkgtrace-")  # submission exports carry no id: the file name


def test_import_of_nothing_usable_is_an_error(tmp_path):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "a.json").write_text("[1, 2")
    p = pkgtrace("osv", "import", str(junk), data=tmp_path / "data")
    assert p.returncode == 2 and "unreadable" in p.stderr
    p = pkgtrace("osv", "import", str(tmp_path / "absent"), data=tmp_path / "data")
    assert p.returncode == 2 and "no such file" in " ".join(p.stderr.split())
