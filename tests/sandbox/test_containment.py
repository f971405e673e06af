"""Containment: nothing in the sandbox reaches the host's network, files or image."""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import threading
from pathlib import Path

import pytest

from builders import setup_py_package
from clirun import run_cli_json
from pkgtrace.sandbox import image, layout

pytestmark = pytest.mark.sandbox


def _host_address() -> str:
    # The address the host's default route uses (no packet is sent by a UDP connect).
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.254", 9))
        return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()


class Listener:
    """A TCP listener on every host address that records whoever connects."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.accepted: list = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, addr = self.sock.accept()
                self.accepted.append(addr)
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_package_cannot_reach_host_network_files_or_image(tmp_path, results):
    host_ip = _host_address()
    listener = Listener()
    secret = f"pkgtrace-host-secret-{secrets.token_hex(8)}"
    secret_file = Path("/var/tmp") / f"{secret}.txt"
    secret_file.write_text(secret)
    img = image.ensure()
    python_before = _sha(img.rootfs / "usr/bin/python3.11")
    body = f"""
import json, socket
res = {{}}
for name, host in (("loopback", "127.0.0.1"), ("host", {host_ip!r})):
    try:
        s = socket.create_connection((host, {listener.port}), timeout=3)
        s.sendall(b"ESCAPE")
        res[name] = "connected"
    except OSError as e:
        res[name] = repr(e)
for p in ({str(secret_file)!r}, "/proc/1/root{secret_file}", "/../../..{secret_file}"):
    try:
        res["read " + p] = open(p).read()
    except OSError as e:
        res["read " + p] = repr(e)
for p in ("/etc/pkgtrace-escape", "/usr/bin/python3.11", {layout.ARTIFACTS + "/escape"!r},
          {layout.DRIVERS + "/escape"!r}):
    try:
        with open(p, "ab") as f:
            f.write(b"ESCAPED")
        res["write " + p] = "ok"
    except OSError as e:
        res["write " + p] = repr(e)
print("PKGTRACE-RESULT " + json.dumps(res))
"""
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-escape", body)
    artifact_before = _sha(artifact)
    try:
        docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                            "--results", str(results), "--timeout", "120")
    finally:
        listener.close()
        secret_file_text = secret_file.read_text()
        secret_file.unlink()
    assert listener.accepted == [], f"the sandbox reached the host: {listener.accepted}"
    assert secret_file_text == secret
    dumped = json.dumps(docs)
    # The file's content never reached the sandbox (its name does: it is in the fixture's code).
    assert dumped.count(secret) == dumped.count(f"{secret}.txt")
    # Writes inside landed in the run's overlay, never in the image or the host's files.
    assert not (img.rootfs / "etc/pkgtrace-escape").exists()
    assert not Path("/etc/pkgtrace-escape").exists()
    assert _sha(img.rootfs / "usr/bin/python3.11") == python_before
    assert _sha(artifact) == artifact_before
    from pkgtrace.sandbox.runsc import GUEST_DIR
    assert not (GUEST_DIR / "escape").exists()
    # The connection to the host's own address was answered by the simulator, and recorded.
    net = docs["report"]["dynamic"]["phases"]["install"]["network"]
    assert any(e.get("dst") == host_ip and e.get("port") == listener.port for e in net)
