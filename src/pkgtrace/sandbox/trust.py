"""What the guest trusts: the run's own CA (so the simulator can read HTTPS), beside the usual roots.

The simulator terminates every TLS connection with a leaf signed by a CA minted for the run
(netsim/ca.py); registry traffic is re-issued upstream by the host-side proxy, which verifies the
real registry against the host's store. The guest's bundle is the host's bundle plus the run CA,
laid over the paths and variables each client pkgtrace runs reads: the system store (OpenSSL,
Python's ssl, Ruby, PHP/Composer, curl/Cargo all default to it on Debian), Debian's certifi and
pip's vendored certifi (both point at the system file), Node (its own roots, plus
NODE_EXTRA_CA_CERTS), and the variables requests/httpx/curl/git/cargo honour when a package
brings its own certifi."""

from __future__ import annotations

import ssl
from pathlib import Path

from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.runsc import Mount

GUEST_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Private copies of the roots that clients open directly (pip's vendored certifi, Composer's
# bundled file, Debian's certifi): the same bundle is laid over each that the image has.
GUEST_BUNDLE_ALIASES = ("/usr/lib/python3/dist-packages/pip/_vendor/certifi/cacert.pem",
                        "/usr/share/php/data/Composer/res/cacert.pem",
                        "/usr/lib/python3/dist-packages/certifi/cacert.pem")
GUEST_ENV = {"NODE_EXTRA_CA_CERTS": GUEST_BUNDLE, "PIP_CERT": GUEST_BUNDLE,
             "SSL_CERT_FILE": GUEST_BUNDLE, "REQUESTS_CA_BUNDLE": GUEST_BUNDLE,
             "CURL_CA_BUNDLE": GUEST_BUNDLE, "GIT_SSL_CAINFO": GUEST_BUNDLE,
             "CARGO_HTTP_CAINFO": GUEST_BUNDLE}


def host_bundle() -> Path | None:
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate).resolve()
    return None


def guest_bundle(ca: RunCA, folder: Path) -> Path:
    """The bundle the guest trusts, written into FOLDER: the host's roots, then the run CA."""
    host = host_bundle()
    roots = host.read_bytes() if host else b""
    if roots and not roots.endswith(b"\n"):
        roots += b"\n"
    path = folder / "guest-ca-bundle.crt"
    path.write_bytes(roots + ca.cert_pem())
    return path


def mounts_and_env(ca: RunCA | None = None, folder: Path | None = None,
                   rootfs: Path | None = None) -> tuple[list[Mount], dict[str, str]]:
    """Mounts and environment that make the guest trust CA (and the host's roots); ROOTFS, the
    image's root, limits the aliases to files the image has (a bind needs its target)."""
    if ca is None or folder is None:
        bundle = host_bundle()
        if bundle is None:
            return [], {}
    else:
        bundle = guest_bundle(ca, folder)
    aliases = [p for p in GUEST_BUNDLE_ALIASES if rootfs is not None and (rootfs / p.lstrip("/")).is_file()]
    mounts = [Mount(bundle, GUEST_BUNDLE)] + [Mount(bundle, p) for p in aliases]
    return mounts, dict(GUEST_ENV)
