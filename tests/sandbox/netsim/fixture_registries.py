"""Stand-ins for RubyGems, Packagist (with GitHub's dist hosts) and crates.io, speaking each one's
real read protocol over HTTPS, and the real registry proxy (forwarder.Forwarder) in front of them.

Run as a script inside its own mount and network namespace (see test_other_registries.py), where
/etc/hosts sends the registries' real names to 127.0.0.1 and SSL_CERT_FILE names a test CA that
only this process trusts: the proxy resolves, connects and verifies exactly as it does in a run.

    fixture_registries.py CONFIG.json   (prints READY; on stdin's end prints one JSON line:
                                         the proxy's log and every request the upstreams saw)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import ssl
import sys
import tarfile
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GEM, GEM_VERSION = "fixture-gem", "1.0.0"
COMPOSER, COMMIT = "acme/fixture", "0123456789abcdef0123456789abcdef01234567"
CRATE, CRATE_VERSION = "fixture-crate", "0.1.0"
HOSTS = ("rubygems.org", "index.rubygems.org", "repo.packagist.org", "api.github.com",
         "codeload.github.com", "index.crates.io", "static.crates.io", "crates.io")


# Every artifact is the same bytes whenever it is built: the test and the fixture server build
# them in two processes, seconds apart, and compare (gzip and zip otherwise stamp the time).
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _tar(files: dict[str, bytes], gz: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)  # mtime 0
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return _gzip(buf.getvalue()) if gz else buf.getvalue()


def gem_file() -> bytes:
    """A .gem as `gem build` lays it out: metadata.gz, data.tar.gz and their checksums."""
    metadata = _gzip(f"--- !ruby/object:Gem::Specification\nname: {GEM}\nversion: !ruby/object:"
                             f"Gem::Version\n  version: {GEM_VERSION}\nfiles:\n- lib/fixture.rb\n".encode())
    data = _tar({"lib/fixture.rb": b"module Fixture; end\n"}, gz=True)
    sums = _gzip(("---\nSHA256:\n  metadata.gz: " + hashlib.sha256(metadata).hexdigest()
                          + "\n  data.tar.gz: " + hashlib.sha256(data).hexdigest() + "\n").encode())
    return _tar({"metadata.gz": metadata, "data.tar.gz": data, "checksums.yaml.gz": sums}, gz=False)


def composer_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        top = f"acme-fixture-{COMMIT[:7]}/"
        z.writestr(zipfile.ZipInfo(top + "composer.json", _FIXED_TIME), json.dumps({"name": COMPOSER, "autoload": {"psr-4": {"Acme\\": "src/"}}}))
        z.writestr(zipfile.ZipInfo(top + "src/Fixture.php", _FIXED_TIME), "<?php\nnamespace Acme;\nclass Fixture {}\n")
    return buf.getvalue()


def crate_file() -> bytes:
    top = f"{CRATE}-{CRATE_VERSION}/"
    return _tar({top + "Cargo.toml": f'[package]\nname = "{CRATE}"\nversion = "{CRATE_VERSION}"\n'.encode(),
                 top + "src/lib.rs": b"pub fn fixture() {}\n"}, gz=True)


def routes() -> dict[tuple[str, str], tuple[int, dict[str, str], bytes]]:
    """(host, path) -> (status, headers, body): what each registry answers a package manager."""
    gem, zipped, crate = gem_file(), composer_zip(), crate_file()
    gem_sha = hashlib.sha256(gem).hexdigest()
    crate_sha = hashlib.sha256(crate).hexdigest()
    octet = {"content-type": "application/octet-stream"}
    text = {"content-type": "text/plain; charset=utf-8"}
    jsn = {"content-type": "application/json"}
    dist = f"https://api.github.com/repos/{COMPOSER}/zipball/{COMMIT}"
    return {
        # RubyGems: the compact index (Bundler and `gem install`), then the .gem itself
        ("index.rubygems.org", "/versions"): (200, text, f"created_at: 2026-01-01T00:00:00Z\n---\n"
                                                         f"{GEM} {GEM_VERSION} {gem_sha[:32]}\n".encode()),
        ("index.rubygems.org", f"/info/{GEM}"): (200, text, f"---\n{GEM_VERSION} |checksum:{gem_sha}\n".encode()),
        ("rubygems.org", f"/gems/{GEM}-{GEM_VERSION}.gem"): (200, octet, gem),
        # Packagist: the repository's root, the p2 metadata (Composer 2), the dist via GitHub
        ("repo.packagist.org", "/packages.json"): (200, jsn, json.dumps(
            {"packages": [], "metadata-url": "/p2/%package%.json",
             "providers-api": "https://packagist.org/providers/%package%.json"}).encode()),
        ("repo.packagist.org", f"/p2/{COMPOSER}.json"): (200, jsn, json.dumps(
            {"minified": "composer/2.0", "packages": {COMPOSER: [
                {"name": COMPOSER, "version": "1.0.0", "version_normalized": "1.0.0.0",
                 "dist": {"type": "zip", "url": dist, "reference": COMMIT, "shasum": ""}}]}}).encode()),
        ("api.github.com", f"/repos/{COMPOSER}/zipball/{COMMIT}"): (
            302, {"location": f"https://codeload.github.com/{COMPOSER}/legacy.zip/{COMMIT}"}, b""),
        ("codeload.github.com", f"/{COMPOSER}/legacy.zip/{COMMIT}"): (200, {"content-type": "application/zip"}, zipped),
        # crates.io: the sparse index (config, then the crate's file), then the .crate
        ("index.crates.io", "/config.json"): (200, jsn, json.dumps(
            {"dl": "https://static.crates.io/crates", "api": "https://crates.io"}).encode()),
        ("index.crates.io", f"/fi/xt/{CRATE}"): (200, text, json.dumps(
            {"name": CRATE, "vers": CRATE_VERSION, "deps": [], "cksum": crate_sha, "features": {},
             "yanked": False}).encode() + b"\n"),
        ("static.crates.io", f"/crates/{CRATE}/{CRATE}-{CRATE_VERSION}.crate"): (200, octet, crate),
    }


class _Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list = []
    table: dict = {}

    def _answer(self) -> None:
        host = (self.headers.get("host") or "").split(":")[0]
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self.seen.append([host, self.command, self.path])
        # a write would succeed here: only the proxy stands between it and the registry
        status, headers, body = self.table.get((host, self.path), (201 if self.command in ("PUT", "POST")
                                                                    else 404, {}, b"{}"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


def serve_upstream(ca_cert: str, ca_key: str) -> ThreadingHTTPServer:
    from pkgtrace.sandbox.netsim.ca import RunCA
    ca = RunCA.load(open(ca_cert, "rb").read(), open(ca_key, "rb").read())
    contexts = {}
    for name in HOSTS:  # each registry name gets its own leaf, chosen by SNI
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.NamedTemporaryFile() as f:
            f.write(ca.leaf_pem(name) + ca.leaf_key_pem())
            f.flush()
            ctx.load_cert_chain(f.name)
        contexts[name] = ctx
    default = contexts[HOSTS[0]]

    def pick(sslobj, name, _ctx):
        if name in contexts:
            sslobj.context = contexts[name]
    default.sni_callback = pick
    _Upstream.table = routes()
    httpd = ThreadingHTTPServer(("127.0.0.1", 443), _Upstream)
    httpd.socket = default.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def main(config_path: str) -> int:
    from pkgtrace.sandbox.netsim.cache import DownloadCache
    from pkgtrace.sandbox.netsim.forwarder import Forwarder
    config = json.load(open(config_path))
    serve_upstream(config["upstream_ca_cert"], config["upstream_ca_key"])
    fwd = Forwarder(config["socket"], frozenset(config["allow"]), DownloadCache(Path(config["cache"])))
    print("READY", flush=True)
    sys.stdin.read()
    print(json.dumps({"log": fwd.log, "upstream": _Upstream.seen}), flush=True)
    fwd.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
