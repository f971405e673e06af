"""The real simulator's connection handler in this process, reached over loopback as a guest
client would reach it: TLS to the name the client chooses, one HTTP exchange per connection.
(Namespaces, nft redirection and the sandbox are left out; everything after accept() is real.)"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from pathlib import Path

from pkgtrace.sandbox.netsim import server
from pkgtrace.sandbox.netsim.ca import RunCA


def simulator(folder: Path, ca: RunCA, forwarder: str, allow) -> server.State:
    cfg = server.Config(events=str(folder / "events.jsonl"), forwarder=forwarder, allow=sorted(allow),
                        gateway="10.0.0.1", tcp_port=0)
    return server.State(cfg, ca)


def exchange(state: server.State, request: bytes, sni: str | None, trust: RunCA | None = None,
             verify_name: bool = True) -> bytes:
    """Send REQUEST over TLS with SNI (plain TCP when SNI is None), trusting TRUST (the run's CA
    by default, as the guest does); the whole response. The handler must end on its own."""
    with socket.create_server(("127.0.0.1", 0)) as ls:
        raw = socket.create_connection(ls.getsockname())
        a, src = ls.accept()
    state.slots.acquire()
    t = threading.Thread(target=server._handle_guarded, args=(state, a, src), daemon=True)
    t.start()
    out = bytearray()
    conn: socket.socket = raw
    try:
        if sni is not None:
            ctx = ssl.create_default_context(cadata=(trust or state.ca).cert_pem().decode())
            ctx.check_hostname = verify_name
            conn = ctx.wrap_socket(raw, server_hostname=sni)
        conn.settimeout(30)
        conn.sendall(request)
        while chunk := conn.recv(65536):
            out += chunk
    except (OSError, ssl.SSLError):
        pass  # a refused handshake: the event says what happened
    finally:
        conn.close()
    t.join(server.IDLE_TIMEOUT * 3 + 30)
    assert not t.is_alive(), "the connection handler hung"
    return bytes(out)


def request(method: str, target: str, host: str, headers: dict[str, str] | None = None,
            body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("PUT", "POST"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def response_body(raw: bytes) -> tuple[int, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def events(state: server.State) -> list[dict]:
    state.finish()
    return [e for e in map(json.loads, Path(state.config.events).read_text().splitlines()) if e["kind"] == "tcp"]
