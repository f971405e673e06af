"""One exit-code policy for every command (commands/_app.py): 0 done, 1 findings matched
--fail-on, 2 bad input, 3 infrastructure failure. A typed library error that reaches the top
is mapped once, never left to Python's exit 1 (the code CI reads as "findings")."""

from __future__ import annotations

import os
import subprocess
import sys

from builders import behaviour_pypi


def test_sandbox_that_cannot_start_exits_3_not_1(tmp_path):
    artifact = behaviour_pypi(tmp_path)
    # No mmdebstrap or runsc on PATH and an empty image cache: the sandbox cannot be had.
    env = {**os.environ, "PATH": str(tmp_path / "nothing"), "PKGTRACE_CACHE": str(tmp_path / "cache")}
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "analyze", "pypi", "--local",
                        str(artifact), "--mode", "dynamic", "--results", str(tmp_path / "r")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 3, p.stderr
    assert "error:" in p.stderr and "mmdebstrap" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").rglob("*.json"))


def test_console_script_uses_the_policy():
    from importlib.metadata import entry_points
    script = next(e for e in entry_points(group="console_scripts") if e.name == "pkgtrace")
    assert script.value == "pkgtrace.cli:main"
