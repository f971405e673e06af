"""Well-known libraries a release's source imports without declaring them (`__import__("requests")`
in a payload, or a failed install that never got to its dependencies), found by parsing the source,
never by running it, and pip-installed from the registry when the venv lacks them: a stand-in
`requests` would swallow the very upload that shows the theft.
"""
import glob
import os
import tarfile
import time
import zipfile

import harness

# import name -> PyPI distribution, for libraries malware leans on that install on Linux
KNOWN = {
    "requests": "requests", "httpx": "httpx", "urllib3": "urllib3", "aiohttp": "aiohttp",
    "Crypto": "pycryptodome", "Cryptodome": "pycryptodomex", "cryptography": "cryptography",
    "psutil": "psutil", "PIL": "pillow", "pyperclip": "pyperclip", "browser_cookie3": "browser-cookie3",
    "discord_webhook": "discord-webhook", "dhooks": "dhooks", "discord": "discord.py",
    "websocket": "websocket-client", "websockets": "websockets", "telebot": "pyTelegramBotAPI",
    "paramiko": "paramiko", "socks": "PySocks", "colorama": "colorama", "termcolor": "termcolor",
    "bs4": "beautifulsoup4", "yaml": "PyYAML", "dotenv": "python-dotenv", "getmac": "getmac",
    "GPUtil": "gputil", "pyaes": "pyaes", "fernet": "fernet", "base58": "base58", "ecdsa": "ecdsa",
    "rsa": "rsa", "cpuinfo": "py-cpuinfo", "distro": "distro",
}
MAX_SCAN_FILES = 300


def tree_sources(root):
    """The .py files under ROOT (bounded), for imported_names."""
    texts = []
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("test", "tests", "docs", ".git")]
        for f in files:
            if f.endswith(".py") and len(texts) < MAX_SCAN_FILES:
                try:
                    with open(os.path.join(base, f), "rb") as fh:
                        texts.append(fh.read(1 << 20))
                except OSError:
                    continue
    return texts


def archive_sources(artifact):
    """The .py files of an sdist or wheel, read from the archive (bounded, nothing extracted)."""
    out = []
    try:
        if zipfile.is_zipfile(artifact):
            with zipfile.ZipFile(artifact) as z:
                for info in z.infolist():
                    if info.filename.endswith(".py") and len(out) < MAX_SCAN_FILES:
                        with z.open(info) as fh:
                            out.append(fh.read(1 << 20))
        else:
            with tarfile.open(artifact) as t:
                for m in t:
                    if m.isfile() and m.name.endswith(".py") and len(out) < MAX_SCAN_FILES:
                        fh = t.extractfile(m)
                        if fh is not None:
                            out.append(fh.read(1 << 20))
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError):
        pass
    return out


def imported_names(texts):
    """Top-level module names imported by these sources, from their syntax trees (nothing of them
    is run): import statements, __import__("x") and importlib.import_module("x")."""
    import ast
    names = set()
    for text in texts:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str) and (
                        (isinstance(node.func, ast.Name) and node.func.id == "__import__") or
                        (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")):
                names.add(node.args[0].value.split(".")[0])
    return names


def install(py, attempts, names):
    """pip install the distributions of NAMES (import names) that the venv of PY lacks; the
    attempt goes into ATTEMPTS."""
    missing = sorted({KNOWN[n] for n in names if KNOWN.get(n) and not _in_venv(py, n)})
    if not missing:
        return
    t0 = time.monotonic()
    rc, err = harness.run_tool([py, "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                                "--no-warn-script-location", "--progress-bar", "off", *missing], cwd="/work")
    attempts.append({"kind": "imports", "packages": missing, "exit_code": rc, "error": err,
                     "seconds": round(time.monotonic() - t0, 3)})


def _in_venv(py, name):
    """Whether the venv of PY has a top-level module NAME (looked up on disk: a child interpreter
    here would be traced as the package's own `python -c`)."""
    venv = os.path.dirname(os.path.dirname(py))
    for site in glob.glob(venv + "/lib/python3*/site-packages"):
        if os.path.isdir(os.path.join(site, name)) or glob.glob(os.path.join(site, name + ".py")) \
                or glob.glob(os.path.join(site, name + ".*.so")):
            return True
    return False
