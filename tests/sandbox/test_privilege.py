"""Least privilege in the guest: a package that knows it is analysed, running as the package user,
can neither change what pkgtrace runs or reads afterwards, nor kill the guest's init, nor leave a
daemon running into the next phase, nor see pkgtrace's own pieces. One analysis of a hostile probe
(fixtures/packages/pypi_guest_probe); each test checks one attack, from the package's side (what
it reported) and from pkgtrace's (what the report says)."""

from __future__ import annotations

import base64
import json

import pytest

from builders import guest_probe_pypi
from clirun import run_cli_json
from pkgtrace.sandbox import layout

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe")
    artifact = guest_probe_pypi(tmp / "dist")
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(tmp / "results"), "--timeout", "120", timeout=600)
    posted = [e for e in docs["report"]["dynamic"]["phases"]["install"]["network"]
              if (e.get("http") or {}).get("target") == "/guest-probe"]
    assert posted, "the probe's report never reached the simulator"
    seen = json.loads(base64.b64decode(posted[0]["http"]["body_b64"]))
    return docs, seen


def _phase(docs, name):
    return docs["report"]["dynamic"]["phases"][name]


def _rules(docs):
    return {f["rule"] for f in docs["report"]["verdict"]["findings"]}


def test_package_code_runs_as_an_unprivileged_user(probe):
    _docs, seen = probe
    assert seen["uid"] == seen["euid"] == layout.UID
    assert seen["home"] == layout.HOME


@pytest.mark.parametrize("attempt", ["pth", "pth_local", "cat", "sh", "node_first_on_path",
                                     "python_first_on_path"])
def test_what_pkgtrace_runs_cannot_be_replaced(probe, attempt):
    """A .pth in the system site folder, a forged /bin/cat or /bin/sh, a node or python3 first on
    PATH: each write is refused, and the phases after it ran with pkgtrace's own drivers."""
    docs, seen = probe
    assert seen[attempt].startswith(("PermissionError", "OSError")), seen[attempt]
    # The import and execute drivers ran and recorded their steps where the package cannot write.
    assert docs["dynamic"]["Analysis"]["import"]["Status"] == "completed"
    execute = _phase(docs, "execute")
    assert docs["dynamic"]["Analysis"]["execute"]["Status"] == "completed", execute["reason"]
    assert [s["name"] for s in execute.get("steps") or []], execute["reason"]
    assert all(s["status"] == "ok" for s in execute["steps"]), execute["steps"]
    # The refused attempts are evidence, in the phase that made them.
    refused = json.dumps(_phase(docs, "install")["failed"])
    assert "zz_hook.pth" in refused and "/usr/local/bin/node" in refused and "/bin/sh" in refused
    assert "DYN-SYSTEM-TAMPER-REFUSED" in _rules(docs)


def test_killing_init_fails_and_every_phase_still_runs(probe):
    docs, seen = probe
    assert seen["kill_init"].startswith("PermissionError"), seen["kill_init"]
    assert seen["kill_command"] != 0
    for phase in ("install", "import", "execute"):
        assert docs["dynamic"]["Analysis"][phase]["Status"] == "completed", _phase(docs, phase)["reason"]
    cmds = [c["Command"] for c in docs["dynamic"]["Analysis"]["install"]["Commands"]]
    assert ["/bin/kill", "-9", "1"] in cmds
    assert "DYN-KILL-INIT" in _rules(docs)


def test_a_daemon_is_reported_and_killed_before_the_next_phase(probe):
    docs, _seen = probe
    install, imp = _phase(docs, "install"), _phase(docs, "import")
    assert install["left_running"], "the daemon the install left behind is not reported"
    # It kept reading the ed25519 key during install; after the between-phase kill it never
    # reads it again, while the import's own behaviour is recorded in the import phase.
    key = f"{layout.HOME}/.ssh/id_ed25519"
    assert any(f["path"] == key and f["read"] for f in install["files"])
    assert not any(f["path"] == key for f in imp["files"])
    assert any(f["path"] == f"{layout.HOME}/.aws/credentials" and f["read"] for f in imp["files"])
    assert any(f["path"] == f"{layout.HOME}/.bashrc" and f["write"] for f in imp["files"])
    assert {"DYN-LEFT-RUNNING", "DYN-BAIT-READ", "DYN-PERSISTENCE-WRITE"} <= _rules(docs)
    assert docs["report"]["verdict"]["label"] != "benign"


def test_pkgtrace_is_out_of_the_package_users_sight(probe):
    _docs, seen = probe
    for attempt in ("list_root", "read_driver", "records"):
        assert seen[attempt].startswith("PermissionError"), (attempt, seen[attempt])
    assert "pkgtrace" not in seen["root_entries"]
    assert not seen["pkgtrace_env"]
    assert not [c for c in seen["cmdlines"] if "pkgtrace" in c.lower()]
    assert seen["init"].split()[-1] == "/sbin/init"


def test_the_machine_looks_like_one(probe):
    _docs, seen = probe
    assert seen["hostname"] == seen["etc_hostname"] == layout.HOSTNAME
    assert f"127.0.1.1\t{layout.HOSTNAME}" in seen["etc_hosts"]
    assert seen["interfaces"] == ["eth0", "lo"]
    # Bait that looks lived-in: distinct keys, months old, among ordinary files.
    assert seen["keys_distinct"]
    assert all(age > 20 for age in seen["key_age_days"].values()), seen["key_age_days"]
    assert {".bashrc", ".gitconfig", ".bash_history", ".ssh", ".aws"} <= set(seen["home_entries"])
    # RAM is not exactly the --memory limit (4096 MiB on the dot is a sandbox's figure).
    assert seen["memtotal_kb"] % 1024 != 0 or seen["memtotal_kb"] // 1024 % 64 != 0, seen["memtotal_kb"]
