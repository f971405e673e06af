#!/bin/sh
# Stand-in for a Windows tool (powershell, cmd, certutil, schtasks, reg, wmic, curl.exe…), reached
# through a link named after it (see sandbox/persona.py). The trace records the call with its full
# arguments; this only answers plausibly so that the caller carries on, and exits 0 — except
# for what Windows would run: `start PROG ARGS` (and `cmd /c PROG ARGS`, os.startfile's path)
# runs PROG when it is a program here (or a .py file, with python3), as Windows would: droppers
# write a script and `start` it, and its payload shows only when it runs.
name=$(basename "$0" .exe)

# whether $1 names a program here (dash's `command -v` accepts any existing path)
runnable() {
  case "$1" in
    */*) [ -f "$1" ] && [ -x "$1" ] ;;
    '') false ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

# PROG ARGS…, run when PROG can be run here; else nothing. Waited for with $wait; else started in
# the background as Windows' start does, but returning only when it ends or after 15 s, so that a
# short next stage runs inside the phase that started it (the trace attributes it there) and a
# stage that stays does not hold its caller up for long.
launch() {
  [ "$#" -gt 0 ] || return 0
  if ! runnable "$1"; then
    case "$1" in
      *.py|*.pyw|*.PY|*.PYW) [ -f "$1" ] && set -- python3 "$@" || return 0 ;;
      *) return 0 ;;  # a document, a URL, a Windows path: nothing to run here
    esac
  fi
  if [ -n "$wait" ]; then
    "$@"
    return $?
  else
    "$@" </dev/null >/dev/null 2>&1 &
    timeout 15 tail -f /dev/null --pid=$! 2>/dev/null
  fi
  return 0
}

case "$name" in
  start)
    # [title] [/switches] PROG ARGS: a title is a first word that is not a program while the next
    # is (`start "" prog`, `start "Window" prog`)
    wait=
    if [ "$#" -gt 1 ] && ! runnable "$1" && case "$1" in /*) false ;; *) true ;; esac; then
      shift
    fi
    while [ "$#" -gt 0 ]; do
      case "${1#/}" in */*) break ;; esac  # a path, not a switch
      case "$(printf %s "$1" | tr a-z A-Z)" in
        /WAIT) wait=1; shift ;;
        /B|/I|/MIN|/MAX|/SEPARATE|/SHARED|/LOW|/NORMAL|/HIGH|/REALTIME|/ABOVENORMAL|/BELOWNORMAL) shift ;;
        /D|/NODE|/AFFINITY) shift; [ "$#" -gt 0 ] && shift ;;
        /D*) shift ;;
        *) break ;;
      esac
    done
    launch "$@"
    exit 0 ;;
  cmd)
    # cmd /c PROG ARGS (one string or several words): the one program, waited for
    while [ "$#" -gt 0 ]; do
      case "$(printf %s "$1" | tr a-z A-Z)" in
        /C|/K) shift; break ;;
        /*) shift ;;
        *) exit 0 ;;
      esac
    done
    if [ "$#" -eq 1 ]; then
      set -f; set -- $1; set +f  # words only: no globbing, no shell syntax
    fi
    wait=1
    launch "$@"
    exit $? ;;
  wmic)
    case "$*" in
      *uuid*|*UUID*) printf 'UUID\r\n4C4C4544-0042-3510-8051-B7C04F4B3732\r\n' ;;
      *[Vv]ideo*) printf 'Name\r\nNVIDIA GeForce GTX 1660 SUPER\r\n' ;;
      *[Dd]isk*) printf 'SerialNumber\r\nS4EVNF0M812345\r\n' ;;
      *) printf '\r\n' ;;
    esac ;;
  certutil) echo "CertUtil: -decode command completed successfully." ;;
  schtasks) echo "SUCCESS: The scheduled task has successfully been created." ;;
  reg) echo "The operation completed successfully." ;;
  taskkill) echo "SUCCESS: The process has been terminated." ;;
  tasklist) printf 'Image Name                     PID Session Name        Session#    Mem Usage\r\nexplorer.exe                  4312 Console                    1     98,204 K\r\n' ;;
  systeminfo) printf 'OS Name:                   Microsoft Windows 10 Pro\r\nOS Version:                10.0.19045 N/A Build 19045\r\n' ;;
  ipconfig) printf 'Windows IP Configuration\r\n\r\n   IPv4 Address. . . . . . . . . . . : 192.168.1.23\r\n' ;;
  curl) exec curl "$@" ;;
esac
exit 0
