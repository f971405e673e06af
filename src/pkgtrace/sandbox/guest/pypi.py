"""PyPI phases inside the sandbox: `install ARTIFACT`, `import DISTRIBUTION-NAME`, `execute NAME`.

install: pip install the artifact (dependencies come from PyPI through the simulator's registry
pass-through) into the image's ready venv. When pip fails, the package's install-time code still
runs the way other installers would run it (see fallback.py): pip again without dependencies or
build isolation; for an sdist, setup.py's top level through the legacy `setup.py install` path
with stand-ins for missing imports; in any case the unpacked source is kept for import/execute.
import: import every top-level module the installed distribution provides (or, after a fallback,
the unpacked source provides), each in its own process with a time limit, so one hanging module
does not hide the others.
execute: call the public functions, classes and methods of those modules (workers/python_worker.py
through harness.py) and run the distribution's console scripts with --help.

Import and execute steps start through pyworld.py: after a fallback it puts the source on the
path and answers missing imports with stand-ins (so does the windows world, with the installed
modules' platform checks answered as on Windows); in a world with the clock moved (the host sets
PKGTRACE_CLOCK_SHIFT and PKGTRACE_SLEEP_CAP) it moves the clock and shortens long sleeps.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fallback  # noqa: E402
import harness  # noqa: E402  (also takes pkgtrace's settings out of the environment)

CLOCK_SHIFT = float(harness.SETTINGS.get("PKGTRACE_CLOCK_SHIFT", "0") or 0)
SLEEP_CAP = float(harness.SETTINGS.get("PKGTRACE_SLEEP_CAP", "0") or 0)
WINDOWS = harness.SETTINGS.get("PKGTRACE_WINDOWS") == "1"  # the windows world (dynamic/worlds.py)
VENV = os.path.join(os.environ["HOME"], ".venv")  # the package user's (image.py)
PY = VENV + "/bin/python"
# Started by the package user's interpreter: from the workers' folder, which it can read.
PYWORLD = os.path.join(harness.WORKERS, "pyworld.py")


def install(artifact):
    return fallback.install_pypi(PY, artifact)


def _world(phase, name):
    """pyworld.py's settings for this phase's steps (on their stdin, see pyworld.py)."""
    fb = fallback.state()
    cfg = {"clock": CLOCK_SHIFT, "sleep": SLEEP_CAP}
    if fb:
        cfg["src"] = fb.get("paths") or []
        cfg.update(_standins(phase, cfg["src"], fb.get("modules") or []))
    elif WINDOWS:
        # the windows world: the installed modules' platform checks answered as on Windows
        cfg.update(_standins(phase, [], top_level_modules(name)))
    elif phase == "execute" and fallback.import_retried():
        # the installed modules imported only with stand-ins: call them the same way
        cfg.update(_standins(phase, [], fallback.import_retried()))
    return cfg, fb


def _standins(phase, src, modules):
    """Stand-ins for the imports of the package's own code (under SRC or its installed MODULES),
    and its platform checks answered as on Windows: after a failed install or import."""
    return {"roots": list(src) + _module_paths(modules),
            "standins": fallback.names_file(phase), "windows": True}


def _module_paths(modules):
    """Where the installed MODULES live: their package folders or single files."""
    import glob
    sites = glob.glob(VENV + "/lib/python3*/site-packages")
    out = [p for site in sites for m in modules
           for p in (os.path.join(site, m), os.path.join(site, m + ".py")) if os.path.exists(p)]
    return out or [os.path.join(s, m) for s in sites for m in modules]


def _modules(name, fb):
    mods = top_level_modules(name)
    return mods if mods or not fb else list(fb.get("modules") or [])


def _installed(name):
    """The venv's distributions of that name (PEP 503 folding), read in this (driver) process from
    site-packages, so that the phase's trace holds only what the package itself does."""
    import glob
    import importlib.metadata as md
    import re

    def norm(s):
        return re.sub(r"[-_.]+", "-", s or "").lower()

    return [d for d in md.distributions(path=glob.glob(VENV + "/lib/python3*/site-packages"))
            if norm(d.metadata["Name"]) == norm(name)]


def top_level_modules(name):
    """Modules of the named distribution in the venv: top_level.txt, else RECORD's first parts."""
    mods = []
    for dist in _installed(name):
        tl = dist.read_text("top_level.txt")
        if tl:
            mods += [m.strip() for m in tl.splitlines() if m.strip()]
            continue
        for f in dist.files or []:
            first = f.parts[0]
            if first.endswith((".dist-info", ".egg-info", ".data")) or first in ("..", "__pycache__"):
                continue
            if len(f.parts) > 1:
                mods.append(first)
            elif first.endswith(".py"):
                mods.append(first[:-3])
            elif first.endswith(".so"):
                mods.append(first.split(".")[0])
    return sorted(set(m for m in mods if m.isidentifier()))


def _windows_already(fb):
    """In the windows world after a fallback: the base world's fallback run already answered the
    package's platform checks as Windows (fallback.py), so this world has nothing to add."""
    if WINDOWS and fb:
        print("pkgtrace: the install fell back; its runs already answered as Windows", flush=True)
        return True
    return False


def import_all(name):
    cfg, fb = _world("import", name)
    if _windows_already(fb):
        return 0
    mods = _modules(name, fb)
    print("pkgtrace: importing " + (", ".join(mods) or "(no modules found)"), flush=True)
    failed, retried = 0, []
    for m in mods:
        rc = _import_one(m, cfg)
        if rc not in (0, 124) and not fb and not cfg.get("windows"):
            # installed, but its import died (often at `import winreg`): again with stand-ins
            retried.append(m)
            rc = _import_one(m, {**cfg, **_standins("import", [], [m])})
        failed += rc != 0
    if retried:
        cfg = {**cfg, **_standins("import", [], retried)}
        fallback.save_import_retry(retried)
    fallback.note_phase("import", fb, cfg, modules=mods, **({"retried_with_standins": retried} if retried else {}))
    return 0 if not failed else 1


def _import_one(module, cfg):
    proc = subprocess.Popen([PY, PYWORLD, "import", module], stdin=subprocess.PIPE)
    harness.feed(proc, json.dumps(cfg).encode())  # pyworld.py's settings, on its stdin
    try:
        return proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print(f"pkgtrace: import {module} timed out", flush=True)
        return 124


def console_scripts(name):
    for dist in _installed(name)[:1]:
        return [[VENV + "/bin/" + ep.name] for ep in dist.entry_points
                if ep.group == "console_scripts" and "/" not in ep.name]
    return []


def execute(name):
    cfg, fb = _world("execute", name)
    if _windows_already(fb):
        return 0
    worker = [PY, PYWORLD, "script", os.path.join(harness.WORKERS, "python_worker.py"),
              ",".join(_modules(name, fb))]
    rc = harness.run("execute", worker, entry_points=console_scripts(name),
                     extra=fallback.phase_fields(fb, cfg), settings=json.dumps(cfg).encode())
    fallback.amend_record("execute", cfg)
    return rc


if __name__ == "__main__":
    phase, arg = sys.argv[1], sys.argv[2]
    os.chdir("/work")
    sys.exit({"install": install, "import": import_all, "execute": execute}[phase](arg))
