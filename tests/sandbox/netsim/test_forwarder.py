"""The host-side registry proxy: judges each request itself, re-issues only reads, caches downloads."""

from __future__ import annotations

import gzip
import hashlib
import json
import socket

import pytest

from pkgtrace.sandbox.netsim.cache import DownloadCache
from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS, REGISTRY_HOSTS_BY_ECOSYSTEM, Forwarder

SIX_WHEEL = ("/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/"
             "six-1.16.0-py2.py3-none-any.whl")
SIX_SHA256 = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"


def _ask(path: str, host: str, method: str = "GET", target: str = "/simple/six/",
         headers: list | None = None) -> tuple[dict, bytes]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(60)
        s.connect(path)
        hdrs = headers if headers is not None else [["Host", host]]
        s.sendall(json.dumps({"host": host, "method": method, "target": target, "headers": hdrs}).encode() + b"\n")
        data = bytearray()
        while chunk := s.recv(65536):
            data += chunk
    line, _, body = bytes(data).partition(b"\n")
    return json.loads(line), body


@pytest.fixture
def proxy(tmp_path):
    def make(allow=REGISTRY_HOSTS):
        fwd = Forwarder(str(tmp_path / f"f{len(made)}.sock"), allow, DownloadCache(tmp_path / "cache"))
        made.append(fwd)
        return fwd
    made: list[Forwarder] = []
    yield make
    for f in made:
        f.close()


def test_every_ecosystem_has_its_registry_hosts():
    assert set(REGISTRY_HOSTS_BY_ECOSYSTEM) == {"pypi", "npm", "rubygems", "packagist", "crates.io"}
    assert {"rubygems.org", "index.rubygems.org"} <= REGISTRY_HOSTS_BY_ECOSYSTEM["rubygems"]
    assert {"repo.packagist.org", "api.github.com", "codeload.github.com"} <= \
        REGISTRY_HOSTS_BY_ECOSYSTEM["packagist"]
    assert {"index.crates.io", "static.crates.io"} <= REGISTRY_HOSTS_BY_ECOSYSTEM["crates.io"]
    assert REGISTRY_HOSTS == frozenset().union(*REGISTRY_HOSTS_BY_ECOSYSTEM.values())
    assert "github.com" not in REGISTRY_HOSTS  # no git clones: a way out for anything


@pytest.mark.parametrize("ecosystem,other,why", [
    ("rubygems", "pypi.org", "another ecosystem's registry"),  # pip's read, in a gem's run
    ("crates.io", "repo.packagist.org", "not a registry host"),  # /simple/six/: no path composer reads
    ("packagist", "evil.example", "not a registry host"), ("pypi", "pypi.org.", "not a registry host")])
def test_a_run_refuses_hosts_of_other_registries(proxy, ecosystem, other, why):
    fwd = proxy(REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])
    head, body = _ask(fwd.path, other)
    assert head["decision"] == "refused" and why in head["reason"] and body == b""
    assert fwd.log[-1]["host"] == other and fwd.log[-1]["decision"] == "refused"


def test_a_publish_is_refused_and_logged(proxy):
    fwd = proxy()
    head, body = _ask(fwd.path, "registry.npmjs.org", "PUT", "/evil-worm",
                      [["Host", "registry.npmjs.org"], ["Authorization", "Bearer npm_x"]])
    assert head["decision"] == "refused" and head["write"] is True and body == b""
    assert fwd.log == [{**fwd.log[0], "host": "registry.npmjs.org", "method": "PUT", "target": "/evil-worm",
                        "decision": "refused"}]


def test_garbage_is_refused(proxy):
    fwd = proxy()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(fwd.path)
        s.sendall(b"\x00\xff not json\n")
        assert json.loads(s.recv(4096))["decision"] == "refused"


@pytest.mark.network
def test_a_download_is_fetched_verified_and_then_served_from_the_cache(proxy, tmp_path):
    fwd = proxy(REGISTRY_HOSTS_BY_ECOSYSTEM["pypi"])
    first, body = _ask(fwd.path, "files.pythonhosted.org", target=SIX_WHEEL)
    assert first["decision"] == "forwarded" and first["status"] == 200 and first["cache"] == "miss"
    assert hashlib.sha256(body).hexdigest() == SIX_SHA256
    second, again = _ask(fwd.path, "files.pythonhosted.org", target=SIX_WHEEL)
    assert second["cache"] == "hit" and again == body
    assert (tmp_path / "cache" / "blobs" / SIX_SHA256[:2] / SIX_SHA256).is_file()
    # a document is re-read every time (it changes), and tokens never go upstream
    page, html = _ask(fwd.path, "pypi.org", headers=[["Host", "pypi.org"], ["Authorization", "x"]])
    assert page["status"] == 200 and page.get("cache") is None and b"six-1.16.0" in html
    # encoded only as the client asked: nothing asked, nothing encoded (the body is relayed raw)
    assert not dict(page["headers"]).get("content-encoding"), page["headers"]
    page, packed = _ask(fwd.path, "pypi.org", headers=[["Host", "pypi.org"], ["Accept-Encoding", "gzip"]])
    assert page["status"] == 200
    if dict(page["headers"]).get("content-encoding") == "gzip":
        assert b"six-1.16.0" in gzip.decompress(packed)


def test_cache_is_bounded_and_survives_a_lost_blob(tmp_path):
    cache = DownloadCache(tmp_path / "c", max_bytes=100)
    for i in range(3):
        w = cache.writer(f"https://h/{i}", [("content-type", "x"), ("set-cookie", "no")])
        w.write(bytes([i]) * 40)
        w.finish(True)
    assert cache.size() <= 100
    assert cache.get("https://h/0") is None  # the oldest went first
    entry, blob = cache.get("https://h/2")
    assert blob.read_bytes() == b"\x02" * 40 and entry["headers"] == [["content-type", "x"]]
    blob.unlink()
    assert cache.get("https://h/2") is None
    w = cache.writer("https://h/partial", [])
    w.write(b"abc")
    w.finish(False)  # an interrupted download is never kept
    assert cache.get("https://h/partial") is None and not list((tmp_path / "c" / "blobs").glob("*.part"))
