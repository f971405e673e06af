"""The network simulator: runs inside the simulator's network namespace, one per sandbox run.

- DNS (UDP 53 on every address, and DNS over TCP): each new name gets its own address from a
  fake pool (198.18.0.0/15, reserved for benchmarking), so a later connection names the host it
  was for. Every query is recorded with the whole packet (within a budget) and all its records,
  so data hidden in a query's other sections is kept. AAAA and other types get an empty answer.
- UDP to any other address and port (an nft tproxy rule sends it here with its destination):
  recorded with the destination and the first bytes; never answered.
- TCP on every address and port (an nft rule redirects it to one listener; SO_ORIGINAL_DST gives
  the destination the package meant). TLS is terminated with a leaf for the SNI (or the address)
  signed by the run's CA, which the guest trusts; a client that refuses it is recorded as
  refusing the interception. Every HTTP request, plain or inside TLS, is recorded whole (method,
  target, headers, body up to a bound) with what was answered. Requests to a registry host over
  TLS are handed to the host-side proxy (forwarder.py), which decides and re-issues only reads;
  everything else gets a plausible local answer (answers.py). Nothing else ever leaves.

Invoked as `python -m pkgtrace.sandbox.netsim.server CONFIG.json` as root; binds its sockets,
loads the CA, drops to an unprivileged uid, then prints READY. Events go to a JSON-lines file.
"""

from __future__ import annotations

import base64
import ctypes
import encodings.idna  # noqa: F401  imported before dropping root: lazy imports may fail after
import http
import ipaddress
import json
import os
import shutil
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import QTYPE, RR, A, DNSRecord, DNSError

from pkgtrace.sandbox.netsim import answers, protocols
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.policy import READ_METHODS, REGISTRY_HOSTS, decide

SO_ORIGINAL_DST = 80
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux value; Python 3.11 lacks the constant
IP_TRANSPARENT = 19
IP_RECVORIGDSTADDR = 20
FIRST_BYTES = 1024
HTTP_BODY_CAPTURE = 16 * 1024
READ_LIMIT = 1 << 20  # drain at most this much from one captured request
HEAD_LIMIT = 64 * 1024
IDLE_TIMEOUT = 5.0
MAX_CONNECTIONS = 256
MAX_REQUESTS_PER_CONNECTION = 500
MAX_EVENTS = 50_000      # past this, events are counted, not written (a flood cannot fill the disk)
FULL_EVENT_BYTES = 32 << 20  # past this, events keep their facts but lose bodies and raw bytes
BULKY = ("first_bytes_b64", "raw_b64", "body_b64", "headers", "records")
DNS_RAW_BUDGET = 4 << 20  # bytes of whole DNS packets kept per run
DNS_RECORDS_TEXT = 2048
UDP_READ = 65536


@dataclass
class Config:
    events: str
    forwarder: str
    allow: list[str]
    gateway: str
    tcp_port: int
    pool: str = "198.18.0.0/15"
    dns_port: int = 53
    udp_port: int | None = None
    ca_cert: str | None = None
    ca_key: str | None = None
    uid: int | None = None  # drop to this uid (and gid) once the sockets are bound

    @classmethod
    def load(cls, path: str) -> "Config":
        return cls(**json.loads(Path(path).read_text()))


@dataclass
class State:
    config: Config
    ca: RunCA | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    names: dict[str, str] = field(default_factory=dict)  # hostname -> fake address
    addrs: dict[str, str] = field(default_factory=dict)  # fake address -> hostname
    slots: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(MAX_CONNECTIONS))
    written: int = 0
    written_bytes: int = 0
    dropped: int = 0
    dns_raw_left: int = DNS_RAW_BUDGET
    _contexts: dict[str, ssl.SSLContext] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._pool = ipaddress.ip_network(self.config.pool).hosts()
        self._out = open(self.config.events, "a", buffering=1)
        self._leaf_dir = tempfile.mkdtemp(prefix="pkgtrace-netsim-")
        if self.config.uid is not None:
            os.chown(self._leaf_dir, self.config.uid, self.config.uid)

    def emit(self, event: dict) -> None:
        event.setdefault("t", time.time())
        if self.written_bytes > FULL_EVENT_BYTES:
            event = _slim(event)
        line = json.dumps(event, separators=(",", ":"), default=str)
        with self.lock:
            if self.written >= MAX_EVENTS:
                self.dropped += 1
                return
            self.written += 1
            self.written_bytes += len(line) + 1
            self._out.write(line + "\n")

    def finish(self) -> None:
        with self.lock:
            if self.dropped:
                self._out.write(json.dumps({"kind": "events_dropped", "count": self.dropped,
                                            "t": time.time()}) + "\n")
            self._out.flush()
        shutil.rmtree(self._leaf_dir, ignore_errors=True)

    def address_for(self, name: str) -> str:
        with self.lock:
            if name not in self.names:
                addr = str(next(self._pool, "198.18.0.1"))
                self.names[name] = addr
                self.addrs.setdefault(addr, name)
            return self.names[name]

    def name_for(self, addr: str) -> str | None:
        with self.lock:
            return self.addrs.get(addr)

    def is_registry(self, host: str | None) -> bool:
        # Exact names only: "pypi.org." or "PyPI.org " is not a registry and is never handed on.
        return bool(host) and host in self.config.allow

    def take_dns_raw(self, n: int) -> bool:
        with self.lock:
            if self.dns_raw_left < n:
                return False
            self.dns_raw_left -= n
            return True

    def context_for(self, name: str) -> ssl.SSLContext:
        """A server context presenting a leaf for NAME, made once per name."""
        with self.lock:
            ctx = self._contexts.get(name)
        if ctx is not None:
            return ctx
        assert self.ca is not None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_alpn_protocols(["http/1.1"])  # steers clients away from HTTP/2
        fd, path = tempfile.mkstemp(dir=self._leaf_dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(self.ca.leaf_pem(name) + self.ca.leaf_key_pem())
            ctx.load_cert_chain(path)
        finally:
            os.unlink(path)
        ctx.sni_callback = self._on_sni
        with self.lock:
            if len(self._contexts) > 512:
                self._contexts.clear()
            self._contexts[name] = ctx
        return ctx

    def _on_sni(self, sslobj, server_name, _ctx) -> None:
        if server_name:
            try:
                sslobj.context = self.context_for(server_name)
            except Exception as e:  # keep the address's certificate
                self.emit({"kind": "tls_error", "sni": str(server_name)[:253],
                           "error": f"{type(e).__name__}: {e}"[:300]})
        return None


def _slim(event: dict) -> dict:
    """EVENT without its bulky parts, marked so: what a flood costs once the byte budget is spent."""
    out = {k: (_slim(v) if isinstance(v, dict) else v) for k, v in event.items() if k not in BULKY}
    if len(out) != len(event) or any(isinstance(v, dict) and v != out.get(k) for k, v in event.items()):
        out["slimmed"] = True
    return out


# --- privileges -----------------------------------------------------------------------------

def drop_privileges(uid: int) -> None:
    """Become UID (no groups, no capabilities, no way back) before parsing anything hostile."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    try:  # PR_SET_NO_NEW_PRIVS: nothing exec'd later can regain privileges
        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != uid:
        raise RuntimeError("could not drop privileges")


# --- DNS -------------------------------------------------------------------------------------

def dns_socket(config: Config) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    sock.bind(("0.0.0.0", config.dns_port))
    return sock


def serve_dns(state: State, sock: socket.socket) -> None:
    while True:
        try:
            data, ancdata, _flags, src = sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except OSError:
            continue
        dst = _pktinfo_dst(ancdata)
        try:
            reply = answer_dns(state, data, src[0], dst, "udp")
        except Exception as e:  # a malformed query must never stop the resolver
            state.emit({"kind": "dns_error", "src": src[0], "dst": dst, "error": str(e)[:500],
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


def answer_dns(state: State, data: bytes, src: str, dst: str | None, transport: str) -> bytes | None:
    """Record a DNS query (every question, the whole packet, its other records) and answer it."""
    try:
        request = DNSRecord.parse(data)
    except (DNSError, ValueError, IndexError, struct.error, UnicodeError) as e:
        state.emit({"kind": "dns_error", "src": src, "dst": dst, "transport": transport,
                    "error": str(e)[:500], "raw_b64": base64.b64encode(data[:512]).decode()})
        return None
    extra = [str(r) for r in (*request.rr, *request.auth, *request.ar)]
    packet: dict = {"length": len(data), "questions": len(request.questions)}
    if state.take_dns_raw(len(data)):
        packet["raw_b64"] = base64.b64encode(data).decode()
    if extra:
        packet["records"] = "\n".join(extra)[:DNS_RECORDS_TEXT]
    reply = request.reply()
    for i, q in enumerate(request.questions[:64]):
        qname = _qname(q.qname)
        name = qname.lower()
        qtype = QTYPE.get(q.qtype, str(q.qtype))
        answer = None
        if q.qtype == QTYPE.A and name:
            answer = state.address_for(name)
            reply.add_answer(RR(q.qname, QTYPE.A, rdata=A(answer), ttl=60))
        event = {"kind": "dns", "hostname": name, "qtype": qtype,
                 "qclass": {1: "IN"}.get(q.qclass, str(q.qclass)),
                 "src": src, "dst": dst, "answer": answer, "transport": transport}
        if qname != name:
            event["qname"] = qname  # as sent: case can carry data (and bait)
        if i == 0:
            event["packet"] = packet  # the packet once, with its first question
        state.emit(event)
    if not request.questions:
        state.emit({"kind": "dns", "hostname": "", "qtype": "", "qclass": "", "src": src, "dst": dst,
                    "answer": None, "transport": transport, "packet": packet})
    return reply.pack()


def _qname(qname) -> str:
    # Labels may hold any byte; keep them readable and unambiguous.
    labels = [bytes(label).decode("ascii", "backslashreplace") for label in qname.label]
    return ".".join(labels)


# --- UDP -------------------------------------------------------------------------------------

def udp_socket(config: Config) -> socket.socket | None:
    if not config.udp_port:
        return None
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)  # needs CAP_NET_ADMIN: before the drop
    sock.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
    sock.bind(("0.0.0.0", config.udp_port))
    return sock


def serve_udp(state: State, sock: socket.socket) -> None:
    while True:
        try:
            data, ancdata, _flags, src = sock.recvmsg(UDP_READ, socket.CMSG_SPACE(16))
        except OSError:
            continue
        dst, port = None, None
        for level, ctype, cdata in ancdata:
            if level == socket.SOL_IP and ctype == IP_RECVORIGDSTADDR and len(cdata) >= 8:
                port, = struct.unpack("!H", cdata[2:4])
                dst = socket.inet_ntoa(cdata[4:8])
        state.emit({"kind": "udp", "src": src[0], "sport": src[1], "dst": dst, "port": port,
                    "hostname": state.name_for(dst) if dst else None, "length": len(data),
                    "first_bytes_b64": base64.b64encode(data[:FIRST_BYTES]).decode()})


# --- TCP -------------------------------------------------------------------------------------

def tcp_socket(config: Config) -> socket.socket:
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("0.0.0.0", config.tcp_port))
    lsock.listen(128)
    return lsock


def serve_tcp(state: State, lsock: socket.socket) -> None:
    while True:
        try:
            conn, src = lsock.accept()
        except OSError:
            continue
        if not state.slots.acquire(blocking=False):
            state.emit({"kind": "tcp_dropped", "src": src[0], "reason": "too many connections"})
            conn.close()
            continue
        threading.Thread(target=_handle_guarded, args=(state, conn, src), daemon=True).start()


def _handle_guarded(state: State, conn: socket.socket, src) -> None:
    try:
        handle_tcp(state, conn, src)
    except Exception as e:
        state.emit({"kind": "tcp_error", "src": src[0], "error": f"{type(e).__name__}: {e}"[:500]})
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


def _recv_until(conn: socket.socket, buf: bytearray, want: int, deadline: float) -> bool:
    """Read until BUF holds WANT bytes; False on timeout or close."""
    while len(buf) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        conn.settimeout(left)
        try:
            chunk = conn.recv(min(65536, want - len(buf)))
        except (socket.timeout, OSError, ssl.SSLError):
            return False
        if not chunk:
            return False
        buf += chunk
    return True


def _peek(conn: socket.socket, want: int, deadline: float) -> bytes:
    """The first WANT bytes without consuming them (the TLS handshake reads them again)."""
    data = b""
    while time.monotonic() < deadline:
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = conn.recv(want, socket.MSG_PEEK)
        except (socket.timeout, OSError):
            return data
        if not data or len(data) >= want or _peer_closed(conn):
            return data
        time.sleep(0.005)  # a partial segment: let the rest arrive
    return data


def _peer_closed(conn: socket.socket) -> bool:
    """The client sent FIN (TCP state CLOSE_WAIT): what was peeked is all there will be."""
    try:
        return conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0] == 8
    except (OSError, IndexError):
        return False


def handle_tcp(state: State, conn: socket.socket, src) -> None:
    dst, port = original_destination(conn)
    # allowed: forwarded by the registry proxy; only a request it confirmed says so
    event: dict = {"kind": "tcp", "src": src[0], "dst": dst, "port": port,
                   "hostname": state.name_for(dst), "t": time.time(), "allowed": False}
    deadline = time.monotonic() + IDLE_TIMEOUT
    head = _peek(conn, 5, deadline)
    if protocols.is_tls(head):
        want = min(protocols.tls_record_length(head), 16 * 1024 + 5)
        hello_bytes = _peek(conn, want, deadline)
        _handle_tls(state, conn, event, hello_bytes, deadline)
        return
    if port == 53:
        _handle_dns_tcp(state, conn, event, deadline)
        return
    buf = bytearray()
    _recv_until(conn, buf, 3, deadline)
    if bytes(buf[:3]).isalpha():  # an HTTP method, perhaps: wait for the head
        _serve_http(state, conn, buf, event, deadline, tls=False)
        return
    _recv_until(conn, buf, FIRST_BYTES, deadline)
    event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
    event["bytes_received"] = len(buf)
    state.emit(event)


def _handle_dns_tcp(state: State, conn: socket.socket, event: dict, deadline: float) -> None:
    """DNS over TCP (a way around a resolver that is watched): decoded, answered, flagged."""
    buf = bytearray()
    queries = 0
    event["dns_tcp"] = True
    while queries < 1000:
        msgs, used = protocols.dns_tcp_messages(bytes(buf))
        for m in msgs:
            queries += 1
            reply = answer_dns(state, m, event["src"], event["dst"], "tcp")
            if reply is not None:
                try:
                    conn.sendall(struct.pack("!H", len(reply)) + reply)
                except OSError:
                    break
        del buf[:used]
        if not _recv_until(conn, buf, len(buf) + 1, time.monotonic() + IDLE_TIMEOUT):
            break
        if len(buf) > 70000:
            break
    event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
    event["dns_queries"] = queries
    state.emit(event)


def _handle_tls(state: State, conn: socket.socket, event: dict, hello_bytes: bytes, deadline: float) -> None:
    hello = protocols.parse_client_hello(hello_bytes)
    sni = hello.sni if hello else None
    tls: dict = {"sni": sni, "alpn": hello.alpn if hello else [], "intercepted": False}
    event["tls"] = tls
    event["first_bytes_b64"] = base64.b64encode(hello_bytes[:FIRST_BYTES]).decode()
    if state.ca is None:
        tls["refused"] = "no CA to intercept with"
        state.emit(event)
        return
    try:
        conn.settimeout(max(0.5, deadline - time.monotonic()))
        tconn = state.context_for(event["dst"]).wrap_socket(conn, server_side=True,
                                                            do_handshake_on_connect=False)
        tconn.do_handshake()
    except (ssl.SSLError, OSError, ValueError) as e:
        # A client that verifies against its own roots (pinning) or gives up on our leaf lands here.
        tls["refused"] = _tls_failure(e)
        state.emit(event)
        return
    tls["intercepted"] = True
    tls["version"] = tconn.version()
    tls["alpn_selected"] = tconn.selected_alpn_protocol()
    try:
        buf = bytearray()
        _serve_http(state, tconn, buf, event, time.monotonic() + IDLE_TIMEOUT, tls=True)
    finally:
        try:
            tconn.close()
        except OSError:
            pass


def _tls_failure(e: BaseException) -> str:
    if isinstance(e, ssl.SSLError):
        reason = e.reason or str(e)
        if "ALERT" in reason.upper():
            return f"the client refused the certificate ({reason})"
        return f"handshake failed ({reason})"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "the client stopped during the handshake (timeout)"
    return f"the client closed during the handshake ({type(e).__name__})"


def _serve_http(state: State, conn, buf: bytearray, base: dict, deadline: float, tls: bool) -> None:
    """Requests on one connection, each recorded as an event and answered, until it closes."""
    for n in range(MAX_REQUESTS_PER_CONNECTION):
        event = dict(base, t=time.time())
        if n:
            event["request_no"] = n
        _recv_until_head(conn, buf, deadline)
        req = protocols.parse_http_head(bytes(buf))
        if req is None:
            if buf or n == 0:
                event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
                event["bytes_received"] = len(buf)
                state.emit(event)
            return
        if (req.header("expect") or "").lower() == "100-continue":
            _send(conn, b"HTTP/1.1 100 Continue\r\n\r\n")
        body, body_length, complete = _read_body(conn, buf, req, deadline + IDLE_TIMEOUT)
        event["http"] = {"method": req.method, "target": req.target[:8192], "version": req.version,
                         "host": req.header("host"), "headers": req.headers[:64],
                         "body_b64": base64.b64encode(body[:HTTP_BODY_CAPTURE]).decode(),
                         "body_length": body_length, "body_complete": complete}
        if n == 0 and not tls:
            event["first_bytes_b64"] = base64.b64encode(bytes(buf[:FIRST_BYTES])).decode()
        host = (base.get("tls") or {}).get("sni") if tls else None
        keep = complete and (req.header("connection") or "").lower() != "close"
        if tls and state.is_registry(host):
            keep = _via_proxy(state, conn, event, req, host, body_length) and keep
        else:
            # the policy says why not: a host of no registry, or another ecosystem's (npm run by a
            # PyPI package's calls reads registry.npmjs.org, which this run does not pass through)
            reason = ("plain HTTP is never forwarded" if not tls
                      else decide(host, req.method, req.target, req.headers, body_length,
                                  frozenset(state.config.allow)).reason)
            named = {req.header("host"), (req.header("host") or "").rsplit(":", 1)[0], host}
            # a registry's name, or a lookalike of one (case, trailing dot): say why not
            looks = {n.lower().rstrip(".") for n in named if n}
            if looks & (REGISTRY_HOSTS | set(state.config.allow)):
                event["proxy"] = {"decision": "refused", "reason": reason,
                                  "write": req.method not in READ_METHODS}
            _answer_locally(conn, event, req, keep)
        event["allowed"] = (event.get("proxy") or {}).get("decision") == "forwarded"
        state.emit(event)
        if not keep:
            return
        deadline = time.monotonic() + IDLE_TIMEOUT
        buf.clear()


def _recv_until_head(conn, buf: bytearray, deadline: float) -> None:
    while b"\r\n\r\n" not in buf and b"\n\n" not in buf and len(buf) < HEAD_LIMIT:
        if not _recv_until(conn, buf, len(buf) + 1, deadline):
            return


def _read_body(conn, buf: bytearray, req: protocols.HttpRequest, deadline: float) -> tuple[bytes, int, bool]:
    """(body up to the capture bound, body length seen, whether the whole body arrived)."""
    start = req.header_bytes
    length = protocols.content_length(req)
    if length is not None:
        want = start + min(length, READ_LIMIT)
        _recv_until(conn, buf, want, deadline)
        body = bytes(buf[start:start + length])
        got = len(body)
        if length > READ_LIMIT:  # drain, not keep, the rest of an oversized body
            return body[:HTTP_BODY_CAPTURE], got, False
        return body, got, got == length
    while True:  # chunked
        body, done = protocols.decode_chunked(bytes(buf[start:]), READ_LIMIT)
        if done or len(buf) - start > READ_LIMIT:
            return body, len(body), done
        if not _recv_until(conn, buf, len(buf) + 1, deadline):
            return body, len(body), False


def _answer_locally(conn, event: dict, req: protocols.HttpRequest, keep: bool) -> None:
    a = answers.answer(req.method, req.target)
    event["answer"] = {"status": a.status, "kind": a.kind, "length": len(a.body), "by": "simulator"}
    head = (f"HTTP/1.1 {a.status} {http.HTTPStatus(a.status).phrase}\r\n"
            f"Content-Type: {a.content_type}\r\nContent-Length: {len(a.body)}\r\n"
            f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n").encode()
    _send(conn, head + a.body)


def _via_proxy(state: State, conn, event: dict, req: protocols.HttpRequest, host: str,
               body_length: int) -> bool:
    """Hand the request to the host-side proxy; relay its answer. True if the connection may go on."""
    headers = list(req.headers)
    if body_length and not any(k.lower() == "content-length" for k, _ in headers):
        headers.append(("Content-Length", str(body_length)))
    up = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        up.settimeout(60)
        up.connect(state.config.forwarder)
        up.sendall(json.dumps({"host": host, "method": req.method, "target": req.target,
                               "headers": headers}).encode() + b"\n")
        line = _readline(up, 256 * 1024)
        try:
            reply = json.loads(line)
        except ValueError:
            reply = {"decision": "refused", "reason": "no answer from the proxy"}
        decision = {k: reply.get(k) for k in ("decision", "reason", "status", "cache", "error",
                                              "write", "housekeeping") if reply.get(k) is not None}
        event["proxy"] = decision
        if reply.get("decision") != "forwarded" or reply.get("error"):
            status = 502 if reply.get("error") else 403
            body = json.dumps({"error": "Forbidden" if status == 403 else "Bad Gateway"}).encode()
            event["answer"] = {"status": status, "kind": "refused", "length": len(body), "by": "proxy"}
            _send(conn, (f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                         f"Connection: close\r\n\r\n").encode() + body)
            return False
        status = int(reply.get("status") or 502)
        length = reply.get("length")
        lines = [f"HTTP/1.1 {status} {_phrase(status)}"]
        for k, v in reply.get("headers") or []:
            if k.lower() != "content-length" and "\r" not in v and "\n" not in v:
                lines.append(f"{k}: {v}")
        if isinstance(length, int):
            lines.append(f"Content-Length: {length}")
        lines.append("Connection: keep-alive" if isinstance(length, int) else "Connection: close")
        _send(conn, ("\r\n".join(lines) + "\r\n\r\n").encode())
        sent = 0
        if req.method != "HEAD":
            up.settimeout(120)
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                conn.sendall(chunk)
                sent += len(chunk)
        event["answer"] = {"status": status, "kind": "registry", "length": sent, "by": "registry"}
        return isinstance(length, int) and sent == length
    except (OSError, ssl.SSLError) as e:
        event.setdefault("proxy", {"decision": "refused", "reason": f"proxy unreachable: {e}"[:300]})
        return False
    finally:
        up.close()


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def _send(conn, data: bytes) -> None:
    try:
        conn.settimeout(30)
        conn.sendall(data)
    except (OSError, ssl.SSLError):
        pass


def _readline(sock: socket.socket, limit: int) -> bytes:
    out = bytearray()
    while not out.endswith(b"\n") and len(out) < limit:
        b = sock.recv(1)
        if not b:
            break
        out += b
    return bytes(out).strip()


def main(argv: list[str]) -> int:
    config = Config.load(argv[1])
    ca = None
    if config.ca_cert and config.ca_key:
        ca = RunCA.load(Path(config.ca_cert).read_bytes(), Path(config.ca_key).read_bytes())
    state = State(config, ca)
    # Bind everything, then drop root, then announce READY: the sandbox starts only after.
    dns, tcp, udp = dns_socket(config), tcp_socket(config), udp_socket(config)
    if config.uid is not None:
        drop_privileges(config.uid)
    threading.Thread(target=serve_dns, args=(state, dns), daemon=True).start()
    threading.Thread(target=serve_tcp, args=(state, tcp), daemon=True).start()
    if udp is not None:
        threading.Thread(target=serve_udp, args=(state, udp), daemon=True).start()
    print("READY", flush=True)
    try:
        sys.stdin.read()  # the runner closes our stdin to stop us
    except KeyboardInterrupt:
        pass
    state.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
