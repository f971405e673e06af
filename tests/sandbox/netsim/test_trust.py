"""The guest trusts the run's CA beside the host's roots, under every path and variable clients read."""

from __future__ import annotations

from pkgtrace.sandbox import trust
from pkgtrace.sandbox.netsim.ca import RunCA


def test_guest_bundle_holds_the_host_roots_and_the_run_ca(tmp_path):
    ca = RunCA.mint()
    rootfs = tmp_path / "rootfs"
    pip_bundle = rootfs / trust.GUEST_BUNDLE_ALIASES[0].lstrip("/")
    pip_bundle.parent.mkdir(parents=True)
    pip_bundle.write_text("stock roots")
    mounts, env = trust.mounts_and_env(ca, tmp_path, rootfs)
    bundle = mounts[0].host.read_bytes()
    assert bundle.endswith(ca.cert_pem())
    host = trust.host_bundle()
    if host is not None:
        assert bundle.startswith(host.read_bytes()[:1000])
    guests = [m.guest for m in mounts]
    # the system store and pip's vendored copy (present in this rootfs); not Composer's (absent)
    assert guests == [trust.GUEST_BUNDLE, trust.GUEST_BUNDLE_ALIASES[0]]
    assert all(m.readonly and m.host == mounts[0].host for m in mounts)
    for var in ("NODE_EXTRA_CA_CERTS", "PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CARGO_HTTP_CAINFO"):
        assert env[var] == trust.GUEST_BUNDLE


def test_each_run_has_its_own_ca(tmp_path):
    a, b = RunCA.mint(), RunCA.mint()
    assert a.cert_pem() != b.cert_pem()
    # and the CA's name does not say what it is for
    assert "pkgtrace" not in a.cert.subject.rfc4514_string().lower()
