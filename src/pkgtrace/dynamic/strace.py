"""Streaming parser for gVisor's strace log (`runsc --strace --debug`).

One line per syscall entry (E) and exit (X), e.g.

  I1125 11:38:28.495375 2223 strace.go:608] [   1:   1] python3 X openat(AT_FDCWD /tmp,
      0x7f… /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (171.221µs)

`parse_lines` turns lines into `Syscall` records without holding the log in memory; anything it
cannot read is counted in `Stats`, never raised. The package names much of what a line prints
(process name, paths, argv), so a line is read by its shape (below), a line runsc did not write
is told by its header, and whatever looks built to mislead is flagged on the call (`tamper`) and
counted, never silently read another way. The meaning of each syscall (which file, which
address) is decided in dynamic/trace.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

# --- what a line may say ----------------------------------------------------------------------
# Everything inside a line that the package can choose (its process name, paths, argv,
# environment, buffers) is free text printed unquoted or quoted, so a line is read by SHAPE: the
# process name is at most 15 bytes, the syscall is one of those traced, and each argument must
# fit the form gVisor prints for that syscall (pkg/sentry/strace/linux64_amd64.go), up to the
# fixed-form result at the end of the line. A reading that fits in more than one way, or a name
# that itself spells a syscall, is counted as tampering, never silently picked.

COMM_MAX = 15  # TASK_COMM_LEN - 1: the kernel keeps no more of a process name
_HEX = r"0x[0-9a-f]+"
_FREE = r"(?: .*)?"  # a path or description: anything, even ", " or a newline
_QUOTED = r'"(?:[^"\\]|\\.)*"(?:\.\.\.)?'
KINDS = {
    "fd": rf"(?:AT_FDCWD|{_HEX}|-?\d+){_FREE}",
    "path": rf"{_HEX}{_FREE}|<null>",
    "flags": r"[A-Za-z0-9_|]+",
    "oct": rf"(?:[A-Z_]+\|)*0o[0-7]+|{_HEX}|\d+",  # a mode: 0o644, S_IFREG|0o644
    "hex": rf"-?(?:{_HEX}|\d+)",
    # braces nest one level at most (msghdr's iovecs): matched exactly, so no backtracking
    "struct": rf"null|<null>|{_HEX}(?: \{{[^{{}}]*(?:\{{[^{{}}]*\}}[^{{}}]*)*\}}| \([^()]*\))?",  # stat buffer, sockaddr, msghdr, timespec…
    "rbuf": rf"{_HEX}(?: {_QUOTED}| \(.*\))?",  # a buffer filled by the call, shown on exit
    "wbuf": rf"(?:{_HEX} ?)?(?:{_QUOTED})?",  # a buffer written; empty when 0 bytes
    "argv": rf"{_HEX}(?: \[(?:{_QUOTED}(?:, )?)*(?:\.\.\.)?\]| \(.*\))?",
}
# Argument kinds per traced syscall, in order (gVisor's table; only these can appear).
SHAPES: dict[str, tuple[str, ...]] = {
    "open": ("path", "flags", "oct"), "openat": ("fd", "path", "flags", "oct"),
    "creat": ("path", "oct"),
    "unlink": ("path",), "unlinkat": ("fd", "path", "hex"), "rmdir": ("path",),
    "rename": ("path", "path"), "renameat": ("fd", "path", "fd", "path"),
    "renameat2": ("fd", "path", "fd", "path", "hex"),
    "link": ("path", "path"), "linkat": ("fd", "path", "fd", "path", "hex"),
    "symlink": ("path", "path"), "symlinkat": ("path", "fd", "path"),
    "chmod": ("path", "oct"), "fchmod": ("fd", "oct"), "fchmodat": ("fd", "path", "oct"),
    "chown": ("path", "hex", "hex"), "lchown": ("path", "hex", "hex"),
    "fchown": ("fd", "hex", "hex"), "fchownat": ("fd", "path", "hex", "hex", "hex"),
    "mkdir": ("path", "oct"), "mkdirat": ("fd", "path", "oct"),
    "mknod": ("path", "oct", "hex"), "mknodat": ("fd", "path", "oct", "hex"),
    "truncate": ("path", "hex"), "utimensat": ("fd", "path", "struct", "hex"),
    "stat": ("path", "struct"), "lstat": ("path", "struct"), "fstat": ("fd", "struct"),
    "newfstatat": ("fd", "path", "struct", "hex"), "statx": ("fd", "path", "hex", "hex", "struct"),
    "access": ("path", "oct"), "faccessat": ("fd", "path", "oct", "hex"),
    "faccessat2": ("fd", "path", "oct", "hex"),
    "readlink": ("path", "rbuf", "hex"), "readlinkat": ("fd", "path", "rbuf", "hex"),
    "chdir": ("path",), "fchdir": ("fd",),
    "execve": ("path", "argv", "argv"), "execveat": ("fd", "path", "argv", "argv", "hex"),
    "clone": ("flags", "hex", "hex", "hex", "hex"), "clone3": ("struct", "hex"),
    "fork": (), "vfork": (), "exit_group": ("hex",),
    "socket": ("flags", "flags", "flags"), "connect": ("fd", "struct", "hex"),
    "bind": ("fd", "struct", "hex"), "listen": ("fd", "hex"),
    "sendto": ("fd", "hex", "hex", "hex", "struct", "hex"), "sendmsg": ("fd", "struct", "hex"),
    "sendmmsg": ("fd", "hex", "hex", "hex"),
    "write": ("fd", "wbuf", "hex"), "sendfile": ("fd", "fd", "hex", "hex"),
    "splice": ("fd", "hex", "fd", "hex", "hex", "hex"),
}
FREE_KINDS = {"fd": True, "path": True}
# Entry lines read and passed on: an execve that never returns (killed) shows only its entry,
# and the send calls' buffers are shown on entry. Other entry lines only pair with their exit.
ENTRY_USED = frozenset({"execve", "execveat", "sendto", "sendmsg", "sendmmsg"})
# What follows the closing parenthesis: nothing on entry; on exit the result, in today's form
# `= 3 (0x3)` or the older `= 0x6`, an optional errno, and the call's duration. Older logs also
# have exit lines without a result (OSSF's vectors): read as a call whose result is unknown.
_ENTRY_END = r"\)"
_EXIT_END = (r"\) = (?P<ret>-?(?:0x[0-9a-f]+|\d+))(?: \(0x[0-9a-f]+\))?"
             r"(?: errno=(?P<errno>\d+) \((?P<errdesc>[^()]*)\))? \([^()]*\)")
_SHAPE_RE: dict[tuple[str, str], re.Pattern] = {}


def _shape(name: str, end: str) -> re.Pattern:
    """END: "E" (entry), "X" (exit with its result) or "X?" (an old exit line without one)."""
    key = (name, end)
    pat = _SHAPE_RE.get(key)
    if pat is None:
        args = ", ".join(f"(?P<a{i}>{KINDS[k]})" for i, k in enumerate(SHAPES[name]))
        tail = {"E": _ENTRY_END, "X": _EXIT_END, "X?": _ENTRY_END}[end]
        pat = _SHAPE_RE[key] = re.compile(args + tail + r"\Z", re.S)
    return pat


# The glog header of every runsc debug line. Its number is the host pid of the runsc process that
# wrote the log: unknown inside the sandbox, so a line forged through a path or argv with a
# newline in it carries the wrong one (see parse_lines).
_GLOG = re.compile(r"^[IWEDF](?P<date>\d{4}) (?P<time>\d\d:\d\d:\d\d\.\d+)\s+(?P<logpid>\d+) "
                   r"(?P<file>[\w.-]+):\d+\] ")
_THREAD = re.compile(r"\[\s*(?P<pid>\d+)(?::\s*(?P<tid>\d+))?\] ")
_CANDIDATE = re.compile(r"(?= (?P<dir>[EX]) (?P<name>[a-z0-9_]+)\()")
# A free-text argument that contains the syntax separating arguments or ending a line: only a
# name built to be misread looks like this.
_MIMIC = re.compile(r", (?:0x[0-9a-f]+|AT_FDCWD)(?: |,|\)|$)|\) = -?(?:0x)?[0-9a-f]+|\b[EX] [a-z0-9_]+\(0x")
# Only a newline can split a log line (it is read by bytes); a stray "\r" is common in real
# archives (macOS's "Icon\r" files) and harmless here.
_CONTROL = re.compile(r"\n")
_SUSPECT = re.compile(f"{_CONTROL.pattern}|{_MIMIC.pattern}")
# Where an argument may start after a free-text one; a real line has at most six of them.
_SPLIT_POINT = re.compile(r", (?:0x|AT_FDCWD|-?\d|<null>|null)")
MAX_SPLIT_POINTS = 16
_TRAILER = re.compile(r"\)(?: = -?(?:0x[0-9a-f]+|\d+)(?: \(0x[0-9a-f]+\))?(?: errno=\d+ \([^()]*\))? \([^()]*\))?\Z")
MAX_RECORD = 64 << 10  # a record joined from lines (a path with newlines) is at most this long
MAX_JOIN = 64


@dataclass
class Syscall:
    time: str
    pid: int
    tid: int
    comm: str
    entry: bool  # True for an E line, False for an X line
    name: str
    args: list[str]
    ret: int | None = None
    errno: int | None = None
    errdesc: str | None = None
    truncated: bool = False  # the line ended before its closing parenthesis
    tamper: str | None = None  # why this line is suspect (a name or path built to mislead)

    @property
    def failed(self) -> bool:
        return self.errno is not None and self.errno != 0


@dataclass
class Stats:
    lines: int = 0
    bytes: int = 0  # size of the log read
    syscalls: int = 0
    garbage: int = 0  # strace lines that did not parse
    truncated: int = 0
    garbage_examples: list[str] = field(default_factory=list)
    # Evidence that the package tried to blind or forge the trace (see Syscall.tamper):
    forged: int = 0  # strace-looking lines not written by this log's runsc (wrong host pid)
    ambiguous: int = 0  # lines that fit more than one reading
    tampered: int = 0  # lines with a process name or path built to be misread
    joined: int = 0  # records that spanned several lines (a newline inside a name)
    tamper_examples: list[dict] = field(default_factory=list)

    def note_tamper(self, kind: str, line: str) -> None:
        if len(self.tamper_examples) < 20:
            self.tamper_examples.append({"kind": kind, "line": line[:400]})

    def as_dict(self) -> dict:
        return {"lines": self.lines, "bytes": self.bytes, "syscalls": self.syscalls, "garbage": self.garbage,
                "truncated": self.truncated, "forged": self.forged, "ambiguous": self.ambiguous,
                "tampered": self.tampered, "joined": self.joined,
                "garbage_examples": self.garbage_examples, "tamper_examples": self.tamper_examples}


class _Pending:
    """A record being read: its first line and any continuation lines, and the longest complete
    reading found so far (a newline inside a path splits one record over several lines)."""
    __slots__ = ("head", "body", "lines", "best", "best_lines")

    def __init__(self, head: re.Match, body: str, line: str):
        self.head, self.body, self.lines = head, body, [line]
        self.best: Syscall | None = None
        self.best_lines = 0


def parse_lines(lines: Iterable[str | bytes], stats: Stats | None = None,
                log_pid: int | None | str = "first") -> Iterator[Syscall]:
    """LOG_PID: the host pid every genuine line carries; "first" takes it from the log's first
    line (runsc's own start-up, written before any guest code ran); None checks nothing (for
    hand-assembled logs)."""
    stats = stats if stats is not None else Stats()
    expected = None if log_pid == "first" or log_pid is None else int(log_pid)
    learn = log_pid == "first"
    pending: _Pending | None = None
    closed = False  # the last record was complete and skipped: a line after it is of no record
    for raw in lines:
        stats.lines += 1
        stats.bytes += len(raw)
        line = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
        line = line.rstrip("\n")
        head = _GLOG.match(line)
        if head and learn and expected is None:
            expected = int(head.group("logpid"))
        genuine = head is not None and (expected is None or int(head.group("logpid")) == expected)
        if genuine:
            # Each runsc log record is one write: a genuine header always starts a new one.
            if pending is not None:
                yield from _finish(pending, stats, cut=True)
                pending = None
            closed = False
            if head.group("file") != "strace.go":
                continue  # other debug output
            if _skippable(line, head.end()):
                stats.syscalls += 1
                closed = True
                continue
            pending = _Pending(head, line[head.end():], line)
            pending.best = _complete(head, pending.body, stats)
            pending.best_lines = 1 if pending.best else 0
            continue
        if pending is not None and (len(pending.lines) >= MAX_JOIN or len(pending.body) >= MAX_RECORD):
            _orphan(stats, line)  # a record runsc never writes: past the bound, none of it is read
            continue
        if pending is not None:
            # Not a line runsc started: the rest of a record split by a newline in a name.
            pending.body += "\n" + line
            pending.lines.append(line)
            call = _complete(pending.head, pending.body, stats)
            if call is not None:  # the longest complete reading wins: the real end comes last
                pending.best, pending.best_lines = call, len(pending.lines)
            continue
        if closed:
            _orphan(stats, line)
            continue
        _stray(stats, line)
    if pending is not None:
        yield from _finish(pending, stats)


# Lines not worth reading, recognised without trying every split: the entry lines that only pair
# with their exit line (which repeats their arguments), half of a log. Only a line that cannot be
# read another way qualifies: a process name of letters, digits and ".+-_" (no space, so it
# spells no syscall) and no other split where the slow reading looks for one. (A stat of a
# descriptor is read in full: its path is the file's real name, which a read through
# /proc/self/cwd or /proc/PID/fd does not show.)
_PLAIN = re.compile(r"\[\s*\d+(?::\s*\d+)?\] ([\w.+-]{1,15}) ([EX]) ([a-z0-9_]+)\(", re.ASCII)
_SCAN = COMM_MAX * 4 + 32  # how far into a line _readings looks for a split


def _skippable(line: str, start: int) -> bool:
    m = _PLAIN.match(line, start)
    if m is None:
        return False
    name = m.group(3)
    if m.group(2) != "E" or name not in SHAPES or name in ENTRY_USED or not line.endswith(")"):
        return False
    # another place a syscall could start, as far as _readings looks: read the slow way
    return _CANDIDATE.search(line, m.end(1) + 1, m.start(1) + _SCAN) is None


def _finish(p: _Pending, stats: Stats, cut: bool = False) -> Iterator[Syscall]:
    """CUT: the record ended because a genuine header followed (not at the end of the log)."""
    if p.best is None:
        yield from _give_up(p, stats, cut)
        return
    call = p.best
    if p.best_lines > 1:
        stats.joined += 1
        call.tamper = call.tamper or "newline inside an argument"
    yield from _emit(call, stats, "\n".join(p.lines[:p.best_lines]))
    for extra in p.lines[p.best_lines:]:
        # runsc writes a record whole, so lines after its end that no reading takes in are the
        # tail of a record cut by a forged line that carried the right log pid.
        _orphan(stats, extra)


def _orphan(stats: Stats, line: str) -> None:
    stats.forged += 1
    stats.note_tamper("line left over after a record (a forged line with the right log pid)", line)


def _stray(stats: Stats, line: str) -> None:
    """A line that belongs to no record: forged if it poses as a strace line."""
    head = _GLOG.match(line)
    if head is not None and head.group("file") == "strace.go":
        stats.forged += 1  # a strace line the sandbox's runsc did not write
        stats.note_tamper("forged line (wrong log pid)", line)
    elif "strace.go" in line:
        _garbage(stats, line)


def _emit(call: Syscall, stats: Stats, raw: str | None = None) -> Iterator[Syscall]:
    stats.syscalls += 1
    if call.entry and call.name not in ENTRY_USED and not call.tamper:
        return
    stats.truncated += call.truncated
    if call.tamper:
        stats.tampered += 1
        stats.note_tamper(call.tamper, raw or f"{call.comm} {call.name}({', '.join(call.args)})")
    yield call


def _garbage(stats: Stats, line: str) -> None:
    stats.garbage += 1
    if len(stats.garbage_examples) < 5:
        stats.garbage_examples.append(line[:300])


def _give_up(p: _Pending, stats: Stats, cut: bool = False) -> Iterator[Syscall]:
    """A record that never reached a well-formed end: keep what its first line says (an execve
    cut short by a kill still shows what ran); lines taken in after it were not its own. Only
    the log's last record can end unfinished (the sandbox killed mid-write): one that a genuine
    header cut short had a forged line, with the right log pid, inside it."""
    call = _loose(p.head, p.lines[0][p.head.end():])
    forged_inside = cut and not _TRAILER.search(p.lines[-1], max(0, len(p.lines[-1]) - 300))
    if call is None:
        _garbage(stats, p.lines[0])
    else:
        if forged_inside:
            call.tamper = call.tamper or "record cut short by a forged line with the right log pid"
        yield from _emit(call, stats, p.lines[0])
    if forged_inside and call is None:
        _orphan(stats, p.lines[0])
    for extra in p.lines[1:]:
        _orphan(stats, extra)


def _readings(body: str):
    """(pid, tid, comm, entry, name, text after the parenthesis) for each split of BODY whose
    process name fits in COMM_MAX bytes and whose syscall is one we trace."""
    t = _THREAD.match(body)
    if not t:
        return None, [], False
    pid = int(t.group("pid"))
    tid = int(t.group("tid")) if t.group("tid") else pid
    rest = body[t.end():]
    out = []
    spelled = 0  # splits a name makes, traced syscall or not
    for m in _CANDIDATE.finditer(rest[:COMM_MAX * 4 + 32]):  # a name is at most 15 bytes
        comm = rest[:m.start()]
        if len(comm.encode("utf-8", "surrogateescape")) > COMM_MAX:
            continue
        spelled += 1
        if m.group("name") not in SHAPES:
            continue
        after = m.start() + len(m.group("name")) + 4  # " X name("
        out.append((pid, tid, comm, m.group("dir") == "E", m.group("name"), rest[after:]))
    return t, out, spelled > 1


def _complete(head: re.Match, body: str, stats: Stats) -> Syscall | None:
    """The one well-formed reading of a record, or None when it has none (yet)."""
    t, readings, spelled = _readings(body)
    if len(readings) == 1 and readings[0][3] and readings[0][4] not in ENTRY_USED and not spelled:
        # An entry line whose arguments its exit line repeats: not worth reading (a third of
        # the log); a newline inside it is caught on the exit line.
        pid, tid, comm, _e, name, _text = readings[0]
        return Syscall(time=head.group("time"), pid=pid, tid=tid, comm=comm, entry=True,
                       name=name, args=[])
    fits = []
    for pid, tid, comm, entry, name, text in readings:
        if not (text.endswith(")") and (entry or _TRAILER.search(text, max(0, len(text) - 300)))):
            continue  # not finished (yet): no need to try every way of splitting it
        if len(_SPLIT_POINT.findall(text)) > MAX_SPLIT_POINTS:
            # Built to make the reader try every split (each free-text argument multiplies the
            # work): read no further, and say why.
            call = _loose(head, body)
            call.truncated, call.tamper = False, "path spells trace syntax"
            stats.ambiguous += 1
            return call
        # An exit line is read with its result if at all possible: only a line with nothing
        # after the parenthesis is an old result-less exit line.
        m = _shape(name, "E" if entry else "X").match(text)
        if m is None and not entry and text.endswith(")"):
            m = _shape(name, "X?").match(text)
        if m:
            fits.append((pid, tid, comm, entry, name, m))
    if not fits:
        return None
    # The genuine split is the last one: a name can only hide syntax before the real syscall.
    pid, tid, comm, entry, name, m = fits[-1]
    args = [m.group(f"a{i}") for i in range(len(SHAPES[name]))]
    call = Syscall(time=head.group("time"), pid=pid, tid=tid, comm=comm, entry=entry, name=name,
                   args=args)
    if not entry and "ret" in m.re.groupindex and m.group("ret") is not None:
        call.ret = _int(m.group("ret"))
        if m.group("errno"):
            call.errno = int(m.group("errno"))
            call.errdesc = m.group("errdesc")
    if len(fits) > 1:
        stats.ambiguous += 1
        call.tamper = "line fits more than one reading"
    elif spelled:
        call.tamper = "process name spells a syscall"
    else:
        call.tamper = _free_text_tamper(name, args)
    return call


def _free_text_tamper(name: str, args: list[str]) -> str | None:
    for kind, arg in zip(SHAPES[name], args):
        if kind in FREE_KINDS and _SUSPECT.search(arg):
            if _CONTROL.search(arg):
                return "newline in a path"
            return "path spells trace syntax"
    return None


def _int(text: str) -> int:
    return int(text, 16) if text.startswith("0x") else int(text)


def _loose(head: re.Match, body: str) -> Syscall | None:
    """Best-effort reading of a line cut short: the last plausible split, arguments as far as
    they go. Flagged truncated, so nothing downstream takes it for a finished call."""
    t, readings, spelled = _readings(body)
    if not readings:
        return None
    pid, tid, comm, entry, name, text = readings[-1]
    args, _rest, closed = split_args(text)
    return Syscall(time=head.group("time"), pid=pid, tid=tid, comm=comm, entry=entry, name=name,
                   args=args, truncated=True,
                   tamper="process name spells a syscall" if spelled else None)


_OPEN = {"[": "]", "{": "}", "(": ")"}


# A string (closed or cut off), a bracket, the ", " that separates arguments, or a run of
# anything else: scanning by token rather than by character makes parsing several times faster.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}()]|, |[^"\[\]{}(),]+|,', re.S)


def split_args(text: str) -> tuple[list[str], str, bool]:
    """Split 'a, "b, c", [d, e]) = 3 …' at top-level commas up to the closing parenthesis.

    Returns (args, what follows the parenthesis, whether the parenthesis was found). Quotes,
    brackets and braces nest; a line cut short still yields the arguments seen so far.
    """
    args: list[str] = []
    depth: list[str] = []
    cur: list[str] = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        if t in _OPEN:
            depth.append(_OPEN[t])
        elif depth and t == depth[-1]:
            depth.pop()
        elif not depth and t == ")":
            args.append("".join(cur).strip())
            if args == [""]:  # no arguments at all, as in getpid()
                args = []
            return _merge_fragments(args), text[m.end():], True
        elif not depth and t == ", ":
            args.append("".join(cur).strip())
            cur = []
            continue
        cur.append(t)
    if cur:
        args.append("".join(cur).strip())
    return _merge_fragments(args), "", False


# How a real argument starts. A piece that starts otherwise is the tail of a path that itself
# contained ", " (gVisor prints paths unquoted) and is glued back onto the argument before it.
_ARG_START = re.compile(r'^(?:0x[0-9a-f]+|0o[0-7]+|-?\d|AT_FDCWD|[A-Z][A-Z0-9_]*(?:\||$|\b)|\[|\{|"|\.\.\.|host:|socket:|pipe:|anon_inode:|\(|<|nil)')


def _merge_fragments(args: list[str]) -> list[str]:
    out: list[str] = []
    for a in args:
        if out and not _ARG_START.match(a):
            out[-1] = f"{out[-1]}, {a}"
        else:
            out.append(a)
    return out


# --- argument decoding ------------------------------------------------------------------------

_ADDR_PATH = re.compile(r"^0x[0-9a-f]+ (?P<path>.*)$", re.S)
_FD = re.compile(r"^(?:AT_FDCWD|0x[0-9a-f]+|-?\d+)(?: (?P<what>.*))?$", re.S)


def path_arg(arg: str) -> str | None:
    """'0x7f… /etc/passwd' -> '/etc/passwd'; None when no path was printed (bad pointer)."""
    m = _ADDR_PATH.match(arg)
    if not m:
        return None
    p = m.group("path")
    return p if p and not p.startswith("(") else None


def fd_arg(arg: str) -> str | None:
    """'AT_FDCWD /tmp' -> '/tmp'; '0x3 /dir' -> '/dir'; '0x3 socket:[1]' -> 'socket:[1]'."""
    m = _FD.match(arg)
    return m.group("what") if m and m.group("what") else None


_ESC = re.compile(r'\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|.)', re.S)
_SIMPLE = {"n": b"\n", "t": b"\t", "r": b"\r", "a": b"\a", "b": b"\b", "f": b"\f", "v": b"\v",
           "\\": b"\\", '"': b'"', "'": b"'"}


def unquote(s: str) -> bytes:
    """A Go-quoted string ("…" with \\xNN, \\uNNNN escapes) to the bytes it stands for."""
    s = s.strip()
    if s.endswith("..."):
        s = s[:-3]
    if s.startswith('"'):
        s = s[1:]
    if s.endswith('"') and not s.endswith('\\"'):
        s = s[:-1]
    out = bytearray()
    pos = 0
    for m in _ESC.finditer(s):
        out += s[pos:m.start()].encode("utf-8", "surrogateescape")
        e = m.group(1)
        if e[0] == "x":
            out.append(int(e[1:], 16))
        elif e[0] in "uU":
            out += chr(int(e[1:], 16)).encode("utf-8", "surrogatepass")
        elif e[0].isdigit():
            out.append(int(e, 8) & 0xFF)
        else:
            out += _SIMPLE.get(e, e.encode())
        pos = m.end()
    out += s[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)


def string_list(arg: str) -> list[str]:
    """'0x… ["sh", "-c", "a, b"]' -> ['sh', '-c', 'a, b']."""
    start = arg.find("[")
    if start < 0:
        return []
    body = arg[start + 1:]
    if body.endswith("]"):
        body = body[:-1]
    items, _, _ = _split_strings(body)
    return [unquote(x).decode("utf-8", "replace") for x in items]


def _split_strings(body: str) -> tuple[list[str], str, bool]:
    items, cur, in_str, i = [], [], False, 0
    while i < len(body):
        c = body[i]
        if in_str:
            cur.append(c)
            if c == "\\" and i + 1 < len(body):
                cur.append(body[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
                items.append("".join(cur))
                cur = []
        elif c == '"':
            in_str = True
            cur = [c]
        i += 1
    if in_str and cur:
        items.append("".join(cur))  # cut short: keep what arrived
    return items, "", True


_SOCKADDR = re.compile(r"\{Family: (?P<family>AF_[A-Z0-9]+)(?:, Addr: (?P<addr>[^,}]*))?(?:, Port: (?P<port>\d+))?")


def sockaddr_arg(arg: str) -> tuple[str, str | None, int | None] | None:
    """'0x… {Family: AF_INET, Addr: 1.2.3.4, Port: 443}' -> ('AF_INET', '1.2.3.4', 443)."""
    m = _SOCKADDR.search(arg)
    if not m:
        return None
    addr = m.group("addr")
    if addr is not None:
        addr = addr.strip().strip('"')
        if addr.startswith("[") and addr.endswith("]"):
            addr = addr[1:-1]
    return m.group("family"), addr, int(m.group("port")) if m.group("port") else None


def data_arg(arg: str) -> bytes | None:
    """The buffer of a write-like call: '0x… "GET / HTTP/1.1\\r\\n"' -> bytes."""
    q = arg.find('"')
    return unquote(arg[q:]) if q >= 0 else None
