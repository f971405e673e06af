"""Where pkgtrace keeps its data: one per-user folder ($XDG_DATA_HOME/pkgtrace), whatever folder a
command runs from; PKGTRACE_DATA or `pkgtrace --data-dir` move it; the old per-part variables
still win for the part they name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pkgtrace import config
from pkgtrace.pipeline import settings


def test_defaults_follow_xdg(monkeypatch, tmp_path):
    for k in ("PKGTRACE_DATA", "PKGTRACE_STATE", "PKGTRACE_RESULTS", "PKGTRACE_INDEX", "PKGTRACE_QUEUE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert config.data_dir() == tmp_path / "xdg" / "pkgtrace"
    assert config.results_dir() == tmp_path / "xdg" / "pkgtrace" / "results"
    assert settings.index_url() == f"sqlite:///{tmp_path / 'xdg' / 'pkgtrace' / 'state' / 'index.db'}"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.data_dir() == tmp_path / "home" / ".local" / "share" / "pkgtrace"
    monkeypatch.setenv("PKGTRACE_DATA", "rel/data")  # relative: to where it was given
    assert config.data_dir() == tmp_path / "rel" / "data"
    monkeypatch.setenv("PKGTRACE_RESULTS", str(tmp_path / "elsewhere"))
    assert config.results_dir() == tmp_path / "elsewhere"


def test_data_dir_flag_moves_everything(tmp_path):
    rec = tmp_path / "MAL-2025-1.json"
    rec.write_text(json.dumps({"id": "MAL-2025-1", "affected": [
        {"package": {"ecosystem": "npm", "name": "evil"}, "versions": ["1.0.0"]}]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKGTRACE_")}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "--data-dir", str(tmp_path / "mine"), "osv",
                        "import", str(rec)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "mine" / "state" / "index.db").is_file()
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "pkgtrace-state").exists()
