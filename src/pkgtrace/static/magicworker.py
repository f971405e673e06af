"""libmagic in a helper process, running ahead of the parser.

libmagic is the largest single cost of the static pass on ordinary releases (about a sixth to a
quarter of it: its text rules are regular expressions over each file's first 64 KiB), and it
needs nothing but the file. A thread cannot overlap it with parsing in practice: every return from
the C call has to win the GIL back from the parser. A process can: the parent sends the extracted
files' paths, the child (magicchild.py) answers each with what facts.detect_type answers for the
same head, and the parent reads the answers in order as it reaches each file. One child serves
all the runs of a process, one run at a time.

Anything unexpected (the child cannot start, dies, answers garbage) makes the caller fall back to
detecting in-process, so the reported type is the same either way.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

# Requests in flight at once: bounded so that neither pipe can fill while the other side waits.
WINDOW_FILES = 16
WINDOW_BYTES = 16 << 10
# Fewer files than this are typed in-process: with so few to run ahead on, the pipe's round
# trips cost more than they hide (measured: 5-10 files, 5 ms in-process against 8 ms helped).
MIN_FILES = 20
_CHILD = Path(__file__).with_name("magicchild.py")


class _Worker:
    def __init__(self) -> None:
        self.pid = os.getpid()
        # -P: the script's folder (this package's) stays off sys.path, so that none of its
        # modules can shadow one the child imports.
        self.proc = subprocess.Popen([sys.executable, "-P", str(_CHILD)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     close_fds=True)
        self.lock = threading.Lock()
        self.warm = False  # has answered once: until then nobody waits for it
        self.stale = 0     # answers still to come for an earlier run, to be dropped

    def alive(self) -> bool:
        return self.pid == os.getpid() and self.proc.poll() is None

    def close(self) -> None:
        try:
            self.proc.stdin.close()  # the child exits at end of input
            self.proc.wait(5)
        except Exception:
            self.proc.kill()


_worker: _Worker | None = None
_start_lock = threading.Lock()


def _get_worker() -> _Worker | None:
    global _worker
    with _start_lock:
        if _worker is not None and not _worker.alive():
            _worker = None  # died, or inherited from the parent of a fork: not ours to use
        if _worker is None:
            try:
                _worker = _Worker()
            except OSError:
                return None
            atexit.register(_worker.close)
        return _worker


class TypeStream:
    """Detected types of PATHS, in order: `next()` once per path; None means "detect it
    in-process": the helper is unavailable, busy with another thread's run, gone, or still
    starting (a run does not wait for a helper that has never answered: it detects in-process
    and drops those answers when they come)."""

    def __init__(self, paths: list[Path]):
        self._paths = paths
        self._sent = 0       # requests written
        self._index = 0      # the file next() is asked about
        self._inflight: deque[tuple[int, int]] = deque()  # (file index, request bytes)
        self._bytes = 0
        # PKGTRACE_MAGIC_HELPER=0: detect in-process (one core, or a process budget to keep).
        wanted = len(paths) >= MIN_FILES and os.environ.get("PKGTRACE_MAGIC_HELPER", "1") != "0"
        self._w = _get_worker() if wanted else None
        if self._w is not None and not self._w.lock.acquire(blocking=False):
            self._w = None
        if self._w is not None:
            self._inflight.extend((-1, 0) for _ in range(self._w.stale))
            self._w.stale = 0

    def __enter__(self) -> "TypeStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        w, self._w = self._w, None
        if w is None:
            return
        try:
            if w.warm:  # drain what is still in flight so that the next run starts in step
                while self._inflight:
                    self._read(w)
            else:  # a helper still starting is not waited for: the next run drops these
                w.stale = len(self._inflight)
        except Exception:
            _discard(w)
        finally:
            w.lock.release()

    def _read(self, w: _Worker) -> tuple[int, str]:
        line = w.proc.stdout.readline()
        if not line:
            raise OSError("magic helper exited")
        i, size = self._inflight.popleft()
        self._bytes -= size
        ans = json.loads(line)
        if not isinstance(ans, str):
            raise ValueError("magic helper answered garbage")
        w.warm = True
        return i, ans

    def next(self) -> str | None:
        i = self._index
        self._index += 1
        w = self._w
        if w is None:
            return None
        try:
            if not w.warm and select.select([w.proc.stdout], [], [], 0)[0]:
                self._read(w)  # its first answer (for an earlier file): it is warm from now on
            self._sent = max(self._sent, i)  # files detected in-process are never asked about
            while self._sent < len(self._paths) and (
                    (len(self._inflight) < WINDOW_FILES and self._bytes < WINDOW_BYTES)
                    or (w.warm and self._sent <= i)):
                req = (json.dumps(str(self._paths[self._sent])) + "\n").encode()
                w.proc.stdin.write(req)
                self._inflight.append((self._sent, len(req)))
                self._bytes += len(req)
                self._sent += 1
            w.proc.stdin.flush()
            if not w.warm:
                return None  # still starting: not worth waiting for
            while True:
                j, ans = self._read(w)
                if j == i:
                    return ans
        except (OSError, ValueError):
            self._w = None
            w.lock.release()
            _discard(w)
            return None


def helper_pid() -> int | None:
    """The helper's process id, if one is running for this process (benchmarks add its CPU)."""
    w = _worker
    return w.proc.pid if w is not None and w.alive() else None


def _discard(w: _Worker) -> None:
    global _worker
    with _start_lock:
        if _worker is w:
            _worker = None
    try:
        w.proc.kill()
        w.proc.wait(5)
    except Exception:
        pass
