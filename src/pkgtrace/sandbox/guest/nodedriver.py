"""Start a Node driver (npm.js) with pkgtrace's settings on its stdin, none in its environment.

gVisor lets every user read every process's /proc/PID/environ (mode 0444), a root driver's too,
and Node cannot blank its own initial environment as harness.py does for Python. So this takes
the PKGTRACE_* settings out of the environment, puts them as JSON in a pipe that becomes stdin,
and replaces itself with node running the driver (execve: nothing of the old environment stays
in the process). The driver reads them to the end at once (workers/nodeworld.js settings()).

argv: SCRIPT ARGS… (see layout.driver)
"""
import json
import os
import sys

PIPE_CAPACITY = 65536  # what a pipe holds with no reader yet: the write below must not block

settings = json.dumps({k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("PKGTRACE_")]})
data = settings.encode()
if len(data) >= PIPE_CAPACITY:
    sys.exit("nodedriver: settings too large for the pipe")
r, w = os.pipe()
os.write(w, data)
os.close(w)
os.dup2(r, 0)
os.close(r)
os.execve("/usr/bin/node", ["/usr/bin/node", *sys.argv[1:]], dict(os.environ))
