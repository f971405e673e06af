"""npm execute phase inside the sandbox: `npm_execute.py NAME`.

Calls every function, class and method the package exports (workers/node_worker.js through
harness.py, each call time-bounded) and runs its declared bins with --help.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

PROJECT = os.path.join(os.environ["HOME"], "app")  # where npm.js installed the package

# the "later" world (dynamic/worlds.py): harness took every PKGTRACE_* setting out of the
# environment into SETTINGS
CLOCK_SHIFT = float(harness.SETTINGS.get("PKGTRACE_CLOCK_SHIFT", "0") or 0)
SLEEP_CAP = float(harness.SETTINGS.get("PKGTRACE_SLEEP_CAP", "0") or 0)


def world(name):
    """The worker's world (workers/nodeworld.js reads it on stdin): the clock of the world, and
    stand-ins for the package's requires of missing modules when npm.js found them needed
    (install fallback, or the import)."""
    cfg = {"clock": CLOCK_SHIFT, "sleep": SLEEP_CAP}
    if harness.load(os.path.join(harness.STATE_DIR, "npm-standins.json")):
        cfg["standins"] = os.path.join(PROJECT, "node_modules", name)
    return cfg


if __name__ == "__main__":
    sys.exit(harness.run("execute", ["/usr/bin/node", os.path.join(harness.WORKERS, "node_worker.js"), sys.argv[1],
                                     PROJECT], cwd=PROJECT, settings=json.dumps(world(sys.argv[1])).encode()))
