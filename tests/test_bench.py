"""The benches are run by hand, not by the suite: this keeps them from rotting (a bench that no
longer imports, as bench/sandbox_overhead.py did when a helper it used was removed as dead code)."""
import subprocess
import sys
from pathlib import Path

import pytest

BENCHES = sorted((Path(__file__).resolve().parents[1] / "bench").glob("*.py"))


@pytest.mark.parametrize("bench", BENCHES, ids=lambda p: p.name)
def test_each_bench_starts(bench):
    r = subprocess.run([sys.executable, str(bench), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "usage" in r.stdout.lower()


def test_there_are_benches():
    assert {"sandbox_overhead.py", "pipeline.py", "static_speed.py", "rule_speed.py"} <= {b.name for b in BENCHES}
