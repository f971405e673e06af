"""`pkgtrace sandbox gc` removes images of other recipes and keeps the current one."""

import json
import os
import subprocess
import sys

from pkgtrace.sandbox.image import recipe_key


def test_gc_removes_only_stale_images(tmp_path):
    images = tmp_path / "cache" / "images"
    (images / "0123456789abcdef" / "rootfs").mkdir(parents=True)
    (images / recipe_key() / "rootfs").mkdir(parents=True)
    env = {**os.environ, "PKGTRACE_CACHE": str(tmp_path / "cache"), "PKGTRACE_RUNS": str(tmp_path / "runs")}
    r = subprocess.run([sys.executable, "-m", "pkgtrace", "sandbox", "gc", "--json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "image 0123456789abcdef" in json.loads(r.stdout)["removed"]
    assert not (images / "0123456789abcdef").exists()
    assert (images / recipe_key() / "rootfs").is_dir()


def test_gc_removes_static_scratch_of_dead_processes_only(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = tmp_path / f"pkgtrace-static-{dead.pid}-abc"
    live = tmp_path / f"pkgtrace-static-{os.getpid()}-def"
    stale.mkdir()
    live.mkdir()
    env = {**os.environ, "PKGTRACE_SCRATCH": str(tmp_path), "PKGTRACE_CACHE": str(tmp_path / "cache"),
           "PKGTRACE_RUNS": str(tmp_path / "runs")}
    r = subprocess.run([sys.executable, "-m", "pkgtrace", "sandbox", "gc", "--json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert str(stale) in json.loads(r.stdout)["removed"]
    assert not stale.exists() and live.exists()
