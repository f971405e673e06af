"""The strace log read one finished phase behind the sandbox (dynamic/live.py): the same trace as
reading it whole at the end, never a line read before its phase's window is known."""

from __future__ import annotations

import threading

from pkgtrace.dynamic.live import LiveTrace
from pkgtrace.dynamic.trace import PhaseWindow, build

START = "I1206 23:41:53.379755    4759 main.go:216] ***************************"


def _line(t: str, pid: int, call: str, result: str, comm: str = "python3") -> str:
    head = f"I1206 {t}    4759 strace.go:608] [{pid:4d}:{pid:4d}] {comm}"
    return f"{head} E {call}\n{head} X {call} {result}\n"


INSTALL = [
    _line("23:42:00.100000", 10, "clone(CLONE_VM|SIGCHLD, 0x0, 0x0, 0x0, 0x0)", "= 11 (0x11) (2µs)"),
    _line("23:42:00.200000", 11, "openat(AT_FDCWD /tmp, 0x1 /root/.ssh/id_rsa, O_RDONLY, 0o0)", "= 3 (0x3) (1µs)"),
]
IMPORT = [
    _line("23:42:05.100000", 20, "clone(CLONE_VM|SIGCHLD, 0x0, 0x0, 0x0, 0x0)", "= 21 (0x15) (2µs)"),
    _line("23:42:05.200000", 21, "openat(AT_FDCWD /tmp, 0x1 /root/.aws/credentials, O_RDONLY, 0o0)",
          "= 3 (0x3) (1µs)"),
]
W_INSTALL = PhaseWindow("install", 10, 85320.0, 85321.0)
W_IMPORT = PhaseWindow("import", 20, 85325.0, 85326.0)


def _summary(trace) -> dict:
    return {name: sorted((p, f.read, f.write) for p, f in pt.files.items()) for name, pt in trace.phases.items()}


def test_read_behind_the_phases_gives_the_trace_read_whole(tmp_path):
    log = tmp_path / "boot.txt"
    log.write_text(START + "\n" + "".join(INSTALL))
    with LiveTrace(log) as live:
        live.phase_done(W_INSTALL, log.stat().st_size)
        with open(log, "a") as f:
            f.write("".join(IMPORT))
        trace = live.finish([W_INSTALL, W_IMPORT])
    with open(log, "rb") as f:
        whole = build(f, [W_INSTALL, W_IMPORT])
    assert _summary(trace) == _summary(whole)
    assert "/root/.aws/credentials" in trace.phases["import"].files
    assert "/root/.ssh/id_rsa" in trace.phases["install"].files


def test_a_phase_the_sandbox_died_in_is_still_attributed(tmp_path):
    # the runner breaks out without handing the phase over; finish() gets every window
    log = tmp_path / "boot.txt"
    log.write_text(START + "\n" + "".join(INSTALL) + "".join(IMPORT))
    with LiveTrace(log) as live:
        live.phase_done(W_INSTALL, len((START + "\n" + "".join(INSTALL)).encode()))
        trace = live.finish([W_INSTALL, W_IMPORT])
    assert "/root/.aws/credentials" in trace.phases["import"].files


def test_nothing_past_the_last_finished_phase_is_read_early(tmp_path):
    # the next phase's lines are already in the log, but its window is not known yet: the reader
    # must not take them in (they would be attributed by time to no phase, or the wrong one)
    log = tmp_path / "boot.txt"
    upto = len((START + "\n" + "".join(INSTALL)).encode())
    log.write_text(START + "\n" + "".join(INSTALL) + "".join(IMPORT))
    with LiveTrace(log) as live:
        live.phase_done(W_INSTALL, upto)
        threading.Event().wait(0.3)  # give the reader every chance to run ahead
        trace = live.finish([W_INSTALL, W_IMPORT])
    assert trace.unattributed == 0
    assert "/root/.aws/credentials" in trace.phases["import"].files


def test_leaving_early_stops_the_reader(tmp_path):
    log = tmp_path / "boot.txt"
    log.write_text(START + "\n" + "".join(INSTALL))
    live = LiveTrace(log)
    with live:
        pass  # an error before any phase ended: no finish()
    assert not live._thread.is_alive()


def test_no_log_at_all_gives_an_empty_trace():
    with LiveTrace(None) as live:
        assert live.finish([W_INSTALL]).phases == {}
