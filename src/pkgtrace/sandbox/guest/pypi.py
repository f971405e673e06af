"""PyPI phases inside the sandbox: `install ARTIFACT`, `import DISTRIBUTION-NAME`, `execute NAME`.

install: pip install the artifact (dependencies come from PyPI through the simulator's registry
pass-through) into the image's ready venv.
import: import every top-level module the installed distribution provides, each in its own
process with a time limit, so one hanging module does not hide the others.
execute: call the public functions, classes and methods of those modules (workers/python_worker.py
through harness.py) and run the distribution's console scripts with --help.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (also takes pkgtrace's settings out of the environment)

VENV = os.path.join(os.environ["HOME"], ".venv")  # the package user's (image.py)
PY = VENV + "/bin/python"


def install(artifact):
    cmd = [PY, "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
           "--no-warn-script-location", "--progress-bar", "off", artifact]
    return subprocess.call(cmd)


def top_level_modules(name):
    """Modules of the named distribution in the venv: top_level.txt, else RECORD's first parts.

    Read in this (driver) process from the venv's site-packages, so that the phase's trace holds
    only the imports themselves."""
    import glob
    import importlib.metadata as md
    import re

    def norm(s):
        return re.sub(r"[-_.]+", "-", s or "").lower()

    mods = []
    for dist in md.distributions(path=glob.glob(VENV + "/lib/python3*/site-packages")):
        if norm(dist.metadata["Name"]) != norm(name):
            continue
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


def import_all(name):
    mods = top_level_modules(name)
    print("pkgtrace: importing " + (", ".join(mods) or "(no modules found)"), flush=True)
    failed = 0
    for m in mods:
        try:
            rc = subprocess.call([PY, "-c", "import importlib, sys; importlib.import_module(sys.argv[1])", m],
                                 timeout=120)
        except subprocess.TimeoutExpired:
            print(f"pkgtrace: import {m} timed out", flush=True)
            rc = 124
        failed += rc != 0
    return 0 if not failed else 1


def console_scripts(name):
    import glob
    import importlib.metadata as md
    import re

    def norm(s):
        return re.sub(r"[-_.]+", "-", s or "").lower()

    for dist in md.distributions(path=glob.glob(VENV + "/lib/python3*/site-packages")):
        if norm(dist.metadata["Name"]) == norm(name):
            return [[VENV + "/bin/" + ep.name] for ep in dist.entry_points
                    if ep.group == "console_scripts" and "/" not in ep.name]
    return []


def execute(name):
    worker = [PY, os.path.join(harness.WORKERS, "python_worker.py"),
              ",".join(top_level_modules(name))]
    return harness.run("execute", worker, entry_points=console_scripts(name))


if __name__ == "__main__":
    phase, arg = sys.argv[1], sys.argv[2]
    os.chdir("/work")
    sys.exit({"install": install, "import": import_all, "execute": execute}[phase](arg))
