"""Each ecosystem's run opens only its own registries' hosts through the host-side forwarder."""

from __future__ import annotations

import json
import socket

import pytest

from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS, REGISTRY_HOSTS_BY_ECOSYSTEM, Forwarder


def _ask(path: str, host: str, port: int = 443) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(30)
        s.connect(path)
        s.sendall(json.dumps({"host": host, "port": port}).encode() + b"\n")
        return s.recv(1024)


def test_every_ecosystem_has_its_registry_hosts():
    assert set(REGISTRY_HOSTS_BY_ECOSYSTEM) == {"pypi", "npm", "rubygems", "packagist", "crates.io"}
    assert {"rubygems.org", "index.rubygems.org"} <= REGISTRY_HOSTS_BY_ECOSYSTEM["rubygems"]
    assert {"repo.packagist.org", "api.github.com", "codeload.github.com"} <= \
        REGISTRY_HOSTS_BY_ECOSYSTEM["packagist"]
    assert {"index.crates.io", "static.crates.io"} <= REGISTRY_HOSTS_BY_ECOSYSTEM["crates.io"]
    assert REGISTRY_HOSTS == frozenset().union(*REGISTRY_HOSTS_BY_ECOSYSTEM.values())
    assert "github.com" not in REGISTRY_HOSTS  # no git clones: a way out for anything


@pytest.mark.parametrize("ecosystem,other", [("rubygems", "pypi.org"), ("crates.io", "repo.packagist.org"),
                                             ("packagist", "evil.example")])
def test_a_run_refuses_hosts_of_other_registries(tmp_path, ecosystem, other):
    fwd = Forwarder(str(tmp_path / "f.sock"), REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])
    try:
        assert _ask(fwd.path, other) == b"ERR not allowed\n"
        assert _ask(fwd.path, sorted(REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])[0], 80) == b"ERR not allowed\n"
        # an allowed host gets past the allowlist (this machine cannot reach it: a connect error)
        answer = _ask(fwd.path, sorted(REGISTRY_HOSTS_BY_ECOSYSTEM[ecosystem])[0])
        assert answer != b"ERR not allowed\n" and answer.startswith((b"OK", b"ERR"))
    finally:
        fwd.close()
    assert {"host": other, "port": 443, "allowed": False} in fwd.log
