"""A runner reaps only what no live run uses: namespaces of a run that another runs folder
(PKGTRACE_RUNS) owns are left alone while anything runs in them, and removed once they are
empty and old. (Before, every pkt-* namespace unknown to this runs folder was deleted, so a
test with a private runs folder tore down a concurrent analysis's network.)"""

from __future__ import annotations

import subprocess
import uuid

import pytest

from pkgtrace.sandbox.netsim import namespaces
from pkgtrace.sandbox.netsim.namespaces import NamespacePair, stale_namespaces
from pkgtrace.sandbox.runsc import reap_stale

pytestmark = pytest.mark.sandbox


def test_a_namespace_in_use_is_not_reaped_by_another_runs_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PKGTRACE_RUNS", str(tmp_path / "runs"))
    (tmp_path / "runs").mkdir()
    pair = NamespacePair(uuid.uuid4().hex[:10])
    subprocess.run(["ip", "netns", "add", pair.sandbox], check=True)
    subprocess.run(["ip", "netns", "add", pair.simulator], check=True)
    sleeper = subprocess.Popen(["nsenter", f"--net=/run/netns/{pair.simulator}", "sleep", "300"])
    monkeypatch.setattr(namespaces, "SETUP_GRACE_S", 0.0)  # old enough: only its process protects it
    try:
        reap_stale()
        assert {pair.sandbox, pair.simulator} <= set(stale_namespaces())
    finally:
        sleeper.kill()
        sleeper.wait()
    reap_stale()  # now empty and old: reaped
    assert not {pair.sandbox, pair.simulator} & set(stale_namespaces())


def test_a_namespace_being_set_up_is_not_reaped(tmp_path, monkeypatch):
    monkeypatch.setenv("PKGTRACE_RUNS", str(tmp_path / "runs"))
    (tmp_path / "runs").mkdir()
    pair = NamespacePair(uuid.uuid4().hex[:10])
    subprocess.run(["ip", "netns", "add", pair.sandbox], check=True)
    try:
        reap_stale()  # fresh and empty: its runner may not have started anything in it yet
        assert pair.sandbox in stale_namespaces()
    finally:
        subprocess.run(["ip", "netns", "del", pair.sandbox], capture_output=True)
