"""Streaming parser for gVisor's strace log (`runsc --strace --debug`).

One line per syscall entry (E) and exit (X), e.g.

  I1125 11:38:28.495375 2223 strace.go:608] [   1:   1] python3 X openat(AT_FDCWD /tmp,
      0x7f… /etc/ld.so.cache, O_RDONLY|O_CLOEXEC, 0o0) = 3 (0x3) (171.221µs)

`parse_lines` turns lines into `Syscall` records without holding the log in memory; anything it
cannot read is counted in `Stats`, never raised. The meaning of each syscall (which file, which
address) is decided in dynamic/trace.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

_LINE = re.compile(
    r"^[IWED](?P<date>\d{4}) (?P<time>\d\d:\d\d:\d\d\.\d+)\s+\d+\s+strace\.go:\d+\]\s+"
    r"\[\s*(?P<pid>\d+):\s*(?P<tid>\d+)\]\s+(?P<comm>.*?)\s+(?P<dir>[EX])\s+"
    r"(?P<name>[a-z_0-9]+)\((?P<rest>.*)$")
_RESULT = re.compile(
    r"^=\s+(?P<ret>-?\d+)(?:\s+\(0x[0-9a-f]+\))?(?:\s+errno=(?P<errno>\d+)\s+\((?P<errdesc>[^)]*)\))?")


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

    @property
    def failed(self) -> bool:
        return self.errno is not None and self.errno != 0


@dataclass
class Stats:
    lines: int = 0
    syscalls: int = 0
    garbage: int = 0  # strace lines that did not parse
    truncated: int = 0
    garbage_examples: list[str] = field(default_factory=list)


def parse_lines(lines: Iterable[str | bytes], stats: Stats | None = None) -> Iterator[Syscall]:
    stats = stats if stats is not None else Stats()
    for raw in lines:
        stats.lines += 1
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if "strace.go" not in line:
            continue  # other debug output
        try:
            call = parse_line(line.rstrip("\n"))
        except Exception:  # a parser bug on one line must not lose the rest of the trace
            call = None
        if call is None:
            stats.garbage += 1
            if len(stats.garbage_examples) < 5:
                stats.garbage_examples.append(line[:300])
            continue
        stats.syscalls += 1
        stats.truncated += call.truncated
        yield call


def parse_line(line: str) -> Syscall | None:
    m = _LINE.match(line)
    if not m:
        return None
    args, rest, closed = split_args(m.group("rest"))
    call = Syscall(time=m.group("time"), pid=int(m.group("pid")), tid=int(m.group("tid")),
                   comm=m.group("comm"), entry=m.group("dir") == "E", name=m.group("name"),
                   args=args, truncated=not closed)
    if not call.entry and closed:
        r = _RESULT.match(rest.strip())
        if r:
            call.ret = int(r.group("ret"))
            if r.group("errno"):
                call.errno = int(r.group("errno"))
                call.errdesc = r.group("errdesc")
    return call


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
