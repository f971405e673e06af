"""The guest's payload-reach helpers run on the host against small packages of our own (nothing
here is a package under analysis): stand-in modules, Windows answers to platform checks, the
moved clock and shortened sleeps of pyworld.py, and Node's world from nodeworld.js."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

GUEST = Path(__file__).parents[2] / "src" / "pkgtrace" / "sandbox" / "guest" / "workers"


def _pyworld(tmp_path: Path, cfg: dict, *argv: str) -> subprocess.CompletedProcess:
    # the settings come on stdin, never in the environment the package could read
    return subprocess.run([sys.executable, str(GUEST / "pyworld.py"), *argv], input=json.dumps(cfg),
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)


def _pkg(tmp_path: Path, body: str) -> Path:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text(body)
    return src


def test_missing_imports_of_the_package_get_permissive_stand_ins(tmp_path):
    src = _pkg(tmp_path, "import win32api, winreg\nfrom Crypto.Cipher import AES\n"
                         "class W(win32api.Window):\n    pass\n"
                         "@winreg.decorator\ndef f():\n    return 5\n"
                         "with AES.new(b'k', AES.MODE_GCM) as c:\n    pass\n"
                         "print('reached', f(), len(list(winreg.EnumKey())), W(1).anything())\n")
    names = tmp_path / "names.txt"
    r = _pyworld(tmp_path, {"src": [str(src)], "standins": str(names)}, "import", "pkg")
    assert r.returncode == 0, r.stderr
    assert "reached 5 0" in r.stdout
    assert {"win32api", "winreg", "Crypto", "Crypto.Cipher"} <= set(names.read_text().split())


def test_stand_ins_never_answer_the_standard_librarys_own_probes(tmp_path):
    # the stdlib's `try: import msvcrt except ImportError` must keep getting the truth, and a
    # missing import outside the package's own code fails as it would
    src = _pkg(tmp_path, "import getpass, copy, shutil, subprocess, asyncio, uuid\nprint('ok')\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "otherlib.py").write_text("import win32api\n")
    names = tmp_path / "names.txt"
    r = _pyworld(tmp_path, {"src": [str(src), str(other)], "roots": [str(src)], "standins": str(names)},
                 "import", "pkg")
    assert r.returncode == 0 and not names.read_text().strip()
    r = _pyworld(tmp_path, {"src": [str(other)], "roots": [str(src)], "standins": str(names)}, "import", "otherlib")
    assert r.returncode != 0 and "ModuleNotFoundError" in r.stderr


def test_platform_checks_of_the_package_answer_as_windows_and_nothing_else_does(tmp_path):
    src = _pkg(tmp_path, "import os, sys, platform\n"
                         "print('gate1', os.name == 'nt')\n"
                         "print('gate2', sys.platform == ''.join(map(chr, [119, 105, 110, 51, 50])))\n"
                         "print('gate3', platform.system() == 'Windows', sys.platform.startswith('win'))\n"
                         "print('stdlib', os.path.join('a', 'b'), os.sep)\n")
    names = tmp_path / "names.txt"
    r = _pyworld(tmp_path, {"src": [str(src)], "standins": str(names), "windows": True}, "import", "pkg")
    assert r.returncode == 0, r.stderr
    assert "gate1 True" in r.stdout and "gate2 True" in r.stdout and "gate3 True True" in r.stdout
    assert "stdlib a/b /" in r.stdout
    assert "#gates" in names.read_text()
    # without the setting, the truth
    r = _pyworld(tmp_path, {"src": [str(src)]}, "import", "pkg")
    assert "gate1 False" in r.stdout


def test_clock_moves_ahead_and_long_sleeps_are_cut_with_the_clock_advanced(tmp_path):
    src = _pkg(tmp_path, "import time, datetime\n"
                         "t0, m0 = time.time(), time.monotonic()\ntime.sleep(3600)\n"
                         "print('slept', round(time.time() - t0), round(time.monotonic() - m0))\n"
                         "print('today', datetime.date.today().isoformat(), datetime.datetime.now().year)\n"
                         "print('types', isinstance(datetime.datetime.now(), datetime.datetime))\n")
    import datetime
    before = datetime.datetime.now()
    # an hour's sleep not cut would outlast _pyworld's timeout
    r = _pyworld(tmp_path, {"src": [str(src)], "clock": 40 * 86400, "sleep": 0.5}, "import", "pkg")
    after = datetime.datetime.now()
    assert r.returncode == 0, r.stderr
    assert "slept 3600 3600" in r.stdout and "types True" in r.stdout
    # the package's today: 40 days on, and the hour the cut sleep advanced its clock (which may
    # cross midnight), somewhere between the run's start and end
    ahead = {(t + datetime.timedelta(days=40, hours=1)).date().isoformat() for t in (before, after)}
    assert r.stdout.split("today ", 1)[1].split()[0] in ahead, r.stdout


def test_setup_requires_are_dropped_on_the_legacy_path(tmp_path):
    # a build requirement that cannot be had stops setup() before any command runs
    src = tmp_path / "src"
    src.mkdir()
    (src / "setup.py").write_text("from setuptools import setup\n"
                                  "setup(name='reqs', version='1.0', py_modules=[],\n"
                                  "      setup_requires=['pkgtrace-no-such-distribution-4f1c9a==9.9'])\n")
    r = _pyworld(tmp_path, {"src": [str(src)], "legacy": True}, "script", str(src / "setup.py"), "--name")
    assert r.returncode == 0 and r.stdout.strip().endswith("reqs"), r.stderr[-2000:]
    r = _pyworld(tmp_path, {"src": [str(src)]}, "script", str(src / "setup.py"), "--name")
    assert r.returncode != 0


def test_windows_ctypes_of_the_package_get_stand_ins_and_ctypes_itself_is_left_alone(tmp_path):
    # past a Windows gate, stealers ask ctypes for what only Windows has (IsUserAnAdmin, WinDLL)
    src = _pkg(tmp_path, "import ctypes, sys\nfrom ctypes import windll as w, c_int\n"
                         "from ctypes import WinDLL\n"
                         "if sys.platform == 'win32' and ctypes.windll.shell32.IsUserAnAdmin():\n"
                         "    k = WinDLL('kernel32')\n"
                         "    w.user32.MessageBoxW(0, 'x', 'y', 0)\n"
                         "    print('admin', c_int(3).value, ctypes.sizeof(ctypes.c_int))\n"
                         "import otherlib\n")
    other = tmp_path / "other"
    other.mkdir()
    # another distribution's probe keeps getting the truth
    (other / "otherlib.py").write_text("import ctypes\nprint('other', hasattr(ctypes, 'windll'))\n")
    names = tmp_path / "names.txt"
    r = _pyworld(tmp_path, {"src": [str(src), str(other)], "roots": [str(src)], "standins": str(names),
                            "windows": True}, "import", "pkg")
    assert r.returncode == 0, r.stderr
    assert "admin 3 4" in r.stdout and "other False" in r.stdout
    assert {"windll", "WinDLL"} <= set(names.read_text().split())
    # without the Windows answers the gate holds and nothing past it runs
    r = _pyworld(tmp_path, {"src": [str(src), str(other)], "roots": [str(src)], "standins": str(names)},
                 "import", "pkg")
    assert r.returncode == 0 and "admin" not in r.stdout
    # and a setup.py run as a script (the legacy path) gets the same answers
    setup = tmp_path / "setup.py"
    setup.write_text("import ctypes\nif ctypes.windll.shell32.IsUserAnAdmin():\n    print('elevated')\n")
    r = _pyworld(tmp_path, {"src": [str(tmp_path)], "standins": str(names), "windows": True, "legacy": True},
                 "script", str(setup), "install")
    assert r.returncode == 0 and "elevated" in r.stdout, r.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_world_comes_on_stdin_and_leaves_nothing_of_itself(tmp_path):
    # the settings are read to the end before the package's code runs: its stdin is /dev/null,
    # its environment and arguments hold nothing of them, and both are in force
    pkg = tmp_path / "node_modules" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text('{"name": "pkg", "version": "1.0.0"}')
    (pkg / "index.js").write_text(
        "const helper = require('not-installed-anywhere'); const fs = require('fs');\n"
        "console.log(JSON.stringify({ year: new Date().getFullYear(), helper: typeof helper,\n"
        "  stdin: fs.readFileSync(0, 'utf8'), fd0: fs.readlinkSync('/proc/self/fd/0'),\n"
        "  environ: fs.readFileSync('/proc/self/environ', 'latin1'), argv: process.argv }));\n")
    cfg = json.dumps({"clock": 400 * 86400, "sleep": 2, "standins": str(pkg)})
    r = subprocess.run(["node", str(GUEST / "nodeworld.js"), "pkg"], input=cfg, cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout)
    assert seen["year"] > time.gmtime().tm_year and seen["helper"] == "function"
    assert "node-stub not-installed-anywhere" in r.stderr
    assert seen["stdin"] == "" and seen["fd0"] == "/dev/null"
    shown = seen["environ"] + " ".join(seen["argv"])
    assert str(400 * 86400) not in shown and str(pkg) not in shown
    # no settings: the real clock, and a missing require stays missing
    r = subprocess.run(["node", str(GUEST / "nodeworld.js"), "pkg"], input="", cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Cannot find module 'not-installed-anywhere'" in r.stderr
