"""The parser against lines a hostile package shapes: process names that spell syscalls, paths
with newlines that forge whole lines, paths that spell argument syntax. Hand-made lines in the
exact form runsc 20221219 writes (see tests/fixtures/strace/odd.log for recorded ones)."""

from __future__ import annotations

from pkgtrace.dynamic import strace
from pkgtrace.dynamic.trace import PhaseWindow, build

LOG_PID = 4759
START = f"I1206 23:41:53.379755    {LOG_PID} main.go:216] ***************************"


def line(comm: str, d: str, call: str, result: str = "= 3 (0x3) (15.5µs)", *, pid: int = 5,
         tid: int | None = None, log_pid: int = LOG_PID, t: str = "23:41:59.519795") -> str:
    tid = pid if tid is None else tid
    text = f"I1206 {t}    {log_pid} strace.go:608] [{pid:4d}:{tid:4d}] {comm} {d} {call}"
    return text + (f" {result}" if d == "X" else "")


def pair(comm: str, call: str, result: str = "= 3 (0x3) (15.5µs)", **kw) -> list[str]:
    return [line(comm, "E", call, **kw), line(comm, "X", call, result, **kw)]


def parse(lines: list[str], **kw) -> tuple[list[strace.Syscall], strace.Stats]:
    stats = strace.Stats()
    return list(strace.parse_lines(_log(lines), stats, **kw)), stats


def trace(lines: list[str]):
    return build(_log(lines), [PhaseWindow("install", None, 0, 86400)])


def _log(lines: list[str]) -> list[bytes]:
    """As a log file reads in binary: split at newlines only (a \\r stays inside its line)."""
    return [f"{x}\n".encode() for x in "\n".join([START, *lines]).split("\n")]


BAIT_OPEN = "openat(AT_FDCWD /tmp, 0x7f88cf2b40b1 /root/.ssh/id_rsa, O_RDONLY|O_CLOEXEC, 0o0)"


def test_a_plain_line_reads_as_before():
    calls, stats = parse(pair("python3", BAIT_OPEN))
    (x,) = calls  # the entry line only pairs with this exit line
    assert (x.pid, x.comm, x.name, x.ret, x.tamper) == (5, "python3", "openat", 3, None)
    assert x.args[1] == "0x7f88cf2b40b1 /root/.ssh/id_rsa"
    assert stats.garbage == stats.tampered == 0


def test_a_process_name_that_spells_a_syscall_cannot_re_aim_the_line():
    # The attack of issue 11: `prctl(PR_SET_NAME, "x X getpid(")` made every later line of the
    # process parse as getpid. The name is at most 15 bytes and only the last split fits.
    for comm in ("x X getpid(", "a E exit_group(", "a X openat(", "E x X clone(0x1"):
        calls, stats = parse(pair(comm, BAIT_OPEN))
        assert [(c.name, c.entry) for c in calls] == [("openat", True), ("openat", False)], comm
        assert calls[1].comm == comm and calls[1].ret == 3
        assert calls[1].tamper == "process name spells a syscall"
        assert stats.tampered == 2
    pt = trace(pair("x X getpid(", BAIT_OPEN)).phases["install"]
    assert pt.files["/root/.ssh/id_rsa"].read
    assert pt.tamper and pt.tamper[0]["why"] == "process name spells a syscall"


def test_a_name_longer_than_the_kernel_keeps_is_not_a_reading():
    calls, stats = parse(pair("a-process-name-of-20", BAIT_OPEN))
    assert calls == [] and stats.garbage == 2


def test_a_newline_in_a_path_cannot_forge_a_line():
    # A file named "/tmp/x\n<a whole log line>": the line after the newline is not the sandbox's
    # (its log pid is a guess), so it is read as the rest of the path it came from.
    forged = ("I1206 23:41:59.600000    4760 strace.go:608] [   1:   1] init X "
              "clone(CLONE_VM|SIGCHLD, 0x0, 0x0, 0x0, 0x0) = 5 (0x5) (2µs)")
    evil = f"openat(AT_FDCWD /tmp, 0x7f88cf2b40b1 /tmp/x\n{forged}\nz, O_RDONLY|O_CLOEXEC, 0o0)"
    calls, stats = parse(pair("python3", evil) + pair("python3", BAIT_OPEN))
    assert {c.name for c in calls} == {"openat"}  # no clone from pid 1
    exits = [c for c in calls if not c.entry]
    assert exits[0].args[1] == f"0x7f88cf2b40b1 /tmp/x\n{forged}\nz" and len(exits) == 2
    assert exits[0].tamper == "newline in a path" and stats.joined == 2
    assert stats.forged == 0  # the forged line was read as part of the path, not on its own
    t = trace(pair("python3", evil) + pair("python3", BAIT_OPEN))
    assert t.phases["install"].files["/root/.ssh/id_rsa"].read  # the read after it still counts
    assert 5 not in t.processes or t.processes[5].ppid is None


def test_a_path_whose_first_piece_looks_complete_is_still_read_whole():
    # "/tmp/x, O_RDONLY, 0o0)\n<forged line>\n…": the first piece alone is a well-formed line,
    # but the record goes on; the longest complete reading is the real one.
    forged = line("curl", "X", 'execve(0x1 /usr/bin/curl, 0x2 ["curl", "evil"], 0x3 [])',
                  "= 0 (0x0) (1µs)", pid=5, log_pid=LOG_PID + 1)
    evil = f"openat(AT_FDCWD /tmp, 0x1 /tmp/x, O_RDONLY, 0o0)\n{forged}\nz, O_WRONLY, 0o0)"
    calls, stats = parse(pair("python3", evil))
    exits = [c for c in calls if not c.entry]
    assert [c.name for c in exits] == ["openat"]
    assert exits[0].args[2] == "O_WRONLY" and exits[0].tamper
    assert "curl" not in {c.comm for c in calls}


def test_a_forged_line_that_stands_alone_is_counted_not_used():
    forged = line("curl", "X", 'execve(0x1 /usr/bin/curl, 0x2 ["curl", "evil"], 0x3 [])',
                  "= 0 (0x0) (1µs)", pid=5, log_pid=LOG_PID + 1)
    other = "I1206 23:41:59.600000    4759 task_exit.go:204] [   5:   5] Transition"
    calls, stats = parse(pair("python3", BAIT_OPEN) + [other, forged])
    assert [c.name for c in calls] == ["openat"]
    assert stats.forged == 1 and stats.tamper_examples[0]["kind"].startswith("forged")


def test_paths_with_brackets_quotes_and_commas_keep_their_place():
    odd = 'openat(AT_FDCWD /w (x), 0x1 /w (x)/a "b" [c], d), O_WRONLY|O_CREAT, 0o644)'
    calls, stats = parse(pair("python3", odd))
    assert calls[0].args[1] == '0x1 /w (x)/a "b" [c], d)' and calls[0].args[2] == "O_WRONLY|O_CREAT"
    assert calls[0].tamper is None


def test_a_path_spelling_argument_syntax_is_tampering():
    evil = "openat(AT_FDCWD /tmp, 0x1 /tmp/a, 0x2 /tmp/b, O_RDONLY, 0o0)"
    calls, stats = parse(pair("python3", evil))
    assert calls[0].tamper == "path spells trace syntax" and stats.tampered == 1


def test_a_carriage_return_in_a_file_name_is_not_tampering():
    # macOS leaves "Icon\r" files in real archives; only a newline can split a log line
    calls, _ = parse(pair("python3", "openat(AT_FDCWD /tmp, 0x1 /tmp/pkg/Icon\r, O_RDONLY, 0o0)"))
    assert calls[0].tamper is None and calls[0].args[1] == "0x1 /tmp/pkg/Icon\r"


def test_a_second_creation_of_a_tid_is_a_forgery():
    clone = "clone(CLONE_VM|CLONE_VFORK|SIGCHLD, 0x0, 0x0, 0x0, 0x0)"
    t = trace(pair("python3", clone, "= 9 (0x9) (3µs)", pid=5)
              + pair("python3", clone, "= 9 (0x9) (3µs)", pid=6))
    assert t.recreated == 1 and t.processes.get(9) is None
    assert any("created twice" in x["why"] for x in t.phases["install"].tamper)


def test_older_gvisor_forms_parse_with_their_errors():
    # OSSF's vectors (internal/strace/strace_test.go): a one-number thread field, hex results,
    # `= 0x0 errno=2` for a failure, exit lines without a result.
    calls, stats = parse([
        "I1203 05:29:21.585712     173 strace.go:625] [   2] python3 X creat(0x7f015d7865d0 /tmp/abctest, 0o600) = 0x6 (598.693µs)",
        "I1203 00:02:39.681902     173 strace.go:625] [   1] ruby X openat(AT_FDCWD /app, 0x55c5319654f0 /app/foobar, O_RDONLY|O_CLOEXEC|O_NONBLOCK, 0o0) = 0x0 errno=2 (no such file or directory) (11.709µs)",
        "I1203 00:02:38.316076     173 strace.go:587] [   2] gem X openat(AT_FDCWD /app, 0x7f3336aaf2c8 /dev/null, O_CLOEXEC|O_WRONLY|O_TRUNC, 0o666)",
    ], log_pid=None)
    creat, failed, bare = calls
    assert (creat.pid, creat.tid, creat.ret, creat.failed) == (2, 2, 6, False)
    assert failed.failed and failed.errno == 2 and failed.errdesc == "no such file or directory"
    assert bare.ret is None and not bare.failed and not bare.truncated
    assert stats.garbage == 0


def test_a_line_cut_short_keeps_what_arrived_and_later_lines_are_read():
    cut = line("python3", "E", 'execve(0x1 /bin/echo, 0x2 ["/bin/echo", "a')
    calls, stats = parse([cut] + pair("python3", BAIT_OPEN))
    assert calls[0].truncated and strace.string_list(calls[0].args[1]) == ["/bin/echo", "a"]
    assert [c.name for c in calls[1:]] == ["openat"] and stats.truncated == 1


def test_a_path_built_to_make_the_reader_backtrack_is_read_in_bounded_time():
    # Four free-text arguments full of separators, on a line that never completes (its record
    # goes on after a newline): every way of splitting it would take hours.
    import time
    path = "/tmp/" + ", 0x1 a" * 580
    first = line("python3", "X", f"renameat(AT_FDCWD {path}, 0x7f {path}, AT_FDCWD {path}, 0x7e {path}",
                 "= 0 (0x0) (1µs)")
    started = time.process_time()
    calls, stats = parse([first, "rest) = 0 (0x0) (1µs)"])
    assert time.process_time() - started < 5
    assert calls and calls[0].tamper and stats.tampered == 1


# A forged line that carries the right log pid (the host pid of the sandbox's runsc: unknown
# inside the guest, so a guess, and every wrong guess is counted as a forged line). What happens
# when the guess is right:

def test_a_forged_line_with_the_right_log_pid_cuts_the_real_record_and_is_caught():
    # "/tmp/x\n<line with the right pid>\n": the real openat is cut short by a genuine-looking
    # header, which runsc never does (it writes a record whole), and its tail is left over.
    forged = line("init", "X", "clone(CLONE_VM|SIGCHLD, 0x0, 0x0, 0x0, 0x0)", "= 5 (0x5) (2µs)", pid=1)
    evil = f"openat(AT_FDCWD /tmp, 0x7f88cf2b40b1 /tmp/x\n{forged}\nz, O_RDONLY|O_CLOEXEC, 0o0)"
    calls, stats = parse(pair("python3", evil) + pair("python3", BAIT_OPEN))
    cut = next(c for c in calls if not c.entry and c.pid == 5 and "/tmp/x" in "".join(c.args))
    assert cut.tamper and "forged line" in cut.tamper
    assert stats.forged >= 1  # the real record's tail, left over
    t = trace(pair("python3", evil) + pair("python3", BAIT_OPEN))
    assert t.phases["install"].files["/root/.ssh/id_rsa"].read  # the read after it still counts
    assert t.phases["install"].tamper  # and the verdict sees tampering (DYN-TRACE-TAMPER)


def test_a_right_pid_forged_line_whose_tail_is_left_over_is_counted():
    # The first piece of the real record made to look complete, the forged line after it, then
    # the real record's tail on a line of its own: the tail belongs to no record.
    forged = line("init", "X", "unlink(0x1 /tmp/y)", "= 0 (0x0) (2µs)", pid=1)
    evil = f"openat(AT_FDCWD /tmp, 0x1 /tmp/x, O_RDONLY, 0o0) = 3 (0x3) (1µs)\n{forged}\n, O_RDONLY, 0o0)"
    calls, stats = parse(pair("python3", evil))
    # the tail is either left over (a line of no record) or taken into the forged record (a
    # newline inside its argument): tampering either way
    assert stats.forged + stats.tampered >= 1 and stats.tamper_examples


def test_a_perfect_right_pid_forgery_reads_as_two_records_and_init_is_not_a_hiding_place():
    # The residual case: the real record's first piece looks complete and the forged line takes
    # in the real tail (both end in a free-text argument). It reads as two records; the forged
    # one names init, which runs nothing traced after boot, so it is tampering, not ignored.
    forged_head = line("init", "X", "rename(0x1 /tmp/evil", pid=1)[:-len(" = 3 (0x3) (15.5µs)")]
    evil = f"rename(0x1 /tmp/x, 0x2 /tmp/y) = 0 (0x0) (1µs)\n{forged_head}, 0x2 /root/.bashrc)"
    lines = pair("python3", evil, "= 0 (0x0) (3µs)", t="23:42:10.000000")
    calls, stats = parse(lines)
    assert {(c.pid, c.name) for c in calls if not c.entry} == {(5, "rename"), (1, "rename")}
    t = build(_log(lines), [PhaseWindow("install", 4, 85000, 85400), PhaseWindow("import", 9, 85500, 85600)])
    assert any("init" in x["why"] for x in t.phases["install"].tamper + t.tamper), (t.tamper, t.phases)


def test_entry_lines_skipped_unread_cannot_hide_a_forged_tail():
    # Plain entry lines are skipped without a full reading (they only pair with their exit
    # line). One whose path ends in ")" and then a newline looks complete; what follows the
    # newline belongs to no record and is counted, and the exit line is read in full as ever.
    evil = "openat(AT_FDCWD /tmp, 0x1 /tmp/x)\nz, O_RDONLY, 0o0)"
    calls, stats = parse(pair("python3", evil))
    assert stats.forged >= 1
    (x,) = [c for c in calls if not c.entry]
    assert x.tamper and x.args[1] == "0x1 /tmp/x)\nz"
    # a name that spells a syscall is never skipped: both lines are flagged, as before
    calls, stats = parse(pair("x E getpid(", BAIT_OPEN))
    assert stats.tampered == 2
