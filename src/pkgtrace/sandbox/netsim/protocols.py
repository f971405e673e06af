"""Recognising what a captured connection speaks: TLS ClientHello (SNI, ALPN) and HTTP/1 requests."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


@dataclass
class ClientHello:
    sni: str | None = None
    alpn: list[str] = field(default_factory=list)


def is_tls(data: bytes) -> bool:
    # A handshake record (0x16) of TLS major version 3; parse_client_hello checks the rest.
    return len(data) >= 3 and data[0] == 0x16 and data[1] == 0x03


def tls_record_length(data: bytes) -> int:
    return 5 + struct.unpack("!H", data[3:5])[0] if len(data) >= 5 else 0


def parse_client_hello(data: bytes) -> ClientHello | None:
    """SNI and ALPN from the first TLS record; None if it is not a well-formed ClientHello."""
    try:
        if not is_tls(data) or len(data) < 6 or data[5] != 0x01:  # 1 = ClientHello
            return None
        rec_end = min(len(data), tls_record_length(data))
        p = 5 + 4 + 2 + 32  # record header, handshake header, client version, random
        sid_len = data[p]
        p += 1 + sid_len
        (cs_len,) = struct.unpack("!H", data[p:p + 2])
        p += 2 + cs_len
        comp_len = data[p]
        p += 1 + comp_len
        (ext_total,) = struct.unpack("!H", data[p:p + 2])
        p += 2
        end = min(rec_end, p + ext_total)
        hello = ClientHello()
        while p + 4 <= end:
            ext_type, ext_len = struct.unpack("!HH", data[p:p + 4])
            body = data[p + 4:p + 4 + ext_len]
            p += 4 + ext_len
            if ext_type == 0 and len(body) >= 5:  # server_name
                name_len = struct.unpack("!H", body[3:5])[0]
                if body[2] == 0:
                    hello.sni = body[5:5 + name_len].decode("ascii", "replace").lower()
            elif ext_type == 16 and len(body) >= 2:  # ALPN
                q = 2
                while q < len(body):
                    n = body[q]
                    hello.alpn.append(body[q + 1:q + 1 + n].decode("ascii", "replace"))
                    q += 1 + n
        return hello
    except (IndexError, struct.error):
        return None


@dataclass
class HttpRequest:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    header_bytes: int  # length of the request line and headers including the blank line

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None


MAX_HEADERS = 100


def parse_http_head(data: bytes) -> HttpRequest | None:
    """The request line and headers, once the blank line has arrived; None until then, or when
    the head is not an HTTP request."""
    end = data.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = data.find(b"\n\n"), 2
        if end < 0:
            return None
    lines = data[:end].decode("latin-1").split("\n")
    parts = lines[0].rstrip("\r").split(" ")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    method, target = parts[0], parts[1]
    version = parts[2] if len(parts) > 2 else "HTTP/0.9"
    headers = []
    for line in lines[1:1 + MAX_HEADERS]:
        k, colon, v = line.rstrip("\r").partition(":")
        if colon:
            headers.append((k.strip(), v.strip()))
    return HttpRequest(method, target, version, headers, end + sep)


def content_length(req: HttpRequest) -> int | None:
    """The declared body length; None when the body is chunked; 0 when absent or nonsense."""
    te = req.header("transfer-encoding")
    if te and "chunked" in te.lower():
        return None
    v = (req.header("content-length") or "").strip()
    return int(v) if v.isdigit() and len(v) < 16 else 0


def decode_chunked(data: bytes, limit: int) -> tuple[bytes, bool]:
    """The body from a chunked stream: (body so far, at most LIMIT bytes; complete?)."""
    out = bytearray()
    p = 0
    while True:
        eol = data.find(b"\r\n", p)
        if eol < 0 or eol - p > 64:
            return bytes(out), False
        size_text = data[p:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return bytes(out), False
        if size < 0:
            return bytes(out), False
        p = eol + 2
        if size == 0:
            return bytes(out), True
        out += data[p:p + min(size, max(0, limit - len(out)))]
        if p + size + 2 > len(data):
            return bytes(out), False
        p += size + 2
        if len(out) >= limit:
            return bytes(out), True


def dns_tcp_messages(data: bytes) -> tuple[list[bytes], int]:
    """DNS over TCP: the whole length-prefixed messages in DATA and how many bytes they used."""
    out, p = [], 0
    while p + 2 <= len(data):
        (n,) = struct.unpack("!H", data[p:p + 2])
        if p + 2 + n > len(data):
            break
        out.append(data[p + 2:p + 2 + n])
        p += 2 + n
    return out, p
