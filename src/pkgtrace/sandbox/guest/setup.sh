#!/bin/sh
# Control step before the first phase (no package code has run yet), run as root: lay the run's
# fresh bait, the persona's decoys and the lived-in files around them into the package user's
# home, and the Windows persona's Python side (winpy.py) over Debian's sitecustomize, root's and
# read-only to the package user. Usage: setup.sh SEED_HOME HOME
set -e
cp -a "$1/." "$2/"
if [ -d /etc/python3.11 ]; then
  /bin/cp "$(dirname "$0")/winpy.py" /etc/python3.11/sitecustomize.py
  /bin/chmod 0644 /etc/python3.11/sitecustomize.py
  # Its bytecode too, as root: else every interpreter the package user starts tries to write it
  # into /usr/lib/python3.11/__pycache__, is refused, and that reads as tampering with the system.
  /usr/bin/python3 -I -S -c 'import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)' \
    /usr/lib/python3.11/sitecustomize.py
fi
