"""Runs a language worker through a list of steps (requires, includes, calls), each time-bounded.

Shared by the import and execute phases of every ecosystem. The worker (a script in the package's
own language) discovers its steps, announces them and then runs them in order, writing one JSON
line per event to the pipe at fd EVENT_FD (never stdout, which the package's code shares; a
fixed number, so that nothing about it is in the worker's environment, which /proc/self/environ
shows the package even after the worker removed it):

  {"event": "plan", "steps": ["name", ...], "entry_points": [[argv...], ...]}
  {"event": "start", "i": 3}
  {"event": "end", "i": 3, "ok": true, "result": "generator(2 items)"}  # or "error": "..."

A step that overruns STEP_SECONDS, or that kills the worker, is recorded as such and the worker is
started again at the next step, so one hanging or crashing function hides nothing after it. The
execute phase then runs the declared command-line entry points with --help. Steps stop when the
phase's time budget runs low, so that the record is always written. The record goes to
OUT_DIR/PHASE.json, which the host reads after the phase.

Privileges: every driver imports this module first. The driver runs as root, from a folder the
package user cannot read, and at import it lowers its effective ids to the package user's (files
it prepares belong to that user) while its real and saved ids stay root, so the package can
neither signal nor trace it. Every process it starts runs wholly as the package user (the Popen
default set below); the record is written as root into a folder only root can reach.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time


def _scrub_initial_environment():
    """Blank the PKGTRACE_* strings of this process's initial environment where they lie in its
    memory: /proc/PID/environ shows that memory, not os.environ, and the package user can read a
    driver's (whose effective ids are the package user's). os.environ keeps its own copies."""
    try:
        import ctypes
        environ = ctypes.POINTER(ctypes.c_void_p).in_dll(ctypes.CDLL(None), "environ")
    except (OSError, ValueError, AttributeError):
        return
    i = 0
    while environ[i] and i < 100_000:
        entry = ctypes.string_at(environ[i])
        if entry.startswith(b"PKGTRACE_"):
            ctypes.memset(environ[i], 0, len(entry))
        i += 1


_scrub_initial_environment()
# Settings come in the environment and are taken out of it at once, so that the package's code
# (which inherits this environment) sees nothing of pkgtrace in it.
OUT_DIR = os.environ.pop("PKGTRACE_GUEST_OUT", "/root/.ci/out")
# What a driver keeps for the later phases (and worlds) of the run: root-only too (layout.py).
STATE_DIR = os.environ.pop("PKGTRACE_GUEST_STATE", OUT_DIR)
WORKERS = os.environ.pop("PKGTRACE_WORKERS", "/usr/local/lib/ci")
# The package user, given by the host (layout.py); absent when the harness runs outside a sandbox.
UID = os.environ.pop("PKGTRACE_UID", None)
GID = os.environ.pop("PKGTRACE_GID", None)
STEP_SECONDS = float(os.environ.pop("PKGTRACE_STEP_SECONDS", "10"))
# The runner's wall-time limit for the phase; keep a margin for entry points and the record.
PHASE_SECONDS = float(os.environ.pop("PKGTRACE_PHASE_SECONDS", "300"))
DISCOVERY_SECONDS = min(120.0, PHASE_SECONDS / 3)
ENTRY_POINT_SECONDS = 15.0
MAX_STEPS = int(os.environ.pop("PKGTRACE_MAX_STEPS", "400"))
MAX_ENTRY_POINTS = 10
MAX_RESTARTS = 60
EVENT_FD = 100
_STARTED = time.monotonic()
# Any other setting the host gave a driver (a world's clock…): kept here, out of the environment
# that every process of the package inherits.
SETTINGS = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("PKGTRACE_")]}


def _drop_privileges():
    """Effective ids to the package user's; real and saved stay root (for writing the record)."""
    if UID is None or os.getuid() != 0:
        return  # not a sandbox's driver (tests run the harness on the host): nothing to drop
    uid, gid = int(UID), int(GID or UID)
    os.setgroups([])
    os.setegid(gid)
    os.seteuid(uid)
    os.umask(0o022)
    # Any process a driver starts runs the package's code or its tools: never with root left in it.
    # (A child that kept real uid 0 could take root back with setuid(0).)
    init = subprocess.Popen.__init__

    def as_package_user(self, *args, **kw):
        kw.setdefault("user", uid)
        kw.setdefault("group", gid)
        init(self, *args, **kw)

    subprocess.Popen.__init__ = as_package_user


_drop_privileges()


def _left():
    return PHASE_SECONDS - (time.monotonic() - _STARTED)


def feed(proc, data):
    """Write DATA to PROC's stdin and close it (the settings pyworld.py reads first)."""
    try:
        proc.stdin.write(data)
    except OSError:
        pass  # it ended before reading them: its exit says so
    finally:
        try:
            proc.stdin.close()
        except OSError:
            pass


class Worker:
    def __init__(self, argv, start, cwd, env, settings=None):
        """SETTINGS: bytes for the worker's stdin (pyworld.py's settings), else /dev/null."""
        r, w = os.pipe()
        if r == EVENT_FD:  # keep the read end out of the way of the fixed number
            r2 = os.dup(r)
            os.close(r)
            r = r2
        os.dup2(w, EVENT_FD)
        os.close(w)
        try:
            self.proc = subprocess.Popen(argv + [str(start)], pass_fds=(EVENT_FD,), cwd=cwd, env=env,
                                         start_new_session=True,
                                         stdin=subprocess.DEVNULL if settings is None else subprocess.PIPE)
        finally:
            os.close(EVENT_FD)
        if settings is not None:
            feed(self.proc, settings)
        self.fd = r
        self.buf = b""
        self.closed = False

    def next_event(self, timeout):
        """The next event, None on timeout, {"event": "exit"} when the worker is gone."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return {"event": "exit", "code": self.proc.wait()}
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            ev = json.loads(line)
            return ev if isinstance(ev, dict) else {"event": "garbage"}
        except ValueError:
            return {"event": "garbage"}

    def stop(self):
        """Kill the worker and everything it started (its own session)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        if not self.closed:
            os.close(self.fd)
            self.closed = True


def run(phase, worker_argv, *, cwd="/work", env=None, extra=None, entry_points=(), settings=None):
    """Run every step the worker plans; write the record; return the phase's exit code.
    SETTINGS: bytes each worker start reads on its stdin (see Worker)."""
    env = dict(os.environ if env is None else env)
    record = {"phase": phase, "steps": [], "entry_points": [], "reason": None, **(extra or {})}
    plan = None
    start = 0
    restarts = 0
    budget = 0.0 if phase != "execute" else ENTRY_POINT_SECONDS * 2 + 10
    while True:
        w = Worker(worker_argv, start, cwd, env, settings)
        ev = w.next_event(DISCOVERY_SECONDS)
        while ev is not None and ev.get("event") == "garbage":
            ev = w.next_event(DISCOVERY_SECONDS)
        if ev is None or ev.get("event") != "plan":
            why = ("took over %.0fs" % DISCOVERY_SECONDS if ev is None
                   else f"exited {ev.get('code')}") + " before listing its steps"
            w.stop()
            if plan is None:
                record["reason"] = f"the {phase} worker {why}"
                _write(phase, record)
                print(f"pkgtrace: {record['reason']}", flush=True)
                return 3
            record["steps"].append({"i": start, "name": plan[start], "status": "skipped", "error": why})
            start += 1
        else:
            if plan is None:
                plan = [str(s) for s in ev.get("steps", [])][:MAX_STEPS]
                eps = [*entry_points, *ev.get("entry_points", [])][:MAX_ENTRY_POINTS]
                record["entry_points"] = [{"argv": [str(a) for a in ep]} for ep in eps]
                record["planned"] = len(ev.get("steps", []))
                budget += 10 * len(record["entry_points"]) if phase == "execute" else 0
            start = _drive(w, plan, start, record, budget)
        if start >= len(plan):
            break
        if restarts >= MAX_RESTARTS or _left() < budget + STEP_SECONDS:
            record["reason"] = (f"stopped before step {start} of {len(plan)}: "
                                + ("too many worker restarts" if restarts >= MAX_RESTARTS
                                   else "the phase's time budget ran out"))
            break
        restarts += 1
    if phase == "execute":
        for ep in record["entry_points"]:
            _entry_point(ep, cwd, env)
    else:
        record["entry_points"] = []
    failed = sum(1 for s in record["steps"] if s["status"] != "ok")
    ran = len(record["steps"])
    summary = (f"{ran - failed}/{ran} steps ok"
               + (f" (of {record['planned']} found)" if record.get("planned", ran) > ran else ""))
    if phase == "execute":
        summary += f", {len(record['entry_points'])} entry points run with --help"
    record["reason"] = f"{record['reason']}; {summary}" if record["reason"] else summary
    _write(phase, record)
    print(f"pkgtrace: {phase}: {record['reason']}", flush=True)
    return 0


def _drive(w, plan, start, record, budget):
    """Follow the worker from step START; return the first step it did not get to."""
    current = None
    t0 = time.monotonic()
    while True:
        if current is None and start < len(plan) and _left() < budget + STEP_SECONDS:
            w.stop()  # out of time: leave the rest unrun rather than lose the record
            return start
        ev = w.next_event(STEP_SECONDS + 1 if current is not None else STEP_SECONDS * 2)
        if ev is None:
            w.stop()
            i = start if current is None else current  # silent between steps: the next one hangs
            _step(record, plan, i, "timeout", t0, error=f"no result within {STEP_SECONDS:.0f}s")
            return i + 1
        kind = ev.get("event")
        if kind == "start" and isinstance(ev.get("i"), int):
            current, t0 = ev["i"], time.monotonic()
        elif kind == "end" and isinstance(ev.get("i"), int):
            i = ev["i"]
            _step(record, plan, i, "ok" if ev.get("ok") else "error", t0,
                  error=ev.get("error"), result=ev.get("result"))
            start, current, t0 = i + 1, None, time.monotonic()
            if start >= len(plan):
                w.stop()
                return start
        elif kind == "exit":
            w.stop()
            if current is None and start >= len(plan):
                return start
            i = start if current is None else current
            _step(record, plan, i, "crashed", t0, error=f"the worker exited {ev.get('code')} during this step")
            return i + 1


def _step(record, plan, i, status, t0, **kw):
    if not 0 <= i < len(plan):
        return
    seconds = time.monotonic() - t0
    now = time.time()  # wall clock, which the host's trace and captures also use
    entry = {"i": i, "name": plan[i], "status": status, "seconds": round(seconds, 3),
             "start": round(now - seconds, 3), "end": round(now, 3)}
    entry.update({k: (v[:500] if isinstance(v, str) else str(v)[:500]) for k, v in kw.items() if v is not None})
    record["steps"].append(entry)


def _entry_point(ep, cwd, env):
    t0 = time.monotonic()
    try:
        p = subprocess.run(ep["argv"] + ["--help"], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=ENTRY_POINT_SECONDS, start_new_session=True)
        ep.update(status="ok" if p.returncode == 0 else "error", exit_code=p.returncode,
                  output=p.stdout[-300:].decode("utf-8", "replace"))
    except subprocess.TimeoutExpired:
        ep.update(status="timeout")
    except OSError as e:
        ep.update(status="error", error=str(e))
    ep["seconds"] = round(time.monotonic() - t0, 3)


def _write(phase, record):
    save(os.path.join(OUT_DIR, phase + ".json"), record)


def save(path, doc):
    """Write DOC as JSON to PATH in a root-only folder (OUT_DIR, STATE_DIR)."""
    euid = os.geteuid()
    if euid != os.getuid():
        os.seteuid(os.getuid())  # root again, for the one folder the package cannot reach
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(doc, f)
    finally:
        if euid != os.geteuid():
            os.seteuid(euid)


def load(path):
    """The JSON document at PATH in a root-only folder; None when absent or unreadable."""
    euid = os.geteuid()
    if euid != os.getuid():
        os.seteuid(os.getuid())
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
    finally:
        if euid != os.geteuid():
            os.seteuid(euid)


def note(phase, **fields):
    """Record a phase's outcome without steps (install phases): the reason the host shows."""
    _write(phase, {"phase": phase, "steps": [], "entry_points": [], **fields})


_ERROR_LINE = re.compile(r"^\s*(error|ERROR|Error|fatal|Fatal|\[[\w\\]*Exception\])|"
                         r"Your requirements could not be resolved|^\s*- Root composer.json requires")


def run_tool(cmd, cwd, env=None):
    """Run a package manager, its output passed through; (exit code, first error line on stderr)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first_error = None
    for raw in proc.stderr:
        sys.stderr.buffer.write(raw)
        line = raw.decode("utf-8", "replace").strip()
        if first_error is None and _ERROR_LINE.search(line):
            first_error = line[:300]
    sys.stderr.buffer.flush()
    return proc.wait(), first_error


def tool_reason(tool, rc, error):
    return f"{tool} exited {rc}" + (f": {error}" if error else "")


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]))
