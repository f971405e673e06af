#!/bin/sh
# Control step before the first phase (no package code has run yet): lay the run's fresh bait and
# the lived-in files around it into the package user's home. Usage: setup.sh SEED_HOME HOME
set -e
cp -a "$1/." "$2/"
