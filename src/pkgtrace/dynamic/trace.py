"""From syscalls to behaviour: which phase did what to which file, process and address.

Every syscall is attributed to a phase through the process tree: each phase is one `runsc exec`
whose sandbox pid we know, and every process it forks inherits its phase (so a daemon left
behind by `install` still counts as install's). The phase's own driver process (our guest
script) is left out, as are control steps (planting bait) and the sandbox's init.

A file reached through another name (a hard or symbolic link, a renamed file or folder,
/proc/self/root) is also recorded under the name it had, so a bait read by any name is a bait
read. Under a flood, only boring events are capped (and counted): reads and writes of
credentials, persistence files and the bait, execs, connects and sends are always kept.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Iterable

from pkgtrace.dynamic import strace
from pkgtrace.dynamic.strace import Syscall

DRIVER, CONTROL = "driver", "control"  # owner labels that are not phases

_WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND")
_EINPROGRESS = 115
PAYLOAD_CAPTURE = 4096
MAX_EVENTS = 20000  # per phase and kind; a runaway package must not blow up the report
MAX_FAILED = 2000  # boring failed calls kept per phase (PATH and import probing): the rest counted
MAX_RELEVANT = 100_000  # even security-relevant events stop here (memory); far above any real run
MAX_TAMPER = 50
MAX_TIMES = 100  # start times kept for a repeated command  # tamper examples kept per phase
# Paths whose events are never dropped by the cap: what a thief reads and where persistence is
# planted. A flood of junk files must not push these out of the report.
SENSITIVE_PATH = re.compile(
    r"/\.ssh/|/\.aws/|/\.pypirc$|/\.npmrc$|/\.config/gcloud|/\.docker/config\.json$|/\.kube/config$"
    r"|/\.git-credentials$|/\.netrc$|/\.gnupg/|^/etc/shadow|/\.(?:bashrc|bash_profile|profile|zshrc|zprofile"
    r"|bash_login)$|^/etc/(?:profile|bash\.bashrc|environment|rc\.local|ld\.so\.preload)|^/etc/profile\.d/"
    r"|^/etc/cron|^/var/spool/cron|^/etc/systemd/|/\.config/(?:systemd|autostart)/|^/usr/(?:local/)?s?bin/")
_STAT = ("stat", "lstat", "fstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
         "readlink", "readlinkat")
_PROC_ROOT = re.compile(r"^/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/root(?=/|$)")


@dataclass
class FileAccess:
    read: bool = False
    write: bool = False
    delete: bool = False
    ops: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)  # other names it was reached by (links, renames)


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
    tamper: list[dict] = field(default_factory=list)  # lines built to mislead the parser
    tamper_count: int = 0
    dropped: int = 0  # boring events over the cap (security-relevant ones are never dropped)
    seen: dict = field(default_factory=dict)  # dedup key -> the record it counts


@dataclass
class Trace:
    phases: dict[str, PhaseTrace] = field(default_factory=dict)
    processes: dict[int, Process] = field(default_factory=dict)
    stats: strace.Stats = field(default_factory=strace.Stats)
    unattributed: int = 0
    recreated: int = 0  # a clone returning a TID that already exists: a forged line
    tamper: list[dict] = field(default_factory=list)  # suspect lines of no known phase


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
    def __init__(self, windows: list[PhaseWindow], control_pids: Iterable[int] = (),
                 sensitive: Iterable[str] = ()):
        self.trace = Trace()
        self.windows = list(windows)
        self.owner: dict[int, str] = {1: CONTROL}
        for pid in control_pids:
            self.owner[pid] = CONTROL
        self.roots = {w.root_pid: w.name for w in windows if w.root_pid is not None}
        for pid, phase in self.roots.items():
            self.owner[pid] = f"{DRIVER}:{phase}"
        # Init (guest/init.py) makes no traced call once it has booted: a line in its name after
        # the first phase began is forged (a right guess of the log pid), made to be ignored.
        self.booted = min((w.start for w in windows), default=None)
        self.parent: dict[int, int] = {}
        self.pending: dict[tuple[int, str], Syscall] = {}  # entry lines awaiting their exit
        self.cwd: dict[int, str] = {}
        self.sensitive = set(sensitive)  # bait files: never dropped, found by any name
        # Another name for a file or folder -> the name it had (hard or symbolic link, rename):
        # a read through the new name is a read of the old one.
        self.alias: dict[str, str] = {}

    def add_control(self, pid: int) -> None:
        self.owner.setdefault(pid, CONTROL)

    def add_window(self, w: PhaseWindow) -> None:
        """A phase that ended after this builder was made (dynamic/live.py)."""
        self.windows.append(w)
        if w.root_pid is not None:
            self.roots[w.root_pid] = w.name
            self.owner[w.root_pid] = f"{DRIVER}:{w.name}"
        self.booted = w.start if self.booted is None else min(self.booted, w.start)

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
            if call.tamper:
                self._tamper(call)
            elif call.pid == 1 and self.booted is not None and _seconds_of_day(call.time) > self.booted:
                self._tamper(call, "a line in init's name after boot (init runs nothing traced)")
                continue  # not used: a forged "init cloned me" would hide a process
            if call.entry:
                self.pending[(call.tid, call.name)] = call
                continue
            entry = self.pending.pop((call.tid, call.name), None)
            if call.name in ("clone", "clone3", "fork", "vfork") and call.ret and call.ret > 0:
                self._created(call)
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

    def _created(self, call: Syscall) -> None:
        child = call.ret
        if child in self.parent:
            # gVisor never hands out a live TID twice: a second creation is a forged line,
            # written to move a process under another parent (and out of its phase).
            self.trace.recreated += 1
            self._tamper(call, f"TID {child} created twice")
            return
        self.parent[child] = call.pid  # for a thread this is never looked up
        if call.pid in self.cwd:
            self.cwd[child] = self.cwd[call.pid]  # a child starts where its parent is

    def _tamper(self, call: Syscall, why: str | None = None) -> None:
        phase = self._owner(call.pid) or self._by_time(call.time) or CONTROL
        if phase.startswith(DRIVER + ":"):
            phase = phase[len(DRIVER) + 1:]
        if phase == CONTROL:
            into = self.trace.tamper
        else:
            pt = self._phase(phase)
            pt.tamper_count += 1
            into = pt.tamper
        if len(into) < MAX_TAMPER:
            into.append({"pid": call.pid, "tid": call.tid, "syscall": call.name,
                              "why": why or call.tamper, "comm": call.comm[:64],
                              "args": [a[:300] for a in call.args[:3]], "time": call.time})

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
            rec = {"pid": call.pid, "syscall": name, "args": [a[:512] for a in call.args[:4]],
                   "errno": call.errno, "error": call.errdesc, "time": call.time}
            relevant = name in ("execve", "execveat")
            if relevant:  # an attempted exec is intent even when it fails: keep what was tried
                a = call.args[1:] if name == "execveat" else call.args
                rec["exe"] = strace.path_arg(a[0]) if a else None
                rec["argv"] = strace.string_list(a[1]) if len(a) > 1 else []
            else:
                path = self._path_of(call)
                relevant = path is not None and self._sensitive(path)
            # refused forks (a process limit) fold into one record with a count: the status
            # reports how many, and a fork bomb must not fill the report
            key = ("failed", name, call.errno) if name in ("clone", "clone3", "fork", "vfork") else None
            self._keep(pt, pt.failed, rec, relevant, key=key)
            return
        handler(self, pt, call, entry)

    def _keep(self, pt: PhaseTrace, into: list, rec: dict, relevant: bool,
              key: tuple | None = None) -> None:
        """Add REC unless the cap is reached and it is boring; KEY folds repeats into a count."""
        if key is not None:
            old = pt.seen.get(key)
            if old is not None:
                old["count"] = old.get("count", 1) + 1
                if "times" in old and len(old["times"]) < MAX_TIMES:
                    old["times"].append(rec["time"])  # when each repeat ran (steps match by time)
                return
        cap = MAX_RELEVANT if relevant else MAX_FAILED if into is pt.failed else MAX_EVENTS
        if len(into) >= cap:
            pt.dropped += 1
            return
        if key is not None:
            pt.seen[key] = rec
        into.append(rec)

    # --- helpers -----------------------------------------------------------------------------

    def _path_of(self, call: Syscall) -> str | None:
        """The path a file syscall names, for deciding whether a failed one matters."""
        args = call.args
        try:
            if call.name in _AT_PATH:
                return self._resolve(call, args[0], args[1])
            if args and args[0].startswith("0x"):
                return self._resolve(call, None, args[0])
        except IndexError:
            pass
        return None

    def _sensitive(self, path: str) -> bool:
        return path in self.sensitive or bool(SENSITIVE_PATH.search(path))

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
        if path.startswith("/proc/"):
            path = self._proc_cwd(call, path)
        path = posixpath.normpath(path)
        if path.startswith("//"):
            path = path[1:]  # normpath keeps POSIX's implementation-defined "//"
        return _PROC_ROOT.sub("", path) or "/"

    def _proc_cwd(self, call: Syscall, path: str) -> str:
        """/proc/PID/cwd/REST as the folder it stands for, when the trace knows where that process
        is (AT_FDCWD prints, chdir). cwd is a link, so "cwd/.." is its parent: replaced before
        the path is normalised."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        i = 3 if len(parts) > 3 and parts[2] == "task" and parts[3].isdigit() else 1
        if len(parts) <= i + 1 or parts[i + 1] != "cwd" or not (
                parts[1] in ("self", "thread-self") or parts[1].isdigit()):
            return path
        where = self.cwd.get(int(parts[1]) if parts[1].isdigit() else call.pid)
        return "/".join([where, *parts[i + 2:]]) if where else path

    def _original(self, path: str) -> str | None:
        """The name PATH had before links and renames, if it differs (bounded: links can loop)."""
        seen = path
        for _ in range(16):
            # the longest prefix (the path itself first) that is another name for something
            cut, nxt = len(seen), None
            while cut > 0:
                nxt = self.alias.get(seen[:cut])
                if nxt is not None:
                    break
                cut = seen.rfind("/", 0, cut)
            if nxt is None or nxt + seen[cut:] == seen:
                break
            seen = nxt + seen[cut:]
        return seen if seen != path else None

    def _file(self, pt: PhaseTrace, path: str | None, op: str, *, read=False, write=False,
              delete=False) -> None:
        if not path:
            return
        original = self._original(path) if self.alias else None
        self._record(pt, path, op, read=read, write=write, delete=delete)
        if original and (read or write):
            # Reached through another name: the file itself was read or written.
            self._record(pt, original, op, read=read, write=write, via=path)

    def _record(self, pt: PhaseTrace, path: str, op: str, *, read=False, write=False,
                delete=False, via: str | None = None) -> None:
        fa = pt.files.get(path)
        if fa is None:
            if len(pt.files) >= (MAX_RELEVANT if self._sensitive(path) else MAX_EVENTS):
                pt.dropped += 1
                return
            fa = pt.files[path] = FileAccess()
        fa.read |= read
        fa.write |= write
        fa.delete |= delete
        fa.ops.add(op)
        if via and len(fa.via) < 20:
            fa.via.add(via)

    def _event(self, pt: PhaseTrace, rec: dict) -> None:
        relevant = self._sensitive(rec.get("path") or "") or self._sensitive(rec.get("target") or "")
        self._keep(pt, pt.file_events, rec, relevant)

    def _new_name(self, pt: PhaseTrace, path: str | None, op: str) -> None:
        """PATH made anew (the target of a rename, a link, a symlink): the name is written, not
        what it named before (node-gyp re-making its python3 symlink wrote no /usr/bin/python3)."""
        if path:
            self.alias.pop(path, None)
            self._record(pt, path, op, write=True)

    def _link_alias(self, new: str | None, old: str | None) -> None:
        if new and old and new != old and len(self.alias) < 100_000:
            self.alias[new] = self.alias.get(old, old)


_AT_PATH = {"openat", "unlinkat", "renameat", "renameat2", "linkat", "fchmodat", "mkdirat",
            "mknodat", "fchownat", "newfstatat", "statx", "faccessat", "faccessat2", "readlinkat",
            "utimensat", "execveat"}


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


def _stat(b, pt, call, entry):
    """A probe: OSSF counts a stat as a read, and so does pkgtrace (op says which call)."""
    a = call.args
    if call.name == "fstat":
        path = strace.fd_arg(a[0]) if a else None
        if not path or not path.startswith("/"):
            return
        path = posixpath.normpath(path)
    elif call.name in _AT_PATH:
        if len(a) < 2:
            return
        if a[1].startswith("0x0 ") or strace.path_arg(a[1]) is None:  # AT_EMPTY_PATH: the fd
            path = strace.fd_arg(a[0])
            path = path if path and path.startswith("/") else None
        else:
            path = b._resolve(call, a[0], a[1])
    else:
        path = b._resolve(call, None, a[0]) if a else None
    b._file(pt, path, call.name, read=True)


def _chdir(b, pt, call, entry):
    a = call.args
    if not a:
        return
    path = (strace.fd_arg(a[0]) if call.name == "fchdir" else b._resolve(call, None, a[0]))
    if path and path.startswith("/"):
        b.cwd[call.pid] = posixpath.normpath(path)


def _unlink(b, pt, call, entry):
    at = call.name.endswith("at")
    if len(call.args) < (2 if at else 1):
        return
    path = b._resolve(call, call.args[0] if at else None, call.args[1 if at else 0])
    b._file(pt, path, call.name, delete=True)
    b.alias.pop(path, None)  # the name is gone: a file made there later is another file


def _rename(b, pt, call, entry):
    a = call.args
    if call.name == "rename" and len(a) >= 2:
        old, new = b._resolve(call, None, a[0]), b._resolve(call, None, a[1])
    elif len(a) >= 4:
        old, new = b._resolve(call, a[0], a[1]), b._resolve(call, a[2], a[3])
    else:
        return
    b._file(pt, old, "rename", delete=True)
    b._new_name(pt, new, "rename")
    b._link_alias(new, old)
    b._event(pt, {"pid": call.pid, "op": "rename", "path": new, "from": old, "time": call.time})


def _link(b, pt, call, entry):
    a = call.args
    if call.name in ("link", "symlink") and len(a) >= 2:
        target = strace.path_arg(a[0])
        new = b._resolve(call, None, a[1])
        if call.name == "link":
            target = b._resolve(call, None, a[0])
    elif call.name == "linkat" and len(a) >= 4:
        target, new = b._resolve(call, a[0], a[1]), b._resolve(call, a[2], a[3])
    elif call.name == "symlinkat" and len(a) >= 3:
        target, new = strace.path_arg(a[0]), b._resolve(call, a[1], a[2])
    else:
        return
    b._new_name(pt, new, call.name)
    if target and new:
        # a symbolic link's relative target is relative to the link's own folder
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(new), target))
        b._link_alias(new, _PROC_ROOT.sub("", resolved) or "/")
    b._event(pt, {"pid": call.pid, "op": call.name, "path": new, "target": target, "time": call.time})


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
    b._event(pt, {"pid": call.pid, "op": "chmod", "path": path, "mode": mode,
                  "executable": _executable(mode), "time": call.time})


def _marks(b, pt, call, entry):
    """Calls that change a file's owner, times or kind without writing it: mknod (a FIFO or
    device), utimensat (back-dating a dropped file), chown (handing a file to someone)."""
    a = call.args
    if call.name in ("fchown",):
        path = strace.fd_arg(a[0]) if a else None
    elif call.name in _AT_PATH:
        if len(a) < 2:
            return
        path = b._resolve(call, a[0], a[1]) if strace.path_arg(a[1]) else strace.fd_arg(a[0])
    else:
        path = b._resolve(call, None, a[0]) if a else None
    if not path or not path.startswith("/"):
        return
    op = {"mknod": "mknod", "mknodat": "mknod", "utimensat": "utime"}.get(call.name, "chown")
    b._file(pt, path, op, write=op == "mknod")
    b._event(pt, {"pid": call.pid, "op": op, "path": path, "syscall": call.name,
                  "args": [x[:200] for x in a[2:4]], "time": call.time})


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
        b._event(pt, {"pid": call.pid, "op": "mkdir", "path": path, "time": call.time})


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
    # OSSF lists a command once per (argv, environment); the count keeps how often it ran.
    rec = {"pid": call.pid, "argv": argv, "env": env, "exe": exe, "time": call.time,
           "times": [call.time]}
    b._keep(pt, pt.commands, rec, True, key=("exec", tuple(argv), tuple(env)))


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
    relevant = family in ("AF_INET", "AF_INET6")
    if ok:
        b._keep(pt, pt.connects, rec, relevant, key=("connect", family, addr, port))
    else:
        b._keep(pt, pt.failed, {"pid": call.pid, "syscall": "connect", "args": call.args[:2],
                                "errno": call.errno, "error": call.errdesc, "time": call.time,
                                "family": family, "address": addr, "port": port},
                relevant, key=("connect-failed", family, addr, port, call.errno))


def _bind_listen(b, pt, call, entry):
    if call.name == "bind" and len(call.args) >= 2:
        sa = strace.sockaddr_arg(call.args[1])
        if sa and sa[0] in ("AF_INET", "AF_INET6"):
            b._keep(pt, pt.listens, {"pid": call.pid, "op": "bind", "family": sa[0],
                                     "address": sa[1], "port": sa[2], "time": call.time},
                    True, key=("bind", sa[0], sa[1], sa[2]))
    elif call.name == "listen" and call.args:
        sock = strace.fd_arg(call.args[0])
        b._keep(pt, pt.listens, {"pid": call.pid, "op": "listen", "socket": sock,
                                 "time": call.time}, True, key=("listen", call.pid, sock))


def _send(b, pt, call, entry):
    src = entry or call
    if len(src.args) < 2:
        return
    # gVisor 20221219 prints sendto's buffer as a bare pointer: only sendmsg shows the bytes.
    data = strace.data_arg(src.args[1]) if call.name == "sendmsg" else None
    dest = strace.sockaddr_arg(src.args[4]) if call.name == "sendto" and len(src.args) > 4 else None
    if dest is None and call.name == "sendmsg":
        dest = strace.sockaddr_arg(src.args[1])
    if dest and dest[2] == 53:
        return  # DNS queries: the simulator records them, decoded
    if data is None and dest is None:
        return
    if dest and dest[0] not in ("AF_INET", "AF_INET6"):
        return  # local sockets (syslog, nscd)
    sock = strace.fd_arg(src.args[0])
    data = (data or b"")[:PAYLOAD_CAPTURE]
    rec = {"pid": call.pid, "syscall": call.name, "socket": sock,
           "address": dest[1] if dest else None, "port": dest[2] if dest else None,
           "data": data, "bytes": call.ret, "time": call.time}
    b._keep(pt, pt.sends, rec, True,
            key=("send", rec["address"], rec["port"], hash(data)))


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
    "mknod": _marks, "mknodat": _marks, "utimensat": _marks,
    "chown": _marks, "lchown": _marks, "fchown": _marks, "fchownat": _marks,
    "chdir": _chdir, "fchdir": _chdir,
    **{name: _stat for name in _STAT},
    "execve": _execve, "execveat": _execve,
    "connect": _connect, "bind": _bind_listen, "listen": _bind_listen,
    "sendto": _send, "sendmsg": _send, "sendmmsg": _send,
    "exit_group": _exit_group,
    # Successful forks only shape the process tree; failed ones (a process limit) are kept.
    "clone": lambda *a: None, "clone3": lambda *a: None, "fork": lambda *a: None, "vfork": lambda *a: None,
}


def build(lines: Iterable[str | bytes], windows: list[PhaseWindow], control_pids=(),
          sensitive: Iterable[str] = (), log_pid: int | None | str = "first") -> Trace:
    """SENSITIVE: paths (the bait) whose events are never capped and are found by any name.
    LOG_PID: see strace.parse_lines."""
    builder = TraceBuilder(windows, control_pids, sensitive)
    stats = builder.trace.stats
    return builder.feed(strace.parse_lines(lines, stats, log_pid))

