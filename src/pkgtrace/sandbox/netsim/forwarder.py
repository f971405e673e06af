"""Host-side forwarder: the only way out of a run's network, and only to allowlisted registries.

The simulator (in its own namespace) connects over a Unix socket, names the host it wants, and
the forwarder, on the host's network, connects to that host's port 443 and splices the bytes.
It checks the allowlist itself, so a compromised simulator still cannot reach anything else.
"""

from __future__ import annotations

import json
import os
import socket
import threading

from pkgtrace.sandbox.netsim.server import splice

# Hosts each ecosystem's package manager needs. Kept narrow: each entry is a way out, and a run
# opens only its own ecosystem's.
REGISTRY_HOSTS_BY_ECOSYSTEM = {
    "pypi": frozenset({"pypi.org", "files.pythonhosted.org"}),
    "npm": frozenset({"registry.npmjs.org", "registry.yarnpkg.com"}),
    # gem: the API and the compact index; .gem files redirect to the CDN host
    "rubygems": frozenset({"rubygems.org", "index.rubygems.org", "rubygems.global.ssl.fastly.net"}),
    # composer: metadata, then dists from GitHub's API (which redirects to codeload)
    "packagist": frozenset({"repo.packagist.org", "packagist.org", "api.github.com",
                            "codeload.github.com"}),
    # cargo: the sparse index and the crate files
    "crates.io": frozenset({"index.crates.io", "static.crates.io", "crates.io"}),
}
REGISTRY_HOSTS = frozenset().union(*REGISTRY_HOSTS_BY_ECOSYSTEM.values())


class Forwarder:
    def __init__(self, path: str, allow: frozenset[str] = REGISTRY_HOSTS):
        self.path = path
        self.allow = allow
        self.log: list[dict] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(path)
        os.chmod(path, 0o600)
        self._sock.listen(64)
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            line = bytearray()
            while not line.endswith(b"\n") and len(line) < 1024:
                b = conn.recv(1)
                if not b:
                    return
                line += b
            try:
                req = json.loads(line)
                host, port = str(req["host"]).lower(), int(req["port"])
            except (ValueError, KeyError, TypeError):
                conn.sendall(b"ERR bad request\n")
                return
            if host not in self.allow or port != 443:
                self.log.append({"host": host, "port": port, "allowed": False})
                conn.sendall(b"ERR not allowed\n")
                return
            try:
                up = socket.create_connection((host, port), timeout=15)
            except OSError as e:
                self.log.append({"host": host, "port": port, "allowed": True, "error": str(e)})
                conn.sendall(f"ERR {e}\n".encode())
                return
            self.log.append({"host": host, "port": port, "allowed": True})
            conn.sendall(b"OK\n")
            conn.settimeout(None)
            up.settimeout(None)
            with up:
                splice(conn, up)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._closed = True
        self._sock.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
