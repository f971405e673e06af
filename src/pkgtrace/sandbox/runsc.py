"""Running code in gVisor: one container per analysis, one `runsc exec` per phase.

The container boots a reaping init, then each phase is exec'd into it with a wall-time limit, so
the phases share the filesystem the way a real install-then-import does. The root is the
read-only image; all writes go to an overlay whose file store lives in the run's folder on disk.
Every container, namespace and folder is removed on exit, and `reap_stale()` removes what a
killed runner left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from pkgtrace.config import runs_dir
from pkgtrace.sandbox import disk, layout
from pkgtrace.sandbox.image import Image
from pkgtrace.sandbox.netsim.namespaces import NamespacePair, namespace_in_use, stale_namespaces
from pkgtrace.sandbox.netsim.network import SimulatedNetwork

GUEST_DIR = Path(__file__).parent / "guest"
OUTPUT_TAIL = 4096

# Syscalls worth a line in the log: files, processes, network. More than OSSF traces
# (rename, link, chmod, mkdir, execveat, clone/fork, send*), still far from everything: probes
# (the stat family, as OSSF), marks (mknod, utimensat, chown) and chdir, so that relative paths
# resolve. Each must have a shape in dynamic/strace.SHAPES, the only way a line is read.
# (faccessat2 is unknown to runsc 20221219, which refuses to start with it; glibc falls back
# to faccessat, which is traced.) fstat stays: runsc prints the descriptor's real name, which a
# read through /proc/self/cwd or /proc/PID/fd does not show; glibc programs never call it (their
# fstat is newfstatat(fd, "", AT_EMPTY_PATH)), so it costs nothing there.
TRACED_SYSCALLS = (
    "open", "openat", "creat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "mkdir", "mkdirat",
    "truncate", "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit_group",
    "socket", "connect", "bind", "listen", "sendto", "sendmsg", "sendmmsg",
    "stat", "lstat", "fstat", "newfstatat", "statx", "access", "faccessat",
    "readlink", "readlinkat", "chdir", "fchdir", "mknod", "mknodat", "utimensat",
    "chown", "fchown", "fchownat", "lchown",
)


class SandboxError(Exception):
    pass


@dataclass(frozen=True)
class Limits:
    phase_seconds: float = 300.0
    memory_bytes: int = 4 << 30
    processes: int = 1024  # host tasks of the whole sandbox (see _write_bundle)
    disk_bytes: int = 8 << 30
    # strace log a phase may add. A flood ends the phase with limit "trace", which is itself
    # evidence (verdict rule DYN-TRACE-FLOOD), and the next phase starts with a fresh budget: the
    # log on disk, its parse time and the report stay bounded. Since the stat family is traced, pip
    # logs some 12 KB per file it installs (a 5,000-file wheel: 59 MiB in 6 s) and real installs
    # are big: llama-index-tools-twosio's dependencies log 91 MiB in 35 s. 64 MiB cut such
    # installs and called them floods; 256 MiB holds some 20,000 installed files.
    trace_bytes: int = 256 << 20
    # strace log the whole run may write, over all its phases (worlds included) and control steps.
    # Once spent, the phase running is ended and later ones are not started, each with limit
    # "trace": the flood is then a finding in every phase it cost, so it cannot buy a benign
    # verdict by hiding what a later phase would have done.
    run_trace_bytes: int = 640 << 20


@dataclass(frozen=True)
class Mount:
    host: Path
    guest: str
    readonly: bool = True


@dataclass
class ExecResult:
    exit_code: int | None
    stdout: bytes  # last OUTPUT_TAIL bytes
    stderr: bytes
    pid: int | None  # the exec'd process's pid inside the sandbox
    started: float
    ended: float
    timed_out: bool = False
    limit: str | None = None  # what ended it: "time", "disk", "trace", "memory", "processes", "sandbox"
    trace_bytes: int = 0  # strace log the phase added
    # Which trace budget ended it: "phase" (Limits.trace_bytes) or "run" (Limits.run_trace_bytes;
    # with exit_code None and pid None when the run's budget was spent before it could start).
    trace_budget: str | None = None
    # What was still running when a limit ended the phase, listed before it was killed.
    left_running: list["ProcessInfo"] | None = None


@dataclass
class ProcessInfo:
    pid: int
    ppid: int
    cmd: str


def _runsc_root() -> Path:
    return runs_dir() / "runsc-state"


def _runsc(*args: str, netns: str | None = None) -> list[str]:
    # runsc talks to a sandbox over an abstract Unix socket, which lives in the sandbox's network
    # namespace: every command after `run` has to be issued from inside that namespace.
    prefix = ["nsenter", f"--net={netns}"] if netns and os.path.exists(netns) else []
    return [*prefix, "runsc", f"--root={_runsc_root()}", *args]


class Sandbox:
    """with Sandbox(image, mounts, limits) as sb: sb.exec([...]) …"""

    def __init__(self, image: Image, mounts: list[Mount], limits: Limits = Limits(),
                 env: dict[str, str] | None = None, keep: bool = False,
                 allow: frozenset[str] | None = None, ca=None):
        self.image = image
        self.ca = ca  # netsim: the run's CA (netsim/ca.py), trusted by the guest via trust.py
        self.allow = allow  # registry hosts let through; None means every known registry
        self.mounts = mounts
        self.limits = limits
        self.env = env or {}
        self.keep = keep or bool(os.environ.get("PKGTRACE_KEEP_RUNS"))  # for debugging a run
        self.id = "pkt" + uuid.uuid4().hex[:12]
        self.dir = runs_dir() / self.id
        self.log_dir = self.dir / "logs"
        self.records = self.dir / "records"  # the drivers' records, written where only root can
        self.net: SimulatedNetwork | None = None
        self.control_pids: set[int] = set()
        self.trace_spent = 0  # strace log earlier sandboxes of the same run wrote (Limits.run_trace_bytes)
        self.started = False
        self.sandbox_pid: int | None = None  # the runsc-sandbox process, once started
        self._stop_lock = threading.Lock()
        self._host_pids: list[int] = []
        self._boot_log: Path | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> "Sandbox":
        if shutil.which("runsc") is None:
            raise SandboxError("runsc is not installed (apt-get install runsc)")
        if os.geteuid() != 0:
            raise SandboxError("the sandbox needs root (network namespaces, cgroups)")
        reap_stale()
        _become_subreaper()
        self.dir.mkdir(parents=True)
        (self.dir / "owner").write_text(str(os.getpid()))
        self.log_dir.mkdir()
        self.records.mkdir(mode=0o700)
        (self.dir / "empty").mkdir()
        _runsc_root().mkdir(parents=True, exist_ok=True)
        try:
            disk.mount_bounded(self.dir / "overlay", self.dir / "disk.img", self.limits.disk_bytes)
            net = (SimulatedNetwork(self.id[3:], self.dir, ca=self.ca) if self.allow is None
                   else SimulatedNetwork(self.id[3:], self.dir, self.allow, ca=self.ca))
            self.net = net.__enter__()
            self._write_bundle()
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _rs(self, *args: str) -> list[str]:
        return _runsc(*args, netns=self.net.sandbox_netns if self.net else None)

    def stop(self) -> None:
        """Kill and delete the container; its logs and the network stay until close()."""
        with self._stop_lock:
            if self.started:
                subprocess.run(self._rs("kill", "--all", self.id, "KILL"), capture_output=True, timeout=30)
                if self.sandbox_pid:
                    try:
                        os.kill(self.sandbox_pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                # `runsc delete` waits until the sandbox and gofer processes are gone; reaped by
                # us (their subreaper) that is at once, where a slow init could take seconds.
                _reap(self._host_pids, timeout=15)
                subprocess.run(self._rs("delete", "--force", self.id), capture_output=True, timeout=60)
                self.started = False

    def close(self) -> None:
        self.stop()
        if self.net is not None:
            self.net.close()
        disk.release(self.dir / "overlay")
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _write_bundle(self) -> None:
        etc = self.dir / "etc"
        etc.mkdir()
        (etc / "resolv.conf").write_text(f"nameserver {self.net.resolver}\noptions timeout:2 attempts:1\n")
        (etc / "hostname").write_text(f"{layout.HOSTNAME}\n")
        (etc / "hosts").write_text(f"127.0.0.1\tlocalhost\n127.0.1.1\t{layout.HOSTNAME}\n\n"
                                   "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                   "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")
        # A copy made executable here: a wheel install drops the mode bit of a .py file.
        init = self.dir / "init"
        shutil.copyfile(GUEST_DIR / "init.py", init)
        init.chmod(0o755)
        mounts = [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
            {"destination": "/sys", "type": "sysfs", "source": "sysfs",
             "options": ["nosuid", "noexec", "nodev", "ro"]},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=1g"]},
            *(_bind(etc / name, f"/etc/{name}", True) for name in ("resolv.conf", "hostname", "hosts")),
            # pkgtrace's own pieces: under /root, out of the package user's reach (see layout.py)
            _bind(GUEST_DIR, layout.DRIVERS, True),
            _bind(init, layout.INIT, True),
            _bind(self.records, layout.RECORDS, False),
            _bind(GUEST_DIR / "workers", layout.WORKERS, True),
        ] + [_bind(m.host, m.guest, m.readonly) for m in self.mounts]
        spec = {
            "ociVersion": "1.0.0",
            "process": {
                "terminal": False, "user": {"uid": 0, "gid": 0},
                "args": [layout.INIT],
                "env": [f"PATH={layout.SYSTEM_PATH}", "HOME=/root"],
                "cwd": "/",
                "capabilities": {k: _CAPS for k in ("bounding", "effective", "permitted")},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 4096},
                            {"type": "RLIMIT_NPROC", "hard": self.limits.processes,
                             "soft": self.limits.processes}],  # not enforced by runsc 20221219
                "noNewPrivileges": True,
            },
            # Writable from inside, but every write lands in the overlay: the image itself never changes.
            "root": {"path": str(self.image.rootfs), "readonly": False},
            "hostname": layout.HOSTNAME,
            "mounts": mounts,
            "linux": {
                "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"},
                               {"type": "network", "path": self.net.sandbox_netns}],
                # gVisor's ptrace platform backs every guest process with host tasks, so the
                # host pids cgroup is what bounds a fork bomb; going over it ends the sandbox.
                "resources": {"memory": {"limit": _plausible_ram(self.limits.memory_bytes)},
                              "pids": {"limit": self.limits.processes}},
            },
        }
        (self.dir / "config.json").write_text(json.dumps(spec, indent=1))

    def _start(self) -> None:
        runsc = _runsc(
            "--network=sandbox", f"--overlay2=root:{self.dir / 'overlay'}",
            "--strace", "--strace-syscalls=" + ",".join(TRACED_SYSCALLS), "--strace-log-size=4096",
            "--debug-command=boot", f"--debug-log={self.log_dir}/",
            "run", "--detach", f"--bundle={self.dir}", self.id)
        # runsc 20221219 refuses --network=sandbox when /proc/sys/net/core/rmem_default exists,
        # which newer kernels show in every namespace: hide it in a private mount namespace.
        script = 'mount --bind "$1" /proc/sys/net/core && shift && exec "$@"'
        cmd = ["nsenter", f"--net={self.net.sandbox_netns}", "unshare", "-m", "sh", "-c", script,
               "sh", str(self.dir / "empty"), *runsc]
        # Output to a file, not a pipe: the detached sandbox inherits it and would hold a pipe open.
        out_path = self.dir / "runsc-run.out"
        with open(out_path, "wb") as out:
            r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=120,
                               stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise SandboxError(f"runsc run failed: {out_path.read_text(errors='replace')[-2000:]}")
        self.started = True
        self.sandbox_pid = self._state().get("pid")
        self._host_pids = _runsc_children(str(self.dir))  # the sandbox and gofer processes

    # --- running things ----------------------------------------------------------------------

    def exec(self, argv: list[str], *, env: dict[str, str] | None = None, cwd: str = "/",
             timeout: float | None = None, control: bool = False,
             output_tail: int = OUTPUT_TAIL) -> ExecResult:
        """Run ARGV in the container. Control execs (setup, collectors) are left out of traces."""
        timeout = self.limits.phase_seconds if timeout is None else timeout
        log_start = self.log_bytes()
        run_left = self.run_trace_left(log_start)
        if not control and run_left <= 0:
            now = time.time()
            return ExecResult(None, b"", b"", None, now, now, limit="trace", trace_budget="run")
        # Control steps are bounded by their own limits (the collector's walk), not the run's.
        trace_budget = self.limits.trace_bytes if control else min(self.limits.trace_bytes, run_left)
        pid_file = self.dir / f"exec-{uuid.uuid4().hex[:8]}.pid"
        # Drivers run as root and start the package's processes as the package user with this
        # environment (see layout.py); control steps get a PATH of root-owned folders only.
        merged = {"PATH": layout.SYSTEM_PATH if control else layout.USER_PATH, "HOME": layout.HOME,
                  "USER": layout.USER, "LOGNAME": layout.USER, "SHELL": "/bin/bash", "LANG": "C.UTF-8",
                  **({} if control else {**self.env, **layout.guest_env()}), **(env or {})}
        cmd = self._rs("exec", f"--internal-pid-file={pid_file}", f"--cwd={cwd}", "--user=0:0")
        for k, v in merged.items():
            cmd.append(f"--env={k}={v}")
        cmd += [self.id, *argv]
        started = time.time()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        out, err = _Tail(proc.stdout, output_tail), _Tail(proc.stderr)
        limit = None
        left_running = None
        deadline = time.monotonic() + timeout
        watch = _CgroupWatch(self.id)
        while proc.poll() is None:
            watch.sample()
            if time.monotonic() > deadline:
                limit = "time"
                break
            if self.disk_used() >= self.limits.disk_bytes:
                limit = "disk"
                break
            if self.log_bytes() - log_start >= trace_budget:
                limit = "trace"
                break
            if not self.alive():
                watch.sample()  # what is left of the evidence, if the cgroups still stand
                break
            try:
                proc.wait(timeout=0.1)  # returns as soon as the exec ends
            except subprocess.TimeoutExpired:
                pass
        if limit is None and not control and not self.alive():
            # The sandbox itself died: the host's memory or pids cgroup killed it, or its writable
            # layer filled the run's filesystem.
            limit = watch.cause() or _kernel_says(self.id) or (
                "disk" if self.disk_used() >= self.limits.disk_bytes else "sandbox")
        if limit is not None:
            if self.alive():  # what is still running, before it is killed (a daemon, a sleeper)
                left_running = [p for p in self.processes() if p.pid != 1]
            self.kill_all()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.join()
        err.join()
        pid = _read_int(pid_file)
        if control and pid is not None:
            self.control_pids.add(pid)
        code = proc.returncode if limit is None else None
        return ExecResult(code, out.data(), err.data(), pid, started, time.time(),
                          timed_out=limit == "time", limit=limit, left_running=left_running,
                          trace_bytes=self.log_bytes() - log_start,
                          trace_budget=None if limit != "trace" else
                          "phase" if trace_budget == self.limits.trace_bytes else "run")

    def processes(self) -> list[ProcessInfo]:
        """What is running in the container now (init included), from `runsc ps`."""
        r = subprocess.run(self._rs("ps", self.id), capture_output=True, text=True, timeout=30)
        out = []
        for line in r.stdout.splitlines()[1:]:  # UID PID PPID C STIME TIME CMD
            cols = line.split()  # CMD is the task's name, a single word, always last
            if len(cols) >= 4 and cols[1].isdigit() and cols[2].isdigit():
                out.append(ProcessInfo(int(cols[1]), int(cols[2]), cols[-1]))
        return out

    def kill_all(self) -> None:
        """Kill every process but init, so that nothing from one phase runs into the next.

        Init does the killing (SIGUSR1, see guest/init.py): no binary from the guest's filesystem
        runs, so nothing the package replaced or planted can take part. Returns once only init is
        left (or after a bound, if the sandbox is wedged). The signal is sent once: a second one,
        still pending when this returns, would kill the next phase as it starts."""
        if not self.alive():
            return
        subprocess.run(self._rs("kill", self.id, "USR1"), capture_output=True, timeout=30)
        deadline = time.monotonic() + 30
        while self.alive() and time.monotonic() < deadline:
            if all(p.pid == 1 for p in self.processes()):
                return
            time.sleep(0.05)

    def run_trace_left(self, log_bytes: int | None = None) -> int:
        """What the run may still log (Limits.run_trace_bytes, over every sandbox of the run);
        LOG_BYTES: this sandbox's log size when the caller has just read it."""
        return self.limits.run_trace_bytes - self.trace_spent - (self.log_bytes() if log_bytes is None else log_bytes)

    @contextlib.contextmanager
    def untraced(self):
        """The trace off for a control step (the written-files collector) run while no process
        of the package exists: its thousands of stats cost the run most of its tracing time and
        log, and say nothing about the package. With any process but init alive (one that
        outlived kill_all), the trace stays on. If it cannot be turned back on, the run stops
        with an error rather than go on unseen."""
        off = (self.alive() and all(p.pid == 1 for p in self.processes())
               and self._set_strace("off"))
        try:
            yield off
        finally:
            if off and not self._set_strace(",".join(TRACED_SYSCALLS)):
                raise SandboxError("the trace could not be turned back on after a control step")

    def _set_strace(self, syscalls: str) -> bool:
        r = subprocess.run(self._rs("debug", f"--strace={syscalls}", self.id), capture_output=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        return r.returncode == 0

    def alive(self) -> bool:
        # Polled every tick of every exec: a signal-0 probe of the sandbox process, not a
        # `runsc state` subprocess (75 ms each).
        if self.sandbox_pid is None:
            self.sandbox_pid = self._state().get("pid") if self.started else None
        if self.sandbox_pid:
            return _pid_alive(self.sandbox_pid) and not _zombie(self.sandbox_pid)
        return self._state().get("status") == "running"

    def _state(self) -> dict:
        r = subprocess.run(self._rs("state", self.id), capture_output=True, text=True, timeout=30)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return {}

    def disk_used(self) -> int:
        """Bytes the sandbox's writable layer takes on the run's own filesystem (see disk.py)."""
        try:
            return disk.used(self.dir / "overlay")
        except OSError:
            return 0

    def boot_log(self) -> Path | None:
        if self._boot_log is None:
            logs = sorted(self.log_dir.glob("*boot*"))
            self._boot_log = logs[0] if logs else None
        return self._boot_log

    def log_bytes(self) -> int:
        """Size of the strace log so far (runsc only appends to it)."""
        log = self.boot_log()
        try:
            return log.stat().st_size if log else 0
        except OSError:
            return 0


def _plausible_ram(limit: int) -> int:
    """gVisor shows the memory limit as the machine's RAM, and exactly 4096 MiB says "sandbox": a
    real machine shows a little less than its DIMMs (firmware and kernel reservations). Keep that
    much back from the limit; it never allows more than was asked for."""
    return (limit - limit // 40) // 4096 * 4096


_CAPS = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
         "CAP_FOWNER", "CAP_FSETID", "CAP_SETGID", "CAP_SETUID", "CAP_NET_RAW"]


class _CgroupWatch:
    """Samples the sandbox's memory and pids cgroups while a phase runs: once the kernel kills the
    sandbox its cgroups are gone, so the evidence of which limit it hit must be read before."""

    def __init__(self, cid: str):
        self.cid = cid
        self.oom = False
        self.pids_max = False
        self.pids_peak = 0  # the most host processes seen at once
        self.pids_limit = 0

    def _read(self, *parts: str) -> str:
        for base in (Path("/sys/fs/cgroup", parts[0], self.cid), Path("/sys/fs/cgroup", self.cid)):
            try:
                return (base / parts[1]).read_text()
            except OSError:
                continue
        return ""

    def sample(self) -> None:
        oom = self._read("memory", "memory.oom_control") + self._read("memory", "memory.events")
        for line in oom.splitlines():
            k, _, v = line.partition(" ")
            if k in ("oom_kill", "oom") and v.strip() not in ("", "0"):
                self.oom = True
        for line in self._read("pids", "pids.events").splitlines():
            k, _, v = line.partition(" ")
            if k == "max" and v.strip() not in ("", "0"):
                self.pids_max = True
        current, limit = self._read("pids", "pids.current").strip(), self._read("pids", "pids.max").strip()
        if current.isdigit():
            self.pids_peak = max(self.pids_peak, int(current))
        if limit.isdigit():
            self.pids_limit = int(limit)

    def cause(self) -> str | None:
        # A fork bomb fills the process limit and, with a process's memory each, often the memory
        # limit in the same instant: the kernel's OOM kill is then a consequence, not the cause.
        near_limit = self.pids_limit and self.pids_peak >= 0.9 * self.pids_limit
        return "processes" if self.pids_max or near_limit else "memory" if self.oom else None


def _kernel_says(cid: str) -> str | None:
    """Fallback: the kernel log names the cgroup whose limit killed or refused something."""
    r = subprocess.run(["dmesg"], capture_output=True, text=True, timeout=10)
    for line in reversed(r.stdout.splitlines()[-400:]):
        if f"/{cid}" in line or f"={cid}" in line:
            if "pids controller" in line:
                return "processes"
            if "oom" in line.lower() or "out of memory" in line.lower():
                return "memory"
    return None


def _bind(host: Path, guest: str, readonly: bool) -> dict:
    return {"destination": guest, "type": "bind", "source": str(host),
            "options": ["rbind", "ro" if readonly else "rw"]}


class _Tail:
    """Drain a pipe in the background, keeping only its last OUTPUT_TAIL bytes."""

    def __init__(self, stream, limit: int = OUTPUT_TAIL):
        self._limit = limit
        self._buf: deque[bytes] = deque()
        self._size = 0
        self._t = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._t.start()

    def _run(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self._buf.append(chunk)
            self._size += len(chunk)
            while self._size - len(self._buf[0]) >= self._limit:
                self._size -= len(self._buf.popleft())

    def join(self) -> None:
        self._t.join(timeout=10)

    def data(self) -> bytes:
        return b"".join(self._buf)[-self._limit:]


def _read_int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def reap_stale() -> list[str]:
    """Remove containers, namespaces and folders of runs whose runner process is gone."""
    removed = []
    root = runs_dir()
    if not root.exists():
        return removed
    for d in root.iterdir():
        if not d.name.startswith("pkt"):
            continue
        owner = _read_int(d / "owner")
        if owner is not None and _pid_alive(owner):
            continue
        if owner is None and time.time() - d.stat().st_mtime < 120:
            continue  # another runner is still setting this one up
        pair = NamespacePair(d.name[3:])
        netns = pair.path(pair.sandbox)
        subprocess.run(_runsc("kill", "--all", d.name, "KILL", netns=netns), capture_output=True, timeout=30)
        subprocess.run(_runsc("delete", "--force", d.name, netns=netns), capture_output=True, timeout=60)
        pair.delete()
        disk.release(d / "overlay")
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d.name)
    live = {d.name[3:] for d in root.iterdir() if d.name.startswith("pkt")}
    orphans: dict[str, list[str]] = {}
    for ns in stale_namespaces():
        orphans.setdefault(ns.removeprefix("pkt-").rsplit("-", 1)[0], []).append(ns)
    for run_id, names in orphans.items():
        # Another runs folder (PKGTRACE_RUNS) may own a live run: leave whatever is in use.
        if run_id in live or any(namespace_in_use(ns) for ns in names):
            continue
        NamespacePair(run_id).delete()
        removed.extend(names)
    return removed


def _become_subreaper() -> None:
    """Adopt the sandbox and gofer processes that `runsc run --detach` leaves behind, so that
    their exit is reaped at once (see Sandbox.stop) rather than whenever pid 1 gets to it."""
    import ctypes
    PR_SET_CHILD_SUBREAPER = 36
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _runsc_children(text: str) -> list[int]:
    """Our runsc child processes whose command line contains TEXT."""
    me, out = os.getpid(), []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            if int((d / "stat").read_text().rsplit(")", 1)[1].split()[1]) != me:
                continue
            cmdline = (d / "cmdline").read_bytes().decode(errors="replace")
            if cmdline.startswith("runsc") and text in cmdline:
                out.append(int(d.name))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _reap(pids: list[int], timeout: float) -> None:
    """Wait for PIDS to end, reaping those that are our children (only these: reaping others
    would steal exit codes from subprocess.Popen objects)."""
    left, deadline = set(pids), time.monotonic() + timeout
    while left and time.monotonic() < deadline:
        for pid in list(left):
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    left.discard(pid)
            except ChildProcessError:  # not ours (no subreaper): wait for someone to reap it
                if not _pid_alive(pid):
                    left.discard(pid)
        if left:
            time.sleep(0.01)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
