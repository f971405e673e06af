"""Runs a language worker through a list of steps (requires, includes, calls), each time-bounded.

Shared by the import and execute phases of every ecosystem. The worker (a script in the package's
own language) discovers its steps, announces them and then runs them in order, writing
one JSON line per event to the pipe whose fd number is in $PKGTRACE_EVENT_FD (never stdout, which
the package's code shares):

  {"event": "plan", "steps": ["name", ...], "entry_points": [[argv...], ...]}
  {"event": "start", "i": 3}
  {"event": "end", "i": 3, "ok": true, "result": "generator(2 items)"}  # or "error": "..."

A step that overruns STEP_SECONDS, or that kills the worker, is recorded as such and the worker is
started again at the next step, so one hanging or crashing function hides nothing after it.
Declared command-line entry points are then run with --help. The record of everything goes to
/work/.pkgtrace/PHASE.json, which the host reads after the phase.
"""
import json
import os
import select
import signal
import subprocess
import sys
import time

OUT_DIR = "/work/.pkgtrace"
STEP_SECONDS = float(os.environ.get("PKGTRACE_STEP_SECONDS", "10"))
DISCOVERY_SECONDS = 90.0
ENTRY_POINT_SECONDS = 15.0
MAX_STEPS = int(os.environ.get("PKGTRACE_MAX_STEPS", "400"))
MAX_RESTARTS = 60


class Worker:
    def __init__(self, argv, start, cwd, env):
        r, w = os.pipe()
        env = {**env, "PKGTRACE_EVENT_FD": str(w)}
        self.proc = subprocess.Popen(argv + [str(start)], pass_fds=(w,), cwd=cwd, env=env,
                                     start_new_session=True, stdin=subprocess.DEVNULL)
        os.close(w)
        self.fd = r
        self.buf = b""

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
                code = self.proc.wait()
                return {"event": "exit", "code": code}
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        try:
            return json.loads(line)
        except ValueError:
            return {"event": "garbage", "line": line[:200].decode("utf-8", "replace")}

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self.proc.wait()
        os.close(self.fd)


def run(phase, worker_argv, *, cwd="/work", env=None, extra=None, entry_points=()):
    """Run every step the worker plans; write the record; return the phase's exit code."""
    env = dict(os.environ if env is None else env)
    record = {"phase": phase, "steps": [], "entry_points": [], "reason": None, **(extra or {})}
    plan = None
    start = 0
    restarts = 0
    while True:
        w = Worker(worker_argv, start, cwd, env)
        ev = w.next_event(DISCOVERY_SECONDS)
        while ev is not None and ev.get("event") == "garbage":
            ev = w.next_event(DISCOVERY_SECONDS)
        if ev is None or ev.get("event") != "plan":
            why = ("timed out" if ev is None else f"exited {ev.get('code')}") + " before listing its steps"
            w.kill()
            if plan is None:
                record["reason"] = f"the {phase} worker {why}"
                _write(phase, record)
                return 3
            record["steps"].append({"i": start, "name": plan[start], "status": "skipped", "error": why})
            start += 1
        else:
            if plan is None:
                plan = [str(s) for s in ev.get("steps", [])][:MAX_STEPS]
                eps = [*entry_points, *ev.get("entry_points", [])]
                record["entry_points"] = [{"argv": [str(a) for a in ep]} for ep in eps][:20]
                record["planned"] = len(ev.get("steps", []))
            start = _drive(w, plan, start, record)
        if start >= len(plan) or restarts >= MAX_RESTARTS:
            if start < len(plan):
                record["reason"] = f"gave up after {restarts} worker restarts"
            break
        restarts += 1
    for ep in record["entry_points"]:
        _entry_point(ep, cwd, env)
    failed = sum(1 for s in record["steps"] if s["status"] != "ok")
    ran = len(record["steps"])
    summary = (f"{ran - failed}/{ran} steps ok"
               + (f" (of {record['planned']} found)" if record.get("planned", ran) > ran else "")
               + f", {len(record['entry_points'])} entry points run with --help")
    record["reason"] = record["reason"] or summary
    _write(phase, record)
    print(f"pkgtrace: {phase}: {summary}", flush=True)
    return 0


def _drive(w, plan, start, record):
    """Follow the worker from step START; return the first step it did not get to."""
    current = None
    t0 = 0.0
    while True:
        ev = w.next_event(STEP_SECONDS + 2 if current is not None else STEP_SECONDS * 2)
        if ev is None:
            w.kill()
            if current is None:  # silent between steps: count it against the next one
                current, t0 = start, time.monotonic()
            _step(record, plan, current, "timeout", t0, error=f"no result within {STEP_SECONDS:.0f}s")
            return current + 1
        kind = ev.get("event")
        if kind == "start":
            current, t0 = int(ev["i"]), time.monotonic()
        elif kind == "end":
            i = int(ev["i"])
            _step(record, plan, i, "ok" if ev.get("ok") else "error", t0,
                  error=ev.get("error"), result=ev.get("result"), calls=ev.get("calls"))
            start, current = i + 1, None
            if start >= len(plan):
                w.kill()
                return start
        elif kind == "exit":
            os.close(w.fd)
            if current is None and start >= len(plan):
                return start
            i = start if current is None else current
            _step(record, plan, i, "crashed", t0 if current is not None else time.monotonic(),
                  error=f"worker exited {ev.get('code')}")
            return i + 1


def _step(record, plan, i, status, t0, **kw):
    if i >= len(plan):
        return
    entry = {"i": i, "name": plan[i], "status": status, "seconds": round(time.monotonic() - t0, 3)}
    entry.update({k: (v[:500] if isinstance(v, str) else v) for k, v in kw.items() if v is not None})
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
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, phase + ".json"), "w") as f:
        json.dump(record, f)


def note(phase, **fields):
    """Record a phase's outcome without steps (install phases): the reason the host shows."""
    _write(phase, {"phase": phase, "steps": [], "entry_points": [], **fields})


if __name__ == "__main__":
    sys.exit(run(sys.argv[1], sys.argv[2:]))
