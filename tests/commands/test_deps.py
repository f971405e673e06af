"""`pkgtrace deps` as a user runs it: a real subprocess, table and JSON output, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOCKS = Path(__file__).resolve().parent.parent / "fixtures" / "lockfiles"


def pkgtrace(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True,
                          timeout=120)


def test_table_lists_every_dependency():
    p = pkgtrace("deps", str(LOCKS / "real" / "bundler" / "Gemfile.lock"),
                 str(LOCKS / "real" / "npm-v3" / "package-lock.json"))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert "Gemfile.lock (Gemfile.lock): 7 dependencies" in out
    assert "package-lock.json (package-lock.json): 7 dependencies" in out
    assert "path vendor/mylib" in out and "ms (as my-ms)" in out and "transitive" in out


def test_one_malformed_file_among_good_ones(tmp_path):
    bad = tmp_path / "Cargo.lock"
    bad.write_text('version = 3\n\n[[package]]\nname = "x"\nversion = [1]\n')
    p = pkgtrace("deps", "--json", str(LOCKS / "real" / "cargo" / "Cargo.lock"), str(bad))
    assert p.returncode == 2
    doc = json.loads(p.stdout)
    assert [lf["format"] for lf in doc["lockfiles"]] == ["Cargo.lock"]  # the good file still listed
    assert doc["errors"] == [{"file": str(bad), "line": 4, "key": "package[0].version",
                              "message": "expected a string, found list [1]"}]
    assert f"{bad}:4 [package[0].version]: expected a string" in p.stderr
    assert "Traceback" not in p.stderr
