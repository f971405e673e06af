"""A loopback HTTP server that answers like the real registries (their documented JSON shapes).

Routes are exact paths -> (status, content type, body) or a redirect; every request is logged so
that tests can check what the client asked for.
"""

from __future__ import annotations

import hashlib
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeRegistry:
    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict]] = field(default_factory=list)
    failures: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses to answer first
    url: str = ""

    def json(self, path: str, doc, status: int = 200) -> None:
        self.routes[path] = (status, "application/json", json.dumps(doc).encode())

    def blob(self, path: str, data: bytes) -> str:
        self.routes[path] = (200, "application/octet-stream", data)
        return hashlib.sha256(data).hexdigest()

    def redirect(self, path: str, to: str) -> None:
        self.redirects[path] = to

    # -- RubyGems -------------------------------------------------------------------------
    def add_gem(self, name: str, version: str, data: bytes, *, latest: bool = True,
                platform: str = "ruby", sha: str | None = None) -> None:
        digest = self.blob(f"/gems/{name}-{version}.gem", data)
        if latest:
            self.json(f"/api/v1/versions/{name}/latest.json", {"version": version})
        self.json(f"/api/v2/rubygems/{name}/versions/{version}.json", {
            "name": name, "version": version, "platform": platform, "sha": sha or digest,
            "number": version, "prerelease": False, "summary": "fixture", "authors": "pkgtrace"})

    # -- Packagist (p2, minified as the real one is) --------------------------------------
    def add_composer(self, name: str, versions: list[tuple[str, bytes | None]]) -> None:
        """VERSIONS newest first; a None body lists a version without serving its dist."""
        expanded = []
        for version, data in versions:
            path = f"/dist/{name.replace('/', '-')}-{version}.zip"
            if data is not None:
                self.blob(path, data)
            norm = version.lstrip("v")
            norm = norm if norm.count(".") >= 3 or "-" in norm else norm + ".0" * (3 - norm.count("."))
            expanded.append({"name": name, "description": "fixture", "version": version,
                             "version_normalized": norm, "type": "library",
                             "license": ["MIT"],
                             "dist": {"type": "zip", "url": self.url + path,
                                      "reference": hashlib.sha1(version.encode()).hexdigest(),
                                      "shasum": ""},
                             "require": {"php": ">=7.4"}})
        minified, prev = [], {}
        for v in expanded:  # each entry only carries what changed from the previous one
            diff = {k: val for k, val in v.items() if prev.get(k) != val}
            diff.update({k: "__unset" for k in prev if k not in v})
            minified.append(diff)
            prev = v
        self.json(f"/p2/{name}.json", {"packages": {name: minified}, "minified": "composer/2.0"})

    # -- crates.io ------------------------------------------------------------------------
    def add_crate(self, name: str, versions: list[tuple[str, bytes, bool]],
                  max_stable: str | None = None, checksum: str | None = None) -> None:
        """VERSIONS newest first as (version, .crate bytes, yanked)."""
        vs = []
        for version, data, yanked in versions:
            digest = self.blob(f"/crates/{name}/{name}-{version}.crate", data)
            dl = f"/api/v1/crates/{name}/{version}/download"
            self.redirect(dl, f"/crates/{name}/{name}-{version}.crate")  # as static.crates.io
            vs.append({"id": len(vs) + 1, "crate": name, "num": version, "dl_path": dl,
                       "checksum": checksum or digest, "yanked": yanked,
                       "crate_size": len(data), "license": "MIT"})
        newest = versions[0][0]
        self.json(f"/api/v1/crates/{name}", {
            "crate": {"id": name, "name": name, "newest_version": newest,
                      "max_version": newest, "max_stable_version": max_stable or newest},
            "versions": vs, "keywords": [], "categories": []})


def serve(reg: FakeRegistry):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            path = self.path.split("?", 1)[0]
            reg.requests.append((path, dict(self.headers)))
            if path in reg.redirects:
                self.send_response(302)
                self.send_header("Location", reg.url + reg.redirects[path])
                self.end_headers()
                return
            status, ctype, body = reg.routes.get(path, (404, "application/json",
                                                         b'{"errors":[{"detail":"Not Found"}]}'))
            if reg.failures.get(path):
                status, ctype, body = reg.failures[path].pop(0), "text/plain", b"unavailable"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    reg.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@contextmanager
def serving(monkeypatch, env_vars):
    """A FakeRegistry on loopback with ENV_VARS (PKGTRACE_<ECO>_URL) pointing at it; child
    processes started by the test inherit them."""
    reg = FakeRegistry()
    server = serve(reg)
    for var in env_vars:
        monkeypatch.setenv(var, reg.url)
    try:
        yield reg
    finally:
        server.shutdown()
        server.server_close()
