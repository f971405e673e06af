"""The simulator parses hostile traffic as an unprivileged uid of its own, not as root."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkgtrace.sandbox.netsim.network import SimulatedNetwork, simulator_uid

pytestmark = pytest.mark.sandbox


def _status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def test_simulator_drops_root_once_listening(tmp_path):
    run_id = "abcdef012345"
    with SimulatedNetwork(run_id, tmp_path) as net:
        st = _status(net.proc.pid)
        uid = simulator_uid(run_id)
        assert st["Uid"].split() == [str(uid)] * 4 and st["Gid"].split() == [str(uid)] * 4
        assert st["Groups"] == ""
        assert int(st["CapEff"], 16) == 0 and int(st["CapPrm"], 16) == 0
        assert st["NoNewPrivs"] == "1"
        # the CA key was read before the drop and is gone from the run folder
        assert not (tmp_path / "run-ca.key").exists()
        # the proxy socket is reachable by that uid only
        sock = Path(net.forwarder.path)
        assert sock.stat().st_uid == uid and sock.stat().st_mode & 0o077 == 0
        assert sock.parent.stat().st_uid == uid and sock.parent.stat().st_mode & 0o077 == 0


def test_runs_get_different_uids():
    assert simulator_uid("abcdef012345") != simulator_uid("123456789abc")
    assert all(simulator_uid(r) > 1_000_000_000 for r in ("0000000", "fffffff", "zz"))
