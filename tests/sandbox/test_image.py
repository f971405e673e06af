"""The image cache heals: a folder under the recipe's key that is not a finished image (a deleted
image whose mount points runsc re-created, a killed build) is rebuilt, never trusted and never left
in place of a fresh build. mmdebstrap is played by a script that lays a tiny rootfs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

FAKE_MMDEBSTRAP = """#!/bin/sh
for last; do :; done
mkdir -p "$last/usr/bin" && touch "$last/usr/bin/python3" && echo "I: done"
"""


def _run(tmp_path, *args):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "mmdebstrap").write_text(FAKE_MMDEBSTRAP)
    (bin_dir / "mmdebstrap").chmod(0o755)
    env = {**os.environ, "PKGTRACE_CACHE": str(tmp_path / "cache"),
           "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", "pkgtrace", "sandbox", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_leftover_shell_under_the_key_is_replaced_by_a_real_build(tmp_path):
    key = json.loads(_run(tmp_path, "build", "--json").stdout)["key"]
    images = tmp_path / "cache" / "images"
    final = images / key
    subprocess.run(["rm", "-rf", str(final)], check=True)
    (final / "rootfs" / "srv" / "mirror").mkdir(parents=True)  # what runsc leaves behind
    r = _run(tmp_path, "build", "--json")
    assert r.returncode == 0, r.stderr
    assert (final / "READY").exists() and (final / "rootfs" / "usr" / "bin" / "python3").exists()
    assert not (final / "rootfs" / "srv").exists()
    assert not [p for p in images.iterdir() if ".building-" in p.name]
