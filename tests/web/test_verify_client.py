"""`pkgtrace verify --server URL` (the verify feature's HTTP client) against this server: the
release endpoint is the contract between them."""

from __future__ import annotations

import json
import subprocess
import sys


def test_verify_cli_against_a_running_server(live_server, tmp_path):
    lock = tmp_path / "requirements.txt"
    lock.write_text("evil-pkg==1.0.0\nrequests==2.32.3\n")
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(lock), "--server", live_server,
                        "--json", "--fail-on", "malicious"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr  # a malicious dependency: --fail-on matched
    doc = json.loads(p.stdout)
    text = json.dumps(doc)
    assert "evil-pkg" in text and "malicious" in text and "dynamic.bait_read" in text
    ok = tmp_path / "ok" / "requirements.txt"
    ok.parent.mkdir()
    ok.write_text("evil-pkg==0.9.0\n")
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "verify", str(ok), "--server", live_server, "--json",
                        "--fail-on", "suspicious"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "benign" in p.stdout


def test_remote_dataset_reads_scoped_and_unknown(live_server):
    from pkgtrace.model import Ecosystem, Package
    from pkgtrace.verify.remote import RemoteDataset
    ds = RemoteDataset(live_server)
    try:
        rec = ds.lookup(Package(Ecosystem.NPM, "@acme/widget", "2.0.0"))
        assert rec is not None and rec.label == "benign"
        assert ds.lookup(Package(Ecosystem.PYPI, "no-such-pkg", "1.0")) is None
        evil = ds.lookup(Package(Ecosystem.PYPI, "evil-pkg", "1.0.0"))
        assert evil.label == "malicious" and [f.rule for f in evil.findings][:1] == ["dynamic.bait_read"]
        assert evil.url.startswith(live_server + "/release/pypi/evil-pkg/1.0.0")
    finally:
        ds.close()
