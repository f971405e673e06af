"""npm execute phase inside the sandbox: `npm_execute.py NAME`.

Calls every function, class and method the package exports (workers/node_worker.js through
harness.py, each call time-bounded) and runs its declared bins with --help.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

PROJECT = os.path.join(os.environ["HOME"], "app")  # where npm.js installed the package

# the "later" world (dynamic/worlds.py): node_worker.js loads nodeclock.js with these (harness
# took every PKGTRACE_* setting out of the environment into SETTINGS)
CLOCK_SHIFT = harness.SETTINGS.get("PKGTRACE_CLOCK_SHIFT", "")
SLEEP_CAP = harness.SETTINGS.get("PKGTRACE_SLEEP_CAP", "")


def worker_env(name):
    """The worker's environment: the clock of the world, and stand-ins for the package's requires
    of missing modules when npm.js found them needed (install fallback, or the import)."""
    env = dict(os.environ)
    if CLOCK_SHIFT:
        env["NODE_CLOCK_SKEW"] = f"{CLOCK_SHIFT},{SLEEP_CAP or 0}"
    if harness.load(os.path.join(harness.STATE_DIR, "npm-standins.json")):
        env["NODE_MODULE_STUBS"] = os.path.join(PROJECT, "node_modules", name)
    return env


if __name__ == "__main__":
    sys.exit(harness.run("execute", ["/usr/bin/node", os.path.join(harness.WORKERS, "node_worker.js"), sys.argv[1],
                                     PROJECT], cwd=PROJECT, env=worker_env(sys.argv[1])))
