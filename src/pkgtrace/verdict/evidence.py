"""Everything a rule can match on, flattened from the documents' models (pkgtrace.api, read by
results.documents) into plain records ("facts"), the one shape the rules' `where` clauses match.

Sources: the report's `static` section (install hooks, signals, files), the OSSF static document
(its per-file signal lists, used when the report section is missing), the report's `dynamic`
section (commands, file accesses, connections, DNS, TLS SNI, HTTP requests with bodies, sends,
file events, processes left running, failed syscalls) or, lacking it, the OSSF dynamic
document; and the source text of the artifact's code files, for rules that read code.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator, Mapping

from pkgtrace.api.base import b64_text
from pkgtrace.api.dynamic import DynamicSection, Phase, RunningProcess, Tamper
from pkgtrace.api.network import DnsPacket, NetworkEvent, ProxyDecision
from pkgtrace.api.ossf_dynamic import DynamicResult
from pkgtrace.api.ossf_static import StaticRecord
from pkgtrace.api.static import StaticSection
from pkgtrace.dynamic.fold import carried, spellings
from pkgtrace.results.documents import read_documents
from pkgtrace.sandbox.netsim.policy import is_registry_host, token_use
from pkgtrace.static.extract import read_heads
from pkgtrace.sandbox.persona import decode_powershell
from pkgtrace.static.hooks import package_root
from pkgtrace.static.parsing import detect_language
from pkgtrace.verdict.context import path_context, reached

MAX_CODE_FILE = 2 << 20      # larger files: their head only
MAX_CODE_TOTAL = 64 << 20    # all code text read for one release
PACKET_TEXT = 4096           # characters of a captured body or packet the rules read
_NOT_IMPORTED = ("tests", "docs", "examples", "tooling")  # `pkg/tests/__init__.py` is not run by `import pkg`
_CODE_NAMES = ("package.json", "composer.json", "Cargo.toml", "binding.gyp", "metadata.gz", "PKG-INFO",
               "METADATA")


@dataclass
class CodeFile:
    path: str
    language: str
    text: str
    sha256: str
    role: str          # install (runs when installed/built), import (runs on import/require), other
    minified: bool = False
    context: str = ""  # tests, docs, examples, contrib, tooling, vendored, generated; '' = shipping


@dataclass
class Evidence:
    ecosystem: str
    name: str
    version: str
    artifact_sha256: str | None = None
    facts: list[dict] = field(default_factory=list)
    code: list[CodeFile] = field(default_factory=list)
    metadata: dict | None = None       # registry metadata (see verdict/metadata.py), if fetched
    has_static: bool = False
    has_dynamic: bool = False

    def of(self, kind: str) -> list[dict]:
        return [f for f in self.facts if f["kind"] == kind]


def gather(documents: Mapping[str, Any], artifact: Path | None = None, metadata: dict | None = None) -> Evidence:
    """The facts of DOCUMENTS ({"report", "static", "dynamic"}: models, or their JSON of any
    published version), the code of ARTIFACT and the registry METADATA. An OSSF document is read
    only when the report lacks the section it stands in for."""
    report = read_documents(documents, kinds=("report",)).report
    wanted = [k for k, part in (("static", report and report.static),
                                ("dynamic", report and report.dynamic and report.dynamic.phases)) if not part]
    ossf = read_documents(documents, kinds=wanted)
    if report is not None:
        pkg = report.package
        ev = Evidence(pkg.ecosystem.value, pkg.name, pkg.version, report.artifact.sha256, metadata=metadata)
    elif ossf.static is not None:
        ev = Evidence(ossf.static.ecosystem, ossf.static.name, ossf.static.version, metadata=metadata)
    elif ossf.dynamic is not None:
        p = ossf.dynamic.Package
        ev = Evidence(p.Ecosystem, p.Name, p.Version, metadata=metadata)
    else:
        ev = Evidence("", "", "", metadata=metadata)
    if report is not None and report.static is not None:
        ev.has_static = True
        _static_facts(ev, report.static)
    elif ossf.static is not None:
        ev.has_static = True
        _ossf_static_facts(ev, ossf.static)
    if report is not None and report.dynamic is not None and report.dynamic.phases:
        ev.has_dynamic = True
        _dynamic_facts(ev, report.dynamic)
    elif ossf.dynamic is not None:
        ev.has_dynamic = True
        _ossf_dynamic_facts(ev, ossf.dynamic)
    if artifact is not None and Path(artifact).is_file():
        hooks = {f["file"] for f in ev.of("hook") if f.get("file")}
        ev.code = read_code(Path(artifact), ev.ecosystem, hooks)
        ev.has_static = True
    return ev


# ---------------------------------------------------------------------------------------------
# static


def _static_facts(ev: Evidence, s: StaticSection) -> None:
    for h in s.install_hooks:
        d = h.details
        ev.facts.append({"kind": "hook", "source": "static", "hook": h.kind,
                         "file": h.file, "excerpt": h.excerpt or "",
                         "command": d.get("command") or "", "script": d.get("script") or "",
                         "event": d.get("event") or "", "install_event": d.get("install_event"),
                         "cmdclass": d.get("cmdclass"), "uses": " ".join(d.get("uses") or [])})
    for sig in s.signals:
        ev.facts.append({"kind": "signal", "source": "static", "signal": sig.kind,
                         "file": sig.file, "line": sig.line, "value": sig.value,
                         "via": sig.via or "", "rule": sig.rule or ""})
    for f in s.files:
        ev.facts.append({"kind": "file", "source": "static", "file": f.path,
                         "type": f.type or "", "size": f.size, "language": f.language or "",
                         "minified": f.minified, "max_line_length": f.max_line_length,
                         "sha256": f.sha256, "text": f.text})
    for e in s.extraction.errors:  # the problem's own kind (limit, traversal…) is `problem`
        ev.facts.append({"kind": "extraction_error", "source": "static", "problem": e.kind,
                         "path": e.path or "", "message": e.message})


def _ossf_static_facts(ev: Evidence, doc: StaticRecord) -> None:
    for f in doc.results.files:
        name = f.filename
        ev.facts.append({"kind": "file", "source": "static", "file": name,
                         "type": f.detected_type or "", "size": f.size,
                         "sha256": f.sha256, "language": "", "minified": False,
                         "max_line_length": max((v.value for v in f.line_lengths or []), default=0)})
        for kind, values in (("base64", f.base64_strings), ("hex", f.hex_strings),
                             ("ip", f.ip_addresses), ("url", f.urls)):
            for v in values or []:
                ev.facts.append({"kind": "signal", "source": "static", "signal": kind,
                                 "file": name, "line": None, "value": v, "via": "", "rule": ""})
        for s in f.suspicious_identifiers or []:
            ev.facts.append({"kind": "signal", "source": "static", "signal": "suspicious_identifier",
                             "file": name, "line": None, "value": s.name, "via": "", "rule": s.rule})


# ---------------------------------------------------------------------------------------------
# dynamic


def _phases(d: DynamicSection) -> Iterator[tuple[str, str | None, Phase]]:
    """(phase, world, section) for the base world's phases, then each other world's
    (dynamic/worlds.py): a world's facts carry its name, so its findings say where they were seen."""
    for phase, p in d.phases.items():
        yield phase, None, p
    for world, w in (d.worlds or {}).items():
        for phase, p in w.phases.items():
            yield phase, world, p


# syscalls that succeed only on a file (a folder cannot be opened for writing or truncated)
_FILE_WRITES = {"open", "creat", "truncate", "mknod"}


def _directories(d: DynamicSection) -> set[str]:
    """Paths the trace shows to be folders: created with mkdir, or holding something accessed."""
    out: set[str] = set()
    for _phase, _world, p in _phases(d):
        for e in p.file_events:
            if e.op == "mkdir" and e.path:
                out.add(e.path)
            out.update(str(PurePosixPath(x).parent) for x in (e.path, e.from_) if x)
        out.update(str(PurePosixPath(f.path).parent) for f in p.files if f.path)
        for f in p.failed:  # mkdir on an existing folder fails with EEXIST
            if f.syscall in ("mkdir", "mkdirat") and f.errno == 17 and f.args:
                arg = str(f.args[-2 if f.syscall == "mkdirat" and len(f.args) > 1 else 0])
                out.add(arg.split()[-1].strip('"'))
    # A path opened for writing, or a written file renamed onto it, is a file whatever else the
    # trace shows of it: a package could make a folder, remove it and write a script there.
    written: set[str] = set()
    for _phase, _world, p in _phases(d):
        written.update(f.path for f in p.files if f.write and f.path and set(f.ops or ["open"]) & _FILE_WRITES)
    for _phase, _world, p in _phases(d):
        written.update(e.path for e in p.file_events if e.op == "rename" and e.path and e.from_ in written)
    return out - written


def _dynamic_facts(ev: Evidence, d: DynamicSection) -> None:
    bait_files = set(d.bait.files)
    bait_values = [(v.what, v.value) for v in d.bait.values if v.value]
    folders = _directories(d)
    for phase, world, p in _phases(d):
        base = {"source": "dynamic", "phase": phase, **({"world": world} if world else {})}
        for c in p.commands:
            argv = c.argv
            decoded = c.decoded if c.decoded is not None else decode_powershell(argv)
            ev.facts.append({**base, "kind": "command", "argv": argv, "cmd": " ".join(argv),
                             "exe": c.exe or (argv[0] if argv else ""),
                             "prog": PurePosixPath(argv[0].replace("\\", "/")).name if argv else "",
                             "pid": c.pid, "decoded": decoded or ""})
        for f in p.files:
            ev.facts.append(_file_access(base, f.path, f.read, f.write, f.delete, f.path in bait_files))
        for e in p.file_events:
            ev.facts.append({**base, "kind": "file_event", "op": e.op, "path": e.path or "",
                             "executable": e.executable, "mode": e.mode or "", "from": e.from_ or "",
                             "directory": (e.path or "") in folders})
        for w in p.written_files:
            # what a written file held at the phase's end (dynamic/written.py)
            ev.facts.append({**base, "kind": "written_file", "path": w.path, "state": w.state,
                             "type": w.type or "", "head_kind": w.head_kind or "", "traced": w.traced,
                             "size": w.size, "sha256": w.sha256 or "", "head": (w.head_text or "")[:200]})
        for c in p.connections:
            ev.facts.append({**base, "kind": "connection", "family": c.family or "",
                             "address": c.address or "", "port": c.port,
                             "hostnames": " ".join(c.hostnames), "result": c.result or ""})
        for q in p.dns:
            # the whole query as sent (case kept), its other records: where DNS exfiltration hides
            packet = q.packet or DnsPacket()
            qname = q.qname or q.hostname or ""
            data = " ".join(str(x) for x in (qname, qname.replace(".", ""), packet.records,
                                             b64_text(packet.raw_b64, PACKET_TEXT)) if x)
            ev.facts.append({**base, "kind": "dns", "hostname": q.hostname or "", "qtype": q.qtype or "",
                             "transport": q.transport or "udp", "address": q.dst or "", "data": data})
        for n in p.network:
            ev.facts.extend(_network_facts(base, n))
        for s in p.sends:
            ev.facts.append({**base, "kind": "send", "address": s.address or "", "port": s.port,
                             "data": s.data_text})
        ran_out = _world_ran_out(d, phase, world, p)
        if p.limit == "trace" and not ran_out:
            # a syscall flood big enough to end the phase: what it would have hidden is unseen
            ev.facts.append({**base, "kind": "trace_flood", "bytes": p.trace_bytes or 0,
                             "what": f"{p.trace_bytes or 0} bytes of trace; the phase was ended"})
        if p.folded:
            # more events of a kind than the report lists (dynamic/fold.py): a flood too
            ev.facts.append({**base, "kind": "trace_flood", "bytes": p.trace_bytes or 0,
                             "what": "; ".join(f"{v.count} {k} past the report's list"
                                               for k, v in sorted(p.folded.items()))})
        # processes of a world phase pkgtrace cut short for the run's budget: cut, not left running
        for proc in [] if ran_out else _left_behind(d, p, phase):
            ev.facts.append({**base, "kind": "left_running", "name": proc.name or "", "pid": proc.pid})
        ran = {PurePosixPath(str((c.argv or [""])[0])).name for c in p.commands}
        for f in p.failed:
            ev.facts.append({**base, "kind": "failed", "syscall": f.syscall,
                             "args": " ".join(str(a) for a in f.args),
                             "errno": f.errno, "error": f.error or ""})
            argv = f.argv or []
            prog = PurePosixPath(argv[0] if argv else str(f.exe or "")).name
            if f.syscall in ("execve", "execveat") and prog and prog not in ran:
                # A program tried and never found (a PATH search that later succeeds is not this)
                ev.facts.append({**base, "kind": "exec_attempt", "prog": prog, "argv": argv,
                                 "cmd": " ".join(argv), "error": f.error or ""})
        ev.facts.extend(_tamper(base, t) for t in p.tamper)
    trace = {"source": "dynamic", "phase": "trace"}
    ev.facts.extend(_tamper(trace, t) for t in d.trace_stats.tamper)
    if d.trace_stats.forged:
        ev.facts.append({**trace, "kind": "trace_tamper",
                         "why": f"{d.trace_stats.forged} log lines not written by the sandbox",
                         "syscall": "", "pid": None})
    _theft(ev)
    # Bait values seen leaving: in HTTP bodies, headers, targets, raw sends and first bytes, in
    # any encoding fold.spellings knows (hex over HTTP is as much a theft as hex in a DNS label;
    # base64 need not start at the value).
    bait_spelled = [(what, spellings(value)) for what, value in bait_values]
    for fact in list(ev.facts):
        if fact["kind"] not in ("http", "send", "tcp", "udp", "dns"):
            continue
        blob = " ".join(str(fact.get(k) or "") for k in ("target", "headers", "body", "data"))
        for what, spelled_as in bait_spelled:
            spelled = carried(blob, spelled_as)
            if spelled:
                ev.facts.append({"source": "dynamic", "phase": fact["phase"], "kind": "bait_sent",
                                 **({"world": fact["world"]} if fact.get("world") else {}),
                                 "placeholder": bool(fact.get("placeholder")),
                                 "what": what, "via": fact["kind"],
                                 "address": fact.get("host") or fact.get("address") or "",
                                 "excerpt": _around(blob, spelled)})


def _tamper(base: dict, t: Tamper) -> dict:
    return {**base, "kind": "trace_tamper", "why": t.why or "", "syscall": t.syscall or "", "pid": t.pid}


def _network_facts(base: dict, n: NetworkEvent) -> list[dict]:
    """The facts of one connection the network simulator saw: its TLS handshake, its HTTP
    request, or its first bytes (UDP, or TCP that was none of those)."""
    out = []
    if n.tls:
        out.append({**base, "kind": "tls", "sni": n.tls.sni or "",
                    "placeholder": PLACEHOLDER_HOST in (n.tls.sni, n.hostname),
                    "address": n.dst or "", "port": n.port, "allowed": n.allowed,
                    "registry": n.proxy is not None, "refused": n.tls.refused or ""})
    if n.http:
        h, proxy = n.http, n.proxy or ProxyDecision()
        body = b64_text(h.body_b64, PACKET_TEXT)
        host = h.host or n.hostname or n.dst or ""
        out.append({**base, "kind": "http", "method": h.method or "", "host": host,
                    "placeholder": PLACEHOLDER_HOST in (host, n.hostname), "target": h.target or "",
                    "headers": "\n".join(f"{k}: {v}" for k, v in h.headers), "body": body,
                    "address": n.dst or "", "port": n.port, "allowed": n.allowed,
                    "registry": n.proxy is not None, "decision": proxy.decision or "",
                    "reason": proxy.reason or "", "write": proxy.write,
                    # by address, Host header or resolved name: any one is the service
                    "metadata_service": bool(_METADATA_SERVICE.search(" ".join(
                        str(x or "") for x in (n.dst, host, n.hostname)))),
                    "token": ", ".join(token_use(h.headers, body.encode()))})
    if n.kind == "udp" or (n.kind == "tcp" and not n.tls and not n.http and not n.dns_tcp):
        out.append({**base, "kind": n.kind, "address": n.dst or "", "port": n.port,
                    "hostname": n.hostname or "", "data": b64_text(n.first_bytes_b64, PACKET_TEXT)})
    return out


def _left_behind(d: DynamicSection, p: Phase, phase: str) -> list[RunningProcess]:
    """What a phase left running, less what pkgtrace itself cut short. `runsc ps` shows the
    phase's driver with parent 0 (runsc exec started it) and what the package detached (a daemon)
    under init. When a limit ends the phase, the driver and its tree were still at work: cut by the
    trace limit, they are the flood's or the package manager's (DYN-TRACE-FLOOD judges that);
    cut by the clock, the driver and the package manager it started (its traced command line) are
    pkgtrace's, but what ran under them (a setup.py sleeping past the limit) is the package's."""
    procs = p.left_running
    if not p.limit:
        return procs
    parent = {x.pid: x.ppid for x in procs}
    drivers = {pid for pid, ppid in parent.items() if ppid == 0}

    def in_tree(pid):
        for _ in range(64):  # a parent chain, bounded (runsc ps cannot loop, a report could)
            if pid in drivers or pid not in parent:
                break
            pid = parent[pid]
        return pid in drivers

    if p.limit == "trace":
        return [x for x in procs if not in_tree(x.pid)]
    managers = {x.pid for x in d.processes if x.phase == phase and x.ppid in drivers
                and _PACKAGE_MANAGER.match(" ".join((x.argv or [])[:3]))}
    return [x for x in procs if x.pid not in drivers | managers]


# How the install drivers (sandbox/guest/) start the package manager: as the driver's own child,
# with this command line, chosen by the driver before any package code ran.
_PACKAGE_MANAGER = re.compile(r"(?:(?:\S*/)?(?:npm|gem|composer|cargo)|\S*/python[\d.]* -m pip)(?: |$)")


def _world_ran_out(d: DynamicSection, phase: str, world: str | None, p: Phase) -> bool:
    """A world's phase (an extra look, run after the base world's) ended by the run's trace budget
    while logging no more than the same phase did in the base world: the run as a whole spent the
    budget (a big package looked at in several worlds), the world did not flood it. A world phase
    that logs more than its base (what only that world shows, made into a flood) still counts."""
    if not world or p.trace_budget != "run":
        return False
    base = d.phases[phase].trace_bytes if phase in d.phases else None
    return (p.trace_bytes or 0) <= (base or 0)


# Cloud instance-metadata services (AWS/Azure/GCP/OpenStack, Alibaba, AWS over IPv6): what a CI
# runner's or a VM's role credentials are handed out by. Searched in "address host name".
_METADATA_SERVICE = re.compile(r"(?i)(?:^|\s)(?:169\.254\.169\.254|100\.100\.100\.200|\[?fd00:ec2::254\]?"
                               r"|metadata\.google\.internal|metadata\.goog)\.?(?::\d+)?(?=\s|$)")


# The destination the execute phase passes to parameters named url/host/webhook…
# (sandbox/guest/workers/python_worker.py): traffic there was asked for by pkgtrace, not chosen
# by the package.
PLACEHOLDER_HOST = "hooks.example.com"  # guest/workers/python_worker.py: nothing naming pkgtrace

# Credential stores a thief reads (the bait's and the persona's): see sandbox/bait.py, persona.py.
CREDENTIAL_PATH = re.compile(
    r"/(?:\.ssh/id_|\.aws/credentials|\.pypirc|\.npmrc|\.config/gcloud|\.docker/config\.json|"
    r"\.kube/config|\.git-credentials)|[/\\](?:Login Data|Cookies|Local State|logins\.json|key4\.db)$|"
    r"[/\\]Local Storage[/\\]leveldb[/\\]|[/\\]Local Extension Settings[/\\]|[/\\](?:Exodus|Electrum|atomic)[/\\]|"
    r"[/\\]Telegram Desktop[/\\]tdata[/\\]|/Desktop/passwords\.txt$")


def _file_access(base: dict, path: str, read, write, delete, bait: bool) -> dict:
    return {**base, "kind": "file_access", "path": path, "read": bool(read), "write": bool(write),
            "delete": bool(delete), "bait": bait, "credential": bool(CREDENTIAL_PATH.search(path))}


def _theft(ev: Evidence) -> None:
    """A credential read followed, in the same phase and world, by traffic to a host that is not a
    package registry: one `theft` fact per phase, naming what was read and where it went."""
    reads: dict[tuple, list[str]] = {}
    sent: dict[tuple, list[str]] = {}
    for f in ev.facts:
        if f.get("source") != "dynamic":
            continue
        key = (f["phase"], f.get("world"))
        if f["kind"] == "file_access" and f.get("read") and f["credential"] \
                and not (f["path"].endswith("/.npmrc") and ev.ecosystem == "npm"):
            reads.setdefault(key, []).append(f["path"])
        elif f.get("placeholder"):
            continue
        elif f["kind"] in ("http", "tls") and not f.get("allowed") \
                and not is_registry_host(f.get("host") or f.get("sni")):
            # a registry of another ecosystem (jupyterlab's calls run npm) is no thief's drop;
            # a bait value in any request is DYN-BAIT-SENT wherever it goes
            sent.setdefault(key, []).append(f"{f['kind']} {f.get('host') or f.get('sni') or f.get('address')}")
        elif f["kind"] == "tcp" and f.get("port") != 53:
            sent.setdefault(key, []).append(f"tcp {f.get('hostname') or f.get('address')}:{f.get('port')}")
    for key, paths in reads.items():
        if key in sent:
            phase, world = key
            ev.facts.append({"source": "dynamic", "phase": phase, **({"world": world} if world else {}),
                             "kind": "theft", "read": sorted(set(paths))[:10],
                             "sent": sorted(set(sent[key]))[:10]})


def _around(blob: str, value: str, width: int = 80) -> str:
    i = blob.find(value)
    if i < 0:
        return blob[:2 * width]
    return blob[max(0, i - width):i + len(value) + width]


def _ossf_dynamic_facts(ev: Evidence, doc: DynamicResult) -> None:
    for phase, a in doc.Analysis.items():
        base = {"source": "dynamic", "phase": phase}
        for c in a.Commands:
            argv = c.Command
            ev.facts.append({**base, "kind": "command", "argv": argv, "cmd": " ".join(argv),
                             "exe": argv[0] if argv else "",
                             "prog": PurePosixPath(argv[0]).name if argv else "", "pid": None})
        for f in a.Files:
            ev.facts.append(_file_access(base, f.Path, f.Read, f.Write, f.Delete, False))
        for s in a.Sockets:
            ev.facts.append({**base, "kind": "connection", "family": "AF_INET", "address": s.Address,
                             "port": s.Port, "hostnames": " ".join(s.Hostnames), "result": "ok"})
        for d in a.DNS:
            for q in d.Queries:
                ev.facts.append({**base, "kind": "dns", "hostname": q.Hostname, "qtype": ",".join(q.Types)})


# ---------------------------------------------------------------------------------------------
# code text


def read_code(artifact: Path, ecosystem: str, hook_files: set[str]) -> list[CodeFile]:
    """The artifact's code files, read from the archive in memory (nothing is written to disk;
    sizes are bounded). Falls back to the static pass's safe extractor for other formats."""
    members = list(_members(artifact))
    paths = [p for p, _ in members if p != "metadata.gz"]
    root = package_root(paths)
    entry = _npm_entry(members, root) if ecosystem == "npm" else None
    out: list[CodeFile] = []
    for path, head in members:
        name = PurePosixPath(path).name
        lang = detect_language(path, head[:256])
        if lang is None:
            if name in _CODE_NAMES:
                lang = "manifest"
            else:
                continue
        if b"\x00" in head[:8192]:
            continue
        text = head.decode("utf-8", "replace")
        rel = path[len(root):] if path.startswith(root) else path
        # minification is a bundler's (JS/CSS) doing; a packed Python line is obfuscation
        minified = lang != "python" and _minified(text)
        out.append(CodeFile(path, lang, text, hashlib.sha256(head).hexdigest(),
                            _role(ecosystem, path, rel, hook_files, entry),
                            minified=minified, context=path_context(rel, minified)))
    _shipping_if_reached(out, root, ecosystem)
    return out


def _shipping_if_reached(code: list[CodeFile], root: str, ecosystem: str) -> None:
    """A file that install- or import-time code imports is shipping code wherever it sits. What
    setup.py imports runs at install; what __init__ imports is mostly definitions that run only
    when called, so it keeps its role (measured: giving it the import role flagged pymysql and ray)."""
    files = {c.path: (c.path[len(root):] if c.path.startswith(root) else c.path, c.text)
             for c in code if c.language != "manifest"}
    for role in ("install", "import"):
        roots = [c.path for c in code if c.role == role and c.path in files]
        live = reached(files, roots, ecosystem)
        for c in code:
            if c.path in live:
                c.context = ""
                if c.role == "other" and role == "install":
                    c.role = role


def _wanted(path: str) -> bool:
    name = PurePosixPath(path).name
    return detect_language(path, b"") is not None or name in _CODE_NAMES or "." not in name


def _members(artifact: Path) -> list[tuple[str, bytes]]:
    """(path, first bytes) of the archive's regular files that may hold code, read by the one
    bounded archive reader: a broken or hostile archive gives what was readable within its
    bounds (the static pass reports the problems)."""
    heads, _result = read_heads(artifact, _wanted, head_bytes=MAX_CODE_FILE, budget=MAX_CODE_TOTAL)
    return heads


def _minified(text: str) -> bool:
    lines = text.count("\n") + 1
    return len(text) > 5000 and len(text) / lines > 500


def _npm_entry(members, root: str) -> str | None:
    for path, head in members:
        if path == root + "package.json":
            try:
                doc = json.loads(head.decode("utf-8", "replace"))
            except (OSError, ValueError):
                return root + "index.js"
            main = doc.get("main") if isinstance(doc, dict) else None
            if isinstance(main, str):
                main = main.lstrip("./")
                if not main.endswith((".js", ".cjs", ".mjs")):
                    main = main.rstrip("/") + ("/index.js" if not main or "." not in
                                               PurePosixPath(main).name else "")
                return root + main
            return root + "index.js"
    return None


def _role(ecosystem: str, path: str, rel: str, hook_files: set[str], entry: str | None) -> str:
    name = PurePosixPath(rel).name
    depth = rel.count("/")
    if path in hook_files or path.endswith(".pth"):
        return "install"
    if ecosystem == "pypi":
        if rel == "setup.py":
            return "install"
        if name == "__init__.py" and depth <= 2 and path_context(rel) not in _NOT_IMPORTED:
            return "import"
    elif ecosystem == "npm":
        if path == entry:
            return "import"
    elif ecosystem == "rubygems":
        if rel.startswith("lib/") and depth == 1:
            return "import"
        if name in ("extconf.rb", "Rakefile", "mkrf_conf.rb"):
            return "install"
    elif ecosystem == "crates.io":
        if rel == "build.rs":
            return "install"
    elif ecosystem == "packagist":
        if name == "composer.json" and depth == 0:
            return "install"
    return "other"
