"""Workers: N analyses at once, each in its own child process, with leases, retries and a
graceful stop.

A slot takes a job, skips it if the release is already analysed (unless forced), runs the analysis
in a child (pipeline/child.py) on the registry's release or on the job's local archive (a web
upload), records it (results/record.py, retrying while the store or index is down), and only
then acknowledges the job and sends the completion event. Any failure of one analysis is that
job's failure, never the worker's. On SIGTERM (`stop()`) the slots take no new jobs; in-flight
analyses get GRACE seconds to finish, then they are killed and their jobs handed back to the queue."""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
import time
from dataclasses import dataclass, field
from pathlib import Path

from pkgtrace.model import Ecosystem, Package
from pkgtrace import metrics
from pkgtrace.pipeline.child import EXIT_PERMANENT
from pkgtrace.pipeline.notify import Notifier, NotifyError
from pkgtrace.pipeline.queues import Delivery, Queue, QueueError
from pkgtrace.results.documents import DocumentError, stored_verdict
from pkgtrace.results.index import Index
from pkgtrace.results.record import record
from pkgtrace.results.stores import ResultStore, StoreError

log = logging.getLogger("pkgtrace.worker")

DEFAULT_ANALYZER = "pkgtrace.analysis:analyze"


def default_concurrency(mode: str = "all") -> int:
    """Sandboxes at once: one per core, bounded by memory (a dynamic run wants ~3 GiB)."""
    cores = os.cpu_count() or 1
    if mode == "static":
        return cores
    try:
        with open("/proc/meminfo") as f:
            avail_kib = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
        by_memory = max(1, avail_kib // (3 * 1024 * 1024))
    except (OSError, StopIteration, ValueError):
        by_memory = 1
    return max(1, min(cores, by_memory))


@dataclass
class WorkerSettings:
    mode: str = "all"
    concurrency: int = 0  # 0: default_concurrency(mode)
    analyzer: str = DEFAULT_ANALYZER
    job_timeout_s: float = 1800.0
    grace_s: float = 60.0  # on stop: time for in-flight analyses to finish before hand-back
    store_retry_s: float = 3600.0  # how long to keep retrying a down results store / index
    max_jobs: int = 0  # 0: no limit; else stop after this many jobs are finished (done or given up)
    idle_exit_s: float = 0.0  # 0: never; else stop after this long with nothing to do
    name: str = field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")


@dataclass
class Counts:
    done: int = 0
    duplicates: int = 0
    retried: int = 0
    dead: int = 0
    handed_back: int = 0


class _Abort(Exception):
    """The worker is stopping: hand the job back."""


def _die_with_parent() -> None:
    # The child must not outlive a worker killed with SIGKILL: its job will be redelivered.
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class WorkerPool:
    def __init__(self, queue: Queue, store: ResultStore, index: Index, settings: WorkerSettings | None = None,
                 notifier: Notifier | None = None):
        self.queue, self.store, self.index, self.notifier = queue, store, index, notifier
        self.s = settings or WorkerSettings()
        self.concurrency = self.s.concurrency or default_concurrency(self.s.mode)
        self.stopping = threading.Event()  # take no new jobs
        self.aborting = threading.Event()  # hand in-flight jobs back now
        self.counts = Counts()
        self._lock = threading.Lock()
        self._taken = 0
        self._busy = 0
        self._last_active = time.monotonic()
        self._threads: list[threading.Thread] = []

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        for i in range(self.concurrency):
            t = threading.Thread(target=self._slot, args=(f"{self.s.name}-{i}",), name=f"worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, grace_s: float | None = None) -> None:
        """Graceful stop: no new jobs; after GRACE, abort in-flight ones (hand them back)."""
        if self.stopping.is_set():
            self.aborting.set()  # a second request: no more waiting
            return
        self.stopping.set()
        grace = self.s.grace_s if grace_s is None else grace_s
        if grace > 0:
            # A daemon timer: it must not keep the process alive once every slot has finished.
            timer = threading.Timer(grace, self.aborting.set)
            timer.daemon = True
            timer.start()
        else:
            self.aborting.set()

    def join(self, timeout: float | None = None) -> None:
        end = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if end is None else max(0.0, end - time.monotonic()))

    def alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    @property
    def busy(self) -> int:
        return self._busy

    def idle_for(self) -> float:
        return 0.0 if self._busy else time.monotonic() - self._last_active

    def run(self) -> Counts:
        """Start, wait until stopped (or max_jobs / idle_exit reached), return the counts."""
        self.start()
        while self.alive():
            if self.s.idle_exit_s and self.idle_for() > self.s.idle_exit_s and not self.stopping.is_set():
                self.stop(0)
            time.sleep(0.2)
        self.aborting.set()
        return self.counts

    # ---- one slot ----------------------------------------------------------------------------
    def _take_budget(self) -> bool:
        with self._lock:
            if self.s.max_jobs and self._taken >= self.s.max_jobs:
                return False
            self._taken += 1
            return True

    def _return_budget(self) -> None:
        with self._lock:
            self._taken -= 1

    def _slot(self, consumer: str) -> None:
        pause = 0.5
        while not self.stopping.is_set():
            if not self._take_budget():
                if not self._busy:
                    self.stopping.set()
                break
            try:
                delivery = self.queue.get(consumer, timeout=1.0)
            except QueueError as e:
                self._return_budget()
                log.warning("%s: queue unavailable: %s", consumer, e)
                self.stopping.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 0.5
            if delivery is None:
                self._return_budget()
                continue
            with self._lock:
                self._busy += 1
            try:
                with self._keeping_lease(delivery):
                    self._handle(delivery)
            except Exception:  # noqa: BLE001 - a bug in one job must not end the slot
                log.exception("%s: unexpected failure on %s", consumer, delivery.job.package)
                self._retry_forever(lambda: self.queue.nack(delivery, "worker error (see worker log)"))
            finally:
                with self._lock:
                    self._busy -= 1
                self._last_active = time.monotonic()
        # When max_jobs is reached, the other slots stop too once idle.

    def _handle(self, d: Delivery) -> None:
        pkg = d.job.package
        t0 = time.monotonic()
        eco = pkg.ecosystem.value
        if not d.job.force:
            try:
                if self.index.has_analysis(pkg):
                    self._retry_forever(lambda: self.queue.ack(d))
                    self.counts.duplicates += 1
                    metrics.ANALYSES.labels(eco, "duplicate").inc()
                    return
            except Exception as e:  # noqa: BLE001 - index down: give the job back, try later
                log.warning("index unavailable (%s); handing %s back", e, pkg)
                self.queue.release(d)
                self.stopping.wait(2.0)
                return
        self._index_state(pkg, "running", attempts=d.attempt)
        try:
            result = self._run_child(d)
        except _Abort:
            self._hand_back(d)
            return
        if "error" in result:
            permanent = bool(result.get("permanent"))
            retried = self._retry_forever(lambda: self.queue.nack(d, result["error"], retry=not permanent))
            if retried:
                self.counts.retried += 1
                metrics.ANALYSES.labels(eco, "retried").inc()
                self._index_state(pkg, "queued", error=result["error"], attempts=d.attempt)
            else:
                self.counts.dead += 1
                metrics.ANALYSES.labels(eco, "dead").inc()
                self._index_state(pkg, "dead", error=result["error"], attempts=d.attempt)
                self._notify({"event": "analysis.failed", **_pkg(pkg), "error": result["error"],
                              "attempts": d.attempt, "finished_at": time.time()})
            return
        documents = result["documents"]
        stored = Package(Ecosystem(result["package"]["ecosystem"]), result["package"]["name"],
                         result["package"]["version"])
        if stored != pkg:  # the registry normalised the name; keep the queue's identity
            stored = pkg
        duration = time.monotonic() - t0
        try:
            analysis_id = record(stored, documents, store=self.store, index=self.index,
                                 persist=lambda what, step: self._persist(d, step, what),
                                 duration_s=round(duration, 3), worker=d.consumer)
        except _Abort:
            self._hand_back(d)
            return
        except DocumentError as e:  # the analysis produced something the dataset cannot hold
            self._retry_forever(lambda: self.queue.nack(d, f"bad documents: {e}", retry=False))
            self.counts.dead += 1
            self._index_state(pkg, "dead", error=f"bad documents: {e}", attempts=d.attempt)
            return
        self._retry_forever(lambda: self.queue.ack(d))
        self.counts.done += 1
        metrics.ANALYSES.labels(eco, "completed").inc()
        metrics.ANALYSIS_SECONDS.labels(eco).observe(duration)
        verdict = stored_verdict(documents)
        self._notify({"event": "analysis.completed", **_pkg(stored), "analysis_id": analysis_id,
                      "location": self.store.location(stored), "kinds": sorted(documents),
                      "label": verdict and verdict.label, "score": verdict and verdict.score,
                      "duration_s": round(duration, 3), "attempt": d.attempt, "finished_at": time.time()})

    def _run_child(self, d: Delivery) -> dict:
        job = d.job
        with tempfile.TemporaryDirectory(prefix="pkgtrace-job-") as tmp:
            req, out, errlog = Path(tmp, "request.json"), Path(tmp, "out.json"), Path(tmp, "stderr.log")
            req.write_text(json.dumps({"ecosystem": job.ecosystem, "name": job.name, "version": job.version,
                                       "local": job.local, "mode": job.mode or self.s.mode,
                                       "analyzer": self.s.analyzer}))
            with open(errlog, "wb") as err:
                proc = subprocess.Popen([sys.executable, "-m", "pkgtrace.pipeline.child", str(req), str(out)],
                                        stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                        preexec_fn=_die_with_parent)
                deadline = time.monotonic() + self.s.job_timeout_s
                while proc.poll() is None:
                    if self.aborting.is_set():
                        _kill(proc)
                        raise _Abort()
                    if time.monotonic() > deadline:
                        _kill(proc)
                        return {"error": f"analysis timed out after {self.s.job_timeout_s:.0f}s", "permanent": False}
                    time.sleep(0.1)
            tail = errlog.read_bytes()[-2000:].decode(errors="replace").strip()
            try:
                result = json.loads(out.read_text())
            except (OSError, ValueError):
                sig = -proc.returncode if proc.returncode < 0 else None
                why = f"killed by signal {sig}" if sig else f"exited {proc.returncode} without a result"
                return {"error": f"analysis process {why}: {tail[-500:]}", "permanent": False}
            if proc.returncode != 0 and "error" not in result:
                result = {"error": f"analysis exited {proc.returncode}", "permanent": proc.returncode == EXIT_PERMANENT}
            if "error" in result and tail:
                log.info("%s failed: %s", job.package, tail[-800:])
            return result

    # ---- helpers -----------------------------------------------------------------------------
    def _lease(self) -> float:
        return float(getattr(self.queue, "lease", 300.0))

    def _touch(self, d: Delivery) -> None:
        try:
            self.queue.touch(d)
        except QueueError as e:
            log.warning("lease renewal failed (%s); carrying on", e)

    @contextmanager
    def _keeping_lease(self, d: Delivery):
        """Renew D's lease every third of it for as long as this worker holds the job: while the
        child runs, and also while results wait for a store that is down, a diff reads the store,
        a write is slow. Renewal on a timer thread does not depend on what the slot is doing, so
        a job the worker still holds is never handed to another slot or worker (as long as the
        queue can be reached to renew it)."""
        done = threading.Event()
        every = max(self._lease() / 3, 0.2)

        def keep() -> None:
            while not done.wait(every):
                self._touch(d)
        t = threading.Thread(target=keep, name=f"lease-{d.consumer}", daemon=True)
        t.start()
        try:
            yield
        finally:
            done.set()
            t.join(timeout=5)

    def _persist(self, d: Delivery, fn, what: str):
        """Retry FN (a store or index write) with backoff while the service is down (the lease
        keeper holds the job meanwhile); _Abort if the worker is stopping or the retry time is over."""
        deadline = time.monotonic() + self.s.store_retry_s
        pause = 0.5
        while True:
            try:
                return fn()
            except Exception as e:  # noqa: BLE001 - store/index errors of every driver
                if isinstance(e, (ValueError, TypeError)) and not isinstance(e, StoreError):
                    raise
                if self.aborting.is_set() or time.monotonic() > deadline:
                    log.error("%s unavailable for %s: %s; handing the job back", what, d.job.package, e)
                    raise _Abort() from e
                log.warning("%s unavailable (%s); retrying in %.1fs", what, e, pause)
                self.aborting.wait(pause)
                pause = min(pause * 2, 15.0)

    def _retry_forever(self, fn):
        """Queue bookkeeping after the results are safe: retry through a queue outage."""
        pause = 0.5
        while True:
            try:
                return fn()
            except QueueError as e:
                if self.aborting.is_set():
                    log.error("queue unavailable while stopping (%s); the job will be redelivered "
                              "and recognised as done", e)
                    return None
                log.warning("queue unavailable (%s); retrying in %.1fs", e, pause)
                self.aborting.wait(pause)
                pause = min(pause * 2, 15.0)

    def _hand_back(self, d: Delivery) -> None:
        try:
            self.queue.release(d)
        except QueueError as e:
            log.warning("could not hand %s back (%s); its lease will expire", d.job.package, e)
        self._index_state(d.job.package, "queued")
        self.counts.handed_back += 1
        metrics.ANALYSES.labels(d.job.package.ecosystem.value, "handed_back").inc()

    def _index_state(self, pkg: Package, state: str, **kw) -> None:
        try:
            self.index.set_state(pkg, state, **kw)
        except Exception as e:  # noqa: BLE001 - bookkeeping only
            log.warning("index state %s for %s not recorded: %s", state, pkg, e)

    def _notify(self, event: dict) -> None:
        if self.notifier is None:
            return
        for attempt in range(3):
            try:
                self.notifier.send(event)
                return
            except NotifyError as e:
                log.warning("notification failed (%s), attempt %d", e, attempt + 1)
                time.sleep(0.5 * (attempt + 1))


def _kill(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _pkg(p: Package) -> dict:
    return {"ecosystem": p.ecosystem.value, "name": p.name, "version": p.version}
