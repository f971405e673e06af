"""The diff from real analyses in the sandbox (about 15-25 s each): the fixture package's 1.0.0,
then its 1.1.0, which adds a postinstall hook that phones home.

PKGTRACE_RECORD_DIFF_FIXTURES=1 also writes the documents to tests/fixtures/diff/npm-phonehome
(bait values redacted) for the tests that run without a sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from builders import npm_tgz
from diff.recorded import NAME, SOURCES, VERSIONS, write_recorded

pytestmark = pytest.mark.sandbox


def run_cli_json(*args: str) -> dict:
    p = subprocess.run([sys.executable, "-m", "pkgtrace", *args, "--json"], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return json.loads(p.stdout)


def test_diff_of_two_real_analyses(tmp_path):
    results = tmp_path / "results"
    docs = {}
    for v in VERSIONS:
        tgz = npm_tgz(tmp_path / "dist", {p.name: p.read_text() for p in (SOURCES / v).iterdir()})
        docs[v] = run_cli_json("analyze", "npm", "--local", str(tgz), "--mode", "all", "--results", str(results),
                               "--timeout", "120")
        assert docs[v]["dynamic"]["Analysis"]["install"]["Status"] == "completed"
    if os.environ.get("PKGTRACE_RECORD_DIFF_FIXTURES"):
        for v in VERSIONS:
            write_recorded(v, docs[v])
    d = run_cli_json("diff", "npm", NAME, *VERSIONS, "--results", str(results))
    added = {k: [i["value"] for i in items] for k, items in d["added"].items()}
    assert "telemetry.phonehome.example" in added["hosts"]
    assert "sh -c node collect.js" in added["commands"] and "uname -a" in added["commands"]
    assert "npm-script package.json [postinstall]" in added["install_hooks"]
    assert not any(d["removed"][k] for k in ("hosts", "commands", "install_hooks"))
