"""`pkgtrace diff` on two real analyses (recorded): release 1.1.0 of the fixture package adds a
postinstall hook that phones home; the diff lists the new host, commands, hook, findings and files."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from diff.recorded import NAME, recorded_store


def pkgtrace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    recorded_store(root)
    return root


def values(diff: dict, side: str, dim: str) -> list[str]:
    return [i["value"] for i in diff[side][dim]]


def check_phone_home(d: dict, side: str) -> None:
    assert values(d, side, "hosts") == ["telemetry.phonehome.example"]
    host = d[side]["hosts"][0]
    assert host["phases"] == ["install"] and "HTTP POST /v1/collect" in host["detail"]
    assert "sh -c node collect.js" in values(d, side, "commands")
    assert "uname -a" in values(d, side, "commands")
    assert values(d, side, "install_hooks") == ["npm-script package.json [postinstall]",
                                                "npm-script-file collect.js [postinstall]"]
    assert d[side]["install_hooks"][0]["detail"] == "node collect.js"
    assert any(s.endswith(":80") for s in values(d, side, "sockets"))
    assert "write /opt/pkgtrace/npm/node_modules/pkgtrace-fixture-phonehome/collect.js" in values(d, side, "files")
    assert {"DYN-HTTP-REQUEST", "STATIC-INSTALL-HOOK-NETWORK"} <= set(values(d, side, "findings"))


def test_new_release_phones_home_from_an_install_hook(results):
    p = pkgtrace("diff", "npm", NAME, "1.0.0", "1.1.0", "--results", str(results), "--json")
    assert p.returncode == 0, p.stderr
    d = json.loads(p.stdout)
    assert (d["from"], d["to"], d["changed"]) == ("1.0.0", "1.1.0", True)
    assert d["label"] == {"old": "benign", "new": "malicious"}
    check_phone_home(d, "added")
    assert not any(d["removed"][k] for k in ("hosts", "sockets", "commands", "install_hooks", "findings"))
    # the npm cache's per-run names are folded away: what the older release did too is no news
    assert not any("_cacache/tmp/" in v and not v.endswith("/*") for v in values(d, "added", "files"))
    assert d["contents"]["added"] == ["collect.js"]
    assert {c["path"] for c in d["contents"]["changed"]} == {"index.js", "package.json"}


def test_the_other_way_round_it_stopped_doing_it(results):
    d = json.loads(pkgtrace("diff", "npm", NAME, "1.1.0", "1.0.0", "--results", str(results), "--json").stdout)
    check_phone_home(d, "removed")
    assert d["contents"]["removed"] == ["collect.js"]


def test_table_and_exit_codes(results, tmp_path):
    p = pkgtrace("diff", "npm", NAME, "1.0.0", "1.1.0", "--results", str(results), "--fail-on-change")
    assert p.returncode == 1
    out = p.stdout
    assert "behaves differently" in out and "label benign → malicious" in out
    for text in ("telemetry.phonehome.example", "sh -c node collect.js", "npm-script package.json [postinstall]"):
        assert text in out
    same = pkgtrace("diff", "npm", NAME, "1.0.0", "1.0.0", "--results", str(results), "--fail-on-change", "--json")
    assert same.returncode == 0 and json.loads(same.stdout)["changed"] is False
    missing = pkgtrace("diff", "npm", NAME, "1.0.0", "9.9.9", "--results", str(results))
    assert missing.returncode == 2 and "no stored analysis of npm/pkgtrace-fixture-phonehome 9.9.9" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad = pkgtrace("diff", "cobol", NAME, "1", "2", "--results", str(results))
    assert bad.returncode == 2 and "unknown ecosystem" in bad.stderr
