"""What may leave for a registry: GET/HEAD of the paths each package manager reads, nothing else.

One decision function, used by the host-side proxy (which enforces it) and by tests. A request is
judged on the exact name the client asked for (SNI), its Host header, method, target and headers;
anything unusual (a trailing dot, an IP, a Host that differs from the SNI, an encoded dot-dot, a
body on a GET) is refused, so nothing the package phrases cleverly is ever forwarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

# npm names: lower case today, mixed case in old packages (JSONStream); never starting with "-"
# (that is npm's own API: /-/whoami, /-/npm/v1/tokens) or "." (no dot segments).
_NPM_NAME = r"(?:@[A-Za-z0-9_][\w.~-]*(?:/|%2[fF]))?[A-Za-z0-9_][\w.~-]*"
_NPM = [(r"/" + _NPM_NAME + r"/?", False),
        (r"/" + _NPM_NAME + r"/-/[\w.~@-]+\.tgz", True)]
_GEMS = [(r"/gems/[\w.+~-]+\.gem", True),
         (r"/quick/Marshal\.4\.8/[\w.+~-]+\.gemspec\.rz", True),
         (r"/(?:latest_|prerelease_)?specs\.4\.8\.gz", False),
         (r"/info/[\w.+~-]+", False), (r"/versions", False), (r"/names", False),
         (r"/api/v1/dependencies(?:\?gems=[\w.,+~%-]*)?", False),
         (r"/api/v1/gems/[\w.+~-]+\.json", False)]
_PACKAGIST = [(r"/packages\.json", False), (r"/p2/[\w.-]+/[\w.-]+(?:~dev)?\.json", False),
              (r"/p/[\w.$%-]+(?:/[\w.$%-]+)?\.json", False)]
# (pattern over the whole target, is it an immutable download worth caching)
PATHS: dict[str, list[tuple[str, bool]]] = {
    "pypi.org": [(r"/simple/[\w.-]+/", False), (r"/simple/[\w.-]+", False),
                 (r"/pypi/[\w.-]+(?:/[\w.!+-]+)?/json", False)],
    "files.pythonhosted.org": [(r"/packages/[\w/.!+%-]+\.(?:whl|tar\.gz|zip|tar\.bz2|egg|metadata)", True)],
    "registry.npmjs.org": _NPM, "registry.yarnpkg.com": _NPM,
    "rubygems.org": _GEMS, "index.rubygems.org": _GEMS, "rubygems.global.ssl.fastly.net": _GEMS,
    "repo.packagist.org": _PACKAGIST, "packagist.org": _PACKAGIST,
    "api.github.com": [(r"/repos/[\w.-]+/[\w.-]+/(?:zipball|tarball)/[\w.+-]+", False)],
    # a dist named by its full commit is immutable (Composer's dists are); a branch or tag is not
    "codeload.github.com": [(r"/[\w.-]+/[\w.-]+/(?:legacy\.)?(?:zip|tar\.gz)/[0-9a-f]{40}", True),
                            (r"/[\w.-]+/[\w.-]+/(?:legacy\.)?(?:zip|tar\.gz)/[\w./+-]+", False)],
    "index.crates.io": [(r"/config\.json", False), (r"/(?:1|2)/[\w-]+", False),
                        (r"/3/[\w]/[\w-]+", False), (r"/[\w]{2}/[\w]{2}/[\w-]+", False)],
    "static.crates.io": [(r"/crates/[\w-]+/[\w-]+-[\w.+-]+\.crate", True),
                         (r"/crates/[\w-]+/[\w.+-]+/download", True)],
    "crates.io": [(r"/api/v1/crates/[\w-]+/[\w.+-]+/download", False)],
}
_COMPILED = {h: [(re.compile(p), c) for p, c in rules] for h, rules in PATHS.items()}

# Requests that are refused but change nothing on the registry: npm's audit and Composer's
# download statistics (the package managers' own), and PyPI's XML-RPC API, read-only since 2018
# (uploads go to upload.pypi.org; jupyterlab's extension manager lists packages through it).
# Refused all the same (no body is passed on); not flagged as writes.
HOUSEKEEPING = [("POST", "registry.npmjs.org", re.compile(r"/-/npm/v1/security/(?:audits|advisories)/.*")),
                ("POST", "packagist.org", re.compile(r"/downloads/?")),
                ("POST", "repo.packagist.org", re.compile(r"/downloads/?")),
                ("POST", "pypi.org", re.compile(r"/pypi/?|/RPC2/?"))]

READ_METHODS = ("GET", "HEAD")
MAX_TARGET = 2048
# Request headers worth passing upstream: content negotiation and revalidation. Nothing that
# identifies or authenticates the guest (tokens never leave), with bounded values.
FORWARD_HEADERS = ("accept", "accept-encoding", "if-none-match", "if-modified-since")
MAX_HEADER_VALUE = 512
TOKEN_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "x-auth-token", "npm-otp",
                 "private-token", "x-npm-token", "cookie")


@dataclass(frozen=True)
class Decision:
    forward: bool
    reason: str
    write: bool = False          # the package tried to change something on a registry
    cacheable: bool = False      # an immutable download: the shared cache may answer it
    housekeeping: bool = False   # the package manager's own refused request (audit, stats)


def is_registry_host(name: str | None, allow: frozenset[str] = REGISTRY_HOSTS) -> bool:
    """Exact names only: 'pypi.org.', 'PyPI.org' (after lowering, fine) or '1.2.3.4' are not."""
    return bool(name) and name.lower() in allow and name == name.strip()


def decide(host: str | None, method: str, target: str, headers: list[tuple[str, str]],
           body_length: int, allow: frozenset[str] = REGISTRY_HOSTS) -> Decision:
    host = (host or "").lower()
    write = method not in READ_METHODS
    if not is_registry_host(host, allow):
        if not write and is_registry_host(host) and len(target) <= MAX_TARGET \
                and _package_manager_path(host, target) is not None:
            # npm run by a PyPI package's calls (jupyterlab's builder): a read, of another run's host
            return Decision(False, f"a package manager's read of another ecosystem's registry ({host}), "
                                   "not passed through")
        return Decision(False, f"{host or 'no name'} is not a registry host of this run", write)
    for m, h, pattern in HOUSEKEEPING:
        if method == m and host == h and pattern.fullmatch(target):
            return Decision(False, "package manager housekeeping, not forwarded", False, housekeeping=True)
    if write:
        return Decision(False, f"{method} is not a read: only GET and HEAD reach a registry", True)
    hosts = [v for k, v in headers if k.lower() == "host"]
    if len(hosts) != 1 or hosts[0].lower() not in (host, f"{host}:443"):
        return Decision(False, f"Host header {hosts!r} does not name {host}")
    if body_length:
        return Decision(False, "a read with a body")
    if len(target) > MAX_TARGET or not target.startswith("/") or not target.isascii():
        return Decision(False, "malformed target")
    low = target.lower()
    if ".." in target or "%2e" in low or "//" in target or "\\" in target or "%00" in low:
        return Decision(False, "path traversal in target")
    cacheable = _package_manager_path(host, target)
    if cacheable is not None:
        return Decision(True, f"{method} of a package-manager path on {host}", cacheable=cacheable)
    return Decision(False, f"{target[:200]} is not a path {host}'s package manager reads")


def _package_manager_path(host: str, target: str) -> bool | None:
    """Whether TARGET is a path HOST's package manager reads: None if not, else whether it is an
    immutable download worth caching."""
    for pattern, cacheable in _COMPILED.get(host, []):
        if pattern.fullmatch(target):
            return cacheable
    return None


def forwarded_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for k, v in headers:
        if k.lower() in FORWARD_HEADERS and len(v) <= MAX_HEADER_VALUE and v.isprintable():
            out.append((k.lower(), v))
    return out[:8]


def token_use(headers: list[tuple[str, str]], body: bytes) -> list[str]:
    """Names of the credentials a request carries: auth headers, and tokens in a publish body."""
    found = sorted({k.lower() for k, _ in headers if k.lower() in TOKEN_HEADERS})
    if re.search(rb'_authToken|"?(?:token|password|api_key|apiKey)"?\s*[:=]', body[:65536]):
        found.append("token in body")
    return found
