"""The run CA signs leaves that verify for the name (or address) asked, and nothing else."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest
from hypothesis import given, settings, strategies as st

from pkgtrace.sandbox.netsim.ca import RunCA


def _handshake(ca: RunCA, server_name: str, trust: bytes, tmp_path) -> str | None:
    """Serve ca's leaf for SERVER_NAME; a client trusting TRUST connects; its error, if any."""
    chain = tmp_path / "chain.pem"
    chain.write_bytes(ca.leaf_pem(server_name) + ca.leaf_key_pem())
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(chain)
    a, b = socket.socketpair()
    t = threading.Thread(target=lambda: _serve(sctx, a), daemon=True)
    t.start()
    cctx = ssl.create_default_context(cadata=trust.decode())
    try:
        with cctx.wrap_socket(b, server_hostname=server_name):
            return None
    except ssl.SSLError as e:
        return e.reason
    finally:
        t.join(5)


def _serve(ctx, sock):
    try:
        with ctx.wrap_socket(sock, server_side=True):
            pass
    except (ssl.SSLError, OSError):
        pass


def test_leaf_verifies_for_name_and_address(tmp_path):
    ca = RunCA.mint()
    assert _handshake(ca, "collect.example", ca.cert_pem(), tmp_path) is None
    assert _handshake(ca, "203.0.113.7", ca.cert_pem(), tmp_path) is None


def test_a_client_trusting_other_roots_refuses(tmp_path):
    ca, other = RunCA.mint(), RunCA.mint()
    assert _handshake(ca, "collect.example", other.cert_pem(), tmp_path) is not None


def test_ca_round_trips_through_pem():
    ca = RunCA.mint()
    again = RunCA.load(ca.cert_pem(), ca.key_pem())
    assert again.cert == ca.cert


_CA = RunCA.mint()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_sni_gets_a_certificate_or_a_clean_error(name):
    # a hostile SNI is whatever the client chose: a certificate, or a ValueError the caller handles
    try:
        pem = _CA.leaf_pem(name)
    except ValueError:
        return
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
