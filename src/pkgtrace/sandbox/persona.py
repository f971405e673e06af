"""A Windows-looking persona for the sandbox: what Windows-targeted stealers look for before they
reveal themselves.

- Environment: APPDATA, LOCALAPPDATA, USERPROFILE, USERNAME, COMPUTERNAME… pointing at real
  folders in the guest's home; the decoys are there under both `/` and `\\` spellings, so
  `os.getenv("APPDATA") + "\\\\discord\\\\Local Storage"`-style code finds them on Linux too.
- Decoys under those folders, fresh per run and recognisable: a Discord token in Local Storage,
  browser Local State, Login Data and Cookies (real SQLite files), Firefox logins, crypto-wallet
  files, Telegram's tdata. Their paths are bait (a read is evidence) and their values are bait
  secrets (seen leaving = theft).
- Stand-ins for the Windows tools malware runs (powershell, pwsh, cmd, certutil, schtasks, reg,
  wmic, curl.exe…), on PATH after the real tools: each is one shell script (guest/winbin) that
  prints a plausible answer and exits 0. What was run, with its full arguments, is in the trace
  (execve); PowerShell's -EncodedCommand is decoded on the host (decode_powershell), never by
  trusting what the guest says.

Linux's os.name and sys.platform stay what they are: code that checks them and stops is not
reached by the persona.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import sqlite3
import string
import tempfile
from pathlib import Path

from pkgtrace.sandbox.layout import WINTOOLS

GUEST_WINBIN = WINTOOLS  # the mounted folder of stand-in names (read-only, root's)
# The one stand-in script, copied into that folder (the package user cannot read the drivers'
# folder, so it cannot live there); every name links to it.
STANDIN = ".standin.sh"
_STANDIN_SOURCE = Path(__file__).parent / "guest" / "winbin" / "standin.sh"
TOOLS = ("powershell", "powershell.exe", "pwsh", "pwsh.exe", "cmd", "cmd.exe", "certutil",
         "certutil.exe", "schtasks", "schtasks.exe", "reg", "reg.exe", "wmic", "wmic.exe", "curl.exe",
         "tasklist", "tasklist.exe", "taskkill", "taskkill.exe", "systeminfo", "systeminfo.exe",
         "bitsadmin", "bitsadmin.exe", "mshta", "mshta.exe", "rundll32", "rundll32.exe", "regsvr32",
         "regsvr32.exe", "netsh", "netsh.exe", "ipconfig", "ipconfig.exe", "attrib", "attrib.exe",
         "vssadmin", "vssadmin.exe", "wscript", "wscript.exe", "cscript", "cscript.exe", "start",
         "explorer.exe", "net.exe", "whoami.exe", "icacls", "icacls.exe", "sc.exe", "taskmgr.exe")
_FIRST = ("james", "maria", "david", "anna", "michael", "laura", "daniel", "sofia", "kevin", "emma")


def _rand(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def discord_token() -> str:
    """user id (base64) . timestamp (6) . HMAC (27): the shape stealers' regexes look for."""
    uid = str(10 ** 17 + secrets.randbelow(9 * 10 ** 17)).encode()
    alnum = string.ascii_letters + string.digits + "-_"
    return f"{_b64url(uid)}.{_rand(alnum, 6)}.{_rand(alnum, 38)}"


def _sqlite(build) -> bytes:
    with tempfile.TemporaryDirectory(prefix="pkgtrace-persona-") as d:
        path = os.path.join(d, "db")
        con = sqlite3.connect(path)
        try:
            build(con)
            con.commit()
        finally:
            con.close()
        return Path(path).read_bytes()


def _login_data(user: str, password_blob: bytes) -> bytes:
    def build(con):
        con.execute("CREATE TABLE logins (origin_url VARCHAR NOT NULL, action_url VARCHAR, "
                    "username_element VARCHAR, username_value VARCHAR, password_element VARCHAR, "
                    "password_value BLOB, signon_realm VARCHAR NOT NULL, date_created INTEGER)")
        for site in ("https://accounts.google.com/", "https://github.com/session",
                     "https://www.paypal.com/signin"):
            con.execute("INSERT INTO logins VALUES (?,?,?,?,?,?,?,?)",
                        (site, site, "login", user, "password", password_blob, site, 13300000000000000))
    return _sqlite(build)


def _cookies(value_blob: bytes) -> bytes:
    def build(con):
        con.execute("CREATE TABLE cookies (creation_utc INTEGER NOT NULL, host_key TEXT NOT NULL, "
                    "name TEXT NOT NULL, value TEXT NOT NULL, path TEXT NOT NULL, "
                    "expires_utc INTEGER NOT NULL, is_secure INTEGER NOT NULL, encrypted_value BLOB)")
        for host, name in ((".roblox.com", ".ROBLOSECURITY"), (".google.com", "SID"),
                           (".discord.com", "__dcfduid")):
            con.execute("INSERT INTO cookies VALUES (?,?,?,?,?,?,?,?)",
                        (13300000000000000, host, name, "", "/", 13400000000000000, 1, value_blob))
    return _sqlite(build)


def plant(files: dict[str, str | bytes], env: dict[str, str], found: list[tuple[str, str]],
          home: str, user: str | None = None) -> dict[str, str]:
    """Add the persona's decoys to FILES (guest path -> content) and its secrets to FOUND; return
    the persona's environment (kept apart from the bait's secret variables). USER: the login name
    the rest of the guest shows (layout.USER), so that USERNAME and $USER agree."""
    user = user or secrets.choice(_FIRST) + _rand(string.digits, 2)
    computer = "DESKTOP-" + _rand(string.ascii_uppercase + string.digits, 7)
    roaming, local = f"{home}/AppData/Roaming", f"{home}/AppData/Local"
    token = discord_token()
    password = "v10" + _rand(string.ascii_letters + string.digits, 24)
    seed = " ".join(secrets.choice(("abandon", "ripple", "orbit", "canvas", "lunar", "violet", "ember",
                                    "harbor", "quartz", "meadow", "falcon", "timber")) for _ in range(12))
    state_key = base64.b64encode(b"DPAPI" + secrets.token_bytes(178)).decode()
    leveldb = (b"\x00\x00\x00\x00_https://discord.com\x00\x01token\x01\"" + token.encode() + b"\"\n")
    local_state = ('{"os_crypt":{"encrypted_key":"' + state_key + '"},"profile":{"last_used":"Default"}}')
    logins = _login_data(user + "@gmail.com", password.encode())
    cookies = _cookies(b"v10" + secrets.token_bytes(32))
    browsers = {f"{local}/Google/Chrome/User Data", f"{local}/Microsoft/Edge/User Data",
                f"{local}/BraveSoftware/Brave-Browser/User Data", f"{home}/.config/google-chrome"}
    for b in sorted(browsers):
        files[f"{b}/Local State"] = local_state
        files[f"{b}/Default/Login Data"] = logins
        files[f"{b}/Default/Network/Cookies"] = cookies
        files[f"{b}/Default/Cookies"] = cookies
        files[f"{b}/Default/Local Extension Settings/nkbihfbeogaeaoehlefnkodbefgpgknn/000003.log"] = (
            '{"KeyringController":{"vault":"{\\"data\\":\\"' + _rand(string.ascii_letters, 64) +
            '\\",\\"iv\\":\\"' + _rand(string.ascii_letters, 24) + '\\",\\"salt\\":\\"' + seed.split()[0] + '\\"}"}}')
    for app in ("discord", "discordcanary", "discordptb", "Lightcord"):
        files[f"{roaming}/{app}/Local Storage/leveldb/000005.ldb"] = leveldb
        files[f"{roaming}/{app}/Local Storage/leveldb/LOG"] = "2024/05/02-10:14:03.120 4a08 Recovering log #3\n"
    files[f"{home}/.config/discord/Local Storage/leveldb/000005.ldb"] = leveldb
    files[f"{roaming}/Mozilla/Firefox/Profiles/{_rand(string.ascii_lowercase + string.digits, 8)}"
          f".default-release/logins.json"] = (
        '{"logins":[{"hostname":"https://github.com","encryptedUsername":"' + base64.b64encode(user.encode()).decode()
        + '","encryptedPassword":"' + base64.b64encode(password.encode()).decode() + '"}]}')
    files[f"{roaming}/Exodus/exodus.wallet/seed.seco"] = secrets.token_bytes(96)
    files[f"{roaming}/Exodus/exodus.wallet/passphrase.json"] = '{"passphrase":"' + seed + '"}'
    files[f"{roaming}/Electrum/wallets/default_wallet"] = (
        '{"keystore":{"seed":"' + seed + '","type":"bip32"},"wallet_type":"standard"}')
    files[f"{roaming}/atomic/Local Storage/leveldb/000003.log"] = b"\x00_file://\x00\x01general_mnemonic\x01" + seed.encode()
    files[f"{roaming}/Telegram Desktop/tdata/key_datas"] = b"TDF$" + secrets.token_bytes(60)
    files[f"{roaming}/Microsoft/Windows/Start Menu/Programs/Startup/desktop.ini"] = "[.ShellClassInfo]\n"
    files[f"{local}/Temp/.keep"] = ""
    files[f"{home}/Desktop/passwords.txt"] = f"gmail {user}@gmail.com {password}\n"
    # Windows-style joins (`os.getenv("APPDATA") + "\\discord\\Local Storage\\leveldb"`) name,
    # on Linux, one entry with backslashes in it: plant those spellings too, as a folder holding
    # the files and as whole file names.
    for path in [p for p in files if p.startswith((roaming + "/", local + "/"))]:
        top = roaming if path.startswith(roaming + "/") else local
        rest = path[len(top) + 1:]
        folder, _, name = rest.rpartition("/")
        files[f"{top}\\{folder.replace('/', chr(92))}/{name}"] = files[path]
        files[f"{top}\\{rest.replace('/', chr(92))}"] = files[path]
    found += [("discord_token", token), ("browser_password", password), ("wallet_seed", seed),
              ("browser_state_key", state_key[:40])]
    return {
        "APPDATA": roaming, "LOCALAPPDATA": local, "USERPROFILE": home, "USERNAME": user,
        "COMPUTERNAME": computer, "USERDOMAIN": computer, "LOGONSERVER": "\\\\" + computer,
        "OS": "Windows_NT", "PROCESSOR_ARCHITECTURE": "AMD64", "NUMBER_OF_PROCESSORS": "8",
        "PROGRAMDATA": f"{home}/ProgramData", "ALLUSERSPROFILE": f"{home}/ProgramData",
        "PUBLIC": f"{home}/Public", "HOMEDRIVE": "C:", "HOMEPATH": f"\\Users\\{user}",
        "SystemDrive": "C:", "SystemRoot": "C:\\Windows", "windir": "C:\\Windows",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.JS;.PS1",
    }


def path_with_tools(path: str) -> str:
    """PATH with the stand-ins last: a real tool of the same name (curl, python) always wins."""
    return f"{path}:{GUEST_WINBIN}"


def write_tools(folder: Path) -> None:
    """The stand-in script and its names, each a relative symbolic link to it (resolved inside
    the guest, in the same folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    shutil.copyfile(_STANDIN_SOURCE, folder / STANDIN)
    (folder / STANDIN).chmod(0o755)
    for name in TOOLS:
        (folder / name).symlink_to(STANDIN)


def decode_powershell(argv: list[str]) -> str | None:
    """The script behind PowerShell's -EncodedCommand (any unambiguous prefix: -e, -enc, -ec…):
    base64 of UTF-16LE text. None when the command has none or it does not decode."""
    if not argv or Path(argv[0].replace("\\", "/")).name.lower() not in (
            "powershell", "powershell.exe", "pwsh", "pwsh.exe"):
        return None
    for i, a in enumerate(argv[1:-1], 1):
        flag = a.lower().lstrip("-/")
        if a[:1] in "-/" and flag and ("encodedcommand".startswith(flag) or flag == "ec"):
            blob = argv[i + 1]
            try:
                raw = base64.b64decode(blob + "=" * (-len(blob) % 4), validate=False)
                return raw.decode("utf-16-le", "replace")[:4096]
            except (ValueError, TypeError):
                return None
    return None
