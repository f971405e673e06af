"""A release's behaviour arranged for reading: per phase, the commands as a process tree, the
network (DNS, connections, TLS SNI, captured requests) and files grouped by read/write/delete;
then the static side (install hooks, signals with their code excerpts, indicators)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

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


def _b64_text(s: str | None, cap: int = 2000) -> str:
    if not s:
        return ""
    try:
        return base64.b64decode(s).decode("utf-8", "replace")[:cap]
    except ValueError:
        return ""


def _tree(processes: list[dict]) -> list[ProcessNode]:
    nodes = {p["pid"]: ProcessNode(p.get("pid"), [str(a) for a in p.get("argv") or []], p.get("exe"),
                                   p.get("exit_code")) for p in processes if isinstance(p.get("pid"), int)}
    roots = []
    for p in processes:
        node = nodes.get(p.get("pid"))
        if node is None:
            continue
        parent = nodes.get(p.get("ppid"))
        (parent.children if parent is not None and parent is not node else roots).append(node)
    return roots


def phases(dynamic: dict | None, report: dict | None) -> list[Phase]:
    analysis = (dynamic or {}).get("Analysis") if isinstance(dynamic, dict) else None
    analysis = analysis if isinstance(analysis, dict) else {}
    section = (report or {}).get("dynamic") if isinstance(report, dict) else None
    section = section if isinstance(section, dict) else {}
    extra = section.get("phases") if isinstance(section.get("phases"), dict) else {}
    procs = section.get("processes") if isinstance(section.get("processes"), list) else []
    names = [p for p in PHASE_ORDER if p in analysis] + [p for p in analysis if p not in PHASE_ORDER]
    out = []
    for name in names:
        s = analysis.get(name) if isinstance(analysis.get(name), dict) else {}
        x = extra.get(name) if isinstance(extra.get(name), dict) else {}
        ph = Phase(name, s.get("Status"), x.get("reason"), x.get("duration_s"), x.get("exit_code"))
        mine = [p for p in procs if isinstance(p, dict) and p.get("phase") == name]
        if mine:
            ph.processes = _tree(mine)
        else:  # the OSSF document alone: commands without parentage
            ph.processes = [ProcessNode(None, [str(a) for a in c.get("Command") or []])
                            for c in s.get("Commands") or [] if isinstance(c, dict)]
        for d in s.get("DNS") or []:
            for q in (d.get("Queries") or []) if isinstance(d, dict) else []:
                ph.dns.append({"hostname": q.get("Hostname"), "types": ", ".join(q.get("Types") or [])})
        for k in s.get("Sockets") or []:
            if isinstance(k, dict):
                ph.connections.append({"address": k.get("Address"), "port": k.get("Port"),
                                       "hostnames": ", ".join(k.get("Hostnames") or [])})
        for e in x.get("network") or []:
            if isinstance(e, dict) and e.get("kind") == "tcp":
                ph.captures.append(story(e))
        for f in s.get("Files") or []:
            if not isinstance(f, dict):
                continue
            path = str(f.get("Path"))
            if f.get("Read"):
                ph.reads.append(path)
            if f.get("Write"):
                ph.writes.append(path)
            if f.get("Delete"):
                ph.deletes.append(path)
        ph.stdout, ph.stderr = _b64_text(s.get("Stdout")), _b64_text(s.get("Stderr"))
        out.append(ph)
    return out


@dataclass
class StaticView:
    hooks: list[dict] = field(default_factory=list)  # {kind, file, excerpt}
    signals: list[dict] = field(default_factory=list)  # {kind, file, line, value}
    indicators: list[dict] = field(default_factory=list)  # {file, kind, value}
    extraction: dict = field(default_factory=dict)
    files: int = 0


def static_view(static: dict | None, report: dict | None, limit: int = 300) -> StaticView:
    v = StaticView()
    section = (report or {}).get("static") if isinstance(report, dict) else None
    if isinstance(section, dict):
        v.hooks = [h for h in section.get("install_hooks") or [] if isinstance(h, dict)][:limit]
        v.signals = [s for s in section.get("signals") or [] if isinstance(s, dict)][:limit]
        v.extraction = section.get("extraction") if isinstance(section.get("extraction"), dict) else {}
    files = ((static or {}).get("results") or {}).get("files") if isinstance(static, dict) else None
    for f in files or []:
        if not isinstance(f, dict):
            continue
        v.files += 1
        for kind, key in (("url", "urls"), ("ip", "ip_addresses"), ("base64", "base64_strings"),
                          ("hex", "hex_strings")):
            for val in f.get(key) or []:
                if len(v.indicators) < limit:
                    v.indicators.append({"file": f.get("filename"), "kind": kind, "value": str(val)[:300]})
        for s in f.get("suspicious_identifiers") or []:
            if len(v.indicators) < limit:
                v.indicators.append({"file": f.get("filename"), "kind": "suspicious identifier",
                                     "value": str(s.get("name") if isinstance(s, dict) else s)})
    return v
