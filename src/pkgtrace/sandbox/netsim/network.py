"""One run's simulated network: namespaces, simulator process and registry proxy, torn down together."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pkgtrace.sandbox.netsim.ca import RunCA
from pkgtrace.sandbox.netsim.cache import DownloadCache
from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS, Forwarder
from pkgtrace.sandbox.netsim.namespaces import (GATEWAY_IP, TCP_PORT, UDP_PORT, NamespacePair,
                                                NetworkError)

# The simulator drops root for a uid of its own, different per run, that owns nothing on the host:
# it can still write its open event log and reach the proxy socket made for it, nothing else.
UID_BASE = 1_900_000_000


def simulator_uid(run_id: str) -> int:
    try:
        return UID_BASE + int(run_id[:7], 16)
    except ValueError:
        return UID_BASE + sum(run_id.encode()) % 0x1000000


class SimulatedNetwork:
    def __init__(self, run_id: str, run_dir: Path, allow: frozenset[str] = REGISTRY_HOSTS,
                 ca: RunCA | None = None, cache: DownloadCache | None = None):
        self.pair = NamespacePair(run_id)
        self.run_dir = run_dir
        self.allow = allow
        self.ca = ca or RunCA.mint()  # without one from the caller the guest trusts none: TLS refused
        self.cache = cache
        self.uid = simulator_uid(run_id)
        self.events_path = run_dir / "netsim-events.jsonl"
        self.forwarder: Forwarder | None = None
        self.proc: subprocess.Popen | None = None
        self._sock_dir: str | None = None

    @property
    def sandbox_netns(self) -> str:
        return self.pair.path(self.pair.sandbox)

    @property
    def resolver(self) -> str:
        return GATEWAY_IP

    def __enter__(self) -> "SimulatedNetwork":
        try:
            self.pair.create()
            if self.cache is None:
                try:
                    self.cache = DownloadCache()
                except OSError:
                    self.cache = None  # no cache folder: every download goes upstream
            # The proxy's socket in a folder only the simulator's uid may enter.
            self._sock_dir = tempfile.mkdtemp(prefix="pkgtrace-fwd-")
            os.chown(self._sock_dir, self.uid, self.uid)
            self.forwarder = Forwarder(os.path.join(self._sock_dir, "forward.sock"), self.allow,
                                       self.cache, owner=self.uid)
            cert, key = self.ca.write(self.run_dir)
            self.events_path.touch(mode=0o600)
            config = self.run_dir / "netsim.json"
            config.write_text(json.dumps({
                "events": str(self.events_path), "forwarder": self.forwarder.path,
                "allow": sorted(self.allow), "gateway": GATEWAY_IP, "tcp_port": TCP_PORT,
                "udp_port": UDP_PORT, "ca_cert": str(cert), "ca_key": str(key), "uid": self.uid}))
            self.proc = subprocess.Popen(
                ["nsenter", f"--net={self.pair.path(self.pair.simulator)}",
                 sys.executable, "-m", "pkgtrace.sandbox.netsim.server", str(config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(self.run_dir / "netsim.stderr", "wb"))
            assert self.proc.stdout
            if self.proc.stdout.readline().strip() != b"READY":
                err = (self.run_dir / "netsim.stderr").read_text()[-2000:]
                raise NetworkError(f"network simulator did not start: {err}")
            key.unlink()  # loaded by the simulator; nothing else needs it
            return self
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()  # type: ignore[union-attr]
                self.proc.wait(timeout=3)
            except (subprocess.TimeoutExpired, OSError):
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.forwarder is not None:
            self.forwarder.close()
        if self._sock_dir:
            shutil.rmtree(self._sock_dir, ignore_errors=True)
            self._sock_dir = None
        self.pair.delete()

    def proxy_log(self) -> list[dict]:
        """The proxy's own record of what it forwarded and refused (it runs on the host)."""
        return list(self.forwarder.log) if self.forwarder is not None else []

    def events(self) -> list[dict]:
        out = []
        try:
            with open(self.events_path) as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    if isinstance(e, dict):
                        out.append(e)
        except FileNotFoundError:
            pass
        return confirm_forwarded(out, self.proxy_log())


def confirm_forwarded(events: list[dict], proxy_log: list[dict]) -> list[dict]:
    """The simulator parses hostile input; what it says was forwarded is believed only when the
    host-side proxy logged forwarding that very request. Anything else is shown as not allowed."""
    forwarded = Counter((p.get("host"), p.get("method"), p.get("target")) for p in proxy_log
                        if p.get("decision") == "forwarded")
    for e in events:
        if not e.get("allowed"):
            continue
        http = e.get("http") or {}
        key = ((e.get("tls") or {}).get("sni"), http.get("method"), (http.get("target") or "")[:2048])
        if forwarded[key] > 0:
            forwarded[key] -= 1
        else:
            e["allowed"] = False
            e.setdefault("proxy", {})["unconfirmed"] = "the proxy has no record of forwarding this"
    return events
