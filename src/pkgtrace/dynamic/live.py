"""Reading the strace log while the sandbox still runs, one finished phase behind.

Parsing the log used to start only once every phase had ended, so all of it sat on the critical
path. Here a thread parses and attributes each phase's part of the log while the next phase
runs: when a phase ends (everything it started killed, so nothing more of it is written), the
runner hands over its window and how far the log then reached; the reader takes in lines up to
there and no further, so every line it reads belongs to a phase whose window it already has.
After the last phase only that phase's part is left to read.
"""

from __future__ import annotations

import os
import threading
from typing import Iterable, Iterator

from pkgtrace.dynamic import strace
from pkgtrace.dynamic.trace import PhaseWindow, Trace, TraceBuilder

_CHUNK = 1 << 20
BACKGROUND_NICE = 10


def _renice(tid: int, nice: int) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, tid, nice)  # a thread's own priority on Linux
    except OSError:
        pass


class LiveTrace:
    def __init__(self, path: str | os.PathLike[str] | None, control_pids: Iterable[int] = (),
                 sensitive: Iterable[str] = ()):
        self._path = path
        self._builder = TraceBuilder([], control_pids, sensitive)
        self._cond = threading.Condition()
        self._limit = 0  # bytes of the log that belong to finished phases
        self._windows: list[PhaseWindow] = []  # handed over, not yet applied by the reader
        self._done = self._aborted = False
        self._handed: set[str] = set()
        self._control: set[int] = set()
        self._error: BaseException | None = None
        self._tid: int | None = None
        self._thread = threading.Thread(target=self._run, name="strace-reader", daemon=True)
        self._thread.start()

    def __enter__(self) -> "LiveTrace":
        return self

    def __exit__(self, *exc) -> None:
        if self._thread.is_alive():  # left early (an error): stop reading, do not finish
            with self._cond:
                self._aborted = self._done = True
                self._cond.notify()
            self._thread.join()

    def phase_done(self, window: PhaseWindow, log_bytes: int, control_pids: Iterable[int] = ()) -> None:
        """WINDOW has ended (nothing it started still runs) and the log then held LOG_BYTES
        bytes: read up to there. CONTROL_PIDS: our own steps run so far."""
        with self._cond:
            self._windows.append(window)
            self._control.update(control_pids)
            self._limit = max(self._limit, log_bytes)
            self._cond.notify()

    def finish(self, windows: Iterable[PhaseWindow] = (), control_pids: Iterable[int] = ()) -> Trace:
        """Read the rest of the log (the sandbox has stopped writing) and return the trace.
        WINDOWS: every phase run; those not handed over yet (a phase the sandbox died in) are."""
        with self._cond:
            self._windows.extend(w for w in windows if w.name not in self._handed)
            self._control.update(control_pids)
            self._done = True
            self._cond.notify()
        self.prioritise()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._builder.trace

    def prioritise(self) -> None:
        """Parse at the runner's priority from now on: no phase is left for the sandbox to run,
        so the parse is what the run waits for (the last phase's, while its collector runs)."""
        if self._tid is not None:
            _renice(self._tid, os.getpriority(os.PRIO_PROCESS, 0))

    def _run(self) -> None:
        # While phases run, parse on what CPU the sandbox leaves over; finish() restores the
        # priority once the parse is what the run waits for.
        self._tid = threading.get_native_id()
        _renice(self._tid, BACKGROUND_NICE)
        try:
            b = self._builder
            b.feed(strace.parse_lines(self._lines(), b.trace.stats))
        except BaseException as e:  # re-raised by finish(), on the runner's thread
            self._error = e

    def _take(self, pos: float) -> tuple[int | None, bool]:
        """Wait until there is more to read than POS; returns (limit, done) and applies the
        windows handed over (before any line of theirs is read)."""
        with self._cond:
            while not self._done and self._limit <= pos:
                self._cond.wait()
            for w in self._windows:
                if w.name not in self._handed:
                    self._handed.add(w.name)
                    self._builder.add_window(w)
            self._windows.clear()
            for pid in self._control:
                self._builder.add_control(pid)
            return (None if self._done else self._limit), self._done

    def _lines(self) -> Iterator[bytes]:
        if self._path is None:
            self._take(float("inf"))  # nothing to read: wait for the end
            return
        with open(self._path, "rb") as f:
            pos, rest = 0, b""
            while True:
                limit, done = self._take(pos)
                if self._aborted:
                    return
                while limit is None or pos < limit:
                    chunk = f.read(_CHUNK if limit is None else min(_CHUNK, limit - pos))
                    if not chunk:
                        break
                    pos += len(chunk)
                    lines = (rest + chunk).split(b"\n")
                    rest = lines.pop()
                    for line in lines:
                        yield line + b"\n"
                if done:
                    break
            if rest:
                yield rest
