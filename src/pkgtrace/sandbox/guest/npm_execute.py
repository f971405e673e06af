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

if __name__ == "__main__":
    sys.exit(harness.run("execute", ["/usr/bin/node", os.path.join(harness.WORKERS, "node_worker.js"), sys.argv[1],
                                     PROJECT], cwd=PROJECT))
