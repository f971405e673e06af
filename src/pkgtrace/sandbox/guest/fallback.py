"""When pip cannot install a release, still run its install-time code and keep its source.

Most malware fails pip's PEP 517 build (missing modules, bad metadata, Windows-only code) and,
without a fallback, its import and execute phases have nothing to run. Other installers would
still have run it, so after a failed `pip install` this tries, in order, and stops at the first
that succeeds:

  1. pip-no-deps: pip again with --no-deps --no-build-isolation (a dependency that cannot be had,
     or a build backend that cannot be fetched, no longer blocks the package's own build);
  2. legacy-setup (sdists with a setup.py): `setup.py install` as pip's legacy path ran it, in
     the unpacked source, with stand-ins (standins.py) answering imports that cannot be found;
  3. source: nothing installed; the unpacked source (sdist or wheel) is what import and execute
     use, with stand-ins.

Before 2 and 3 (and after a pip install that worked), the well-known libraries the source imports (requests, pycryptodome, psutil…,
found by parsing it, never by running it) are pip-installed from the registry when the venv
lacks them: a stand-in `requests` would swallow the very upload that shows the theft.

The outcome goes into the install record (`fallback`: kind, why, each attempt) and, for the
later phases, into STATE: both in root-only folders (harness.save), out of the package's reach.
The unpacked source and the stand-in names pyworld.py writes are the package user's (its code
runs there): they say what was tried; the trace says what happened.
"""
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile

# libraries first: importing harness lowers this driver's effective ids to the package user's,
# who cannot read the drivers' folder (later imports from it would fail)
import libraries  # noqa: I001
import harness

SRC = "/work/src"
STATE = os.path.join(harness.STATE_DIR, "fallback.json")
# pyworld.py runs as the package user and appends the names it stood in for here; one folder per
# records folder (the base run, each world), so that worlds do not mix their names.
NAMES_DIR = os.path.join("/tmp", ".py-" + os.path.basename(harness.OUT_DIR.rstrip("/")))
MAX_FILES = 20000
MAX_BYTES = 512 << 20
_SKIP_DIRS = {"test", "tests", "testing", "docs", "doc", "examples", "example", "build", "dist",
              "benchmarks", "scripts", "tools", "__pycache__", "venv", ".venv", "site-packages"}


def _pip(py, artifact, *extra):
    return [py, "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
            "--no-warn-script-location", "--progress-bar", "off", *extra, artifact]


def install_pypi(py, artifact):
    rc, error = harness.run_tool(_pip(py, artifact), cwd="/work")
    if rc == 0:
        # what the code imports without declaring it (`__import__("requests")` in a payload)
        attempts = []
        libraries.install(py, attempts, libraries.imported_names(libraries.archive_sources(artifact)))
        extra = {"imports": attempts[0]} if attempts else {}
        gated = _windows_gated_setup(py, artifact)
        if gated:
            extra["windows_setup"] = gated
        harness.note("install", reason=None, **extra)
        return 0
    why = harness.tool_reason("pip install", rc, error)
    attempts = []
    t0 = time.monotonic()
    rc2, err2 = harness.run_tool(_pip(py, artifact, "--no-deps", "--no-build-isolation"), cwd="/work")
    attempts.append({"kind": "pip-no-deps", "exit_code": rc2, "error": err2,
                     "seconds": round(time.monotonic() - t0, 3)})
    if rc2 == 0:
        return _done("pip-no-deps", why, attempts, None, 0)
    root = unpack(artifact, SRC)
    if root is None:
        attempts.append({"kind": "unpack", "error": "the artifact could not be unpacked"})
        return _done("none", why, attempts, None, rc)
    libraries.install(py, attempts, libraries.imported_names(libraries.tree_sources(root)))
    kind, code = "source", rc
    if os.path.isfile(os.path.join(root, "setup.py")):
        code = _legacy_setup(py, root, attempts)
        kind = "legacy-setup"
    return _done(kind, why, attempts, root, 0 if code == 0 else rc)


_PLATFORM_READ = re.compile(rb"\b(?:os\.name|sys\.platform|platform\.system\(\))")
_ACTS = re.compile(rb"\b(?:cmdclass|exec|eval|subprocess|urlopen|socket|requests|os\.system|Popen|"
                   rb"__builtins__|__import__|b64decode|marshal|zlib)\b")
_BUILDS = re.compile(rb"\b(?:ext_modules|Extension\(|cythonize|CMake|build_ext)\b")


def _windows_gated_setup(py, artifact):
    """pip ran setup.py on Linux; if it reads the platform and then acts (commands, exec,
    network) without compiling anything, run its `setup.py install` once more in the unpacked
    source with the platform answered as Windows (wingate.py): the install-time payload that
    waits for Windows shows itself. None when there is no such setup.py."""
    if zipfile.is_zipfile(artifact):
        return None
    root = unpack(artifact, SRC)
    setup_py = os.path.join(root or SRC, "setup.py")
    try:
        with open(setup_py, "rb") as f:
            text = f.read(1 << 20)
    except OSError:
        return None
    if not (_PLATFORM_READ.search(text) and _ACTS.search(text)) or _BUILDS.search(text):
        return None
    attempts = []
    _legacy_setup(py, root, attempts)
    return attempts[-1]



def _legacy_setup(py, root, attempts):
    """setup.py through the legacy `setup.py install` path, with stand-ins for missing imports."""
    names = names_file("install")
    cfg = {"src": [root], "standins": names, "legacy": True, "windows": True}
    # pyworld.py from the workers' folder: the package user's interpreter cannot read the drivers'
    argv = [py, os.path.join(harness.WORKERS, "pyworld.py"), "script",
            os.path.join(root, "setup.py"), "install", "--single-version-externally-managed",
            "--record", "/work/installed-files.txt"]
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=root, stdin=subprocess.PIPE)
    harness.feed(proc, json.dumps(cfg).encode())  # pyworld.py's settings, on its stdin
    try:
        code = proc.wait(timeout=max(30.0, harness.PHASE_SECONDS * 0.4))
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    attempts.append({"kind": "legacy-setup", "exit_code": code, "standins": _names(names),
                     "windows_checks": _gates(names),
                     "seconds": round(time.monotonic() - t0, 3)})
    return code


def _done(kind, why, attempts, root, rc):
    fb = {"kind": kind, "why": why, "attempts": attempts}
    if root is not None:
        fb["paths"], fb["modules"] = layout(root)
    if kind != "pip-no-deps":  # a real install needs no source path or stand-ins later
        _save_state(fb)
    summary = f"{why}; fallback: {kind}"
    last = attempts[-1] if attempts else {}
    if "exit_code" in last:
        summary += f" (exit {last['exit_code']})"
    harness.note("install", reason=summary, fallback=fb)
    print(f"pkgtrace: {summary}", flush=True)
    return rc


def _save_state(fb):
    harness.save(STATE, fb)


def state():
    """What the install phase fell back to ({} when pip installed the release)."""
    doc = harness.load(STATE)
    return doc if isinstance(doc, dict) else {}


RETRY_STATE = os.path.join(harness.STATE_DIR, "import-retry.json")


def save_import_retry(modules):
    harness.save(RETRY_STATE, modules)


def import_retried():
    """Installed modules that imported only with stand-ins ([] when none needed them)."""
    doc = harness.load(RETRY_STATE)
    return [m for m in doc if isinstance(m, str)] if isinstance(doc, list) else []


def names_file(phase):
    """Where pyworld.py (as the package user) lists the modules it stood in for in PHASE."""
    os.makedirs(NAMES_DIR, exist_ok=True)
    return os.path.join(NAMES_DIR, phase + ".txt")


def phase_fields(fb, cfg):
    out = {}
    if fb:
        out["fallback"] = {"kind": fb.get("kind"), "modules": fb.get("modules")}
    elif cfg.get("standins"):
        out["fallback"] = {"kind": "import-standins", "modules": import_retried()}
    if cfg.get("clock") or cfg.get("sleep"):
        out["clock"] = {"shift_s": cfg.get("clock"), "longest_sleep_s": cfg.get("sleep")}
    return out


def note_phase(phase, fb, cfg, **fields):
    """The import phase's record: what it imported, from where, and what was stood in for."""
    extra = {**phase_fields(fb, cfg), **fields}
    if cfg.get("standins"):
        extra["standins"] = _names(cfg["standins"])
        extra["windows_checks"] = _gates(cfg["standins"])
    harness.note(phase, **extra)


def amend_record(phase, cfg):
    """Add the stand-ins a harness-run phase used to its record."""
    if not cfg.get("standins"):
        return
    path = os.path.join(harness.OUT_DIR, phase + ".json")
    doc = harness.load(path)
    if isinstance(doc, dict):
        doc["standins"] = _names(cfg["standins"])
        doc["windows_checks"] = _gates(cfg["standins"])
        harness.save(path, doc)


def _names(path):
    """Stood-in module names from a pyworld file (its "#gates N" lines are not names)."""
    return sorted({n.strip() for n in _lines(path) if n.strip() and not n.startswith("#")})[:200]


def _gates(path):
    """How many platform checks wingate.py answered as on Windows."""
    return sum(int(n[7:]) for n in _lines(path) if n.startswith("#gates ") and n[7:].strip().isdigit())


def _lines(path):
    """The first MiB of a file the package's interpreter wrote (it could make it any size)."""
    try:
        with open(path, errors="replace") as f:
            return f.read(1 << 20).splitlines()
    except OSError:
        return []


def unpack(artifact, dest):
    """Extract an sdist or wheel into DEST (regular files and folders only, nothing outside it);
    the folder holding setup.py/pyproject.toml, or DEST itself for a wheel."""
    os.makedirs(dest, exist_ok=True)
    total = count = 0
    try:
        if zipfile.is_zipfile(artifact):
            with zipfile.ZipFile(artifact) as z:
                for info in z.infolist():
                    count += 1
                    total += info.file_size
                    if info.is_dir() or count > MAX_FILES or total > MAX_BYTES:
                        continue
                    _write(dest, info.filename, z.read(info))
        else:
            with tarfile.open(artifact) as t:
                for m in t:
                    count += 1
                    total += m.size
                    if not m.isfile() or count > MAX_FILES or total > MAX_BYTES:
                        continue
                    fh = t.extractfile(m)
                    if fh is not None:
                        _write(dest, m.name, fh.read())
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError, ValueError) as e:
        print(f"pkgtrace: unpacking failed: {e}", file=sys.stderr, flush=True)
        if not os.listdir(dest):
            return None
    entries = [e for e in os.listdir(dest) if os.path.isdir(os.path.join(dest, e))]
    for e in entries:
        d = os.path.join(dest, e)
        if any(os.path.isfile(os.path.join(d, f)) for f in ("setup.py", "pyproject.toml", "PKG-INFO")):
            return d
    return dest


def _write(dest, name, data):
    rel = os.path.normpath(name.lstrip("/"))
    if rel.startswith("..") or os.path.isabs(rel):
        return
    path = os.path.join(dest, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def layout(root):
    """(folders for sys.path, top-level modules) of an unpacked source tree: the root and a src/
    folder, their packages and single-file modules, leaving out tests, docs and setup scripts."""
    paths, mods = [], []
    for base in (os.path.join(root, "src"), root):
        if not os.path.isdir(base):
            continue
        found = []
        for entry in sorted(os.listdir(base)):
            full = os.path.join(base, entry)
            if os.path.isdir(full):
                if entry.isidentifier() and entry.lower() not in _SKIP_DIRS and \
                        os.path.isfile(os.path.join(full, "__init__.py")):
                    found.append(entry)
            elif entry.endswith(".py") and entry[:-3].isidentifier() and \
                    entry not in ("setup.py", "conftest.py", "noxfile.py", "fabfile.py"):
                found.append(entry[:-3])
        if found:
            paths.append(base)
            mods += [m for m in found if m not in mods]
    return paths or [root], mods[:50]
