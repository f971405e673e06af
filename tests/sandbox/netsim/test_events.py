"""The simulator's event log: bounded under floods, and 'allowed' only with the proxy's word for it."""

from __future__ import annotations

import json

from pkgtrace.sandbox.netsim import server
from pkgtrace.sandbox.netsim.network import confirm_forwarded


def _state(tmp_path) -> server.State:
    cfg = server.Config(events=str(tmp_path / "events.jsonl"), forwarder="", allow=[], gateway="", tcp_port=0)
    return server.State(cfg)


def test_a_flood_is_bounded_in_count_and_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(server, "MAX_EVENTS", 300)
    monkeypatch.setattr(server, "FULL_EVENT_BYTES", 100_000)
    state = _state(tmp_path)
    big = {"kind": "tcp", "dst": "203.0.113.9", "first_bytes_b64": "A" * 1400,
           "http": {"method": "POST", "target": "/x", "body_b64": "B" * 20000, "headers": [["a", "b"]]}}
    for _ in range(1000):
        state.emit(dict(big))
    state.finish()
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert len(lines) == 301 and (tmp_path / "events.jsonl").stat().st_size < 200_000
    events = [json.loads(x) for x in lines]
    assert events[-1] == {"kind": "events_dropped", "count": 700, "t": events[-1]["t"]}
    slim = events[-2]
    # the facts stay (who, where, which request); the bulk goes, and says so
    assert slim["slimmed"] and slim["http"]["target"] == "/x" and "body_b64" not in slim["http"]


def test_allowed_needs_the_proxys_record():
    forwarded = {"kind": "tcp", "allowed": True, "tls": {"sni": "pypi.org"},
                 "http": {"method": "GET", "target": "/simple/six/"}}
    forged = {"kind": "tcp", "allowed": True, "tls": {"sni": "pypi.org"},
              "http": {"method": "PUT", "target": "/simple/six/"}}
    replayed = dict(forwarded, http=dict(forwarded["http"]))
    log = [{"host": "pypi.org", "method": "GET", "target": "/simple/six/", "decision": "forwarded"},
           {"host": "pypi.org", "method": "PUT", "target": "/simple/six/", "decision": "refused"}]
    events = confirm_forwarded([forwarded, forged, replayed], log)
    assert [e["allowed"] for e in events] == [True, False, False]
    assert "no record" in events[1]["proxy"]["unconfirmed"]
