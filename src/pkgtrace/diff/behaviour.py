"""What one release does, as sets a diff can compare, from its stored documents (the OSSF dynamic
and static documents and the pkgtrace report).

Values are normalised so that two releases of one package compare equal where they behave alike:
the release's own version and name-version folder become placeholders, as do process ids and the
random parts of temporary paths, which differ on every run."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from pkgtrace.results.documents import read_documents
from pkgtrace.sandbox.netsim.story import story
from pkgtrace.static.hooks import package_root

# The dimensions of behaviour a diff reports, in the order people read them.
DIMENSIONS = ("hosts", "requests", "sockets", "commands", "files", "install_hooks", "findings")


@dataclass
class Item:
    value: str                            # normalised, what is compared
    phases: set[str] = field(default_factory=set)
    detail: str = ""                      # shown to people: e.g. the hook's command, a finding's message


@dataclass
class Behaviour:
    version: str
    dims: dict[str, dict[str, Item]] = field(default_factory=lambda: {d: {} for d in DIMENSIONS})
    hook_bodies: dict[str, str] = field(default_factory=dict)   # hook key -> sha256 of its excerpt
    files_sha256: dict[str, str] = field(default_factory=dict)  # archive path (root stripped) -> sha256
    label: str | None = None
    score: float | None = None
    has_dynamic: bool = False
    has_static: bool = False

    def add(self, dim: str, value: str, phase: str | None = None, detail: str = "") -> None:
        if not value:
            return
        it = self.dims[dim].setdefault(value, Item(value, set(), ""))
        if phase:
            it.phases.add(phase)
        if detail and detail not in it.detail.split("; "):
            it.detail = f"{it.detail}; {detail}" if it.detail else detail


class Normaliser:
    def __init__(self, name: str, version: str):
        self.version = version
        self._rx: list[tuple[re.Pattern, str]] = []
        if version:
            base = re.escape(name.split("/")[-1]) if name else None
            if base:  # pkg-1.2.3, pkg_1.2.3, pkg-1.2.3.dist-info
                self._rx.append((re.compile(base + r"([-_])" + re.escape(version), re.I), name.split("/")[-1] + r"\1{version}"))
            self._rx.append((re.compile(r"(?<![\w.])" + re.escape(version) + r"(?![\w])"), "{version}"))
        self._rx += [
            (re.compile(r"/proc/\d+/"), "/proc/N/"),
            # package managers' content-addressed caches and per-run scratch: names differ every run
            (re.compile(r"/_cacache/(tmp|content-v2|index-v5)/\S*"), r"/_cacache/\1/*"),
            (re.compile(r"\d{4}-\d\d-\d\dT\d\d[_:]\d\d[_:]\d\d[_.:]\d+Z"), "<time>"),
            # pip's and npm's per-run folders, mkstemp names, hex digests and cache keys
            (re.compile(r"/(pip-[a-z]+-|tmp|npm-)[a-z0-9_]{6,}"), r"/\1*"),
            (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
        ]

    def __call__(self, text: str) -> str:
        for rx, repl in self._rx:
            text = rx.sub(repl, text)
        return text


def behaviour_of(documents: dict[str, dict | None]) -> Behaviour:
    docs = read_documents(documents)
    report, dynamic, static = docs.report, docs.dynamic, docs.static
    ids = ([(report.package.name, report.package.version)] if report else []) + \
        ([(dynamic.Package.Name, dynamic.Package.Version)] if dynamic else []) + \
        ([(static.name, static.version)] if static else [])
    name, version = ids[0] if ids else ("", "")
    norm = Normaliser(name, version)
    b = Behaviour(version)

    verdict = report.verdict if report else None
    b.label, b.score = (verdict.label, verdict.score) if verdict else (None, None)

    b.has_dynamic = bool(dynamic and dynamic.Analysis)
    for phase, s in (dynamic.Analysis.items() if dynamic else ()):
        for q in (q for d in s.DNS for q in d.Queries):
            b.add("hosts", q.Hostname.lower().rstrip("."), phase, "DNS query")
        for k in s.Sockets:
            hosts = [h.lower() for h in k.Hostnames]
            b.add("sockets", f"{k.Address}:{k.Port}", phase, " ".join(hosts))
            for h in hosts:
                b.add("hosts", h, phase, f"connected to {k.Address}:{k.Port}")
        for c in s.Commands:
            b.add("commands", norm(" ".join(c.Command)), phase)
        for f in s.Files:
            for op in [op for op, flag in (("write", f.Write), ("delete", f.Delete), ("read", f.Read)) if flag]:
                b.add("files", f"{op} {norm(f.Path)}", phase)
    # The report's richer capture: TLS SNI and HTTP Host of every connection the simulator took,
    # and each request with what became of it (TLS, the proxy's decision and reason, the answer).
    dyn_section = report.dynamic if report else None
    for phase, ps in (dyn_section.phases.items() if dyn_section else ()):
        for e in ps.network:
            if e.kind == "udp":
                if e.hostname:
                    b.add("hosts", e.hostname.lower(), phase, f"UDP to {e.dst}:{e.port}")
                continue
            s = story(e)
            if s.forwarded:
                continue  # a read the proxy forwarded: the package manager's own traffic
            method, target = (e.http.method, e.http.target) if e.http else (None, None)
            tls = f"TLS {s.tls_outcome}; " if s.tls else ""
            if s.request:
                how = f"HTTP{'S' if s.tls else ''} {method} {target} to {s.address}"
            elif s.tls:
                how = f"TLS to {s.address}"
            else:
                how = f"TCP to {s.address}"
            hosts = {h.lower() for h in (s.name, s.sni) if h}
            if s.host:
                hosts.add(s.host.split(":")[0].lower())
            for host in sorted(hosts):
                b.add("hosts", host, phase, how)
            if s.request:
                where = s.sni or (s.host or "").split(":")[0] or s.name or s.address
                value = f"{method} {'https' if s.tls else 'http'}://{where}{str(target)[:300]}"
                answered = f"; answered {s.answer}" if s.answer and "answered by" not in s.outcome else ""
                b.add("requests", norm(value), phase, f"{tls}{s.outcome}{answered}")
            elif s.tls and s.tls_outcome != "intercepted":
                b.add("requests", f"TLS to {s.sni or s.address}", phase, f"TLS {s.tls_outcome}")

    section = report.static if report else None
    b.has_static = section is not None or static is not None
    if static is not None:
        listed = [(f.filename, f.sha256 or "") for f in static.results.files if f.filename]
    else:
        listed = [(f.path, f.sha256) for f in section.files if f.path] if section else []
    # The archive's one top folder (package/, name-1.0/) changes with the version: drop it.
    root = package_root([p for p, _ in listed])

    def rel(path: str) -> str:
        return norm(path[len(root):] if root and path.startswith(root) else path)

    for path, sha in listed:
        b.files_sha256[rel(path)] = sha
    for h in (section.install_hooks if section else ()):
        if h.kind == "error":
            continue
        key = f"{h.kind} {rel(h.file)}"
        if h.details.get("script"):  # details are kind-specific: an npm hook names its script
            key += f" [{h.details['script']}]"
        shown = str(h.details.get("command") or h.excerpt or "")[:200].replace("\n", " ")
        b.add("install_hooks", key, None, shown)
        b.hook_bodies[key] = hashlib.sha256(norm(h.excerpt or "").encode()).hexdigest()
    for f in (verdict.findings if verdict else ()):
        b.add("findings", f.rule, f.phase, f"[{f.severity}] {f.message}")

    return b
