"""An analysis stopped with SIGTERM mid-phase leaves no container, namespace or run folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from builders import setup_py_package
from pkgtrace.sandbox.netsim.namespaces import stale_namespaces

pytestmark = pytest.mark.sandbox


def test_sigterm_mid_phase_cleans_up_everything(tmp_path):
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-sleeper-term",
                                "import time\ntime.sleep(600)")
    runs = tmp_path / "runs"
    env = {**os.environ, "PKGTRACE_RUNS": str(runs)}
    proc = subprocess.Popen([sys.executable, "-m", "pkgtrace", "analyze", "pypi", "--local", str(artifact),
                             "--mode", "dynamic", "--results", str(tmp_path / "results")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until the install phase is running
        logs = list(runs.glob("pkt*/logs/*boot*"))
        if logs and "setup.py" in logs[0].read_text(errors="replace"):
            run_id = logs[0].parents[1].name[3:]  # runs/pkt<ID>/logs/…; namespaces are pkt-<ID>-…
            break
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the install phase never started")
    time.sleep(2)
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(60)
        left = [p for p in runs.iterdir() if p.name.startswith("pkt")]
        left_ns = [ns for ns in stale_namespaces() if run_id in ns]  # (other tests' runs may be up)
        state = subprocess.run(["runsc", f"--root={runs / 'runsc-state'}", "list"], capture_output=True,
                               text=True).stdout
    finally:  # if the fix regresses, do not leave its sandbox running on the test machine
        subprocess.run([sys.executable, "-m", "pkgtrace", "sandbox", "gc"], env=env, capture_output=True)
    assert code == 143, proc.stderr.read()[-2000:]
    assert not left and not left_ns
    assert "pkt" not in state
