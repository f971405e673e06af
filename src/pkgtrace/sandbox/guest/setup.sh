#!/bin/sh
# Control step before the first phase: lay the run's fresh bait into the home folder.
set -e
cp -a /pkgtrace/bait/. /
chmod 700 /root/.ssh
