"""Dynamic analysis of one artifact: sandbox up, bait planted, phases run, trace and captures
turned into the OSSF dynamic document and the report's `dynamic` section."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import os
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from pkgtrace.api.ossf_dynamic import (CommandResult, DNSQueries, DNSResult, DynamicResult,
                                       FileResult, PackageRef, SocketResult, Status, StraceSummary)
from pkgtrace.dynamic import worlds as worlds_mod
from pkgtrace.dynamic import fold, written
from pkgtrace.dynamic.live import LiveTrace
from pkgtrace.dynamic.records import RecordError, read_record
from pkgtrace.dynamic.trace import PhaseTrace, PhaseWindow, Trace
from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Artifact
from pkgtrace.sandbox import bait as bait_mod
from pkgtrace.sandbox import image as image_mod
from pkgtrace.sandbox import layout, persona, trust
from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS, REGISTRY_HOSTS_BY_ECOSYSTEM
from pkgtrace.sandbox.runsc import ExecResult, Limits, Mount, Sandbox

Progress = Callable[[str], None]
GUEST_ARTIFACT_DIR = layout.ARTIFACTS
# A host folder of artifacts the guest's package managers use instead of the public registries
# (rubygems/*.gem, packagist/*.zip, crates/*.crate), mounted read-only: how tests here, with no
# way to the real registries, give a package its dependencies. See sandbox/guest/*.py.
MIRROR_ENV = "PKGTRACE_GUEST_MIRROR"
GUEST_MIRROR_DIR = layout.MIRRORS
# What each phase's guest driver leaves behind (steps, entry points, reason) is at most this big.
RECORD_LIMIT = 4 << 20
WORLD_PHASES = ("import", "execute")


def analyze_dynamic(artifact: Artifact, *, limits: Limits | None = None,
                    progress: Progress = lambda _m: None,
                    only: frozenset[str] | None = None, worlds: str = "auto") -> tuple[dict, dict]:
    """ONLY: run just these phases (e.g. install and import, as bench/sandbox_overhead does).
    WORLDS: "auto" also runs import and execute in the other worlds the code gives a reason for
    (dynamic/worlds.py); "all" in every world of the ecosystem (bench); "none" in none."""
    limits = limits or Limits()
    image = image_mod.ensure(progress)
    registry = registry_for(artifact.package.ecosystem)
    phases = registry.sandbox_phases(artifact.package, f"{GUEST_ARTIFACT_DIR}/{artifact.path.name}")
    phases = [p for p in phases if only is None or p[0] in only]
    scratch = Path(tempfile.mkdtemp(prefix="pkgtrace-dyn-"))
    try:
        bait = bait_mod.fresh()
        bait.write(scratch / "bait")
        (scratch / "artifact").mkdir()
        shutil.copyfile(artifact.path, scratch / "artifact" / artifact.path.name)
        persona.write_tools(scratch / "winbin")
        mounts = [Mount(scratch / "artifact", GUEST_ARTIFACT_DIR), Mount(scratch / "bait", layout.BAIT),
                  Mount(scratch / "winbin", layout.WINTOOLS)]
        eco = artifact.package.ecosystem.value
        chosen = [] if worlds == "none" or not any(p[0] in WORLD_PHASES for p in phases) else \
            worlds_mod.chosen(eco, worlds_mod.code_of(artifact.path, eco) if worlds == "auto"
                              else [("(all worlds asked for)", "")], everything=worlds == "all")
        mirror = os.environ.get(MIRROR_ENV)
        if mirror:
            if not Path(mirror).is_dir():
                raise FileNotFoundError(f"{MIRROR_ENV}={mirror}: no such folder")
            mounts.append(Mount(Path(mirror).resolve(), GUEST_MIRROR_DIR))
        allow = REGISTRY_HOSTS_BY_ECOSYSTEM.get(artifact.package.ecosystem.value)
        t0 = time.monotonic()
        progress("starting sandbox")
        ca = RunCA.mint()  # the guest trusts it; the simulator reads HTTPS with it (sandbox/trust.py)
        trust_mounts, trust_env = trust.mounts_and_env(ca, scratch, image.rootfs)
        # The package's processes get the persona and the stand-ins last on PATH; drivers start
        # everything by absolute path and control steps get layout.SYSTEM_PATH (runsc.py).
        env = {**trust_env, **bait.env, **bait.persona_env, "PATH": persona.path_with_tools(layout.USER_PATH)}
        start = functools.partial(_Session, image, mounts + trust_mounts, limits, env, allow, ca, bait.files)
        results: dict[str, ExecResult] = {}
        left: dict[str, list[dict]] = {}
        records: dict[str, dict] = {}
        snapshots: dict[str, dict] = {}  # what the files written in each phase held at its end
        restarts: list[dict] = []
        world_seconds = min(limits.phase_seconds, max(60.0, limits.phase_seconds / 2))
        plan = [(name, name, argv, limits.phase_seconds, {}) for name, argv in phases] + [
            (f"{name}@{world.name}", name, argv, world_seconds,
             # the world's records in their own subfolder of the root-only records mount
             {"PKGTRACE_GUEST_OUT": f"{layout.RECORDS}/{world.name}", **world.guest_env()})
            for world, _why in chosen for name, argv in phases if name in WORLD_PHASES]
        before_start = time.monotonic() - t0  # the run's CA and trust store
        sessions = [start(0)]
        startup, setup = before_start + sessions[0].startup_s, sessions[0].setup
        try:
            for key, name, argv, seconds, extra in plan:
                session = sessions[-1]
                if not session.sb.alive():
                    # The sandbox died in the last phase (memory or process limit, init gone):
                    # the rest run in a fresh one, after the phases that ended well are replayed
                    # there, so that they find what a real machine would hold by then.
                    if len(sessions) > MAX_RESTARTS:
                        break
                    session.finish()
                    spent = session.sb.trace_spent + session.sb.log_bytes()  # before its folder goes
                    session.close()
                    died = next(reversed(session.results))
                    progress(f"restarting the sandbox (it ended in {died})")
                    session = start(spent)
                    sessions.append(session)
                    restart = {"after": died, "before": key, "replayed": {}}
                    restarts.append(restart)
                    for done, dname, dargv, dseconds, dextra in plan:
                        if done == key:
                            break
                        if done in results and results[done].limit is None and done != died:
                            replay = session.phase(f"{done}@replay", dname, dargv, dseconds, dextra)
                            results[f"{done}@replay"] = replay  # its network events are its own
                            restart["replayed"][done] = status_of(replay)[1]
                    if not session.sb.alive():
                        restart["outcome"] = "the fresh sandbox ended while replaying"
                        continue
                if key != name and session.sb.run_trace_left() <= 0:
                    # a world is an extra look: when the base world's phases (or the worlds before)
                    # spent the run's trace budget, it is not started (a phase started with no
                    # budget would end at once and read as the package's flood)
                    progress(f"skipping {key}: the run's trace budget is spent")
                    continue
                progress(f"phase {key}")
                results[key] = session.phase(key, name, argv, seconds, extra,
                                             last=key == plan[-1][0])
                left[key] = session.left[key]
                records[key] = session.records.get(key, {})
                if key in session.snapshots:
                    snapshots[key] = session.snapshots[key]
            progress("reading trace")
            parse_started = time.monotonic()
            trace = _merged([x.finish() for x in sessions])
            parse_s = time.monotonic() - parse_started
            net_events = [e for x in sessions for e in x.net_events]
            proxy_log = [e for x in sessions for e in x.proxy_log]  # what left, what not
            allowed = sessions[0].sb.allow
        finally:
            for x in sessions:
                x.close()
        doc, section = assemble(artifact, phases, results, left, trace, net_events, bait, limits,
                                image.key, startup, records, snapshots)
        if chosen:
            section["worlds"] = _worlds_section(chosen, phases, results, left, trace, net_events,
                                                records, section["phases"], snapshots, bait_marks(bait))
        section["sandbox"]["registry_hosts"] = sorted(allowed or REGISTRY_HOSTS)
        if restarts:
            section["sandbox"]["restarts"] = restarts
        # where the time went (bench/sandbox_overhead reads these)
        section["sandbox"]["timings"] = {"setup_s": round(setup.ended - setup.started, 3),
                                         "trace_parse_s": round(parse_s, 3),
                                         "total_s": round(time.monotonic() - t0, 3)}
        section["registry_proxy"] = proxy_log
        return doc, section
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


MAX_RESTARTS = 2  # fresh sandboxes a run may start after the one before died


class _Session:
    """One sandbox and the reader of its trace. A run has more than one when a phase kills its
    sandbox (memory or process limit, init gone): the phases left run in a fresh one."""

    def __init__(self, image, mounts: list[Mount], limits: Limits, env: dict[str, str], allow, ca,
                 sensitive, spent: int):
        t0 = time.monotonic()
        self._stack = contextlib.ExitStack()
        try:
            self.sb = self._stack.enter_context(Sandbox(image, mounts, limits, env=env, allow=allow, ca=ca))
            self.sb.trace_spent = spent  # the run's trace budget is over every sandbox's log
            self.startup_s = time.monotonic() - t0
            self.live = self._stack.enter_context(LiveTrace(self.sb.boot_log(), self.sb.control_pids,
                                                            sensitive=sensitive))
            with self.sb.untraced():  # no package code has run yet: planting the bait is ours
                self.setup = self.sb.exec(["/bin/sh", f"{layout.DRIVERS}/setup.sh", layout.BAIT + layout.HOME,
                                           layout.HOME], control=True, timeout=60)
            if self.setup.exit_code != 0:
                raise RuntimeError(f"sandbox setup failed: {self.setup.stderr.decode(errors='replace')}")
        except BaseException:
            self._stack.close()
            raise
        self.results: dict[str, ExecResult] = {}
        self.left: dict[str, list[dict]] = {}
        self.records: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}
        self.trace: Trace | None = None
        self.net_events: list[dict] = []
        self.proxy_log: list[dict] = []

    def phase(self, key: str, name: str, argv: list[str], seconds: float, extra: dict[str, str],
              last: bool = False) -> ExecResult:
        sb = self.sb
        # the guest drivers pace their steps to finish inside the phase's limit
        r = sb.exec(argv, cwd="/work", timeout=seconds, env={"PKGTRACE_PHASE_SECONDS": str(seconds), **extra})
        self.results[key] = r
        if r.pid is None and r.limit == "trace":
            self.left[key] = []
            return r  # not started: the run's trace budget was spent
        if not sb.alive():
            self.left[key] = []
            self.snapshots[key] = {"error": "the sandbox had ended"}
            return r  # the sandbox died: the run restarts one for what is left
        running = r.left_running if r.left_running is not None else sb.processes()
        self.left[key] = [{"pid": p.pid, "ppid": p.ppid, "name": p.cmd} for p in running if p.pid != 1]
        sb.kill_all()  # nothing one phase left running may act in the next
        # The phase's part of the log ends here (all it started is dead): its parse overlaps the
        # collector and the next phase. The collector's own lines come after this mark and are
        # read with the next handover, once its pid is among the control pids.
        self.live.phase_done(PhaseWindow(key, r.pid, _sod(r.started), _sod(r.ended)), sb.log_bytes(),
                             sb.control_pids)
        if last:
            self.live.prioritise()  # the run now waits for the parse, not for the sandbox
        world = key.split("@", 1)[1] if "@" in key and not key.endswith("@replay") else None
        self.records[key] = _guest_record(sb, name, world)
        with sb.untraced():  # only init is left: the collector's walk need not be traced
            self.snapshots[key] = written.snapshot(sb, key, r.started)
        return r

    def finish(self) -> Trace:
        """Stop the sandbox and read what is left of its log (once)."""
        if self.trace is None:
            windows = [PhaseWindow(n, r.pid, _sod(r.started), _sod(r.ended)) for n, r in self.results.items()]
            stopper = threading.Thread(target=self.sb.stop, name="sandbox-stop")
            stopper.start()  # the teardown's wait overlaps the parse
            self.trace = self.live.finish(windows, self.sb.control_pids)  # the last phase's part
            stopper.join()
            self.net_events = self.sb.net.events()
            self.proxy_log = self.sb.net.proxy_log()  # the host-side proxy's own record
        return self.trace

    def close(self) -> None:
        self._stack.close()


def _merged(traces: list[Trace]) -> Trace:
    """One trace of several sandboxes' (phase names differ; pids repeat, so later sandboxes'
    processes are kept under other keys, each still with its own pid and phase)."""
    if len(traces) == 1:
        return traces[0]
    out = Trace()
    for n, t in enumerate(traces):
        out.phases.update(t.phases)
        out.processes.update({pid + n * 10_000_000: p for pid, p in t.processes.items()})
        out.unattributed += t.unattributed
        out.recreated += t.recreated
        out.tamper += t.tamper
        for f in dataclasses.fields(t.stats):
            a, b = getattr(out.stats, f.name), getattr(t.stats, f.name)
            setattr(out.stats, f.name, a + b if isinstance(a, int) else (a + b)[:20])
    return out


def _guest_record(sb: Sandbox, phase: str, world: str | None = None) -> dict:
    """The driver's record of a phase (steps run, entry points, its reason), read on the host from
    the folder only the guest's root can write (the package cannot forge it; a world's records are
    in a subfolder named after it). The steps in it come from the package user's worker: they say
    what was tried, the trace what happened."""
    folder = sb.records / world if world else sb.records
    try:
        return read_record(folder / f"{phase}.json", RECORD_LIMIT)
    except RecordError as e:
        return {} if str(e) == "missing" else {"reason": f"the driver's record is {e}"}


def _sod(epoch: float) -> float:
    """Seconds of the UTC day, the clock the strace log's timestamps use."""
    d = datetime.fromtimestamp(epoch, timezone.utc)
    return d.hour * 3600 + d.minute * 60 + d.second + d.microsecond / 1e6


def _events_by_phase(events: list[dict], results: dict[str, ExecResult]) -> dict[str, list[dict]]:
    """Each simulator event goes to the phase running when it happened; one that falls between
    phases (emitted just after its phase ended) goes to the last phase started before it."""
    windows = sorted((r.started, r.ended, name) for name, r in results.items())
    out: dict[str, list[dict]] = {}
    for e in events:
        t = e.get("t", 0)
        phase = next((name for start, end, name in windows if start <= t <= end), None)
        if phase is None:
            before = [name for start, _end, name in windows if start <= t]
            phase = before[-1] if before else next(
                (name for start, _e, name in windows if start - 0.5 <= t), None)
        if phase:
            out.setdefault(phase, []).append(e)
    return out


def status_of(r: ExecResult | None, pt: PhaseTrace | None = None) -> tuple[Status, str]:
    if r is None:
        return Status.ERROR_OTHER, "not run: the sandbox ended in an earlier phase"
    forks_refused = sum(f.get("count", 1) for f in (pt.failed if pt else [])
                        if f["syscall"] in _FORKS and f["errno"] == 11)
    if r.limit == "time":
        if forks_refused:
            return Status.ERROR_TIMEOUT, (f"wall-time limit reached; process limit reached "
                                          f"({forks_refused} forks refused)")
        return Status.ERROR_TIMEOUT, "wall-time limit reached"
    if r.limit == "disk":
        return Status.ERROR_OTHER, "disk limit reached"
    if r.limit == "trace" and r.trace_budget == "run":
        return Status.ERROR_OTHER, ("trace limit reached: the run's syscall log budget is spent (a flood); "
                                    + ("the phase was not run" if r.pid is None else "the phase was ended"))
    if r.limit == "trace":
        return Status.ERROR_OTHER, (f"trace limit reached: {r.trace_bytes >> 20} MiB of syscall log "
                                    "(a flood); the phase was ended")
    if r.limit == "memory":
        return Status.ERROR_OTHER, "memory limit reached: the sandbox was killed"
    if r.limit == "processes":
        return Status.ERROR_OTHER, "process limit reached: the sandbox was killed"
    if r.limit == "sandbox":
        return Status.ERROR_OTHER, "the sandbox stopped during the phase"
    suffix = f"; process limit reached ({forks_refused} forks refused)" if forks_refused else ""
    if r.exit_code == 0:
        return Status.COMPLETED, "exit 0" + suffix
    return Status.ERROR_ANALYSIS, f"exit {r.exit_code}" + suffix


_FORKS = ("clone", "clone3", "fork", "vfork")


def assemble(artifact, phases, results, left, trace: Trace, net_events: list[dict], bait,
             limits: Limits, image_key: str, startup: float,
             records: dict[str, dict] | None = None,
             snapshots: dict[str, dict] | None = None) -> tuple[dict, dict]:
    records = records or {}
    snapshots = snapshots or {}
    hostnames = _hostnames(net_events)
    by_phase = _events_by_phase(net_events, results)
    marks = bait_marks(bait)
    analysis: dict[str, StraceSummary] = {}
    section_phases: dict[str, dict] = {}
    for name, _argv in phases:
        r = results.get(name)
        status, reason = status_of(r, trace.phases.get(name))
        record = records.get(name, {})
        if isinstance(record.get("reason"), str) and record["reason"]:
            reason = f"{reason}: {record['reason'][:500]}"
        pt = trace.phases.get(name, PhaseTrace())
        in_window = by_phase.get(name, [])
        analysis[name] = StraceSummary(
            Status=status,
            Stdout=base64.b64encode(r.stdout if r else b"").decode(),
            Stderr=base64.b64encode(r.stderr if r else b"").decode(),
            Files=_files(pt),
            # as many as the report's phase section lists (dynamic/fold.py)
            Sockets=_sockets(pt, hostnames)[:fold.SHOWN["connections"]],
            Commands=[CommandResult(Command=c["argv"], Environment=c["env"])
                      for c in pt.commands[:fold.SHOWN["commands"]]],
            DNS=_dns(in_window),
        )
        section_phases[name] = _phase_section(r, status, reason, left.get(name, []), pt, in_window, marks,
                                              record, hostnames, snapshots.get(name))
    doc = DynamicResult(
        Package=PackageRef(Ecosystem=artifact.package.ecosystem.value, Name=artifact.package.name,
                           Version=artifact.package.version),
        CreatedTimestamp=int(time.time()),
        Analysis=analysis,
    )
    section = {
        "sandbox": {"image": image_key, "runsc": _runsc_version(), "startup_s": round(startup, 3),
                    "limits": {"phase_seconds": limits.phase_seconds, "memory_bytes": limits.memory_bytes,
                               "processes": limits.processes, "disk_bytes": limits.disk_bytes,
                               "trace_bytes": limits.trace_bytes, "run_trace_bytes": limits.run_trace_bytes}},
        "bait": bait.public(),
        "phases": section_phases,
        "processes": [{"pid": p.pid, "ppid": p.ppid, "phase": p.phase, "argv": p.argv,
                       "exe": p.exe, "exit_code": p.exit_code, "start": p.start}
                      for p in sorted(trace.processes.values(), key=lambda p: p.pid)[:fold.SHOWN_PROCESSES]],
        **({"processes_folded": len(trace.processes) - fold.SHOWN_PROCESSES}
           if len(trace.processes) > fold.SHOWN_PROCESSES else {}),
        "trace_stats": {**trace.stats.as_dict(), "unattributed": trace.unattributed,
                        "recreated": trace.recreated, "tamper": trace.tamper},
    }
    return doc.model_dump(mode="json"), section


def _phase_section(r: ExecResult | None, status: Status, reason: str, left: list[dict], pt: PhaseTrace,
                   in_window: list[dict], marks: tuple[str, ...], record: dict, hostnames: dict[str, list[str]],
                   snapshot: dict | None = None) -> dict:
    out = {
        "status": status.value, "reason": reason,
        "exit_code": r.exit_code if r else None,
        "duration_s": round(r.ended - r.started, 3) if r else None,
        "limit": r.limit if r else None,
        # which trace budget ended it: "phase" (its own) or "run" (what the whole run may log)
        **({"trace_budget": r.trace_budget} if r and r.limit == "trace" else {}),
        "trace_bytes": r.trace_bytes if r else None,
        "left_running": left,
        "files": [{"path": p, "read": f.read, "write": f.write, "delete": f.delete,
                   "ops": sorted(f.ops), **({"via": sorted(f.via)} if f.via else {})}
                  for p, f in sorted(pt.files.items())],
        "file_events": pt.file_events,
        **(written.section(snapshot, pt) if snapshot is not None else {}),
        "commands": [_decoded(c) for c in pt.commands],
        "connections": [{**c, "hostnames": hostnames.get(c["address"], [])} for c in pt.connects],
        "listens": pt.listens,
        "sends": [{**s, "data": None, "data_b64": base64.b64encode(s["data"]).decode(),
                   "data_text": s["data"].decode("utf-8", "replace")[:1024]} for s in pt.sends],
        "failed": pt.failed,
        "tamper": pt.tamper, "tamper_count": pt.tamper_count,
        "dropped_events": pt.dropped,
        "network": [e for e in in_window if e.get("kind") != "dns"],
        "dns": [e for e in in_window if e.get("kind") == "dns"],
    }
    if record.get("steps") or record.get("entry_points") or "planned" in record:
        # which requires/includes/calls the driver made, and how each ended
        out["steps"] = _steps(record.get("steps"), pt, in_window)
        out["entry_points"] = _steps(record.get("entry_points"))
    for key, value in record.items():  # what the driver learnt: lib name, macros, scripts, fallback…
        if key not in _RECORD_KEYS and key not in out:
            out[key] = value
    fold.fold_phase(out, marks)  # a flood's entries past what a report lists, counted
    return out


def bait_marks(bait) -> tuple[str, ...]:
    return fold.markers(v["value"] for v in bait.public()["values"] if isinstance(v.get("value"), str))


def _decoded(c: dict) -> dict:
    """A command with PowerShell's -EncodedCommand decoded from the traced argv (persona.py)."""
    script = persona.decode_powershell(c.get("argv") or [])
    return {**c, "decoded": script} if script is not None else c


def _worlds_section(chosen, phases, results, left, trace: Trace, net_events: list[dict],
                    records: dict[str, dict], base: dict[str, dict],
                    snapshots: dict[str, dict] | None = None, marks: tuple[str, ...] = ()) -> dict:
    """Each world's import/execute phases, kept apart, and what they did that the base did not."""
    hostnames = _hostnames(net_events)
    by_phase = _events_by_phase(net_events, results)
    out = {}
    for world, why in chosen:
        ph = {}
        for name, _argv in phases:
            key = f"{name}@{world.name}"
            if name not in WORLD_PHASES or key not in results:
                continue
            r = results[key]
            status, reason = status_of(r, trace.phases.get(key))
            record = records.get(key, {})
            if isinstance(record.get("reason"), str) and record["reason"]:
                reason = f"{reason}: {record['reason'][:500]}"
            ph[name] = _phase_section(r, status, reason, left.get(key, []),
                                      trace.phases.get(key, PhaseTrace()), by_phase.get(key, []), marks,
                                      record, hostnames, (snapshots or {}).get(key))
        out[world.name] = {**world.describe(), "reason_file": why, "phases": ph,
                           "differences": worlds_mod.differences(base, ph),
                           **({} if ph else {"skipped": "the run's trace budget was spent before this world"})}
    return out


_RECORD_KEYS = {"phase", "steps", "entry_points", "reason", "planned"}


def _steps(items, pt: PhaseTrace | None = None, events: list[dict] = ()) -> list[dict]:
    """The driver's steps, each with what happened while it ran: the commands started (from the
    trace) and the network activity (from the simulator), matched by time."""
    keep = ("i", "name", "argv", "status", "seconds", "error", "result", "exit_code", "output")
    out = []
    for item in (items or [])[:2000]:
        if not isinstance(item, dict):
            continue
        step = {k: item[k] for k in keep if k in item}
        start, end = item.get("start"), item.get("end")
        if pt is not None and isinstance(start, (int, float)) and isinstance(end, (int, float)):
            step["did"] = _during(pt, events, float(start), float(end))
        out.append(step)
    return out


def _during(pt: PhaseTrace, events: list[dict], start: float, end: float) -> dict:
    s0, s1 = _sod(start), _sod(end)
    commands = [c["argv"] for c in pt.commands
                if any(s0 - 0.05 <= _log_seconds(t) <= s1 + 0.05 for t in c.get("times") or [c.get("time") or ""])][:50]
    network = []
    for e in events:
        if not start - 0.05 <= e.get("t", 0) <= end + 0.2:
            continue
        if e.get("kind") == "dns":
            network.append({"dns": e.get("hostname")})
        elif e.get("kind") == "tcp":
            http = e.get("http") or {}
            network.append({k: v for k, v in {
                "dst": e.get("dst"), "port": e.get("port"), "hostname": e.get("hostname"),
                "sni": (e.get("tls") or {}).get("sni"),
                "http": f"{http['method']} {http['target']}" if http.get("method") else None,
            }.items() if v is not None})
    return {"commands": commands, "network": network[:50]}


def _log_seconds(t: str) -> float:
    try:
        h, m, s = t.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except ValueError:
        return -1.0


def _hostnames(events: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in events:
        if e.get("kind") == "dns" and e.get("answer"):
            names = out.setdefault(e["answer"], [])
            if e["hostname"] not in names:
                names.append(e["hostname"])
    return out


def _files(pt: PhaseTrace) -> list[FileResult]:
    return [FileResult(Path=p, Read=f.read, Write=f.write, Delete=f.delete)
            for p, f in sorted(pt.files.items())]


def _sockets(pt: PhaseTrace, hostnames: dict[str, list[str]]) -> list[SocketResult]:
    seen: dict[tuple[str, int], SocketResult] = {}
    # Binds count as sockets, as in OSSF: a listening backdoor must show in dynamic.json.
    binds = [b for b in pt.listens if b.get("op") == "bind"]
    for c in pt.connects + binds:
        if c["family"] not in ("AF_INET", "AF_INET6") or c["address"] is None or c["port"] is None:
            continue
        key = (c["address"], c["port"])
        if key not in seen:
            seen[key] = SocketResult(Address=c["address"], Port=c["port"],
                                     Hostnames=hostnames.get(c["address"], []))
    return list(seen.values())


def _dns(events: list[dict]) -> list[DNSResult]:
    by_class: dict[str, dict[str, list[str]]] = {}
    for e in events:
        if e.get("kind") != "dns":
            continue
        types = by_class.setdefault(e.get("qclass", "IN"), {}).setdefault(e["hostname"], [])
        if e.get("qtype") not in types:
            types.append(e.get("qtype"))
    shown = fold.SHOWN["dns"]  # as many as the report's phase section lists
    return [DNSResult(Class=cls, Queries=[DNSQueries(Hostname=h, Types=t) for h, t in list(q.items())[:shown]])
            for cls, q in by_class.items()]


def _runsc_version() -> str | None:
    try:
        out = subprocess.run(["runsc", "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.splitlines()[0].split()[-1] if out else None
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None
