"""Which phase, and which execute step, a captured event belongs to: matched by time."""

from __future__ import annotations

from datetime import datetime, timezone

from pkgtrace.dynamic.run import _events_by_phase, _steps
from pkgtrace.dynamic.trace import PhaseTrace
from pkgtrace.sandbox.runsc import ExecResult


def _r(started: float, ended: float) -> ExecResult:
    return ExecResult(0, b"", b"", 2, started, ended)


def test_events_go_to_the_phase_running_then_not_the_next_one_about_to_start():
    results = {"install": _r(100.0, 110.0), "import": _r(110.3, 112.0), "execute": _r(112.1, 120.0)}
    events = [{"kind": "tcp", "t": 109.9}, {"kind": "dns", "t": 111.9},  # just before a phase ends
              {"kind": "tcp", "t": 112.05},  # between import and execute: the one that ran
              {"kind": "tcp", "t": 99.8}, {"kind": "tcp", "t": 119.0}]
    out = _events_by_phase(events, results)
    assert [e["t"] for e in out["install"]] == [109.9, 99.8]
    assert [e["t"] for e in out["import"]] == [111.9, 112.05]
    assert [e["t"] for e in out["execute"]] == [119.0]


def _log_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S.%f")


def test_each_step_gets_the_commands_and_network_activity_of_its_time():
    t = 1_800_000_000.0
    pt = PhaseTrace(commands=[{"pid": 5, "argv": ["sh", "-c", "id"], "env": [], "exe": "/bin/sh",
                               "time": _log_time(t + 1.5)},
                              {"pid": 6, "argv": ["true"], "env": [], "exe": "/bin/true",
                               "time": _log_time(t + 5)}])
    events = [{"kind": "dns", "hostname": "exfil.example", "t": t + 1.2},
              {"kind": "tcp", "dst": "10.9.8.7", "port": 8080, "hostname": None, "t": t + 1.7,
               "http": {"method": "POST", "target": "/collect"}},
              {"kind": "tcp", "dst": "1.2.3.4", "port": 443, "hostname": None, "t": t + 0.5,
               "tls": {"sni": "c2.example"}}]
    items = [{"i": 0, "name": "quiet", "status": "ok", "start": t, "end": t + 0.9},
             {"i": 1, "name": "connect", "status": "ok", "start": t + 1.0, "end": t + 2.0}]
    quiet, connect = _steps(items, pt, events)
    assert quiet["did"] == {"commands": [], "network": [{"dst": "1.2.3.4", "port": 443, "sni": "c2.example"}]}
    assert connect["did"]["commands"] == [["sh", "-c", "id"]]
    assert connect["did"]["network"] == [{"dns": "exfil.example"},
                                         {"dst": "10.9.8.7", "port": 8080, "http": "POST /collect"}]
    assert "start" not in connect  # the raw times stay in the guest's record
