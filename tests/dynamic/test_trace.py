"""From syscalls to behaviour on hand-made lines: links and renames, chdir, the stat family, the
event cap under a flood, binds as OSSF sockets, commands deduplicated as OSSF does."""

from __future__ import annotations

from pkgtrace.dynamic import trace as trace_mod
from pkgtrace.dynamic.run import _sockets

from test_strace_tamper import pair, trace

OK = "= 0 (0x0) (5µs)"
ENOENT = "= -1 (0xffffffffffffffff) errno=2 (no such file or directory) (5µs)"


def opened(path: str, cwd: str = "/tmp") -> list[str]:
    return pair("python3", f"openat(AT_FDCWD {cwd}, 0x7f01 {path}, O_RDONLY|O_CLOEXEC, 0o0)")


def test_reads_through_links_and_renamed_folders_are_reads_of_the_original():
    pt = trace(
        pair("python3", "symlinkat(0x1 ../../root/.ssh/id_rsa, AT_FDCWD /tmp, 0x2 /var/tmp/s)", OK)
        + opened("/var/tmp/s")
        + pair("python3", "linkat(AT_FDCWD /, 0x1 /root/.aws/credentials, AT_FDCWD /, 0x2 /var/tmp/h, 0x0)", OK)
        + opened("h", cwd="/var/tmp")
        + pair("python3", "rename(0x1 /root/.ssh, 0x2 /var/tmp/d)", OK)
        + pair("python3", "rename(0x1 /var/tmp/d, 0x2 /var/tmp/e)", OK)  # renamed twice
        + opened("/var/tmp/e/id_ed25519")
        + opened("/proc/self/root/root/.pypirc")
    ).phases["install"]
    assert pt.files["/root/.ssh/id_rsa"].read and pt.files["/root/.ssh/id_rsa"].via == {"/var/tmp/s"}
    assert pt.files["/root/.aws/credentials"].via == {"/var/tmp/h"}
    assert pt.files["/root/.ssh/id_ed25519"].via == {"/var/tmp/e/id_ed25519"}
    assert pt.files["/root/.pypirc"].read
    # a file that was never linked stays itself
    assert not trace(opened("/var/tmp/x")).phases["install"].files["/var/tmp/x"].via


def test_reads_through_a_processs_cwd_in_proc_are_reads_of_the_real_file():
    pt = trace(pair("python3", "chdir(0x1 /root/.aws)", OK)
               + pair("python3", "open(0x1 /proc/self/cwd/credentials, O_RDONLY, 0o0)", "= 3 (0x3) (5µs)")
               + pair("python3", "chdir(0x1 /root/.ssh)", OK)
               + opened("/proc/thread-self/cwd/../.ssh/./id_rsa", cwd="/root/.ssh")
               ).phases["install"]
    assert pt.files["/root/.aws/credentials"].read
    assert pt.files["/root/.ssh/id_rsa"].read
    assert not any(p.startswith("/proc/") for p in pt.files)


def test_a_proc_cwd_of_a_process_the_trace_does_not_know_stays_as_written():
    # the evasion would be to make pkgtrace invent a folder: an unknown pid resolves to nothing
    pt = trace(pair("python3", "open(0x1 /proc/4242/cwd/credentials, O_RDONLY, 0o0)", "= 3 (0x3) (5µs)")
               ).phases["install"]
    assert list(pt.files) == ["/proc/4242/cwd/credentials"]


def test_making_a_name_again_writes_the_name_not_what_it_pointed_to():
    # node-gyp makes build/node_gyp_bins/python3 -> /usr/bin/python3 once per build: twice, with an
    # unlink between, when the build is retried; nothing wrote /usr/bin/python3
    link = "/home/u/app/build/node_gyp_bins/python3"
    make = pair("node", f"symlink(0x1 /usr/bin/python3, 0x2 {link})", OK)
    pt = trace(make + pair("node", f"unlink(0x1 {link})", OK) + make
               + pair("node", f"rename(0x1 /tmp/new, 0x2 {link})", OK)).phases["install"]
    assert not getattr(pt.files.get("/usr/bin/python3"), "write", False)
    assert pt.files[link].write
    # ... while a read through a link made again still reaches the file it names now
    pt = trace(make + pair("node", f"unlink(0x1 {link})", OK)
               + pair("node", f"symlink(0x1 /root/.aws/credentials, 0x2 {link})", OK)
               + opened(link)).phases["install"]
    assert pt.files["/root/.aws/credentials"].read and pt.files["/root/.aws/credentials"].via == {link}
    assert not pt.files["/root/.aws/credentials"].write


def test_a_link_loop_ends():
    pt = trace(pair("sh", "symlink(0x1 /a, 0x2 /b)", OK) + pair("sh", "symlink(0x1 /b, 0x2 /a)", OK)
               + opened("/a")).phases["install"]
    assert pt.files["/a"].read


def test_chdir_moves_relative_paths_of_calls_that_print_no_folder():
    pt = trace(pair("python3", "chdir(0x1 /root/.aws)", OK)
               + pair("python3", "open(0x1 credentials, O_RDONLY, 0o0)", "= 3 (0x3) (5µs)")
               + pair("python3", "fchdir(0x3 /etc)", OK)
               + pair("python3", "stat(0x1 passwd, 0x2 {dev=1, ino=2, mode=S_IFREG|0o644})", OK)
               ).phases["install"]
    assert pt.files["/root/.aws/credentials"].read
    assert pt.files["/etc/passwd"].read and pt.files["/etc/passwd"].ops == {"stat"}


def test_stat_family_counts_as_reads_and_failed_probes_stay_apart():
    pt = trace(
        pair("python3", "newfstatat(AT_FDCWD /, 0x1 /root/.aws/credentials, 0x2 {dev=11, ino=37, mode=S_IFREG|0o600, size=20}, 0x0)", OK)
        + pair("python3", "access(0x1 /root/.ssh/id_rsa, 0o4)", OK)
        + pair("python3", "readlinkat(AT_FDCWD /, 0x1 /root/.kube/config, 0x2 \"x\", 0x1000)", ENOENT)
        + pair("python3", "statx(AT_FDCWD /, 0x1 /etc/hosts, 0x0, 0xfff, 0x2 {Mask: STATX_ALL})", OK)
    ).phases["install"]
    assert pt.files["/root/.aws/credentials"].read and pt.files["/root/.aws/credentials"].ops == {"newfstatat"}
    assert pt.files["/root/.ssh/id_rsa"].ops == {"access"} and pt.files["/etc/hosts"].read
    assert "/root/.kube/config" not in pt.files
    assert [f["syscall"] for f in pt.failed] == ["readlinkat"]


def test_marks_mknod_utimensat_chown():
    pt = trace(pair("python3", "mknodat(AT_FDCWD /, 0x1 /var/tmp/fifo, S_IFIFO|0o600, 0x0)", OK)
               + pair("touch", "utimensat(0x5 /root/.bashrc, <null>, 0x7f {sec=1 nsec=2}, 0x0)", OK)
               + pair("python3", "fchownat(AT_FDCWD /, 0x1 /var/tmp/fifo, 0x3e8, 0x3e8, 0x0)", OK)
               ).phases["install"]
    assert [(e["op"], e["path"]) for e in pt.file_events] == [
        ("mknod", "/var/tmp/fifo"), ("utime", "/root/.bashrc"), ("chown", "/var/tmp/fifo")]
    assert pt.files["/var/tmp/fifo"].write and not pt.files["/root/.bashrc"].write


def test_a_flood_of_junk_does_not_push_out_security_relevant_events(monkeypatch):
    monkeypatch.setattr(trace_mod, "MAX_EVENTS", 50)
    monkeypatch.setattr(trace_mod, "MAX_FAILED", 20)
    junk = []
    for i in range(200):
        junk += opened(f"/var/tmp/junk/{i}")
        junk += pair("python3", f"openat(AT_FDCWD /, 0x1 /nope/{i}, O_RDONLY, 0o0)", ENOENT)
    bait = opened("/root/.aws/credentials") + pair(
        "python3", "openat(AT_FDCWD /, 0x1 /root/.profile, O_WRONLY|O_APPEND, 0o0)", "= 3 (0x3) (1µs)")
    execs = []
    for _ in range(3):
        execs += pair("sh", 'execve(0x1 /bin/sh, 0x2 ["sh", "-c", "id"], 0x3 ["A=1"])', OK)
    t = trace(junk + bait + execs + pair("sh", 'execve(0x1 /bin/sh, 0x2 ["sh"], 0x3 ["A=2"])', OK))
    pt = t.phases["install"]
    assert pt.files["/root/.aws/credentials"].read and pt.files["/root/.profile"].write
    assert len(pt.files) <= 52 and len(pt.failed) == 20 and pt.dropped > 0
    # OSSF lists each (argv, environment) once
    assert [(c["argv"], c["env"], c.get("count", 1)) for c in pt.commands] == [
        (["sh", "-c", "id"], ["A=1"], 3), (["sh"], ["A=2"], 1)]


def test_binds_are_sockets_like_ossf_and_local_ones_are_not():
    # OSSF's vectors: bind_ipv4_web, bind_noaddr_ipv4 and an AF_NETLINK bind that is ignored
    t = trace(
        pair("nc", "bind(0x12 socket:[1], 0x7faa3cc00dcc {Family: AF_INET, Addr: 127.0.0.1, Port: 8080}, 0x10)", OK)
        + pair("nc", "bind(0x3 socket:[17], 0x55b3821492d0 {Family: AF_INET, Addr: , Port: 5555}, 0x10)", OK)
        + pair("gem", "bind(0x5 socket:[1], 0x7f414ed92cf8 {Family: AF_NETLINK, PortID: 0, Groups: 0}, 0xc)", OK))
    sockets = [(s.Address, s.Port) for s in _sockets(t.phases["install"], {})]
    assert sockets == [("127.0.0.1", 8080), ("", 5555)]


def test_refused_forks_fold_into_one_counted_record():
    from pkgtrace.dynamic.run import status_of
    from pkgtrace.sandbox.runsc import ExecResult
    clone = "clone(CLONE_VM|CLONE_VFORK|SIGCHLD, 0x0, 0x0, 0x0, 0x0)"
    eagain = "= -1 (0xffffffffffffffff) errno=11 (resource temporarily unavailable) (3µs)"
    pt = trace(pair("python3", clone, eagain) * 3000).phases["install"]
    forks = [f for f in pt.failed if f["syscall"] == "clone"]
    assert len(forks) == 1 and forks[0]["count"] == 3000
    status, reason = status_of(ExecResult(0, b"", b"", 2, 0.0, 1.0), pt)
    assert "3000 forks refused" in reason
