"""Two analyses at once do not see each other: each run's simulator records only its own run."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from builders import setup_py_package
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox

# Each package resolves its own name, connects to the address it got, and lingers so that the
# two runs overlap; the other run's name must appear nowhere in its results.
SETUP = """
import socket, time
try:
    addr = socket.gethostbyname("{name}.example")
    s = socket.create_connection((addr, 8{n}), timeout=5)
    s.sendall(b"GET /{name} HTTP/1.1\\r\\nHost: {name}.example\\r\\n\\r\\n")
    s.close()
except OSError:
    pass
time.sleep(3)
"""


def _analyse(tmp_path, name: str, n: int) -> dict:
    artifact = setup_py_package(tmp_path / name, f"pkgtrace-fixture-{name}", SETUP.format(name=name, n=n))
    return run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(tmp_path / f"results-{name}"))


def test_two_runs_at_once_record_only_their_own_traffic(tmp_path):
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda args: _analyse(tmp_path, *args), [("run-alpha", 1), ("run-beta", 2)])
    for mine, other, port, docs in (("run-alpha", "run-beta", 81, a), ("run-beta", "run-alpha", 82, b)):
        install = docs["dynamic"]["Analysis"]["install"]
        assert install["Status"] == "completed"
        hosts = {q["Hostname"] for d in install["DNS"] for q in d["Queries"]}
        assert f"{mine}.example" in hosts
        assert any(s["Port"] == port and f"{mine}.example" in (s["Hostnames"] or []) for s in install["Sockets"])
        network = docs["report"]["dynamic"]["phases"]["install"]["network"]
        assert any((e.get("http") or {}).get("path") == f"/{mine}" or f"/{mine}" in str(e.get("http"))
                   for e in network)
        assert other not in str(docs["dynamic"]) and other not in str(network)
