"""From syscalls to behaviour: which phase did what to which file, process and address.

Every syscall is attributed to a phase through the process tree: each phase is one `runsc exec`
whose sandbox pid we know, and every process it forks inherits its phase (so a daemon left
behind by `install` still counts as install's). The phase's own driver process (our guest
script) is left out, as are control steps (planting bait) and the sandbox's init.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Iterable

from pkgtrace.dynamic import strace
from pkgtrace.dynamic.strace import Syscall

DRIVER, CONTROL = "driver", "control"  # owner labels that are not phases

_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
_EINPROGRESS = 115
PAYLOAD_CAPTURE = 4096
MAX_EVENTS = 20000  # per phase and kind; a runaway package must not blow up the report


@dataclass
class FileAccess:
    read: bool = False
    write: bool = False
    delete: bool = False
    ops: set[str] = field(default_factory=set)


@dataclass
class Process:
    pid: int
    ppid: int | None
    phase: str | None
    comm: str = ""
    argv: list[str] = field(default_factory=list)
    env: list[str] = field(default_factory=list)
    exe: str | None = None
    exit_code: int | None = None
    start: str = ""


@dataclass
class PhaseTrace:
    files: dict[str, FileAccess] = field(default_factory=dict)
    commands: list[dict] = field(default_factory=list)  # {"pid","argv","env","exe"}
    connects: list[dict] = field(default_factory=list)  # {"pid","family","address","port","result"}
    listens: list[dict] = field(default_factory=list)
    sends: list[dict] = field(default_factory=list)  # payloads seen in sendto/sendmsg
    file_events: list[dict] = field(default_factory=list)  # chmod/rename/link/mkdir… in order
    failed: list[dict] = field(default_factory=list)  # unsuccessful calls, kept apart
    dropped: int = 0


@dataclass
class Trace:
    phases: dict[str, PhaseTrace] = field(default_factory=dict)
    processes: dict[int, Process] = field(default_factory=dict)
    stats: strace.Stats = field(default_factory=strace.Stats)
    unattributed: int = 0


@dataclass
class PhaseWindow:
    name: str
    root_pid: int | None
    start: float  # seconds of the day (UTC), comparable to log timestamps
    end: float


def _seconds_of_day(t: str) -> float:
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


class TraceBuilder:
    def __init__(self, windows: list[PhaseWindow], control_pids: Iterable[int] = ()):
        self.trace = Trace()
        self.windows = windows
        self.owner: dict[int, str] = {1: CONTROL}
        for pid in control_pids:
            self.owner[pid] = CONTROL
        self.roots = {w.root_pid: w.name for w in windows if w.root_pid is not None}
        for pid, phase in self.roots.items():
            self.owner[pid] = f"{DRIVER}:{phase}"
        self.parent: dict[int, int] = {}
        self.pending: dict[tuple[int, str], Syscall] = {}  # entry lines awaiting their exit
        self.cwd: dict[int, str] = {}

    # --- attribution -------------------------------------------------------------------------

    def phase_of(self, call: Syscall) -> str | None:
        """The phase a syscall belongs to, or None for our own processes."""
        label = self._owner(call.pid)
        if label is None:
            label = self._by_time(call.time)
            if label is None:
                self.trace.unattributed += 1
                return None
            self.owner[call.pid] = label
        if label == CONTROL or label.startswith(DRIVER + ":"):
            return None
        return label

    def _owner(self, pid: int) -> str | None:
        if pid in self.owner:
            return self.owner[pid]
        chain = []
        p = pid
        while p not in self.owner and p in self.parent and len(chain) < 4096:
            chain.append(p)
            p = self.parent[p]
        label = self.owner.get(p)
        if label is None:
            return None
        if label.startswith(DRIVER + ":"):  # children of a phase's driver are that phase's
            label = label[len(DRIVER) + 1:]
        for c in chain:
            self.owner[c] = label
        return label

    def _by_time(self, t: str) -> str | None:
        s = _seconds_of_day(t)
        for w in self.windows:
            if w.start - 0.5 <= s <= w.end + 0.5:
                return w.name
        return None

    # --- consumption -------------------------------------------------------------------------

    def feed(self, calls: Iterable[Syscall]) -> Trace:
        for call in calls:
            if call.entry:
                self.pending[(call.tid, call.name)] = call
                continue
            entry = self.pending.pop((call.tid, call.name), None)
            if call.name in ("clone", "clone3", "fork", "vfork") and call.ret and call.ret > 0:
                self.parent[call.ret] = call.pid  # for a thread this is never looked up
                if call.pid in self.cwd:
                    self.cwd[call.ret] = self.cwd[call.pid]  # a child starts where its parent is
            phase = self.phase_of(call)
            if phase is None:
                continue
            self._handle(phase, call, entry)
        # Calls that never returned: an execve cut short by a kill still shows what was run.
        for entry in self.pending.values():
            if entry.name in ("execve", "execveat"):
                phase = self.phase_of(entry)
                if phase:
                    self._handle(phase, entry, entry)
        return self.trace

    def _phase(self, name: str) -> PhaseTrace:
        return self.trace.phases.setdefault(name, PhaseTrace())

    def _handle(self, phase: str, call: Syscall, entry: Syscall | None) -> None:
        pt = self._phase(phase)
        name = call.name
        if call.pid not in self.trace.processes:
            self.trace.processes[call.pid] = Process(call.pid, self.parent.get(call.pid), phase,
                                                     comm=call.comm, start=call.time)
        handler = _HANDLERS.get(name)
        if handler is None:
            return
        if call.failed and name not in ("connect",):
            if len(pt.failed) < MAX_EVENTS:
                pt.failed.append({"pid": call.pid, "syscall": name, "args": call.args[:4],
                                  "errno": call.errno, "error": call.errdesc, "time": call.time})
            else:
                pt.dropped += 1
            return
        handler(self, pt, call, entry)

    # --- helpers -----------------------------------------------------------------------------

    def _resolve(self, call: Syscall, dirfd_arg: str | None, path_arg: str) -> str | None:
        path = strace.path_arg(path_arg)
        if path is None:
            return None
        base = strace.fd_arg(dirfd_arg) if dirfd_arg else None
        if base and base.startswith("/") and dirfd_arg.startswith("AT_FDCWD"):
            # gVisor prints AT_FDCWD with the process's working folder: remember it for the
            # calls that take a bare relative path (chmod, rename, unlink, mkdir…).
            self.cwd[call.pid] = base
        if not path.startswith("/"):
            if not base or not base.startswith("/"):
                base = self.cwd.get(call.pid, "/")
            path = posixpath.join(base, path)
        return posixpath.normpath(path)

    def _file(self, pt: PhaseTrace, path: str | None, op: str, *, read=False, write=False,
              delete=False) -> None:
        if not path:
            return
        fa = pt.files.get(path)
        if fa is None:
            if len(pt.files) >= MAX_EVENTS:
                pt.dropped += 1
                return
            fa = pt.files[path] = FileAccess()
        fa.read |= read
        fa.write |= write
        fa.delete |= delete
        fa.ops.add(op)


def _open_like(b: TraceBuilder, pt: PhaseTrace, call: Syscall, entry, dirfd: int | None,
               path_i: int, flags_i: int | None) -> None:
    args = call.args
    if len(args) <= path_i:
        return
    path = b._resolve(call, args[dirfd] if dirfd is not None and len(args) > dirfd else None, args[path_i])
    if call.name == "creat":
        b._file(pt, path, "creat", write=True)
        return
    flags = args[flags_i] if flags_i is not None and len(args) > flags_i else ""
    if "O_DIRECTORY" in flags and not any(f in flags for f in _WRITE_FLAGS):
        return  # directory listings are not file reads
    write = any(f in flags for f in _WRITE_FLAGS)
    read = "O_WRONLY" not in flags
    b._file(pt, path, "open", read=read, write=write)


def _openat(b, pt, call, entry):
    _open_like(b, pt, call, entry, 0, 1, 2)


def _open(b, pt, call, entry):
    _open_like(b, pt, call, entry, None, 0, 1)


def _creat(b, pt, call, entry):
    _open_like(b, pt, call, entry, None, 0, None)


def _unlink(b, pt, call, entry):
    at = call.name.endswith("at")
    if len(call.args) < (2 if at else 1):
        return
    path = b._resolve(call, call.args[0] if at else None, call.args[1 if at else 0])
    b._file(pt, path, call.name, delete=True)


def _rename(b, pt, call, entry):
    a = call.args
    if call.name == "rename" and len(a) >= 2:
        old, new = b._resolve(call, None, a[0]), b._resolve(call, None, a[1])
    elif len(a) >= 4:
        old, new = b._resolve(call, a[0], a[1]), b._resolve(call, a[2], a[3])
    else:
        return
    b._file(pt, old, "rename", delete=True)
    b._file(pt, new, "rename", write=True)
    pt.file_events.append({"pid": call.pid, "op": "rename", "path": new, "from": old, "time": call.time})


def _link(b, pt, call, entry):
    a = call.args
    if call.name in ("link", "symlink") and len(a) >= 2:
        target = strace.path_arg(a[0])
        new = b._resolve(call, None, a[1])
    elif call.name == "linkat" and len(a) >= 4:
        target, new = b._resolve(call, a[0], a[1]), b._resolve(call, a[2], a[3])
    elif call.name == "symlinkat" and len(a) >= 3:
        target, new = strace.path_arg(a[0]), b._resolve(call, a[1], a[2])
    else:
        return
    b._file(pt, new, call.name, write=True)
    pt.file_events.append({"pid": call.pid, "op": call.name, "path": new, "target": target, "time": call.time})


def _chmod(b, pt, call, entry):
    a = call.args
    if call.name == "fchmod" and len(a) >= 2:
        path, mode = strace.fd_arg(a[0]), a[1]
    elif call.name == "fchmodat" and len(a) >= 3:
        path, mode = b._resolve(call, a[0], a[1]), a[2]
    elif call.name == "chmod" and len(a) >= 2:
        path, mode = b._resolve(call, None, a[0]), a[1]
    else:
        return
    if not path or not path.startswith("/"):
        return
    b._file(pt, path, "chmod", write=True)
    pt.file_events.append({"pid": call.pid, "op": "chmod", "path": path, "mode": mode,
                           "executable": _executable(mode), "time": call.time})


def _executable(mode: str) -> bool:
    try:
        return bool(int(mode, 0) & 0o111)
    except ValueError:
        return False


def _mkdir(b, pt, call, entry):
    at = call.name == "mkdirat"
    if len(call.args) < (2 if at else 1):
        return
    path = b._resolve(call, call.args[0] if at else None, call.args[1 if at else 0])
    if path:
        pt.file_events.append({"pid": call.pid, "op": "mkdir", "path": path, "time": call.time})


def _truncate(b, pt, call, entry):
    if call.args:
        b._file(pt, b._resolve(call, None, call.args[0]), "truncate", write=True)


def _execve(b, pt, call, entry):
    a = (entry or call).args if call.truncated and entry else call.args
    at = call.name == "execveat"
    off = 1 if at else 0
    if len(a) < 2 + off:
        return
    exe = b._resolve(call, a[0] if at else None, a[off])
    argv = strace.string_list(a[off + 1])
    env = strace.string_list(a[off + 2]) if len(a) > off + 2 else []
    b._file(pt, exe, "exec", read=True)
    proc = b.trace.processes[call.pid]
    proc.argv, proc.env, proc.exe, proc.comm = argv, env, exe, posixpath.basename(exe or "")
    if len(pt.commands) < MAX_EVENTS:
        pt.commands.append({"pid": call.pid, "argv": argv, "env": env, "exe": exe, "time": call.time})
    else:
        pt.dropped += 1


def _connect(b, pt, call, entry):
    if len(call.args) < 2:
        return
    sa = strace.sockaddr_arg(call.args[1])
    if sa is None:
        return
    family, addr, port = sa
    ok = not call.failed or call.errno == _EINPROGRESS
    rec = {"pid": call.pid, "family": family, "address": addr, "port": port, "time": call.time,
           "result": "ok" if ok else (call.errdesc or f"errno {call.errno}")}
    if ok:
        pt.connects.append(rec)
    else:
        pt.failed.append({"pid": call.pid, "syscall": "connect", "args": call.args[:2],
                          "errno": call.errno, "error": call.errdesc, "time": call.time,
                          "family": family, "address": addr, "port": port})


def _bind_listen(b, pt, call, entry):
    if call.name == "bind" and len(call.args) >= 2:
        sa = strace.sockaddr_arg(call.args[1])
        if sa and sa[0] in ("AF_INET", "AF_INET6"):
            pt.listens.append({"pid": call.pid, "op": "bind", "family": sa[0], "address": sa[1],
                               "port": sa[2], "time": call.time})
    elif call.name == "listen" and call.args:
        pt.listens.append({"pid": call.pid, "op": "listen", "socket": strace.fd_arg(call.args[0]),
                           "time": call.time})


def _send(b, pt, call, entry):
    src = entry or call
    if len(src.args) < 2:
        return
    data = strace.data_arg(src.args[1]) if call.name == "sendto" else strace.data_arg(", ".join(src.args[1:]))
    dest = strace.sockaddr_arg(src.args[4]) if call.name == "sendto" and len(src.args) > 4 else None
    if dest and dest[2] == 53:
        return  # DNS queries: the simulator records them, decoded
    if data is None and dest is None:
        return
    if len(pt.sends) < MAX_EVENTS:
        pt.sends.append({"pid": call.pid, "syscall": call.name, "socket": strace.fd_arg(src.args[0]),
                         "address": dest[1] if dest else None, "port": dest[2] if dest else None,
                         "data": (data or b"")[:PAYLOAD_CAPTURE], "bytes": call.ret, "time": call.time})


def _exit_group(b, pt, call, entry):
    proc = b.trace.processes.get(call.pid)
    if proc and call.args:
        try:
            proc.exit_code = int(call.args[0], 0)
        except ValueError:
            pass


_HANDLERS = {
    "openat": _openat, "open": _open, "creat": _creat,
    "unlink": _unlink, "unlinkat": _unlink, "rmdir": _unlink,
    "rename": _rename, "renameat": _rename, "renameat2": _rename,
    "link": _link, "linkat": _link, "symlink": _link, "symlinkat": _link,
    "chmod": _chmod, "fchmod": _chmod, "fchmodat": _chmod,
    "mkdir": _mkdir, "mkdirat": _mkdir, "truncate": _truncate,
    "execve": _execve, "execveat": _execve,
    "connect": _connect, "bind": _bind_listen, "listen": _bind_listen,
    "sendto": _send, "sendmsg": _send, "sendmmsg": _send,
    "exit_group": _exit_group,
    # Successful forks only shape the process tree; failed ones (a process limit) are kept.
    "clone": lambda *a: None, "clone3": lambda *a: None, "fork": lambda *a: None, "vfork": lambda *a: None,
}


def build(lines: Iterable[str | bytes], windows: list[PhaseWindow], control_pids=()) -> Trace:
    builder = TraceBuilder(windows, control_pids)
    stats = builder.trace.stats
    return builder.feed(strace.parse_lines(lines, stats))


def read_log(path: str | os.PathLike[str] | None) -> Iterable[bytes]:
    if path is None:
        return iter(())
    return open(path, "rb")
