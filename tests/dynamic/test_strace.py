"""The strace parser on real recorded gVisor logs, including damaged lines."""

from pathlib import Path

from pkgtrace.dynamic import strace
from pkgtrace.dynamic.trace import PhaseWindow, build

LOG = Path(__file__).parents[1] / "fixtures" / "strace" / "odd.log"


def whole_log_as_one_phase():
    # No driver pid: every line is attributed by time to the one phase covering the whole day.
    with open(LOG, "rb") as f:
        return build(f, [PhaseWindow("install", None, 0, 86400)])


def test_real_log_parses_and_damage_is_counted_not_raised():
    stats = strace.Stats()
    with open(LOG, "rb") as f:
        calls = list(strace.parse_lines(f, stats))
    assert stats.syscalls == 288 and len(calls) > 140  # entry lines only pair with their exit
    assert stats.garbage == 2  # the line without a syscall and the one with a bad pid
    assert stats.truncated >= 1
    assert any(c.name == "vfork" and c.ret == 3 for c in calls)


def test_relative_openat_with_dirfd_and_relative_to_cwd():
    files = whole_log_as_one_phase().phases["install"].files
    assert files["/work/d i r, x/rel.txt"].write
    assert files["/work/relative-cwd.txt"].write
    assert not files["/work/relative-cwd.txt"].read  # O_WRONLY
    assert "/work/d i r, x" not in files  # an O_DIRECTORY open is not a file read
    assert files["/etc/ld.so.cache"].read and not files["/etc/ld.so.cache"].write


def test_execve_with_odd_argv():
    commands = whole_log_as_one_phase().phases["install"].commands
    echo = [c for c in commands if c["exe"] == "/bin/echo"]
    assert echo[0]["argv"] == ["/bin/echo", "a, b", 'quote"d', "tab\there", "ünï", "", "[x]", "{y}"]
    assert "LANG=C.UTF-8" in echo[0]["env"]


def test_truncated_line_keeps_what_arrived():
    line = [l for l in LOG.read_text().splitlines() if "/bin/echo" in l][-1]
    [call] = strace.parse_lines([line], log_pid=None)
    assert call.truncated and call.ret is None
    assert strace.string_list(call.args[1]) == ["/bin/echo", "a, b", 'quote"d', "tab\there"]


def test_ipv6_connects_and_failures_kept_apart():
    pt = whole_log_as_one_phase().phases["install"]
    ok = {(c["family"], c["address"], c["port"]) for c in pt.connects}
    assert ("AF_INET6", "::1", 9) in ok  # EINPROGRESS is a connection under way
    assert ("AF_INET6", "2001:db8::5", 443) in ok  # extra sockaddr fields
    failed = [f for f in pt.failed if f["syscall"] == "connect"]
    assert any(f["address"] == "2001:db8::1" and f["errno"] == 113 for f in failed)
    # failed opens (locale probing) are kept apart from the files list
    assert any(f["syscall"] == "openat" and f["errno"] == 2 for f in pt.failed)
    assert "/usr/lib/locale/locale-archive" not in pt.files


def test_rename_chmod_symlink_unlink():
    pt = whole_log_as_one_phase().phases["install"]
    assert pt.files["/work/relative-cwd.txt"].delete  # renamed away
    assert pt.files["/work/renamed.txt"].write
    chmod = [e for e in pt.file_events if e["op"] == "chmod"]
    assert chmod and chmod[0]["path"] == "/work/renamed.txt" and chmod[0]["executable"]
    link = [e for e in pt.file_events if e["op"] == "symlink"]
    assert link[0]["target"] == "/etc/passwd" and link[0]["path"] == "/work/link"
    assert pt.files["/work/link"].delete
    sends = [s for s in pt.sends if s["port"] == 9999]
    assert sends and sends[0]["address"] == "5.6.7.8"


def test_driver_and_control_processes_are_left_out():
    # pid 2 is the exec'd root: as a phase driver its own calls are ours, its children are the phase's
    with open(LOG, "rb") as f:
        trace = build(f, [PhaseWindow("import", 2, 0, 0)])
    pt = trace.phases["import"]
    assert not any(p.startswith("/work/d i r") for p in pt.files)  # the driver's own opens
    assert any(c["exe"] == "/bin/echo" for c in pt.commands)  # its child's exec
    assert "/usr/lib/locale/C.utf8/LC_CTYPE" in pt.files  # the child's reads


def test_unquote_go_escapes():
    assert strace.unquote(r'"a\x00b\n\u00fc\"q"') == b'a\x00b\n\xc3\xbc"q'
    assert strace.split_args('0x1, "a, b", [c, d]) = 0 (0x0)')[0] == ["0x1", '"a, b"', "[c, d]"]


def test_bare_relative_paths_resolve_against_the_working_folder_gvisor_showed(tmp_path):
    # gVisor prints AT_FDCWD with the process's working folder but a bare chmod path as given;
    # a linker's chmod of its output must land in the folder it built in, and a child inherits it.
    log = tmp_path / "boot.log"
    log.write_text(
        "I1125 12:00:00.000001 1 strace.go:602] [   7:   7] ld X openat(AT_FDCWD /work/build, 0x7f00 x.so, "
        "O_RDWR|O_CREAT|O_TRUNC, 0o777) = 3 (0x3) (5µs)\n"
        "I1125 12:00:00.000002 1 strace.go:602] [   7:   7] ld X chmod(0x7f01 x.so, 0o755) = 0 (0x0) (5µs)\n"
        "I1125 12:00:00.000003 1 strace.go:602] [   7:   7] ld X vfork() = 8 (0x8) (5µs)\n"
        "I1125 12:00:00.000004 1 strace.go:602] [   8:   8] sh X unlink(0x7f02 x.o) = 0 (0x0) (5µs)\n")
    with open(log, "rb") as f:
        pt = build(f, [PhaseWindow("install", None, 0, 86400)]).phases["install"]
    chmod = [e for e in pt.file_events if e["op"] == "chmod"]
    assert chmod[0]["path"] == "/work/build/x.so" and chmod[0]["executable"]
    assert pt.files["/work/build/x.o"].delete
