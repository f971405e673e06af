"""Limits: a package that forks without end, eats memory or never returns ends with a status
that says so, within its limit, and the analysing process carries on."""

from __future__ import annotations

import time

import pytest

from builders import setup_py_package
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox

CASES = {
    # A fork bomb of Python processes fills the process limit or, each fork touching its own pages,
    # the memory limit first: which one is a race the machine's load decides (a loaded CI machine
    # saw memory first). Either is the reason, and said so.
    "forkbomb": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
                 "error_other", ("process limit", "memory limit")),
    "hog": ("x = bytearray(50 * 1024 ** 3)", "error_other", "memory limit"),
    "sleeper": ("import time\ntime.sleep(10 ** 6)", "error_timeout", "wall-time limit"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_runaway_package_gets_a_status_that_says_why(case, tmp_path, results):
    body, status, reason = CASES[case]
    artifact = setup_py_package(tmp_path / "dist", f"pkgtrace-fixture-{case}", body)
    started = time.monotonic()
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "30", "--memory", "2048",
                        timeout=300)
    elapsed = time.monotonic() - started
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == status
    assert any(r in install["reason"] for r in ((reason,) if isinstance(reason, str) else reason)), install["reason"]
    assert install["duration_s"] <= 30 + 5
    assert elapsed < 120
    # import ran, in a fresh sandbox if install killed the first (without the failed install)
    imp = docs["report"]["dynamic"]["phases"]["import"]
    assert imp["status"] == "completed" or imp["reason"]
    assert "not run" not in imp["reason"], imp["reason"]
    restarts = docs["report"]["dynamic"]["sandbox"].get("restarts") or []
    if case in ("forkbomb", "hog"):
        assert restarts and restarts[0]["after"] == "install" and restarts[0]["replayed"] == {}


STEAL = "import os\nopen(os.path.expanduser('~/.aws/credentials')).read()\n"


def test_a_phase_that_kills_the_sandbox_leaves_the_next_phases_to_a_fresh_one(tmp_path, results):
    # Import reads the bait, then takes the sandbox down (its memory limit) to end the analysis
    # there; execute imports it again. Execute runs in a fresh sandbox where install was replayed.
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-import-hog", "pass",
                                init_body=STEAL + "x = bytearray(50 * 1024 ** 3)\n")
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "60", "--memory", "2048", timeout=600)
    dyn = docs["report"]["dynamic"]
    imp, ex = dyn["phases"]["import"], dyn["phases"]["execute"]
    assert dyn["phases"]["install"]["status"] == "completed"
    assert "memory limit" in imp["reason"]
    assert "not run" not in ex["reason"], ex["reason"]
    restart = dyn["sandbox"]["restarts"][0]
    assert restart["after"] == "import" and restart["before"] == "execute"
    assert restart["replayed"] == {"install": "exit 0"}
    key = "/.aws/credentials"
    for phase in (imp, ex):  # the read before each death is in the trace
        assert any(f["path"].endswith(key) and f["read"] for f in phase["files"]), phase["files"][:20]
    assert docs["report"]["verdict"]["label"] != "benign"


def test_analyses_still_work_after_runaways(tmp_path, results):
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-quiet", "pass")
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed"
    assert docs["dynamic"]["Analysis"]["import"]["Status"] == "completed"


def test_a_daemon_that_outlives_the_timeout_is_reported_then_killed(tmp_path, results):
    """The phase times out with a detached daemon still running: it is listed before the kill,
    the verdict says so, and the next phase runs without it."""
    body = ("import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        while True:\n"
            "            try:\n"
            "                open(os.path.expanduser('~/.aws/credentials')).read()\n"
            "            except OSError:\n"
            "                pass\n"
            "            time.sleep(0.5)\n"
            "    os._exit(0)\n"
            "time.sleep(10 ** 6)\n")
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-lingerer", body)
    docs = run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "30", timeout=300)
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "error_timeout"
    # The sleeping setup.py and the daemon: two python processes besides pip's own.
    assert sum(1 for p in install["left_running"] if "python" in p["name"]) >= 2, install["left_running"]
    imp = docs["report"]["dynamic"]["phases"]["import"]
    assert not any(f["path"].endswith("/.aws/credentials") for f in imp["files"])
    assert "DYN-LEFT-RUNNING" in {f["rule"] for f in docs["report"]["verdict"]["findings"]}
    assert docs["report"]["verdict"]["label"] != "benign"


def test_disk_limit_fires_and_the_host_disk_barely_moves(tmp_path):
    """1 GiB written under a 256 MiB limit: the phase ends with a status that says disk, the run's
    writable layer never takes more than the limit (plus slack) of the host's disk, and host free
    space never drops by anything like what was written."""
    import json
    import os
    import subprocess
    import sys
    import threading

    from pkgtrace.sandbox import disk

    body = ("import os\n"
            "with open('/work/fill.bin', 'wb') as f:\n"
            "    for _ in range(1024):\n"
            "        f.write(os.urandom(1 << 20))\n")
    artifact = setup_py_package(tmp_path / "dist", "pkgtrace-fixture-filler", body)
    runs = tmp_path / "runs"  # this run's own, so that only its disk image is sampled
    runs.mkdir()
    free = lambda: os.statvfs(runs).f_bavail * os.statvfs(runs).f_frsize  # noqa: E731
    before, lowest, image_peak, done = free(), [free()], [0], threading.Event()

    def sample():
        while not done.wait(0.05):
            lowest[0] = min(lowest[0], free())
            for img in runs.glob("pkt*/disk.img"):
                try:
                    image_peak[0] = max(image_peak[0], img.stat().st_blocks * 512)
                except OSError:
                    pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        proc = subprocess.run([sys.executable, "-m", "pkgtrace", "analyze", "pypi", "--local", str(artifact),
                               "--mode", "dynamic", "--results", str(tmp_path / "results"), "--timeout", "120",
                               "--disk", "256", "--json"], env={**os.environ, "PKGTRACE_RUNS": str(runs)},
                              capture_output=True, text=True, timeout=600)
    finally:
        done.set()
        sampler.join()
    assert proc.returncode == 0, proc.stderr[-2000:]
    docs = json.loads(proc.stdout)
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "error_other"
    assert "disk limit" in install["reason"]
    assert docs["report"]["dynamic"]["sandbox"]["limits"]["disk_bytes"] == 256 << 20
    assert 0 < image_peak[0] <= (256 << 20) + disk.SLACK + (256 << 20) // 32, image_peak[0] >> 20
    # Host-wide free space also moves with whatever else runs on this machine: bound it loosely,
    # well under the 1 GiB written (unbounded, the host grew by 1.1 GB).
    assert before - lowest[0] < 900 << 20, f"host disk dropped by {(before - lowest[0]) >> 20} MiB"
    assert not list(runs.glob("pkt*")), "the run's folder (and its disk image) outlived it"
