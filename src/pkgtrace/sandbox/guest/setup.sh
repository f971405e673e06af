#!/bin/sh
# Control step before the first phase: lay the run's fresh bait into the home folder, and the
# Windows persona's Python side (winpy.py) over Debian's sitecustomize.
set -e
cp -a /pkgtrace/bait/. /
chmod 700 /root/.ssh
if [ -d /etc/python3.11 ]; then cp /pkgtrace/guest/winpy.py /etc/python3.11/sitecustomize.py; fi
