"""The host's TLS trust store, lent to the guest for registry traffic.

Registry connections are spliced through to the real registry, so the guest sees whatever
certificate the host's route to it presents. Where that route goes through a TLS-inspecting
egress proxy (as on build machines), only the host's own bundle, which holds the proxy's CA,
verifies it; the image's stock bundle would fail every dependency download."""

from __future__ import annotations

import ssl
from pathlib import Path

from pkgtrace.sandbox.runsc import Mount

GUEST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Tools that ignore the system store unless told (Node has its own; pip may vendor certifi).
GUEST_ENV = {"NODE_EXTRA_CA_CERTS": GUEST_BUNDLE, "PIP_CERT": GUEST_BUNDLE}


def host_bundle() -> Path | None:
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    return None


def mounts_and_env() -> tuple[list[Mount], dict[str, str]]:
    bundle = host_bundle()
    if bundle is None:
        return [], {}
    return [Mount(bundle, GUEST_BUNDLE)], dict(GUEST_ENV)
