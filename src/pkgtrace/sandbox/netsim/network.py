"""One run's simulated network: namespaces, simulator process and forwarder, torn down together."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pkgtrace.sandbox.netsim.forwarder import REGISTRY_HOSTS, Forwarder
from pkgtrace.sandbox.netsim.namespaces import GATEWAY_IP, TCP_PORT, NamespacePair, NetworkError


class SimulatedNetwork:
    def __init__(self, run_id: str, run_dir: Path, allow: frozenset[str] = REGISTRY_HOSTS):
        self.pair = NamespacePair(run_id)
        self.run_dir = run_dir
        self.allow = allow
        self.events_path = run_dir / "netsim-events.jsonl"
        self.forwarder: Forwarder | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def sandbox_netns(self) -> str:
        return self.pair.path(self.pair.sandbox)

    @property
    def resolver(self) -> str:
        return GATEWAY_IP

    def __enter__(self) -> "SimulatedNetwork":
        try:
            self.pair.create()
            self.forwarder = Forwarder(str(self.run_dir / "forward.sock"), self.allow)
            config = self.run_dir / "netsim.json"
            config.write_text(json.dumps({
                "events": str(self.events_path), "forwarder": self.forwarder.path,
                "allow": sorted(self.allow), "gateway": GATEWAY_IP, "tcp_port": TCP_PORT}))
            self.proc = subprocess.Popen(
                ["nsenter", f"--net={self.pair.path(self.pair.simulator)}",
                 sys.executable, "-m", "pkgtrace.sandbox.netsim.server", str(config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=open(self.run_dir / "netsim.stderr", "wb"))
            assert self.proc.stdout
            if self.proc.stdout.readline().strip() != b"READY":
                err = (self.run_dir / "netsim.stderr").read_text()[-2000:]
                raise NetworkError(f"network simulator did not start: {err}")
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
            self.forwarder = None
        self.pair.delete()

    def events(self) -> list[dict]:
        out = []
        try:
            with open(self.events_path) as f:
                for line in f:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        continue
        except FileNotFoundError:
            pass
        return out
