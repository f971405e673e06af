#!/bin/sh
# Stand-in for a Windows tool (powershell, cmd, certutil, schtasks, reg, wmic, curl.exe…), reached
# through a link named after it (see sandbox/persona.py). The trace records the call with its full
# arguments; this only answers plausibly so that the caller carries on, and exits 0.
name=$(basename "$0" .exe)
case "$name" in
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
