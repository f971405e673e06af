"""The network simulator: runs inside the simulator's network namespace, one per sandbox run.

- DNS (UDP 53 on every address): each new name gets its own address from a fake pool
  (198.18.0.0/15, reserved for benchmarking), so a later connection names the host it was for.
  Every query is recorded. AAAA and other types get an empty answer, which steers clients to IPv4.
- TCP on every address and port (an nft rule redirects it to one listener; SO_ORIGINAL_DST gives
  the destination the package meant): records destination, TLS SNI/ALPN, HTTP request line,
  headers and body excerpt, and the first KiB. Plain HTTP gets an empty 200 so that downloaders
  finish quietly. TLS whose SNI is an allowlisted registry host is spliced, unmodified, to the
  host-side forwarder over a Unix socket; nothing else ever leaves.

Invoked as `python -m pkgtrace.sandbox.netsim.server CONFIG.json`; prints READY once listening.
Events go to a JSON-lines file, one object per line, flushed as they happen.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import QTYPE, RR, A, DNSRecord, DNSError

from pkgtrace.sandbox.netsim import protocols

SO_ORIGINAL_DST = 80
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux value; Python 3.11 lacks the constant
FIRST_BYTES = 1024
HTTP_BODY_CAPTURE = 16 * 1024
READ_LIMIT = 1 << 20  # drain at most this much from one captured connection
IDLE_TIMEOUT = 5.0
MAX_CONNECTIONS = 256


@dataclass
class Config:
    events: str
    forwarder: str
    allow: list[str]
    gateway: str
    tcp_port: int
    pool: str = "198.18.0.0/15"
    dns_port: int = 53

    @classmethod
    def load(cls, path: str) -> "Config":
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class State:
    config: Config
    lock: threading.Lock = field(default_factory=threading.Lock)
    names: dict[str, str] = field(default_factory=dict)  # hostname -> fake address
    addrs: dict[str, str] = field(default_factory=dict)  # fake address -> hostname
    slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(MAX_CONNECTIONS))

    def __post_init__(self) -> None:
        self._pool = ipaddress.ip_network(self.config.pool).hosts()
        self._out = open(self.config.events, "a", buffering=1)

    def emit(self, event: dict) -> None:
        event.setdefault("t", time.time())
        line = json.dumps(event, separators=(",", ":"))
        with self.lock:
            self._out.write(line + "\n")

    def address_for(self, name: str) -> str:
        with self.lock:
            if name not in self.names:
                addr = str(next(self._pool))
                self.names[name] = addr
                self.addrs[addr] = name
            return self.names[name]

    def name_for(self, addr: str) -> str | None:
        with self.lock:
            return self.addrs.get(addr)

    def allowed(self, host: str | None) -> bool:
        return bool(host) and host.lower().rstrip(".") in self.config.allow


# --- DNS -------------------------------------------------------------------------------------

def dns_socket(config: Config) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    sock.bind(("0.0.0.0", config.dns_port))
    return sock


def serve_dns(state: State, sock: socket.socket) -> None:
    while True:
        data, ancdata, _flags, src = sock.recvmsg(4096, socket.CMSG_SPACE(12))
        dst = _pktinfo_dst(ancdata)
        try:
            reply = answer_dns(state, data, src, dst)
        except Exception as e:  # a malformed query must never stop the resolver
            state.emit({"kind": "dns_error", "src": src[0], "dst": dst, "error": str(e),
                        "raw_b64": base64.b64encode(data[:512]).decode()})
            continue
        if reply is None:
            continue
        # Answer from the address that was asked, or the client drops the reply.
        anc = []
        if dst:
            anc = [(socket.IPPROTO_IP, IP_PKTINFO,
                    struct.pack("=I4s4s", 0, socket.inet_aton(dst), socket.inet_aton("0.0.0.0")))]
        try:
            sock.sendmsg([reply], anc, 0, src)
        except OSError:
            pass


def _pktinfo_dst(ancdata) -> str | None:
    for level, ctype, cdata in ancdata:
        if level == socket.IPPROTO_IP and ctype == IP_PKTINFO and len(cdata) >= 12:
            return socket.inet_ntoa(cdata[8:12])
    return None


def answer_dns(state: State, data: bytes, src, dst: str | None) -> bytes | None:
    try:
        request = DNSRecord.parse(data)
    except DNSError as e:
        state.emit({"kind": "dns_error", "src": src[0], "dst": dst, "error": str(e),
                    "raw_b64": base64.b64encode(data[:512]).decode()})
        return None
    reply = request.reply()
    for q in request.questions:
        name = str(q.qname).rstrip(".").lower()
        qtype = QTYPE.get(q.qtype, str(q.qtype))
        answer = None
        if q.qtype == QTYPE.A:
            answer = state.address_for(name)
            reply.add_answer(RR(q.qname, QTYPE.A, rdata=A(answer), ttl=60))
        state.emit({"kind": "dns", "hostname": name, "qtype": qtype,
                    "qclass": {1: "IN"}.get(q.qclass, str(q.qclass)),
                    "src": src[0], "dst": dst, "answer": answer})
    return reply.pack()


# --- TCP -------------------------------------------------------------------------------------

def tcp_socket(config: Config) -> socket.socket:
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", config.tcp_port))
    lsock.listen(128)
    return lsock


def serve_tcp(state: State, lsock: socket.socket) -> None:
    while True:
        conn, src = lsock.accept()
        if not state.slots.acquire(blocking=False):
            state.emit({"kind": "tcp_dropped", "src": src[0], "reason": "too many connections"})
            conn.close()
            continue
        threading.Thread(target=_handle_guarded, args=(state, conn, src), daemon=True).start()


def _handle_guarded(state: State, conn: socket.socket, src) -> None:
    try:
        handle_tcp(state, conn, src)
    except Exception as e:
        state.emit({"kind": "tcp_error", "src": src[0], "error": f"{type(e).__name__}: {e}"})
    finally:
        state.slots.release()
        try:
            conn.close()
        except OSError:
            pass


def original_destination(conn: socket.socket) -> tuple[str, int]:
    try:
        raw = conn.getsockopt(socket.SOL_IP, SO_ORIGINAL_DST, 16)
        port, ip = struct.unpack("!2xH4s8x", raw)
        return socket.inet_ntoa(ip), port
    except OSError:
        addr, port = conn.getsockname()[:2]
        return addr, port


def _recv_until(conn: socket.socket, buf: bytearray, want: int, deadline: float) -> None:
    while len(buf) < want and time.monotonic() < deadline:
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = conn.recv(min(65536, want - len(buf)))
        except (socket.timeout, OSError):
            return
        if not chunk:
            return
        buf += chunk


def handle_tcp(state: State, conn: socket.socket, src) -> None:
    dst, port = original_destination(conn)
    event: dict = {"kind": "tcp", "src": src[0], "dst": dst, "port": port,
                   "hostname": state.name_for(dst), "t": time.time()}
    buf = bytearray()
    deadline = time.monotonic() + IDLE_TIMEOUT
    _recv_until(conn, buf, 5, deadline)
    if protocols.is_tls(bytes(buf)):
        _recv_until(conn, buf, protocols.tls_record_length(bytes(buf)), deadline)
        hello = protocols.parse_client_hello(bytes(buf))
        event["tls"] = {"sni": hello.sni if hello else None, "alpn": hello.alpn if hello else []}
        event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
        sni = hello.sni if hello else None
        if port == 443 and state.allowed(sni):
            event["allowed"] = True
            state.emit(event)
            _forward(state, conn, bytes(buf), sni, port)
            return
        event["allowed"] = False
        state.emit(event)
        return
    if protocols.is_http(bytes(buf)) or bytes(buf[:3]).isalpha():  # an HTTP method: wait for the head
        _recv_until_head(conn, buf, deadline)
    if protocols.is_http(bytes(buf)):
        _handle_http(state, conn, buf, event, deadline)
        return
    _recv_until(conn, buf, FIRST_BYTES, deadline)
    event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
    event["bytes_received"] = len(buf)
    state.emit(event)


def _recv_until_head(conn: socket.socket, buf: bytearray, deadline: float) -> None:
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf and len(buf) < 64 * 1024:
        conn.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = conn.recv(4096)
        except (socket.timeout, OSError):
            return
        if not chunk:
            return
        buf += chunk


def _handle_http(state: State, conn: socket.socket, buf: bytearray, event: dict, deadline: float) -> None:
    req = protocols.parse_http_head(bytes(buf))
    if req is None:
        event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
        state.emit(event)
        return
    length = req.header("content-length")
    body_len = int(length) if length and length.isdigit() else 0
    if req.header("transfer-encoding"):
        body_len = READ_LIMIT  # chunked: take what arrives within the idle timeout
    want = min(req.header_bytes + body_len, READ_LIMIT)
    _recv_until(conn, buf, want, deadline + IDLE_TIMEOUT)
    body = bytes(buf[req.header_bytes:req.header_bytes + HTTP_BODY_CAPTURE])
    event["http"] = {"method": req.method, "target": req.target, "version": req.version,
                     "host": req.header("host"), "headers": req.headers[:64],
                     "body_b64": base64.b64encode(body).decode(),
                     "body_length": max(0, len(buf) - req.header_bytes)}
    event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
    state.emit(event)
    try:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
    except OSError:
        pass


def _forward(state: State, conn: socket.socket, first: bytes, host: str, port: int) -> None:
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        up.settimeout(15)
        up.connect(state.config.forwarder)
        up.sendall(json.dumps({"host": host, "port": port}).encode() + b"\n")
        status = _readline(up)
        if status != b"OK":
            state.emit({"kind": "forward_error", "host": host, "error": status.decode("latin-1")})
            return
        up.sendall(first)
        up.settimeout(None)
        conn.settimeout(None)
        splice(conn, up)
    except OSError as e:
        state.emit({"kind": "forward_error", "host": host, "error": str(e)})
    finally:
        up.close()


def _readline(sock: socket.socket) -> bytes:
    out = bytearray()
    while not out.endswith(b"\n") and len(out) < 1024:
        b = sock.recv(1)
        if not b:
            break
        out += b
    return bytes(out).strip()


def splice(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes; used by the simulator and the forwarder."""
    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join(timeout=30)


def main(argv: list[str]) -> int:
    state = State(Config.load(argv[1]))
    # Bind before announcing READY, so the sandbox never starts before we listen.
    threading.Thread(target=serve_dns, args=(state, dns_socket(state.config)), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(state, tcp_socket(state.config)), daemon=True).start()
    print("READY", flush=True)
    try:
        sys.stdin.read()  # the runner closes our stdin to stop us
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
