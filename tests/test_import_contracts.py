"""Import direction, as pyproject.toml's [tool.importlinter] contracts state it: the CLI and web
depend on the library, never the reverse; feeds do not import the pipeline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    p = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
                        str(ROOT / "pyproject.toml")],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    assert "0 broken" in p.stdout
