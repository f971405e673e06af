"""A release's behaviour arranged for reading: per phase, the commands as a process tree, the
network (DNS, connections, TLS SNI, captured requests) and files grouped by read/write/delete;
then the static side (install hooks, signals with their code excerpts, indicators)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pkgtrace.api.base import b64_text
from pkgtrace.api.dynamic import Process
from pkgtrace.api.static import Extraction, InstallHook, Signal
from pkgtrace.results.documents import Documents
from pkgtrace.sandbox.netsim.story import Story, story

PHASE_ORDER = ("install", "import", "execute")


@dataclass
class ProcessNode:
    pid: int | None
    argv: list[str]
    exe: str | None = None
    exit_code: int | None = None
    children: list["ProcessNode"] = field(default_factory=list)


@dataclass
class Phase:
    name: str
    status: str | None
    reason: str | None = None
    duration_s: float | None = None
    exit_code: int | None = None
    processes: list[ProcessNode] = field(default_factory=list)  # roots of the tree
    dns: list[dict] = field(default_factory=list)  # {hostname, types}
    connections: list[dict] = field(default_factory=list)  # {address, port, hostnames}
    captures: list[Story] = field(default_factory=list)  # each connection's network story
    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def network_count(self) -> int:
        return len(self.dns) + len(self.connections) + len(self.captures)

    @property
    def file_count(self) -> int:
        return len(self.reads) + len(self.writes) + len(self.deletes)

    @property
    def command_count(self) -> int:
        def n(nodes):
            return sum(1 + n(x.children) for x in nodes)
        return n(self.processes)


def _tree(processes: list[Process]) -> list[ProcessNode]:
    nodes = {p.pid: ProcessNode(p.pid, list(p.argv or []), p.exe, p.exit_code) for p in processes}
    roots = []
    for p in processes:
        node, parent = nodes[p.pid], nodes.get(p.ppid)
        (parent.children if parent is not None and parent is not node else roots).append(node)
    return roots


def phases(docs: Documents) -> list[Phase]:
    analysis = docs.dynamic.Analysis if docs.dynamic else {}
    section = docs.report.dynamic if docs.report else None
    extra = section.phases if section else {}
    names = [p for p in PHASE_ORDER if p in analysis] + [p for p in analysis if p not in PHASE_ORDER]
    out = []
    for name in names:
        s, x = analysis[name], extra.get(name)
        ph = Phase(name, s.Status.value, x and x.reason, x and x.duration_s, x and x.exit_code)
        mine = [p for p in section.processes if p.phase == name] if section else []
        if mine:
            ph.processes = _tree(mine)
        else:  # the OSSF document alone: commands without parentage
            ph.processes = [ProcessNode(None, list(c.Command)) for c in s.Commands]
        ph.dns = [{"hostname": q.Hostname, "types": ", ".join(q.Types)} for d in s.DNS for q in d.Queries]
        ph.connections = [{"address": k.Address, "port": k.Port, "hostnames": ", ".join(k.Hostnames)}
                          for k in s.Sockets]
        ph.captures = [story(e) for e in (x.network if x else ()) if e.kind == "tcp"]
        ph.reads = [f.Path for f in s.Files if f.Read]
        ph.writes = [f.Path for f in s.Files if f.Write]
        ph.deletes = [f.Path for f in s.Files if f.Delete]
        ph.stdout, ph.stderr = b64_text(s.Stdout, 2000), b64_text(s.Stderr, 2000)
        out.append(ph)
    return out


@dataclass
class StaticView:
    hooks: list[InstallHook] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)  # {file, kind, value}
    extraction: Extraction | None = None
    files: int = 0


def static_view(docs: Documents, limit: int = 300) -> StaticView:
    v = StaticView()
    section = docs.report.static if docs.report else None
    if section is not None:
        v.hooks, v.signals = section.install_hooks[:limit], section.signals[:limit]
        v.extraction = section.extraction
    for f in (docs.static.results.files if docs.static else ()):
        v.files += 1
        values = [(kind, str(val)[:300]) for kind, vals in (("url", f.urls), ("ip", f.ip_addresses),
                                                            ("base64", f.base64_strings), ("hex", f.hex_strings))
                  for val in vals or ()]
        values += [("suspicious identifier", s.name) for s in f.suspicious_identifiers or ()]
        room = limit - len(v.indicators)
        v.indicators += [{"file": f.filename, "kind": k, "value": val} for k, val in values[:max(room, 0)]]
    return v
