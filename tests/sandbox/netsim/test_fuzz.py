"""The simulator parses hostile DNS, TLS ClientHellos and HTTP: fuzzed, it neither crashes nor hangs.

Each parser gets arbitrary bytes and structured near-misses (valid framing, hostile content);
the connection handler gets them over a real socket and must end within its idle bound.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading

from dnslib import DNSRecord, RR, TXT
from hypothesis import HealthCheck, given, settings, strategies as st

from pkgtrace.sandbox.netsim import protocols, server
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.policy import decide

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])


def _client_hello(sni: bytes, extra: bytes = b"", declared: int | None = None) -> bytes:
    ext = struct.pack("!HH", 0, len(sni) + 5) + struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni + extra
    body = b"\x03\x03" + b"\x00" * 32 + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", declared if declared is not None else len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


@FUZZ
@given(st.binary(max_size=2048))
def test_client_hello_parser_takes_any_bytes(data):
    protocols.parse_client_hello(data)
    protocols.parse_client_hello(b"\x16\x03\x01" + data)


@FUZZ
@given(st.binary(max_size=300), st.binary(max_size=200), st.integers(0, 0xFFFF))
def test_client_hello_with_hostile_fields(sni, extra, declared):
    hello = protocols.parse_client_hello(_client_hello(sni, extra, declared))
    if hello is not None and hello.sni is not None:
        assert isinstance(hello.sni, str)


def test_client_hello_sni_is_read():
    assert protocols.parse_client_hello(_client_hello(b"Collect.Example")).sni == "collect.example"


@FUZZ
@given(st.binary(max_size=4096))
def test_http_head_parser_takes_any_bytes(data):
    for d in (data, data + b"\r\n\r\n", b"GET " + data + b"\r\n\r\n"):
        req = protocols.parse_http_head(d)
        if req is not None:
            assert req.header_bytes <= len(d)
            assert len(req.headers) <= protocols.MAX_HEADERS
            protocols.content_length(req)


def test_http_head_edge_cases_found_by_fuzzing():
    # an empty head once raised IndexError in the connection thread
    assert protocols.parse_http_head(b"\r\n\r\n") is None
    assert protocols.parse_http_head(b"\n\n") is None
    assert protocols.parse_http_head(b" \r\n\r\n") is None
    req = protocols.parse_http_head(b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")
    assert protocols.content_length(req) == 0


@FUZZ
@given(st.binary(max_size=4096), st.integers(0, 1 << 20))
def test_chunked_decoder_is_bounded(data, limit):
    body, _done = protocols.decode_chunked(data, limit)
    assert len(body) <= max(limit, 0) + 0 or len(body) <= len(data)
    assert len(body) <= len(data)


def test_chunked_decoder_reads_chunks():
    assert protocols.decode_chunked(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 100) == (b"hello world", True)
    assert protocols.decode_chunked(b"ffffffffffff\r\nab", 100) == (b"ab", False)


@FUZZ
@given(st.binary(max_size=2048))
def test_dns_tcp_framing_takes_any_bytes(data):
    msgs, used = protocols.dns_tcp_messages(data)
    assert used <= len(data) and sum(len(m) + 2 for m in msgs) == used


def _state(tmp_path, ca=None) -> server.State:
    cfg = server.Config(events=str(tmp_path / "events.jsonl"), forwarder=str(tmp_path / "none.sock"),
                        allow=["pypi.org"], gateway="10.0.0.1", tcp_port=0)
    return server.State(cfg, ca)


@FUZZ
@given(data=st.binary(max_size=1500))
def test_dns_answerer_takes_any_packet(tmp_path, data):
    state = _state(tmp_path)
    reply = server.answer_dns(state, data, "10.0.0.2", "10.0.0.1", "udp")
    if reply is not None:
        DNSRecord.parse(reply)


@FUZZ
@given(labels=st.lists(st.binary(min_size=1, max_size=63), min_size=1, max_size=4),
       qtype=st.integers(0, 0xFFFF), txt=st.binary(max_size=200))
def test_dns_answerer_with_hostile_names_and_records(tmp_path, labels, qtype, txt):
    q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01"
    q += b"".join(bytes([len(x)]) + x for x in labels) + b"\x00" + struct.pack("!HH", qtype, 1)
    q += b"\x00" + struct.pack("!HHIH", 16, 1, 0, len(txt) + 1) + bytes([len(txt)]) + txt
    state = _state(tmp_path)
    server.answer_dns(state, q, "10.0.0.2", None, "udp")


def test_dns_keeps_the_whole_packet_and_its_other_records(tmp_path):
    state = _state(tmp_path)
    q = DNSRecord.question("MiXeD.evil.example", "A")
    q.add_ar(RR("x.evil.example", 16, rdata=TXT("secret-in-additional")))
    server.answer_dns(state, q.pack(), "10.0.0.2", "10.0.0.1", "udp")
    state.finish()
    (e,) = [json.loads(line) for line in open(tmp_path / "events.jsonl")]
    assert e["hostname"] == "mixed.evil.example" and e["qname"] == "MiXeD.evil.example"
    assert "secret-in-additional" in e["packet"]["records"] and e["packet"]["raw_b64"]


_CA = RunCA.mint()


def _drive(state: server.State, payload: bytes, tls_name: str | None = None) -> list[dict]:
    """Send PAYLOAD (inside TLS to TLS_NAME when given) to the handler; the events it wrote."""
    with socket.create_server(("127.0.0.1", 0)) as ls:
        b = socket.create_connection(ls.getsockname())
        a, src = ls.accept()
    t = threading.Thread(target=server._handle_guarded, args=(state, a, src), daemon=True)
    state.slots.acquire()
    t.start()
    try:
        if tls_name is not None:
            ctx = ssl.create_default_context(cadata=_CA.cert_pem().decode())
            b = ctx.wrap_socket(b, server_hostname=tls_name)
        b.settimeout(15)
        b.sendall(payload)
        if tls_name is None:
            b.shutdown(socket.SHUT_WR)
        while b.recv(65536):
            pass
    except (OSError, ssl.SSLError):
        pass  # the handler may close first: what matters is that it ends and records
    finally:
        b.close()
    t.join(server.IDLE_TIMEOUT * 3 + 5)
    assert not t.is_alive(), "the connection handler hung"
    state.finish()
    return [json.loads(line) for line in open(state.config.events)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_connection_handler_takes_any_bytes(tmp_path, payload):
    state = _state(tmp_path)
    events = _drive(state, payload)
    assert not [e for e in events if e["kind"] == "tcp_error"], events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "X"]), target=st.text(max_size=100),
       headers=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=5),
       body=st.binary(max_size=500), chunked=st.booleans())
def test_http_inside_tls_is_recorded_whatever_it_says(tmp_path, method, target, headers, body, chunked):
    state = _state(tmp_path, _CA)
    head = f"{method} /{target} HTTP/1.1\r\nHost: collect.example\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers if "\r" not in k + v and "\n" not in k + v)
    if chunked:
        payload = (head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    else:
        payload = (head + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    events = _drive(state, payload.replace(b"\n\n", b"\n"), tls_name="collect.example")
    assert not [e for e in events if e["kind"] in ("tcp_error", "tls_error")], events
    tcp = [e for e in events if e["kind"] == "tcp"]
    assert tcp and tcp[0]["tls"]["intercepted"] is True


def test_policy_takes_anything():
    @FUZZ
    @given(st.one_of(st.none(), st.text(max_size=50)), st.text(max_size=10), st.text(max_size=300),
           st.lists(st.tuples(st.text(max_size=20), st.text(max_size=50)), max_size=5), st.integers(0, 10))
    def run(host, method, target, headers, body):
        d = decide(host, method, target, headers, body)
        assert not (d.forward and method not in ("GET", "HEAD"))
    run()
