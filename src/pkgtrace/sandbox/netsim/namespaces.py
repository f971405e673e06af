"""A pair of network namespaces per run: the sandbox's and the simulator's, joined by a veth.

The sandbox's only route leads to the simulator's namespace, which makes every address local
(`ip route add local 0.0.0.0/0 dev lo`) and redirects every TCP port to the simulator's listener.
Nothing is attached to the host's namespace, so the host's services are unreachable from the sandbox.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

SANDBOX_IP = "10.77.0.2"
GATEWAY_IP = "10.77.0.1"
PREFIX = 24
TCP_PORT = 15000
UDP_PORT = 15001
NAME_PREFIX = "pkt-"


class NetworkError(Exception):
    pass


@dataclass(frozen=True)
class NamespacePair:
    run_id: str

    @property
    def sandbox(self) -> str:
        return f"{NAME_PREFIX}{self.run_id}-sb"

    @property
    def simulator(self) -> str:
        return f"{NAME_PREFIX}{self.run_id}-sim"

    def path(self, ns: str) -> str:
        return f"/run/netns/{ns}"

    @property
    def _veth(self) -> tuple[str, str]:
        short = self.run_id[:8]
        # The sandbox's end is alone in its namespace and gVisor shows its name to the package:
        # the name every machine has. The simulator's end: at most 15 characters, the kernel's limit.
        return "eth0", f"pk{short}n"

    def create(self) -> None:
        sb, sim = self.sandbox, self.simulator
        vs, vn = self._veth
        try:
            _ip("netns", "add", sb)
            _ip("netns", "add", sim)
            _ip("-n", sb, "link", "set", "lo", "up")
            _ip("-n", sim, "link", "set", "lo", "up")
            _ip("-n", sb, "link", "add", vs, "type", "veth", "peer", "name", vn, "netns", sim)
            _ip("-n", sb, "addr", "add", f"{SANDBOX_IP}/{PREFIX}", "dev", vs)
            _ip("-n", sb, "link", "set", vs, "up")
            _ip("-n", sb, "route", "add", "default", "via", GATEWAY_IP)
            _ip("-n", sim, "addr", "add", f"{GATEWAY_IP}/{PREFIX}", "dev", vn)
            _ip("-n", sim, "link", "set", vn, "up")
            _ip("-n", sim, "route", "add", "local", "0.0.0.0/0", "dev", "lo")
            # TCP to any port: redirected to the simulator's one listener. UDP to any port but
            # DNS's: diverted (tproxy keeps the destination) to its UDP catcher.
            rules = (f"table ip pkgtrace {{\n chain prerouting {{\n"
                     f"  type nat hook prerouting priority dstnat; policy accept;\n"
                     f'  iifname "{vn}" tcp dport != {TCP_PORT} redirect to :{TCP_PORT}\n }}\n'
                     f" chain divert {{\n  type filter hook prerouting priority mangle; policy accept;\n"
                     f'  iifname "{vn}" udp dport != 53 tproxy to :{UDP_PORT} accept\n }}\n}}\n')
            _run(["nsenter", f"--net={self.path(sim)}", "nft", "-f", "-"], stdin=rules)
        except BaseException:
            self.delete()
            raise

    def delete(self) -> None:
        for ns in (self.sandbox, self.simulator):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True)


def _ip(*args: str) -> None:
    _run(["ip", *args])


def _run(cmd: list[str], stdin: str | None = None) -> None:
    r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise NetworkError(f"{' '.join(cmd)}: {r.stderr.strip() or r.returncode}")


def stale_namespaces() -> list[str]:
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    return [line.split()[0] for line in r.stdout.splitlines()
            if line.startswith(NAME_PREFIX)]
