"""Host-side registry proxy: the only way out of a run's network, and only for registry reads.

The simulator (in its own namespace, unprivileged) terminates the guest's TLS, reads the request,
and hands its head to this proxy over a Unix socket: one JSON line. The proxy judges it itself
(policy.decide: registry host of this run, GET/HEAD, a package-manager path), so a compromised
simulator still cannot send anything else out. A forwarded request is re-issued over HTTPS with a
fixed set of harmless headers, the registry's certificate verified against the host's trust
store; immutable downloads are answered from, and added to, the shared download cache.

Reply on the socket: one JSON line (decision, reason, status, headers, length, cache) and then,
if forwarded, the response body until the socket closes.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import threading
import time

import httpx

from pkgtrace.sandbox.netsim import policy
from pkgtrace.sandbox.netsim.cache import DownloadCache
from pkgtrace.sandbox.netsim.policy import REGISTRY_HOSTS, REGISTRY_HOSTS_BY_ECOSYSTEM  # noqa: F401 (re-exported)

MAX_REQUEST_LINE = 64 * 1024
LOG_LIMIT = 20000
USER_AGENT = "pip/23.0.1 npm/9.2.0 (registry read)"
# Response headers passed back to the guest; hop-by-hop and cookies stay behind.
RESPONSE_HEADERS = ("content-type", "content-length", "content-encoding", "etag", "last-modified",
                    "location", "cache-control", "date", "accept-ranges", "vary", "age")
UPSTREAM_TIMEOUT = httpx.Timeout(30.0, connect=15.0)


def upstream_context() -> ssl.SSLContext:
    # The host's store: on machines behind a TLS-inspecting egress proxy its CA is only there.
    from pkgtrace.sandbox.trust import host_bundle
    bundle = host_bundle()
    return ssl.create_default_context(cafile=str(bundle) if bundle else None)


class Forwarder:
    def __init__(self, path: str, allow: frozenset[str] = REGISTRY_HOSTS,
                 cache: DownloadCache | None = None, owner: int | None = None):
        """OWNER: the uid allowed to connect (the simulator's, once it has dropped root)."""
        self.path = path
        self.allow = allow
        self.cache = cache
        self.log: list[dict] = []
        self._log_lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(path)
        os.chmod(path, 0o600)
        if owner is not None:
            os.chown(path, owner, owner)
        self._sock.listen(64)
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def client(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                # httpx would ask for gzip on its own; the body is relayed raw, so upstream must
                # encode it only as the guest's client asked (its accept-encoding, else none)
                self._client = httpx.Client(verify=upstream_context(), follow_redirects=False,
                                            timeout=UPSTREAM_TIMEOUT,
                                            headers={"user-agent": USER_AGENT, "accept-encoding": "identity"})
            return self._client

    def _record(self, entry: dict) -> None:
        entry["t"] = time.time()
        with self._log_lock:
            if len(self.log) < LOG_LIMIT:
                self.log.append(entry)

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(30)
            req = _read_request(conn)
            if req is None:
                _reply(conn, {"decision": "refused", "reason": "malformed request to the proxy"})
                return
            host, method, target, headers = req
            d = policy.decide(host, method, target, headers, announced_body(headers), self.allow)
            entry = {"host": host, "method": method, "target": target[:2048],
                     "decision": "forwarded" if d.forward else "refused", "reason": d.reason}
            if not d.forward:
                self._record(entry)
                _reply(conn, entry | {"write": d.write, "housekeeping": d.housekeeping})
                return
            self._forward(conn, host, method, target, headers, d, entry)
        except OSError:
            pass
        finally:
            conn.close()

    def _forward(self, conn, host, method, target, headers, d: policy.Decision, entry: dict) -> None:
        url = f"https://{host}{target}"
        if d.cacheable and method == "GET" and self.cache is not None:
            hit = self.cache.get(url)
            if hit is not None:
                meta, blob = hit
                self._record(entry | {"status": 200, "cache": "hit", "bytes": meta["size"]})
                _reply(conn, entry | {"status": 200, "cache": "hit", "length": meta["size"],
                                      "headers": meta["headers"] + [["content-length", str(meta["size"])]]})
                with open(blob, "rb") as f:
                    conn.settimeout(120)
                    conn.sendfile(f)
                return
        try:
            with self.client().stream(method, url, headers=policy.forwarded_headers(headers)) as r:
                out_headers = [(k.lower(), v) for k, v in r.headers.multi_items()
                               if k.lower() in RESPONSE_HEADERS]
                length = r.headers.get("content-length")
                caching = (d.cacheable and method == "GET" and r.status_code == 200
                           and self.cache is not None and not r.headers.get("content-encoding"))
                result = entry | {"status": r.status_code, "cache": "miss" if caching else None}
                _reply(conn, result | {"headers": out_headers,
                                       "length": int(length) if length and length.isdigit() else None})
                writer = self.cache.writer(url, out_headers) if caching else None
                sent, complete = 0, False
                try:
                    for chunk in r.iter_raw(65536):
                        if writer:
                            writer.write(chunk)
                        conn.sendall(chunk)
                        sent += len(chunk)
                    complete = length is None or sent == int(length)
                finally:
                    if writer:
                        writer.finish(complete)
                    self._record(result | {"bytes": sent})
        except httpx.HTTPError as e:
            self._record(entry | {"status": 502, "error": f"{type(e).__name__}: {e}"[:500]})
            _reply(conn, entry | {"status": 502, "error": f"upstream: {type(e).__name__}"})

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        with self._client_lock:
            if self._client is not None:
                self._client.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def upstream_traffic(log: list[dict]) -> dict:
    """What a run's proxy log says left the machine: requests and bytes from the registries, and
    what the shared cache answered instead (the measure of what the cache saves; bench/ uses it)."""
    forwarded = [p for p in log if p.get("decision") == "forwarded"]
    hits = [p for p in forwarded if p.get("cache") == "hit"]
    sent = [p for p in forwarded if p.get("cache") != "hit"]
    return {"forwarded": len(forwarded), "upstream_requests": len(sent), "cache_hits": len(hits),
            "upstream_bytes": sum(int(p.get("bytes") or 0) for p in sent),
            "cache_bytes": sum(int(p.get("bytes") or 0) for p in hits)}


def announced_body(headers: list[tuple[str, str]]) -> int:
    """The body the guest announced (the simulator never passes a body on; a read has none)."""
    for k, v in headers:
        if k.lower() == "content-length":
            return int(v) if v.strip().isdigit() else 1
        if k.lower() == "transfer-encoding":
            return 1
    return 0


def _read_request(conn: socket.socket) -> tuple[str, str, str, list[tuple[str, str]]] | None:
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            return None
        line += chunk
        if len(line) > MAX_REQUEST_LINE:
            return None
    try:
        req = json.loads(line)
        headers = [(str(k), str(v)) for k, v in req["headers"]][:100]
        return str(req["host"]), str(req["method"]), str(req["target"]), headers
    except (ValueError, KeyError, TypeError):
        return None


def _reply(conn: socket.socket, head: dict) -> None:
    conn.sendall(json.dumps(head).encode() + b"\n")
