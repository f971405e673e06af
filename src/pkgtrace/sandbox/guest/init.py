#!/usr/bin/python3 -IS
"""PID 1 of the sandbox, bound at /sbin/init: reaps every orphan so that zombies never exhaust the
process limit, and on SIGUSR1 (from the host, `runsc kill`) kills every other process, so that
nothing one phase started acts in the next. Doing that here, rather than in an exec'd shell, means
the between-phase kill runs no binary from the guest's filesystem."""
import os
import signal
import time


def _kill_rest(*_):
    try:
        os.kill(-1, signal.SIGKILL)  # every process but this one
    except OSError:
        pass


signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
signal.signal(signal.SIGUSR1, _kill_rest)
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.2)
    except InterruptedError:
        pass
